"""What the commands of ``jupyter secrets`` share: the service over the configured store,
the project of ``--project``, and reading a value from a hidden prompt or standard input."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from traitlets import Unicode

from jupyter_secrets.cli import bootstrap
from jupyter_secrets.cli.application import CLIError, SecretsCommand
from jupyter_secrets.cli.prompt import is_interactive
from jupyter_secrets.core.models import ProjectView, SecretView, SlotView
from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.store.sqlite import SQLiteSecretStore


def read_value(prompt: str, *, from_file: str | None = None, exact: bool = False) -> str | bytes:
    """A value from ``from_file``, a hidden prompt (terminal) or standard input (pipes).

    A file, and standard input with ``exact``, give their bytes exactly.  Standard input
    without ``exact`` drops one trailing newline (``echo secret | ...`` adds it) when it is
    text.  Bytes that are UTF-8 become a text value, others a binary value (exact bytes).
    """
    value: str | bytes
    if from_file is not None:
        try:
            data = Path(from_file).expanduser().read_bytes()
        except OSError as err:
            raise CLIError(f"{from_file}: cannot read the value: {err.strerror}") from None
        value = _text_or_bytes(data)
    elif is_interactive():
        value = getpass.getpass(prompt)
        if value and getpass.getpass("Again, to confirm: ") != value:
            raise CLIError("the two entries differ; nothing saved")
    else:
        value = _text_or_bytes(sys.stdin.buffer.read())
        # `echo secret | jupyter secrets set NAME` adds one newline that is not part of the value.
        if not exact and isinstance(value, str) and value.endswith("\n"):
            value = value[:-1]
            if value.endswith("\r"):
                value = value[:-1]
    if not value:
        raise CLIError("empty value; nothing saved")
    return value


def _text_or_bytes(data: bytes) -> str | bytes:
    """UTF-8 bytes as text (kept exactly), anything else as a binary value."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def value_options(app: str) -> tuple[dict, dict]:
    """``(aliases, flags)`` of ``--from-file PATH`` and ``--exact`` for the command ``app``."""
    return (
        {"from-file": f"{app}.from_file"},
        {
            "exact": (
                {app: {"exact": True}},
                (
                    "Keep standard input exactly, the last newline too (default: one trailing "
                    "newline of text is dropped)."
                ),
            )
        },
    )


FROM_FILE_HELP = """Read the value from this file, its exact bytes (a PEM key, a JSON service
account, a keystore): text when the file is UTF-8, else a binary value.  The value itself is
never on the command line."""


def usage_text(secret: SecretView) -> str:
    return (
        ", ".join(
            f"{u.project_name or u.project_id} / {u.slot_name or u.slot_id}" for u in secret.usage
        )
        or "unused"
    )


def find_slot(model: ProjectView, key: str) -> SlotView:
    for slot in model.slots:
        if key in (slot.id, slot.name, slot.filename):
            return slot
    names = ", ".join(slot.name for slot in model.slots) or "none"
    raise CLIError(f"no slot '{key}' in project '{model.name}' (slots: {names})")


def find_secret(service: SecretsService, name: str) -> SecretView:
    for secret in service.list_user_secrets():
        if name in (secret.name, secret.id):
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
        service = bootstrap.open_service(
            store_path=settings.store_path,
            key_file=settings.key_file,
            root_dir=Path("/"),
            secrets_base=settings.secrets_dir or None,
            with_files=with_files,
            owner=settings.owner,
            store_class=settings.store_class,  # type: ignore[arg-type]  # a Type trait of SecretStore
            max_value_bytes=settings.max_value_bytes,
        )
        service.models.expiry_warning_days = settings.expiry_warning_days
        return service

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

    def project_model(self, service: SecretsService) -> ProjectView:
        start = Path(self.project or os.getcwd()).resolve()
        if not start.exists():
            raise CLIError(f"{start}: no such directory")
        model = service.project_for_path(str(start.relative_to("/")))
        if not model.exists:
            raise CLIError(
                f"{start} is in no project: no .jupyter/secret-slots.json here or above. "
                "Create one with `jupyter secrets slots add --project DIR ...` after "
                "`jupyter secrets slots init --name NAME`."
            )
        if model.error:
            raise CLIError(f"the project's slot file cannot be read: {model.error}")
        return model
