"""``jupyter secrets``: the store and project slots from a shell, and ``run`` for jobs.

Values come from a hidden prompt or standard input, never from argv (``ps`` and shell history
would see them).  Exit codes: 0 success, 1 error, 2 usage, 3 ``status`` found missing slots,
and ``run`` exits with its command's code.
"""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from jupyter_secrets.cli import bootstrap
from jupyter_secrets.core import slotfile
from jupyter_secrets._version import __version__
from jupyter_secrets.store.crypto import ENV_VAR as KEY_ENV_VAR
from jupyter_secrets.errors import NotFound, SecretsError
from jupyter_secrets.cli.prompt import is_interactive
from jupyter_secrets.core.service import SecretsService

EXIT_ERROR, EXIT_USAGE, EXIT_MISSING = 1, 2, 3


class CLIError(Exception):
    """An error to print as is, with an exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------- helpers


def _service(args, secrets_base: str | None = None, with_files: bool = False) -> SecretsService:
    """A service rooted at the filesystem root, so that any project directory can be named.

    Only ``run`` writes files (``with_files``): the other commands change the store, and a
    running server picks the change up and rewrites its own files.
    """
    return bootstrap.open_service(
        store_path=args.store, key_file=args.key_file, root_dir=Path("/"),
        secrets_base=secrets_base, with_files=with_files, owner=args.owner,
    )


def _project(service: SecretsService, directory: str | None) -> dict[str, Any]:
    start = Path(directory or os.getcwd()).resolve()
    if not start.exists():
        raise CLIError(f"{start}: no such directory")
    model = service.project_for_path(str(start.relative_to("/")))
    if not model["exists"]:
        raise CLIError(
            f"{start} is in no project: no .jupyter/secret-slots.json here or above. "
            "Create one with `jupyter secrets slots add --project DIR ...` after "
            "`jupyter secrets slots init --name NAME`."
        )
    if model["error"]:
        raise CLIError(f"the project's slot file cannot be read: {model['error']}")
    return model


def _find_slot(model: dict[str, Any], key: str) -> dict[str, Any]:
    for slot in model["slots"]:
        if key in (slot["id"], slot["name"], slot["filename"]):
            return slot
    names = ", ".join(slot["name"] for slot in model["slots"]) or "none"
    raise CLIError(f"no slot '{key}' in project '{model['name']}' (slots: {names})")


def _find_secret(service: SecretsService, name: str) -> dict[str, Any]:
    for secret in service.list_user_secrets():
        if name in (secret["name"], secret["id"]):
            return secret
    raise CLIError(f"no saved secret '{name}' (see `jupyter secrets list`)")


def _read_value(prompt: str) -> str:
    """A value from a hidden prompt (terminal) or from standard input (pipes)."""
    if is_interactive():
        value = getpass.getpass(prompt)
        if value and getpass.getpass("Again, to confirm: ") != value:
            raise CLIError("the two entries differ; nothing saved")
    else:
        value = sys.stdin.read()
        # `echo secret | jupyter secrets set NAME` adds one newline that is not part of the value.
        if value.endswith("\n"):
            value = value[:-1]
            if value.endswith("\r"):
                value = value[:-1]
    if not value:
        raise CLIError("empty value; nothing saved")
    return value


def _usage_text(secret: dict[str, Any]) -> str:
    return ", ".join(f"{u['project_name'] or u['project_id']} / {u['slot_name'] or u['slot_id']}" for u in secret["usage"]) or "unused"


# ---------------------------------------------------------------------- commands


def cmd_list(args) -> int:
    secrets = _service(args).list_user_secrets()
    if not secrets:
        print("No saved secrets. Save one with `jupyter secrets set NAME`.")
        return 0
    width = max(len(s["name"]) for s in secrets)
    for secret in secrets:
        flags = " (expired)" if secret["expired"] else (f" (expires {secret['expires']})" if secret["expires"] else "")
        print(f"{secret['name']:<{width}}  modified {secret['modified']}{flags}  used by: {_usage_text(secret)}")
    return 0


def cmd_set(args) -> int:
    service = _service(args)
    existing = next((s for s in service.list_user_secrets() if s["name"] == args.name), None)
    value = _read_value(f"Value of '{args.name}' (hidden): ")
    if existing is None:
        service.create_user_secret(args.name, value, args.expires)
        print(f"Saved '{args.name}'.")
    else:
        payload = {"value": value}
        if args.expires is not None:
            payload["expires"] = args.expires
        service.update_user_secret(existing["id"], payload)
        print(f"Replaced the value of '{args.name}' (used by: {_usage_text(existing)}).")
    return 0


def cmd_rm(args) -> int:
    service = _service(args)
    secret = _find_secret(service, args.name)
    service.delete_user_secret(secret["id"])
    print(f"Deleted '{secret['name']}'" + (f"; unlinked from: {_usage_text(secret)}." if secret["usage"] else "."))
    return 0


def cmd_slots(args) -> int:
    service = _service(args)
    if args.action == "init":
        directory = Path(args.project or os.getcwd()).resolve()
        model = service.create_project(str(directory.relative_to("/")), args.name or directory.name)
        print(f"Created {directory / slotfile.SLOT_FILE} for project '{model['name']}'. Commit it with the project.")
        return 0
    model = _project(service, args.project)
    if args.action == "add":
        payload = {"name": args.name, "filename": args.filename}
        if args.description is not None:
            payload["description"] = args.description
        if args.env is not None:
            payload["env"] = args.env
        slot = service.add_slot(model["id"], payload)
        print(f"Added slot '{slot['name']}' (file {slot['filename']}) to '{model['name']}'.")
        return 0
    if args.action == "rm":
        slot = _find_slot(model, args.slot)
        service.remove_slot(model["id"], slot["id"])
        print(f"Removed slot '{slot['name']}' from '{model['name']}'.")
        return 0
    print(f"Project '{model['name']}' ({model['id']})")
    for slot in model["slots"]:
        env = f", env {slot['env']}" if slot["env"] else ""
        secret = f" <- {slot['secret']['name']}" if slot["secret"] else ""
        print(f"  {slot['name']}: file {slot['filename']}{env} [{slot['state']}]{secret}")
        if slot["description"]:
            print(f"      {slot['description']}")
    if not model["slots"]:
        print("  (no slots; add one with `jupyter secrets slots add --name NAME --filename FILE`)")
    return 0


def cmd_bind(args) -> int:
    service = _service(args)
    model = _project(service, args.project)
    slot = _find_slot(model, args.slot)
    if args.secret is None:
        result = service.fill_slot(model["id"], slot["id"], value=_read_value(f"Value for '{slot['name']}' (hidden): "))
    else:
        result = service.fill_slot(model["id"], slot["id"], secret_id=_find_secret(service, args.secret)["id"])
    print(result["message"])
    return 0


def cmd_status(args) -> int:
    service = _service(args)
    model = _project(service, args.project)
    missing = [slot for slot in model["slots"] if slot["state"] != "provided"]
    for slot in model["slots"]:
        print(f"{slot['state']:<9} {slot['name']} (file {slot['filename']})")
    if missing:
        print(f"{len(missing)} of {len(model['slots'])} slot(s) of '{model['name']}' have no usable value. "
              "Provide them with `jupyter secrets bind SLOT [SECRET]`.", file=sys.stderr)
        return EXIT_MISSING
    print(f"Every slot of '{model['name']}' has a value.")
    return 0


def cmd_rotate_key(args) -> int:
    count = bootstrap.rotate_key(args.store, args.key_file)
    print(f"Re-encrypted {count} secret(s) under the new key.")
    if os.environ.get("JUPYTER_SECRETS_KEY"):
        print("JUPYTER_SECRETS_KEY is set: everything is now under its first key; remove the old keys from it.")
    return 0


def cmd_doctor(args) -> int:
    problems = 0
    for ok, text in bootstrap.diagnose(args.store, args.key_file):
        print(("ok    " if ok else "FIX   ") + text)
        problems += not ok
    return EXIT_ERROR if problems else 0


def cmd_run(args) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise CLIError("nothing to run: jupyter secrets run [--project DIR] -- CMD ...", EXIT_USAGE)
    service = _service(args, secrets_base=args.secrets_dir, with_files=True)
    try:
        model = _project(service, args.project)
        # The store key stays with this process: the command gets the secrets, not the key.
        inherited = {name: value for name, value in os.environ.items() if name != KEY_ENV_VAR}
        env = {**inherited, **service.kernel_env(str(Path("/") / model["path"]))}
        missing = [slot["name"] for slot in model["slots"] if slot["state"] != "provided"]
        if missing:
            print(f"jupyter secrets: no value for {', '.join(missing)}", file=sys.stderr)
        return _run_child(command, env)
    finally:
        service.materializer.remove_all()


def _run_child(command: list[str], env: dict[str, str]) -> int:
    """Run the command; pass SIGINT/SIGTERM on to it, and return its exit code."""
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as err:
        raise CLIError(f"cannot run {command[0]}: {err.strerror}", 127) from None

    def forward(signum, _frame):
        child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code


# ---------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter secrets",
        description="Manage your Jupyter secrets and project slots. Values are read from a hidden "
        "prompt or standard input, never from the command line.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--store", default=None, help="the store file (default: as the server: "
                        "<jupyter data dir>/jupyter_secrets/secrets.sqlite3)")
    parser.add_argument("--key-file", default=None, help="the key file (default: secrets.key beside the store); "
                        "JUPYTER_SECRETS_KEY takes precedence")
    parser.add_argument("--owner", default=None, help="whose secrets (default: as the server: "
                        "$JUPYTERHUB_USER, else your user name; match c.SecretsExtension.owner if you set it)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sub.add_parser("list", help="every saved secret and where it is used").set_defaults(func=cmd_list)

    p = sub.add_parser("set", help="save or replace a secret (value from a hidden prompt or stdin)")
    p.add_argument("name")
    p.add_argument("--expires", help="ISO 8601 date-time after which the value is not used")
    p.set_defaults(func=cmd_set)

    p = sub.add_parser("rm", help="delete a secret (unlinked from every slot)")
    p.add_argument("name")
    p.set_defaults(func=cmd_rm)

    p = sub.add_parser("slots", help="list, add or remove the slots of a project")
    p.add_argument("action", nargs="?", choices=["list", "add", "rm", "init"], default="list")
    p.add_argument("slot", nargs="?", help="with rm: the slot's name, filename or id")
    p.add_argument("--project", help="a directory in the project (default: the current one)")
    p.add_argument("--name", help="with add: the slot's name; with init: the project's name")
    p.add_argument("--filename", help="with add: the file name kernels read")
    p.add_argument("--description", help="with add: what the secret is for")
    p.add_argument("--env", help="with add: also export the value as this environment variable")
    p.set_defaults(func=cmd_slots)

    p = sub.add_parser("bind", help="fill a slot with a saved secret (or a new value from a prompt/stdin)")
    p.add_argument("slot", help="the slot's name, filename or id")
    p.add_argument("secret", nargs="?", help="the saved secret's name (omit to enter a new value)")
    p.add_argument("--project", help="a directory in the project (default: the current one)")
    p.set_defaults(func=cmd_bind)

    p = sub.add_parser("status", help="what is missing for a project (exit code 3 when something is)")
    p.add_argument("--project", help="a directory in the project (default: the current one)")
    p.set_defaults(func=cmd_status)

    sub.add_parser("rotate-key", help="re-encrypt every secret under a new key").set_defaults(func=cmd_rotate_key)
    sub.add_parser("doctor", help="check keys, file modes, the secrets directory and the store").set_defaults(func=cmd_doctor)

    p = sub.add_parser("run", help="run a command with a project's secrets, then remove them",
                       description="Materialize a project's secrets for one command (papermill, cron jobs), "
                       "set JUPYTER_SECRETS_DIR and env slots, and clean up after it, even when it fails.")
    p.add_argument("--project", help="a directory in the project (default: the current one)")
    p.add_argument("--secrets-dir", help="parent of the temporary secrets directory "
                   "(default: memory-backed, as the server's)")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.store is None:
        args.store = str(bootstrap.default_store_path())
    if args.key_file is None:
        args.key_file = str(Path(args.store).with_name("secrets.key"))
    try:
        return args.func(args)
    except CLIError as err:
        print(f"jupyter secrets: {err}", file=sys.stderr)
        return err.code
    except NotFound as err:
        print(f"jupyter secrets: {err.message}", file=sys.stderr)
        return EXIT_ERROR
    except SecretsError as err:
        print(f"jupyter secrets: {err.message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\njupyter secrets: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
