"""``jupyter secrets``: the store and project slots from a shell, and ``run`` for jobs.

One ``JupyterApp`` per command (``application.py``), reading the server's configuration:
``c.SecretsExtension.store_path``, ``key_file``, ``owner``, ``secrets_dir``, ... in
``jupyter_server_config.py`` reach the CLI as they reach the server, and ``--store``,
``--key-file``, ``--owner``, ``--secrets-dir`` (or any ``--SecretsExtension.<name>=...``)
override them.  Values come from a hidden prompt or standard input, never from argv (``ps``
and shell history would see them).  Exit codes: 0 success, 1 error, 2 usage, 3 ``status``
found missing slots, and ``run`` exits with its command's code.
"""

from __future__ import annotations

import getpass
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from traitlets import TraitError, Unicode

from jupyter_secrets.cli import bootstrap
from jupyter_secrets.cli.application import (
    EXIT_ERROR,
    EXIT_MISSING,
    EXIT_USAGE,
    SECRETS_DIR_ALIAS,
    CLIError,
    SecretsCommand,
    UsageError,
)
from jupyter_secrets.cli.prompt import is_interactive
from jupyter_secrets.core import slotfile
from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.errors import SecretsError
from jupyter_secrets.store.crypto import ENV_VAR as KEY_ENV_VAR
from jupyter_secrets.store.sqlite import SQLiteSecretStore

__all__ = ["EXIT_ERROR", "EXIT_MISSING", "EXIT_USAGE", "CLIError", "SecretsApp", "main"]


# ---------------------------------------------------------------------- helpers


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
    return (
        ", ".join(
            f"{u['project_name'] or u['project_id']} / {u['slot_name'] or u['slot_id']}"
            for u in secret["usage"]
        )
        or "unused"
    )


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


class Command(SecretsCommand):
    """A command working on the store."""

    def service(self, with_files: bool = False) -> SecretsService:
        """A service rooted at the filesystem root, so that any project directory can be named.

        Only ``run`` writes files (``with_files``): the other commands change the store, and a
        running server picks the change up and rewrites its own files.
        """
        settings = self.settings
        return bootstrap.open_service(
            store_path=settings.store_path,
            key_file=settings.key_file,
            root_dir=Path("/"),
            secrets_base=settings.secrets_dir or None,
            with_files=with_files,
            owner=settings.owner,
            store_class=settings.store_class,
            max_value_bytes=settings.max_value_bytes,
        )

    def sqlite_store(self) -> tuple[str, str]:
        """(store path, key file) for the commands that work on the SQLite file and its key."""
        if not issubclass(self.settings.store_class, SQLiteSecretStore):
            raise CLIError(
                f"{self.name.split()[-1]} works on the SQLite store; the configured "
                f"store_class is {self.settings.store_class.__name__}"
            )
        return self.settings.store_path, self.settings.key_file


class ProjectCommand(Command):
    """A command on one project: the one holding ``--project`` (default: the current directory)."""

    project = Unicode(
        "", config=True, help="A directory in the project (default: the current one)."
    )
    aliases = {**Command.aliases, "project": "ProjectCommand.project"}

    def project_model(self, service: SecretsService) -> dict[str, Any]:
        start = Path(self.project or os.getcwd()).resolve()
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


# ---------------------------------------------------------------------- secrets


class ListApp(Command):
    name = "jupyter secrets list"
    description = "List every saved secret and where it is used (never a value)."

    def execute(self) -> int:
        secrets = self.service().list_user_secrets()
        if not secrets:
            print("No saved secrets. Save one with `jupyter secrets set NAME`.")
            return 0
        width = max(len(s["name"]) for s in secrets)
        for secret in secrets:
            flags = (
                " (expired)"
                if secret["expired"]
                else (f" (expires {secret['expires']})" if secret["expires"] else "")
            )
            print(
                f"{secret['name']:<{width}}  modified {secret['modified']}{flags}  used by: {_usage_text(secret)}"
            )
        return 0


