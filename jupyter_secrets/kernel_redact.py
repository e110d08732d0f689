"""IPython extension: secret values never leave the kernel in its output, as far as we can see.

The server loads it into the IPython kernels it starts by appending
``--IPKernelApp.extra_extensions=jupyter_secrets.kernel_redact`` to the kernel command (see
``kernels.py``); ``%load_ext jupyter_secrets.kernel_redact`` does the same by hand.  A kernel
without ``jupyter_secrets`` installed logs that the extension is missing and runs on.  Without
``JUPYTER_SECRETS_DIR`` in the environment at load time it does nothing.

Each value of ``jupyter_secrets.list_secrets()`` (and its common encoded forms, see
``redact.py``) is replaced by ``[REDACTED:<slot name>]`` in the messages the kernel publishes:

- stream output (``print``, ``logging``, warnings, anything written to ``sys.stdout`` or
  ``sys.stderr``, file-descriptor output captured by ipykernel): a hook on each ``OutStream``,
  registered on the IOPub thread, where ipykernel builds ``stream`` messages (its hooks are
  per thread).  ``logging``'s handlers write to ``sys.stderr`` — the same ``OutStream``
  object, whether they look it up at each record (the last-resort handler) or kept a
  reference to it (``logging.basicConfig()`` in the kernel).
- ``display_data`` / ``update_display_data`` (``display(...)``): a hook on
  ``shell.display_pub``; ``execute_result`` (a bare expression): a hook on
  ``shell.displayhook`` (ipykernel >= 7.3).  Both are per thread: they are registered on
  every thread that runs a cell (subshells), at its first ``pre_execute``.
- tracebacks: ``shell._showtraceback`` — IPython's documented override point, which receives
  the formatted traceback and publishes the ``error`` message — gets the redacted traceback
  and message; the ``execute_reply`` reuses that traceback, and its ``evalue`` comes from the
  cell's ``ExecutionResult``, whose exception is swapped, in ``post_run_cell``, for a stand-in
  of the same class name carrying the redacted message (``sys.last_value`` keeps the real one).

Values replaced while the kernel runs are picked up: before each message the secrets
directory and its index are stat-ed (two ``stat`` calls); the matcher is rebuilt only when
they changed (the materializer replaces files by rename, which changes the directory's mtime).

Best effort, and documented as such: a value transformed by code (reversed, base64, sliced,
split across two writes that are flushed apart) is not found; comm messages (widgets), pager
and inspection replies (``x?``, tooltips), ``input()`` prompts, and what the kernel echoes to
its own terminal are not covered; values shorter than the minimum length (6, or
``JUPYTER_SECRETS_REDACT_MIN_LENGTH``) are not redacted.  Whatever fails inside a hook lets the
message through unchanged: redaction must never break the kernel.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

from .helper import ENV_VAR, INDEX_FILENAME, list_secrets
from .redact import DEFAULT_MIN_LENGTH, Redactor

__all__ = ["load_ipython_extension", "unload_ipython_extension"]

#: Overrides the minimum length of a redacted value (the server's ``redact_min_length``).
MIN_LENGTH_VAR = "JUPYTER_SECRETS_REDACT_MIN_LENGTH"

# A change this recent may be followed by another within the file system's timestamp
# granularity, invisible to a stat: until it is older, rebuild on every look.
_RACY_NS = 2_000_000_000

_STATE = "_jupyter_secrets_redaction"


class SecretValues:
    """The Redactor for the current contents of one secrets directory, rebuilt on change."""

    def __init__(self, directory: str, min_length: int = DEFAULT_MIN_LENGTH):
        self.directory = directory
        self.min_length = min_length
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._redactor = Redactor({}, min_length)

    def redactor(self) -> Redactor:
        signature = self._stat()
        with self._lock:
            if signature is None or signature != self._signature:
                self._redactor = Redactor(self._read(), self.min_length)
                self._signature = signature
            return self._redactor

    def _stat(self) -> tuple | None:
        """What identifies the directory's state; None while it may still change unseen."""
        try:
            directory = os.stat(self.directory)
        except OSError:
            return ("missing",)
        try:
            index = os.stat(os.path.join(self.directory, INDEX_FILENAME))
            index_key = (index.st_ino, index.st_mtime_ns, index.st_size)
            latest = max(directory.st_mtime_ns, index.st_mtime_ns)
        except OSError:
            index_key = None
            latest = directory.st_mtime_ns
        if time.time_ns() - latest < _RACY_NS:
            return None
        return (directory.st_ino, directory.st_mtime_ns, index_key)

    def _read(self) -> dict[str, str]:
        """``{value: slot name}`` of what the kernel can read now (unreadable files skipped)."""
        names_by_value: dict[str, str] = {}
        for name, path in list_secrets().items():
            try:
                value = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            names_by_value.setdefault(value, name)
        return names_by_value


