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

import os
import sys

from traitlets import Bool, Int, TraitError, Unicode

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
from jupyter_secrets.cli.commands import (
    FROM_FILE_HELP,
    Command,
    find_secret,
    read_value,
    usage_text,
    value_options,
)
from jupyter_secrets.cli.migrate import MigrateApp
from jupyter_secrets.cli.refs import COMMAND_HELP, VAULT_HELP, reference_payload, reference_text
from jupyter_secrets.cli.run import RunApp
from jupyter_secrets.cli.scan import ScanApp
from jupyter_secrets.cli.slots import BindApp, SlotsApp, StatusApp
from jupyter_secrets.errors import SecretsError
from jupyter_secrets.store.crypto import ENV_VAR as KEY_ENV_VAR

__all__ = ["EXIT_ERROR", "EXIT_MISSING", "EXIT_USAGE", "CLIError", "SecretsApp", "main"]


# ---------------------------------------------------------------------- secrets


class ListApp(Command):
    name = "jupyter secrets list"
    description = "List every saved secret and where it is used (never a value)."

    def execute(self) -> int:
        secrets = self.service().list_user_secrets()
        if not secrets:
            print("No saved secrets. Save one with `jupyter secrets set NAME`.")
            return 0
        width = max(len(s.name) for s in secrets)
        for secret in secrets:
            flags = (
                " (expired)"
                if secret.expired
                else (
                    f" (expires {'soon: ' if secret.expires_soon else ''}{secret.expires})"
                    if secret.expires
                    else ""
                )
            )
            print(
                f"{secret.name:<{width}}  modified {secret.modified}{flags}"
                f"{reference_text(secret)}  used by: {usage_text(secret)}"
            )
        return 0


class SetApp(Command):
    name = "jupyter secrets set"
    synopsis = "NAME [--expires DATE] [--command CMD | --vault MOUNT/PATH#FIELD] [options]"
    arguments = ("NAME",)
    too_many_hint = (
        ": the value is read from a hidden prompt or standard input, never from the command line"
    )
    description = """Save or replace the secret NAME.  The value is read from a hidden prompt
    (twice), from standard input when it is not a terminal (one trailing newline is dropped,
    unless --exact), or from a file (--from-file PATH, its exact bytes).  Bytes that are not
    UTF-8 are saved as a binary value.  With --command or --vault, a reference is saved instead
    of a value: the value stays in the vault and is fetched when kernels need it (kept in
    memory for --ttl seconds); the command runs once now to check it."""

    command = Unicode(None, allow_none=True, config=True, help=COMMAND_HELP)
    vault = Unicode(None, allow_none=True, config=True, help=VAULT_HELP)
    vault_addr = Unicode(
        None, allow_none=True, config=True, help="The vault's address (default: VAULT_ADDR)."
    )
    ttl = Int(
        None,
        allow_none=True,
        config=True,
        help="Seconds a fetched reference value is kept before it is fetched again (300).",
    )
    timeout = Int(
        None,
        allow_none=True,
        config=True,
        help="Seconds a reference's fetch may take before it is stopped (30).",
    )

    expires = Unicode(
        None,
        allow_none=True,
        config=True,
        help="ISO 8601 date-time after which the value is not used.",
    )
    from_file = Unicode(None, allow_none=True, config=True, help=FROM_FILE_HELP)
    exact = Bool(False, config=True, help="Keep standard input exactly (its last newline too).")
    aliases = {
        **Command.aliases,
        "expires": "SetApp.expires",
        **value_options("SetApp")[0],
        "command": "SetApp.command",
        "vault": "SetApp.vault",
        "vault-addr": "SetApp.vault_addr",
        "ttl": "SetApp.ttl",
        "timeout": "SetApp.timeout",
    }
    flags = {**Command.flags, **value_options("SetApp")[1]}

    def execute(self) -> int:
        (name,) = self.extra_args
        service = self.service()
        existing = next((s for s in service.list_user_secrets() if s.name == name), None)
        reference = reference_payload(
            self.command, self.vault, self.vault_addr, self.ttl, self.timeout, self
        )
        if reference is not None:
            return self._set_reference(service, name, existing, reference)
        value = read_value(
            f"Value of '{name}' (hidden): ", from_file=self.from_file, exact=self.exact
        )
        if existing is None:
            service.create_user_secret(name, value, self.expires)
            print(f"Saved '{name}'.")
        else:
            payload = {"value": value}
            if self.expires is not None:
                payload["expires"] = self.expires
            service.update_user_secret(existing.id, payload)
            print(f"Replaced the value of '{name}' (used by: {usage_text(existing)}).")
        return 0

    def _set_reference(self, service, name, existing, reference) -> int:
        if self.from_file is not None:
            raise UsageError("--from-file gives a value; --command and --vault a reference", self)
        if existing is None:
            secret = service.create_user_secret(name, None, self.expires, reference=reference)
            print(f"Saved '{name}' as a reference{reference_text(secret)}.")
        else:
            payload = {"reference": reference}
            if self.expires is not None:
                payload["expires"] = self.expires
            secret = service.update_user_secret(existing.id, payload)
            print(
                f"Replaced '{name}' by a reference{reference_text(secret)} "
                f"(used by: {usage_text(existing)})."
            )
        problem = service.check_references([secret.id]).get(secret.id)
        if problem:
            print(f"warning: the first fetch failed: {problem}", file=sys.stderr)
        else:
            print("Fetched it once to check: it works (the value is not shown).")
        return 0


class RmApp(Command):
    name = "jupyter secrets rm"
    synopsis = "NAME [options]"
    arguments = ("NAME",)
    description = "Delete the saved secret NAME (name or id); it is unlinked from every slot."

    def execute(self) -> int:
        service = self.service()
        secret = find_secret(service, self.extra_args[0])
        service.delete_user_secret(secret.id)
        print(
            f"Deleted '{secret.name}'"
            + (f"; unlinked from: {usage_text(secret)}." if secret.usage else ".")
        )
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
        "scan": (ScanApp, "find your secret values in files (exit code 1 when found)"),
        "migrate": (
            MigrateApp,
            "copy the local store into the JupyterHub secrets service (--to-hub)",
        ),
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