class SetApp(Command):
    name = "jupyter secrets set"
    synopsis = "NAME [--expires DATE] [options]"
    arguments = ("NAME",)
    too_many_hint = (
        ": the value is read from a hidden prompt or standard input, never from the command line"
    )
    description = """Save or replace the secret NAME.  The value is read from a hidden prompt
    (twice), or from standard input when it is not a terminal (one trailing newline is dropped)."""

    expires = Unicode(
        None,
        allow_none=True,
        config=True,
        help="ISO 8601 date-time after which the value is not used.",
    )
    aliases = {**Command.aliases, "expires": "SetApp.expires"}

    def execute(self) -> int:
        (name,) = self.extra_args
        service = self.service()
        existing = next((s for s in service.list_user_secrets() if s["name"] == name), None)
        value = _read_value(f"Value of '{name}' (hidden): ")
        if existing is None:
            service.create_user_secret(name, value, self.expires)
            print(f"Saved '{name}'.")
        else:
            payload = {"value": value}
            if self.expires is not None:
                payload["expires"] = self.expires
            service.update_user_secret(existing["id"], payload)
            print(f"Replaced the value of '{name}' (used by: {_usage_text(existing)}).")
        return 0


class RmApp(Command):
    name = "jupyter secrets rm"
    synopsis = "NAME [options]"
    arguments = ("NAME",)
    description = "Delete the saved secret NAME (name or id); it is unlinked from every slot."

    def execute(self) -> int:
        service = self.service()
        secret = _find_secret(service, self.extra_args[0])
        service.delete_user_secret(secret["id"])
        print(
            f"Deleted '{secret['name']}'"
            + (f"; unlinked from: {_usage_text(secret)}." if secret["usage"] else ".")
        )
        return 0


# ---------------------------------------------------------------------- slots


class SlotsListApp(ProjectCommand):
    name = "jupyter secrets slots list"
    description = "List the slots of a project, their files, env names and states."

    def execute(self) -> int:
        model = self.project_model(self.service())
        print(f"Project '{model['name']}' ({model['id']})")
        for slot in model["slots"]:
            env = f", env {slot['env']}" if slot["env"] else ""
            secret = f" <- {slot['secret']['name']}" if slot["secret"] else ""
            print(f"  {slot['name']}: file {slot['filename']}{env} [{slot['state']}]{secret}")
            if slot["description"]:
                print(f"      {slot['description']}")
        if not model["slots"]:
            print(
                "  (no slots; add one with `jupyter secrets slots add --name NAME --filename FILE`)"
            )
        return 0


class SlotsAddApp(ProjectCommand):
    name = "jupyter secrets slots add"
    synopsis = "--name NAME --filename FILE [--description TEXT] [--env VAR] [options]"
    description = "Add a slot to a project's .jupyter/secret-slots.json."

    slot_name = Unicode(None, allow_none=True, config=True, help="The slot's name.")
    filename = Unicode(None, allow_none=True, config=True, help="The file name kernels read.")
    slot_description = Unicode(None, allow_none=True, config=True, help="What the secret is for.")
    env = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Also export the value as this environment variable.",
    )
    aliases = {
        **ProjectCommand.aliases,
        "name": "SlotsAddApp.slot_name",
        "filename": "SlotsAddApp.filename",
        "description": "SlotsAddApp.slot_description",
        "env": "SlotsAddApp.env",
    }

    def execute(self) -> int:
        service = self.service()
        model = self.project_model(service)
        payload = {"name": self.slot_name, "filename": self.filename}
        if self.slot_description is not None:
            payload["description"] = self.slot_description
        if self.env is not None:
            payload["env"] = self.env
        slot = service.add_slot(model["id"], payload)
        print(f"Added slot '{slot['name']}' (file {slot['filename']}) to '{model['name']}'.")
        return 0


class SlotsRmApp(ProjectCommand):
    name = "jupyter secrets slots rm"
    synopsis = "SLOT [options]"
    arguments = ("SLOT",)
    description = "Remove a slot (by name, filename or id) from a project."

    def execute(self) -> int:
        service = self.service()
        model = self.project_model(service)
        slot = _find_slot(model, self.extra_args[0])
        service.remove_slot(model["id"], slot["id"])
        print(f"Removed slot '{slot['name']}' from '{model['name']}'.")
        return 0


