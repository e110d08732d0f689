"""The launch prompt: ask for the default project's missing values in the starting terminal.

It runs only when someone can answer: an interactive start (a terminal on stdin) asks for
each missing slot — a new value (hidden input), a saved secret, or skip — and anything else
(CI, JupyterHub, systemd) never blocks: the missing slots are logged instead.

In the server the prompt never holds up the start: it runs in a thread once the server is
listening (its URL is printed first), and JupyterLab's launch dialog asks at the same time.
Whichever place answers first ends the other's question: the prompt checks, while it waits
for a line, whether the slot still needs a value (the browser may have filled it), and the
launch dialog re-reads the project while it is open. Every use of the service goes through
``call`` — in the server, onto its event loop's thread, where every other request runs.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import getpass
import logging
import os
import select
import sys
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, TextIO, TypeVar

from jupyter_secrets.core.models import SecretView, SlotView
from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.core.states import needs_value
from jupyter_secrets.errors import SecretsError

T = TypeVar("T")
Call = Callable[[Callable[[], T]], T]

# How often a waiting question checks whether the browser answered it (seconds).
CHECK_INTERVAL = 1.0


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


class Reader(Protocol):
    """Reads one answer; ``None`` when ``answered_elsewhere()`` turned true meanwhile."""

    def line(self, prompt: str, answered_elsewhere: Callable[[], bool]) -> str | None: ...

    def hidden(self, prompt: str, answered_elsewhere: Callable[[], bool]) -> str | None: ...


class BlockingReader:
    """``input`` and ``getpass`` (or stand-ins): waits for the line, never interrupted."""

    def __init__(
        self,
        read_line: Callable[[str], str] = input,
        read_hidden: Callable[[str], str] = getpass.getpass,
    ):
        self.read_line = read_line
        self.read_hidden = read_hidden

    def line(self, prompt: str, answered_elsewhere: Callable[[], bool]) -> str | None:
        return self.read_line(prompt)

    def hidden(self, prompt: str, answered_elsewhere: Callable[[], bool]) -> str | None:
        return self.read_hidden(prompt)


class TerminalReader:
    """Reads lines from a POSIX terminal, giving up when the question was answered elsewhere.

    The terminal stays in its line mode (editing keys work); ``select`` wakes every
    ``CHECK_INTERVAL`` to ask ``answered_elsewhere``. Hidden input turns echo off for the
    line (restored after it, and at exit). A half-typed line of a question answered
    elsewhere is dropped.
    """

    def __init__(self, stdin: TextIO | None = None, out: TextIO | None = None):
        self.stdin = stdin or sys.stdin
        self.out = out or sys.stderr

    def line(self, prompt: str, answered_elsewhere: Callable[[], bool]) -> str | None:
        return self._read(prompt, answered_elsewhere, hidden=False)

    def hidden(self, prompt: str, answered_elsewhere: Callable[[], bool]) -> str | None:
        return self._read(prompt, answered_elsewhere, hidden=True)

    def _read(
        self, prompt: str, answered_elsewhere: Callable[[], bool], hidden: bool
    ) -> str | None:
        import termios

        fd = self.stdin.fileno()
        self.out.write(prompt)
        self.out.flush()
        saved = termios.tcgetattr(fd) if hidden else None
        if saved is not None:
            quiet = list(saved)
            quiet[3] &= ~termios.ECHO
            termios.tcsetattr(fd, termios.TCSADRAIN, quiet)
            _restore_at_exit(fd, saved)
        try:
            data = b""
            while True:
                ready, _, _ = select.select([fd], [], [], CHECK_INTERVAL)
                if ready:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        raise EOFError
                    data += chunk
                    if b"\n" in data:
                        return data.split(b"\n", 1)[0].decode(errors="replace").rstrip("\r")
                elif answered_elsewhere():
                    termios.tcflush(fd, termios.TCIFLUSH)
                    self.out.write("\n")
                    return None
        finally:
            if saved is not None:
                termios.tcsetattr(fd, termios.TCSADRAIN, saved)
                self.out.write("\n")
                self.out.flush()


_saved_modes: dict[int, Any] = {}


def _restore_at_exit(fd: int, mode: Any) -> None:
    """Echo comes back even if the server stops while a hidden value is being typed."""
    if fd not in _saved_modes:
        _saved_modes[fd] = mode

        def restore() -> None:
            import termios

            try:
                termios.tcsetattr(fd, termios.TCSADRAIN, _saved_modes[fd])
            except (OSError, termios.error):
                pass

        atexit.register(restore)


def direct_call(fn: Callable[[], T]) -> T:
    return fn()


def call_on_loop(loop: Any) -> Call:
    """Run each service call on ``loop``'s thread (an asyncio loop) and wait for its result."""

    def call(fn: Callable[[], T]) -> T:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as err:  # handed to the waiting thread
                future.set_exception(err)

        loop.call_soon_threadsafe(run)
        return future.result()

    return call


