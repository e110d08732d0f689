"""``jupyter secrets slots``, ``bind`` and ``status``: a project's slots from a shell."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from traitlets import Bool, Unicode

from jupyter_secrets.cli.application import EXIT_MISSING
from jupyter_secrets.cli.commands import (
    FROM_FILE_HELP,
    ProjectCommand,
    find_secret,
    find_slot,
    read_value,
    value_options,
)
from jupyter_secrets.core import slotfile
from jupyter_secrets.core.states import needs_value

EXPIRY_WARNING_ALIAS = {
    "expiry-warning-days": (
        "SecretsExtension.expiry_warning_days",
        (
            "Warn of values expiring within this many days (0: never).  Default: the server's "
            "(c.SecretsExtension.expiry_warning_days, else 7)."
        ),
    )
}


def expiry_text(expires: str | None, now: datetime | None = None) -> str:
    """``2026-12-05T00:00:00Z (in 3 days)``: when a value stops being written."""
    if not expires:
        return "never"
    try:
        when = datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return expires
    left = when - (now or datetime.now(timezone.utc))
    days = round(left.total_seconds() / 86400)
    if days >= 1:
        return f"{expires} (in {days} day{'s' if days > 1 else ''})"
    hours = max(0, int(left.total_seconds() // 3600))
    return f"{expires} (in {hours} hour{'' if hours == 1 else 's'})"


class SlotsListApp(ProjectCommand):
    name = "jupyter secrets slots list"
    description = "List the slots of a project, their files, env names and states."

    def execute(self) -> int:
        model = self.project_model(self.service())
        print(f"Project '{model.name}' ({model.id})")
        for slot in model.slots:
            env = f", env {slot.env}" if slot.env else ""
            env += f", env_file {slot.env_file}" if slot.env_file else ""
            secret = f" <- {slot.secret.name}" if slot.secret else ""
            print(f"  {slot.name}: file {slot.filename}{env} [{slot.state}]{secret}")
            if slot.description:
                print(f"      {slot.description}")
        if not model.slots:
            print(
                "  (no slots; add one with `jupyter secrets slots add --name NAME --filename FILE`)"
            )
        return 0


class SlotsAddApp(ProjectCommand):
    name = "jupyter secrets slots add"
    synopsis = (
        "--name NAME --filename FILE [--description TEXT] [--env VAR] [--env-file VAR] [options]"
    )
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
    env_file = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Also export the path of the value's file as this variable (e.g. PGPASSFILE).",
    )
    aliases = {
        **ProjectCommand.aliases,
        "name": "SlotsAddApp.slot_name",
        "filename": "SlotsAddApp.filename",
        "description": "SlotsAddApp.slot_description",
        "env": "SlotsAddApp.env",
        "env-file": "SlotsAddApp.env_file",
    }

    def execute(self) -> int:
        service = self.service()
        model = self.project_model(service)
        payload = {"name": self.slot_name, "filename": self.filename}
        if self.slot_description is not None:
            payload["description"] = self.slot_description
        if self.env is not None:
            payload["env"] = self.env
        if self.env_file is not None:
            payload["env_file"] = self.env_file
        slot = service.add_slot(model.id, payload)
        print(f"Added slot '{slot.name}' (file {slot.filename}) to '{model.name}'.")
        return 0


class SlotsRmApp(ProjectCommand):
    name = "jupyter secrets slots rm"
    synopsis = "SLOT [options]"
    arguments = ("SLOT",)
    description = "Remove a slot (by name, filename or id) from a project."

    def execute(self) -> int:
        service = self.service()
        model = self.project_model(service)
        slot = find_slot(model, self.extra_args[0])
        service.remove_slot(model.id, slot.id)
        print(f"Removed slot '{slot.name}' from '{model.name}'.")
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
            f"Created {directory / slotfile.SLOT_FILE} for project '{model.name}'. Commit it with the project."
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
    without SECRET, with a new value read from a hidden prompt, standard input (--exact keeps
    its last newline) or a file (--from-file PATH, its exact bytes)."""

    from_file = Unicode(None, allow_none=True, config=True, help=FROM_FILE_HELP)
    exact = Bool(False, config=True, help="Keep standard input exactly (its last newline too).")
    aliases = {**ProjectCommand.aliases, **value_options("BindApp")[0]}
    flags = {**ProjectCommand.flags, **value_options("BindApp")[1]}

    def execute(self) -> int:
        service = self.service()
        model = self.project_model(service)
        slot = find_slot(model, self.extra_args[0])
        if len(self.extra_args) == 1:
            result = service.fill_slot(
                model.id,
                slot.id,
                value=read_value(
                    f"Value for '{slot.name}' (hidden): ",
                    from_file=self.from_file,
                    exact=self.exact,
                ),
            )
        else:
            result = service.fill_slot(
                model.id, slot.id, secret_id=find_secret(service, self.extra_args[1]).id
            )
        print(result.message)
        return 0


class StatusApp(ProjectCommand):
    name = "jupyter secrets status"
    description = """What is missing for a project: exit code 3 when a slot has no usable value.
    A value that expires within --expiry-warning-days (default 7) is warned about."""
    aliases = {**ProjectCommand.aliases, **EXPIRY_WARNING_ALIAS}

    def execute(self) -> int:
        service = self.service()
        model = self.project_model(service)
        # References (values that stay in a vault) are fetched now, so that their state is
        # today's: {secret id: None (fetched) or why not}.
        fetched = service.check_references(slot.secret.id for slot in model.slots if slot.secret)
        if fetched:
            model = self.project_model(service)
        missing = [slot for slot in model.slots if needs_value(slot.state)]
        for slot in model.slots:
            soon = (
                f" - expires soon: {expiry_text(slot.secret.expires)}"
                if slot.expires_soon and slot.secret
                else ""
            )
            if slot.secret and slot.secret.id in fetched:
                problem = fetched[slot.secret.id]
                soon += f" - reference: {problem}" if problem else " - reference, fetched"
            print(f"{slot.state:<9} {slot.name} (file {slot.filename}){soon}")
        expiring = [slot.name for slot in model.slots if slot.expires_soon]
        if expiring:
            print(
                f"{len(expiring)} slot(s) of '{model.name}' expire within "
                f"{self.settings.expiry_warning_days} day(s), then have no value: "
                + ", ".join(f"'{name}'" for name in expiring)
                + ". Replace them with `jupyter secrets set SECRET --expires DATE`.",
                file=sys.stderr,
            )
        if missing:
            print(
                f"{len(missing)} of {len(model.slots)} slot(s) of '{model.name}' have no usable value. "
                "Provide them with `jupyter secrets bind SLOT [SECRET]`.",
                file=sys.stderr,
            )
            return EXIT_MISSING
        print(f"Every slot of '{model.name}' has a value.")
        return 0