class SlotsInitApp(ProjectCommand):
    name = "jupyter secrets slots init"
    synopsis = "[--name NAME] [--project DIR] [options]"
    description = "Make a directory a project: create its .jupyter/secret-slots.json."

    project_name = Unicode(
        None,
        allow_none=True,
        config=True,
        help="The project's name (default: the directory's name).",
    )
    aliases = {**ProjectCommand.aliases, "name": "SlotsInitApp.project_name"}

    def execute(self) -> int:
        directory = Path(self.project or os.getcwd()).resolve()
        model = self.service().create_project(
            str(directory.relative_to("/")), self.project_name or directory.name
        )
        print(
            f"Created {directory / slotfile.SLOT_FILE} for project '{model['name']}'. Commit it with the project."
        )
        return 0


class SlotsApp(SlotsListApp):
    name = "jupyter secrets slots"
    synopsis = "[list|add|rm|init] [options]"
    description = "List, add or remove the slots of a project (without a subcommand: list them)."
    subcommands = {
        "list": (SlotsListApp, SlotsListApp.description),
        "add": (SlotsAddApp, SlotsAddApp.description),
        "rm": (SlotsRmApp, SlotsRmApp.description),
        "init": (SlotsInitApp, SlotsInitApp.description),
    }


class BindApp(ProjectCommand):
    name = "jupyter secrets bind"
    synopsis = "SLOT [SECRET] [options]"
    arguments = ("SLOT", "[SECRET]")
    description = """Fill the slot SLOT (name, filename or id) with the saved secret SECRET, or,
    without SECRET, with a new value read from a hidden prompt or standard input."""

    def execute(self) -> int:
        service = self.service()
        model = self.project_model(service)
        slot = _find_slot(model, self.extra_args[0])
        if len(self.extra_args) == 1:
            result = service.fill_slot(
                model["id"], slot["id"], value=_read_value(f"Value for '{slot['name']}' (hidden): ")
            )
        else:
            result = service.fill_slot(
                model["id"], slot["id"], secret_id=_find_secret(service, self.extra_args[1])["id"]
            )
        print(result["message"])
        return 0


class StatusApp(ProjectCommand):
    name = "jupyter secrets status"
    description = "What is missing for a project: exit code 3 when a slot has no usable value."

    def execute(self) -> int:
        model = self.project_model(self.service())
        missing = [slot for slot in model["slots"] if slot["state"] != "provided"]
        for slot in model["slots"]:
            print(f"{slot['state']:<9} {slot['name']} (file {slot['filename']})")
        if missing:
            print(
                f"{len(missing)} of {len(model['slots'])} slot(s) of '{model['name']}' have no usable value. "
                "Provide them with `jupyter secrets bind SLOT [SECRET]`.",
                file=sys.stderr,
            )
            return EXIT_MISSING
        print(f"Every slot of '{model['name']}' has a value.")
        return 0


# ---------------------------------------------------------------------- keys and checks


class RotateKeyApp(Command):
    name = "jupyter secrets rotate-key"
    description = """Re-encrypt every secret under a new key: a new key file (the old key is
    kept in it until the end, so an interruption loses nothing), or the first key of
    JUPYTER_SECRETS_KEY."""

    def execute(self) -> int:
        count = bootstrap.rotate_key(*self.sqlite_store())
        print(f"Re-encrypted {count} secret(s) under the new key.")
        if os.environ.get(KEY_ENV_VAR):
            print(
                "JUPYTER_SECRETS_KEY is set: everything is now under its first key; remove the old keys from it."
            )
        return 0


class DoctorApp(Command):
    name = "jupyter secrets doctor"
    description = """Check the key, the modes of the key and store files, the directory for
    materialized secrets (memory-backed, not squatted) and whether the store opens."""
    aliases = {**Command.aliases, **SECRETS_DIR_ALIAS}

    def execute(self) -> int:
        problems = 0
        store_path, key_file = self.sqlite_store()
        for ok, text in bootstrap.diagnose(
            store_path, key_file, secrets_dir=self.settings.secrets_dir or None
        ):
            print(("ok    " if ok else "FIX   ") + text)
            problems += not ok
        return EXIT_ERROR if problems else 0


# ---------------------------------------------------------------------- run