class LaunchPrompt:
    """Ask for each missing slot of one project; every answer goes through the service."""

    def __init__(
        self,
        service: SecretsService,
        out: TextIO | None = None,
        read_line: Callable[[str], str] = input,
        read_hidden: Callable[[str], str] = getpass.getpass,
        *,
        reader: Reader | None = None,
        call: Call = direct_call,
    ):
        self.service = service
        self.out = out or sys.stderr
        self.reader: Reader = reader or BlockingReader(read_line, read_hidden)
        self.call = call

    def run(self, api_path: str = "", *, also_in_browser: bool = False) -> int:
        """Ask for every missing slot; return how many were filled here."""
        project = self.call(lambda: self.service.project_for_path(api_path))
        missing = [slot for slot in project.slots if needs_value(slot.state)]
        if not missing:
            return 0
        self._say(
            f"\nProject '{project.name}' needs {len(missing)} secret(s) that you have not provided."
        )
        if also_in_browser:
            self._say("Answer here, or in the browser: JupyterLab asks too.")
        filled = 0
        try:
            for number, slot in enumerate(missing, 1):
                if not self._still_needed(api_path, slot.id):
                    self._say(f"\n[{number}/{len(missing)}] {slot.name}: provided meanwhile.")
                    continue
                filled += self._ask(api_path, project.id, slot, f"[{number}/{len(missing)}]")
        except (EOFError, KeyboardInterrupt):
            self._say(
                "\nSkipping the remaining secrets; provide them later in JupyterLab's Secrets panel."
            )
        self._say("")
        return filled

    def _still_needed(self, api_path: str, slot_id: str) -> bool:
        try:
            project = self.call(lambda: self.service.project_for_path(api_path))
        except SecretsError:
            return True
        return any(s.id == slot_id and needs_value(s.state) for s in project.slots)

    def _ask(self, api_path: str, project_id: str | None, slot: SlotView, counter: str) -> int:
        self._say(f"\n{counter} {slot.name} (file {slot.filename}, {slot.state})")
        if slot.description:
            self._say(f"      {slot.description}")
        saved = self.call(self.service.list_user_secrets)

        def elsewhere() -> bool:
            return not self._still_needed(api_path, slot.id)

        while True:
            choices = "n) new value   " + ("e) use a saved secret   " if saved else "") + "s) skip"
            answer = self.reader.line(f"      {choices} [n]: ", elsewhere)
            if answer is None:
                return self._answered_elsewhere()
            answer = answer.strip().lower() or "n"
            try:
                if answer == "s":
                    return 0
                if answer == "n":
                    value = self.reader.hidden("      Value (hidden, Enter to skip): ", elsewhere)
                    if value is None:
                        return self._answered_elsewhere()
                    if not value:
                        return 0
                    result = self.call(
                        partial(self.service.fill_slot, project_id, slot.id, value=value)
                    )
                    self._say(f"      {result.message}")
                    return 1
                if answer == "e" and saved:
                    secret = self._pick(saved, elsewhere)
                    if secret is None:
                        if elsewhere():
                            return self._answered_elsewhere()
                        continue
                    result = self.call(
                        partial(self.service.fill_slot, project_id, slot.id, secret_id=secret.id)
                    )
                    self._say(f"      {result.message}")
                    return 1
            except SecretsError as err:
                self._say(f"      Not saved: {err.message}")
                continue
            self._say("      Please answer n, e or s.")

    def _answered_elsewhere(self) -> int:
        self._say("      Provided in the browser meanwhile.")
        return 0

    def _pick(self, saved: list[SecretView], elsewhere: Callable[[], bool]) -> SecretView | None:
        for index, secret in enumerate(saved, 1):
            used = ", ".join(f"{u.project_name}/{u.slot_name}" for u in secret.usage) or "unused"
            self._say(f"        {index}) {secret.name}  ({used})")
        answer = self.reader.line(
            "      Number or name of the secret (Enter to go back): ", elsewhere
        )
        if answer is None:
            return None
        answer = answer.strip()
        for index, secret in enumerate(saved, 1):
            if answer in (str(index), secret.name):
                return secret
        if answer:
            self._say(f"      No saved secret '{answer}'.")
        return None

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def log_missing(missing: list[SlotView], log: logging.Logger) -> None:
    if missing:
        names = ", ".join(f"'{slot.name}'" for slot in missing)
        log.warning(
            "jupyter_secrets: the default project has %d slot(s) without a value: %s. "
            "Provide them in JupyterLab's Secrets panel or with `jupyter secrets bind`.",
            len(missing),
            names,
        )


def prompt_or_log(
    service: SecretsService,
    mode: str,
    log: logging.Logger,
    *,
    in_background: Callable[[Callable[[], None]], None] | None = None,
    call: Call = direct_call,
) -> None:
    """What the server does at start for the default project.

    With ``in_background`` (the server), the prompt is handed to it to run in a thread once
    the server listens, its service calls made through ``call``; without it, it asks here.
    """
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
    if not should_prompt(mode):
        log_missing(missing, log)
        return
    if in_background is None:
        LaunchPrompt(service).run("")
        log_missing(service.missing_slots(""), log)
        return

    def ask() -> None:
        try:
            # POSIX terminals can be interrupted by an answer in the browser; elsewhere the
            # question waits for its line (the browser's answer is seen at the next one).
            reader: Reader = TerminalReader() if os.name == "posix" else BlockingReader()
            LaunchPrompt(service, reader=reader, call=call).run("", also_in_browser=True)
            log_missing(call(lambda: service.missing_slots("")), log)
        except Exception:  # a thread's failure must not pass silently
            log.exception("jupyter_secrets: the launch prompt failed")

    in_background(ask)
