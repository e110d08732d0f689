"""The launch prompt: ask for the default project's missing values in the starting terminal.

It runs only when someone can answer: an interactive start (a terminal on stdin) asks for
each missing slot — a new value (hidden input), a saved secret, or skip — and anything else
(CI, JupyterHub, systemd) never blocks: the missing slots are logged instead.
"""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Callable
from typing import TextIO

from jupyter_secrets.core.models import SecretView, SlotView
from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.core.states import needs_value
from jupyter_secrets.errors import SecretsError


def is_interactive(stdin: TextIO | None = None) -> bool:
    stdin = stdin or sys.stdin
    try:
        return bool(stdin and stdin.isatty())
    except (ValueError, OSError):  # closed or detached stdin
        return False


def should_prompt(mode: str, stdin: TextIO | None = None) -> bool:
    """``mode`` is the ``prompt_on_start`` setting: "auto", "always" or "never"."""
    if mode == "never":
        return False
    # "always" still cannot ask without a terminal: asking would block a service forever.
    return is_interactive(stdin)


class LaunchPrompt:
    """Ask for each missing slot of one project; every answer goes through the service."""

    def __init__(
        self,
        service: SecretsService,
        out: TextIO | None = None,
        read_line: Callable[[str], str] = input,
        read_hidden: Callable[[str], str] = getpass.getpass,
    ):
        self.service = service
        self.out = out or sys.stderr
        self.read_line = read_line
        self.read_hidden = read_hidden

    def run(self, api_path: str = "") -> int:
        """Ask for every missing slot; return how many were filled."""
        project = self.service.project_for_path(api_path)
        missing = [slot for slot in project.slots if needs_value(slot.state)]
        if not missing:
            return 0
        self._say(
            f"\nProject '{project.name}' needs {len(missing)} secret(s) that you have not provided."
        )
        filled = 0
        try:
            for number, slot in enumerate(missing, 1):
                filled += self._ask(project.id, slot, f"[{number}/{len(missing)}]")
        except (EOFError, KeyboardInterrupt):
            self._say(
                "\nSkipping the remaining secrets; provide them later in JupyterLab's Secrets panel."
            )
        self._say("")
        return filled

    def _ask(self, project_id: str | None, slot: SlotView, counter: str) -> int:
        self._say(f"\n{counter} {slot.name} (file {slot.filename}, {slot.state})")
        if slot.description:
            self._say(f"      {slot.description}")
        saved = self.service.list_user_secrets()
        while True:
            choices = "n) new value   " + ("e) use a saved secret   " if saved else "") + "s) skip"
            answer = self.read_line(f"      {choices} [n]: ").strip().lower() or "n"
            try:
                if answer == "s":
                    return 0
                if answer == "n":
                    value = self.read_hidden("      Value (hidden, Enter to skip): ")
                    if not value:
                        return 0
                    result = self.service.fill_slot(project_id, slot.id, value=value)
                    self._say(f"      {result.message}")
                    return 1
                if answer == "e" and saved:
                    secret = self._pick(saved)
                    if secret is None:
                        continue
                    result = self.service.fill_slot(project_id, slot.id, secret_id=secret.id)
                    self._say(f"      {result.message}")
                    return 1
            except SecretsError as err:
                self._say(f"      Not saved: {err.message}")
                continue
            self._say("      Please answer n, e or s.")

    def _pick(self, saved: list[SecretView]) -> SecretView | None:
        for index, secret in enumerate(saved, 1):
            used = ", ".join(f"{u.project_name}/{u.slot_name}" for u in secret.usage) or "unused"
            self._say(f"        {index}) {secret.name}  ({used})")
        answer = self.read_line("      Number or name of the secret (Enter to go back): ").strip()
        for index, secret in enumerate(saved, 1):
            if answer in (str(index), secret.name):
                return secret
        if answer:
            self._say(f"      No saved secret '{answer}'.")
        return None

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def prompt_or_log(service: SecretsService, mode: str, log: logging.Logger) -> None:
    """What the server does at start for the default project."""
    try:
        missing = service.missing_slots("")
    except SecretsError as err:
        log.warning("jupyter_secrets: cannot check the default project's slots: %s", err.message)
        return
    if not missing:
        return
    if service.store.locked:
        log.warning("jupyter_secrets: the store is locked; not asking for missing secrets")
        return
    if should_prompt(mode):
        LaunchPrompt(service).run("")
        missing = service.missing_slots("")
    if missing:
        names = ", ".join(f"'{slot.name}'" for slot in missing)
        log.warning(
            "jupyter_secrets: the default project has %d slot(s) without a value: %s. "
            "Provide them in JupyterLab's Secrets panel or with `jupyter secrets bind`.",
            len(missing),
            names,
        )