class KernelRedaction:
    """The hooks installed in one shell."""

    def __init__(self, shell: Any, values: SecretValues):
        self.shell = shell
        self.values = values
        self._local = threading.local()
        self._streams: list[Any] = []
        self._original_showtraceback = None

    # ------------------------------------------------------------------ the hooks

    def message_hook(self, msg: dict) -> dict:
        """ipykernel's transform hook: the message with its content redacted (never None)."""
        try:
            redactor = self.values.redactor()
            if redactor:
                content, names = redactor.redact_json(msg.get("content"))
                if names:
                    msg["content"] = content
        except Exception:
            pass
        return msg

    def showtraceback(self, etype: type, evalue: BaseException, stb: list[str]) -> Any:
        original = self._original_showtraceback
        try:
            redactor = self.values.redactor()
            if redactor:
                new_stb, names = redactor.redact_json(list(stb))
                if names:
                    stb = new_stb
                    evalue = self._redacted_exception(redactor, evalue)
        except Exception:
            pass
        return original(etype, evalue, stb)

    def post_run_cell(self, result: Any) -> None:
        """Give the execute_reply a redacted ``evalue`` (it is ``str()`` of this exception)."""
        try:
            redactor = self.values.redactor()
            if not redactor:
                return
            for attribute in ("error_before_exec", "error_in_exec"):
                error = getattr(result, attribute, None)
                if error is not None:
                    setattr(result, attribute, self._redacted_exception(redactor, error))
        except Exception:
            pass

    def pre_execute(self) -> None:
        """Hooks of the display publisher and displayhook are per thread: join this one."""
        if getattr(self._local, "registered", False):
            return
        self._local.registered = True
        for publisher in (self.shell.display_pub, self.shell.displayhook):
            register = getattr(publisher, "register_hook", None)
            if register is not None:
                register(self.message_hook)

    @staticmethod
    def _redacted_exception(redactor: Redactor, error: BaseException) -> BaseException:
        text, names = redactor.redact(str(error))
        return _stand_in(type(error), text) if names else error

    # ------------------------------------------------------------- install / remove

    def install(self) -> None:
        self.pre_execute()
        self.shell.events.register("pre_execute", self.pre_execute)
        self.shell.events.register("post_run_cell", self.post_run_cell)
        self._original_showtraceback = self.shell._showtraceback
        self.shell._showtraceback = self.showtraceback
        for stream in (sys.stdout, sys.stderr):
            register = getattr(stream, "register_hook", None)
            pub_thread = getattr(stream, "pub_thread", None)
            if register is None or pub_thread is None or stream in self._streams:
                continue
            self._streams.append(stream)
            # Stream messages are built in OutStream._flush, on the IOPub thread.
            pub_thread.schedule(lambda register=register: register(self.message_hook))

    def uninstall(self) -> None:
        """Undo ``install`` (for ``%unload_ext``/``%reload_ext``) on this and the IOPub thread."""
        if self._original_showtraceback is not None:
            self.shell.__dict__.pop("_showtraceback", None)
        events = (("pre_execute", self.pre_execute), ("post_run_cell", self.post_run_cell))
        for event, callback in events:
            try:
                self.shell.events.unregister(event, callback)
            except ValueError:
                pass
        for publisher in (self.shell.display_pub, self.shell.displayhook):
            unregister = getattr(publisher, "unregister_hook", None)
            if unregister is not None:
                unregister(self.message_hook)
        self._local.registered = False
        for stream in self._streams:
            if stream.pub_thread is not None:
                stream.pub_thread.schedule(lambda s=stream: s.unregister_hook(self.message_hook))
        self._streams = []


class RedactedException(Exception):
    """Base of the stand-ins that carry a redacted message in place of a user's exception."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


_stand_in_classes: dict[tuple[str, str], type[RedactedException]] = {}


def _stand_in(etype: type, message: str) -> RedactedException:
    """An exception whose class has ``etype``'s name (replies report it) and ``message``."""
    key = (etype.__module__, etype.__qualname__)
    cls = _stand_in_classes.get(key)
    if cls is None:
        cls = type(etype.__name__, (RedactedException,), {"__module__": etype.__module__})
        cls.__qualname__ = etype.__qualname__
        _stand_in_classes[key] = cls
    return cls(message)


def _min_length() -> int:
    try:
        return max(1, int(os.environ.get(MIN_LENGTH_VAR, DEFAULT_MIN_LENGTH)))
    except ValueError:
        return DEFAULT_MIN_LENGTH


def load_ipython_extension(ip: Any) -> None:
    """Install the redaction hooks in ``ip`` (once: loading again does nothing)."""
    directory = os.environ.get(ENV_VAR)
    if not directory or getattr(ip, _STATE, None) is not None:
        return
    try:
        redaction = KernelRedaction(ip, SecretValues(directory, _min_length()))
        setattr(ip, _STATE, redaction)
        redaction.install()
    except Exception as err:
        # Never break the kernel: say so on its log (no value can be in this message).
        message = f"jupyter_secrets: output redaction not installed ({type(err).__name__})"
        print(message, file=sys.__stderr__)


def unload_ipython_extension(ip: Any) -> None:
    redaction = getattr(ip, _STATE, None)
    if redaction is not None:
        redaction.uninstall()
        setattr(ip, _STATE, None)