class RunApp(ProjectCommand):
    name = "jupyter secrets run"
    synopsis = "[--project DIR] [--secrets-dir DIR] [options] -- CMD ..."
    arguments = ("CMD ...",)
    description = """Materialize a project's secrets for one command (papermill, cron jobs), set
    JUPYTER_SECRETS_DIR and env slots, and clean up after it, even when it fails.  Everything
    after `--` (or from the first argument that is not an option) is the command, passed on
    untouched; the exit code is the command's."""
    aliases = {**ProjectCommand.aliases, **SECRETS_DIR_ALIAS}
    examples = "jupyter secrets run -- papermill in.ipynb out.ipynb"

    def check_arguments(self) -> None:
        if not self.extra_args:
            raise UsageError("nothing to run: jupyter secrets run [--project DIR] -- CMD ...", self)

    def execute(self) -> int:
        service = self.service(with_files=True)
        try:
            model = self.project_model(service)
            # The store key stays with this process: the command gets the secrets, not the key.
            inherited = {name: value for name, value in os.environ.items() if name != KEY_ENV_VAR}
            env = {**inherited, **service.kernel_env(str(Path("/") / model["path"]))}
            missing = [slot["name"] for slot in model["slots"] if slot["state"] != "provided"]
            if missing:
                print(f"jupyter secrets: no value for {', '.join(missing)}", file=sys.stderr)
            return _run_child(list(self.extra_args), env)
        finally:
            if service.materializer is not None:
                service.materializer.remove_all()


def _run_child(command: list[str], env: dict[str, str]) -> int:
    """Run the command; pass SIGINT/SIGTERM on to it, and return its exit code."""
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as err:
        raise CLIError(f"cannot run {command[0]}: {err.strerror}", 127) from None

    def forward(signum, _frame):
        child.send_signal(signum)

    previous = {
        sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code


# ---------------------------------------------------------------------- the app


class SecretsApp(SecretsCommand):
    name = "jupyter secrets"
    synopsis = "[options] COMMAND [ARGS ...]"
    description = """Manage your Jupyter secrets and project slots.  Values are read from a
    hidden prompt or standard input, never from the command line.  The store, its key, the
    owner and the secrets directory are the server's: c.SecretsExtension.store_path,
    key_file, owner, secrets_dir, ... in jupyter_server_config.py (or .json) in the Jupyter
    config path, as `jupyter server` finds it; the options below override it."""
    examples = """\
jupyter secrets slots init --name "Sales dashboard"     # make this folder a project
jupyter secrets slots add --name "Warehouse password" --filename warehouse-password
jupyter secrets set warehouse                           # hidden prompt (or: < file)
jupyter secrets bind "Warehouse password" warehouse
jupyter secrets status && jupyter secrets run -- papermill report.ipynb out.ipynb
jupyter secrets --store /srv/secrets.sqlite3 list       # another store than the config's
"""
    subcommands = {
        "list": (ListApp, "every saved secret and where it is used"),
        "set": (SetApp, "save or replace a secret (value from a hidden prompt or stdin)"),
        "rm": (RmApp, "delete a secret (unlinked from every slot)"),
        "slots": (SlotsApp, "list, add or remove the slots of a project; init makes a project"),
        "bind": (BindApp, "fill a slot with a saved secret (or a new value from a prompt/stdin)"),
        "status": (StatusApp, "what is missing for a project (exit code 3 when something is)"),
        "rotate-key": (RotateKeyApp, "re-encrypt every secret under a new key"),
        "doctor": (DoctorApp, "check keys, file modes, the secrets directory and the store"),
        "run": (RunApp, "run a command with a project's secrets, then remove them"),
    }


def main(argv: list[str] | None = None) -> int:
    """``jupyter secrets ...``; returns the exit code."""
    app = SecretsApp()
    try:
        app.initialize(argv)
        return app.start() or 0
    except UsageError as err:
        command = err.app or app
        print(
            f"{command.name}: {err}\n{command.usage}\n(see `{command.name} --help`)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except CLIError as err:
        print(f"jupyter secrets: {err}", file=sys.stderr)
        return err.code
    except SecretsError as err:
        print(f"jupyter secrets: {err.message}", file=sys.stderr)
        return EXIT_ERROR
    except TraitError as err:  # a setting of the config files or the command line
        print(f"jupyter secrets: bad setting in the config files: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\njupyter secrets: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
