"""IPython extension: secret values never leave the kernel in its output, as far as we can see.

The server loads it into the IPython kernels it starts by appending
``--IPKernelApp.extra_extensions=jupyter_secrets.guards.kernel_redact`` to the kernel command (see
``kernels.py``); ``%load_ext jupyter_secrets.guards.kernel_redact`` does the same by hand.  A kernel
without ``jupyter_secrets`` installed logs that the extension is missing and runs on.  Without
``JUPYTER_SECRETS_DIR`` in the environment at load time it does nothing.

What it redacts: each value of ``jupyter_secrets.list_secrets()`` and, when the server wrote
it, of its redaction file (``.~redaction.json`` at the root of the server's tree, the parent
of ``JUPYTER_SECRETS_DIR``: every value the server materialized during its life, for every
project, replaced, unlinked and deleted ones included), with their common encoded forms (see
``redact.py``).  Each is replaced by ``[REDACTED:<slot name>]`` in what the kernel sends:

- stream output (``print``, ``logging``, warnings, anything written to ``sys.stdout`` or
  ``sys.stderr``, file-descriptor output captured by ipykernel, ``!cmd`` through its pty):
  a ``StreamFilter`` hook on each ``OutStream``, registered on the IOPub thread, where
  ipykernel builds ``stream`` messages (its hooks are per thread).  A value split across
  messages of one stream (``%%bash`` sends each line alone) is matched: the end of a
  message that may begin a value is held back, at most ``HOLD_SECONDS``, and always sent
  before the next display, error or execute_reply of its cell.  ``logging``'s handlers write
  to ``sys.stderr`` — the same ``OutStream`` object, whether they look it up at each record
  (the last-resort handler) or kept a reference to it (``logging.basicConfig()``).
- forked children (``os.fork()``, ``multiprocessing`` with the fork start method): they have
  no IOPub thread, so ipykernel builds their messages on the writing thread; an
  ``os.register_at_fork`` handler registers the stream hooks on the thread that forked.
- ``display_data`` / ``update_display_data`` (``display(...)``): a hook on
  ``shell.display_pub``; ``execute_result`` (a bare expression): a hook on
  ``shell.displayhook`` (ipykernel >= 7.3).  Both are per thread: they are registered on
  every thread that runs a cell (subshells), at its first ``pre_execute``.
- tracebacks: ``shell._showtraceback`` — IPython's documented override point, which receives
  the formatted traceback and publishes the ``error`` message — gets the redacted traceback
  and message; the ``execute_reply`` reuses that traceback, and its ``evalue`` comes from the
  cell's ``ExecutionResult``, whose exception is swapped, in ``post_run_cell``, for a stand-in
  of the same class name carrying the redacted message (``sys.last_value`` keeps the real one).
- ``user_expressions`` of the execute_reply: ``shell.user_expressions`` is wrapped.
- the kernel's echo to its original stdout/stderr, which is the server's terminal or log
  (ipykernel copies file-descriptor output there; ``sys.stdout.fileno()`` and the kernel's
  own log write there): an ``EchoFilter`` puts a pipe under that descriptor and copies what
  comes through, redacted.

Values replaced while the kernel runs are picked up: before each message the secrets
directory, its index and the redaction file are stat-ed; the matcher is rebuilt only when
they changed (the server replaces files by rename, which changes their inode and mtime).

Best effort, and documented as such: a value transformed by code (reversed, base64, sliced)
is not found, nor one split across writes that are further apart than ``HOLD_SECONDS``, nor
one split across writes in a forked child (it cannot hold output back) or printed by a
thread that a forked child started; comm messages (widgets), pager and inspection replies
(``x?``, tooltips), ``input()`` prompts and execute_reply payloads are not covered; values
shorter than the minimum length (6, or ``JUPYTER_SECRETS_REDACT_MIN_LENGTH``) are not
redacted.  Whatever fails inside a hook lets the message through unchanged: redaction must
never break the kernel.

Why one module of about 650 lines: it is one IPython extension, loaded into kernels by its
module name, whose hooks (streams with held output, forks, displays, tracebacks, the server
log) share one state and one install/uninstall; it imports only the helper and the matcher, so
that loading it costs a kernel little.
"""

from __future__ import annotations

import atexit
import codecs
import json
import os
import select
import stat
import sys
import threading
import time
from typing import Any

from jupyter_secrets.guards.redact import DEFAULT_MIN_LENGTH, Redactor
from jupyter_secrets.helper import ENV_VAR, INDEX_FILENAME, list_secrets
from jupyter_secrets.rules import redaction_label

__all__ = ["load_ipython_extension", "unload_ipython_extension"]

#: Overrides the minimum length of a redacted value (the server's ``redact_min_length``).
MIN_LENGTH_VAR = "JUPYTER_SECRETS_REDACT_MIN_LENGTH"

# A change this recent may be followed by another within the file system's timestamp
# granularity, invisible to a stat: until it is older, rebuild on every look.
_RACY_NS = 2_000_000_000

_STATE = "_jupyter_secrets_redaction"

#: The server's list of every value it materialized, at the root of its tree (written by the
#: server; see ``SecretValues``).
REDACTION_FILENAME = ".~redaction.json"
REDACTION_FILE_MAX_BYTES = 64 * 1024 * 1024

#: How long stream output that may begin a value waits for the rest (see ``StreamFilter``).
HOLD_SECONDS = 1.0


class SecretValues:
    """The Redactor for what one kernel must not show, rebuilt on change.

    That is the union of the values in the kernel's own secrets directory and, when the
    server wrote it, the server's redaction file (``REDACTION_FILENAME`` at the root of its
    tree, the parent of every kernel's directory): every value the server materialized during
    its life, for every project, including replaced, unlinked and deleted ones.
    """

    def __init__(self, directory: str, min_length: int = DEFAULT_MIN_LENGTH):
        self.directory = directory
        self.redaction_file = os.path.join(
            os.path.dirname(os.path.abspath(directory)), REDACTION_FILENAME
        )
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

    def after_fork(self) -> None:
        """In a forked child: the lock may have been held by a thread that does not exist."""
        self._lock = threading.Lock()

    def _stat(self) -> tuple | None:
        """What identifies the state of what we read; None while it may still change unseen."""
        latest = 0
        keys: list[tuple[int, int, int] | None] = []
        paths = (self.directory, os.path.join(self.directory, INDEX_FILENAME), self.redaction_file)
        for path, follow in zip(paths, (True, True, False)):
            try:
                info = os.stat(path, follow_symlinks=follow)
            except OSError:
                keys.append(None)
                continue
            keys.append((info.st_ino, info.st_mtime_ns, info.st_size))
            latest = max(latest, info.st_mtime_ns)
        if time.time_ns() - latest < _RACY_NS:
            return None
        return tuple(keys)

    def _read(self) -> dict[str, str]:
        """``{value: label}`` of this kernel's files and the server's redaction file; a value
        under several names gets ``rules.redaction_label`` of them, the save guard's label."""
        names_by_value: dict[str, set[str]] = {}
        for name, path in list_secrets().items():
            try:
                value = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            names_by_value.setdefault(value, set()).add(name)
        for value, name in read_redaction_file(self.redaction_file).items():
            names_by_value.setdefault(value, set()).add(name)
        return {value: redaction_label(names) for value, names in names_by_value.items()}


def read_redaction_file(path: str) -> dict[str, str]:
    """``{value: slot name}`` of the server's redaction file; empty unless it is surely ours.

    Read without following a symlink, and only a regular file of this user, mode 0600, at
    most ``REDACTION_FILE_MAX_BYTES``, holding ``{"version": 1, "values": {str: str}}``:
    anything else is ignored (never an error: redaction must not break the kernel).
    """
    try:
        fd = os.open(
            path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:
        return {}
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or stat.S_IMODE(info.st_mode) != 0o600
            or info.st_size > REDACTION_FILE_MAX_BYTES
        ):
            return {}
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = json.loads(
                file.read(REDACTION_FILE_MAX_BYTES + 1).decode("utf-8", "surrogatepass")
            )
        values = data.get("values") if isinstance(data, dict) and data.get("version") == 1 else None
        if not isinstance(values, dict):
            return {}
        return {v: n for v, n in values.items() if isinstance(v, str) and isinstance(n, str)}
    except (OSError, ValueError, RecursionError):
        return {}
    finally:
        os.close(fd)


class StreamFilter:
    """Redacts the messages of one ``OutStream`` (stdout or stderr), across messages.

    A multi-line value often comes in several messages (``%%bash`` flushes each line, a pipe
    is read in chunks): the end of a message that may begin a value is held back and put
    before the next message of the stream (``Redactor.redact_partial``).  Held text goes out
    when the next message shows what it is, when nothing followed for ``HOLD_SECONDS``, before
    a display or an error is published, and at the end of each execution — never later than
    the execute_reply of its cell, and never lost.  Text that cannot begin a value is never
    held.  Everything here runs on the IOPub thread (where ipykernel builds stream messages);
    in a forked child, where that thread does not exist, nothing is held.
    """

    def __init__(self, stream: Any, values: SecretValues):
        self.stream = stream
        self.values = values
        self.hold = True
        self._held = ""
        self._held_parent: dict = {}
        self._generation = 0  # which hold a timer is for

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def hook(self, msg: dict) -> dict:
        """ipykernel's transform hook (never None: that would drop the rest of a flush)."""
        try:
            content = msg.get("content")
            if not isinstance(content, dict) or not isinstance(content.get("text"), str):
                return msg
            text = content["text"]
            parent = msg.get("parent_header") or {}
            if self._held and self._held_parent.get("msg_id") != parent.get("msg_id"):
                self.release()  # another cell's output: the held text belongs to its own cell
            redactor = self.values.redactor()
            text = self._held + text
            if self.hold:
                head, tail, _ = redactor.redact_partial(text)
            else:
                head, tail = redactor.redact(text)[0], ""
            # A message whose text is all held goes out empty: frontends join consecutive
            # stream outputs, so the held text lands where it would have.
            content["text"] = head
            self._held, self._held_parent = tail, parent
            if tail:
                self._generation += 1
                generation = self._generation
                self.stream.pub_thread.io_loop.call_later(
                    HOLD_SECONDS, lambda: self._expire(generation)
                )
        except Exception:
            pass
        return msg

    def release(self) -> None:
        """Send the held text (redacted) as a message of its own cell.  On the IOPub thread."""
        held, parent = self._held, self._held_parent
        if not held:
            return
        self._held = ""
        self._generation += 1
        try:
            text = self.values.redactor().redact(held)[0]
        except Exception:
            text = held
        stream = self.stream
        if stream.pub_thread is None:
            return
        try:
            stream.session.send(
                stream.pub_thread,
                "stream",
                {"name": stream.name, "text": text},
                parent=parent,
                ident=stream.topic,
            )
        except Exception:
            pass

    def _expire(self, generation: int) -> None:
        if generation == self._generation:
            self.release()

    def after_fork(self) -> None:
        """In a forked child: the parent sends what it held; the child cannot hold (no timer)."""
        self.hold = False
        self._held = ""


class KernelRedaction:
    """The hooks installed in one shell."""

    def __init__(self, shell: Any, values: SecretValues):
        self.shell = shell
        self.values = values
        self.installed = False
        self._local = threading.local()
        self._filters: list[StreamFilter] = []
        self._original_showtraceback: Any = None
        self._original_user_expressions: Any = None

    # ------------------------------------------------------------------ the hooks

    def message_hook(self, msg: dict) -> dict:
        """ipykernel's transform hook: the message with its content redacted (never None)."""
        try:
            self.release_held_output()  # stream output held back comes before this message
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
            self.release_held_output()
            redactor = self.values.redactor()
            if redactor:
                new_stb, names = redactor.redact_json(list(stb))
                if names:
                    stb = new_stb
                    evalue = self._redacted_exception(redactor, evalue)
        except Exception:
            pass
        return original(etype, evalue, stb)

    def user_expressions(self, expressions: dict) -> dict:
        """``user_expressions`` of an execute_reply (what frontends ask to evaluate), redacted."""
        result = self._original_user_expressions(expressions)
        try:
            redactor = self.values.redactor()
            if redactor:
                redacted, names = redactor.redact_json(result)
                if names:
                    result = redacted
        except Exception:
            pass
        return result

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

    def post_execute(self) -> None:
        """End of an execution (silent ones too): what the streams hold goes out now."""
        try:
            for stream_filter in self._filters:
                if stream_filter.stream.pub_thread is not None:
                    stream_filter.stream.flush()  # what the cell wrote goes through the hook
            self.release_held_output()
        except Exception:
            pass

    def release_held_output(self) -> None:
        """Send the text the stream filters hold, and wait until it is queued (any thread)."""
        filters = [f for f in self._filters if f.holding and f.stream.pub_thread is not None]
        if not filters:
            return
        pub_thread = filters[0].stream.pub_thread
        if threading.current_thread() is pub_thread.thread:
            for stream_filter in filters:
                stream_filter.release()
            return
        done = threading.Event()
        for stream_filter in filters:
            pub_thread.schedule(stream_filter.release)
        pub_thread.schedule(done.set)  # runs at once when the thread is gone (forked child)
        done.wait(10)

    def pre_execute(self) -> None:
        """Hooks of the display publisher and displayhook are per thread: join this one."""
        if getattr(self._local, "registered", False):
            return
        self._local.registered = True
        for publisher in (self.shell.display_pub, self.shell.displayhook):
            register = getattr(publisher, "register_hook", None)
            if register is not None:
                register(self.message_hook)

    def after_fork_in_child(self) -> None:
        """``os.fork()`` child (``multiprocessing`` workers too): redact what it prints.

        A forked child has no IOPub thread: ipykernel builds its stream messages on the
        thread that writes (and pipes them to the kernel), so the stream hooks, registered
        on the IOPub thread, are not run there.  Register them on the thread that forked.
        Threads started later in the child are not covered.
        """
        if not self.installed:
            return
        try:
            self.values.after_fork()
            for stream_filter in self._filters:
                stream_filter.after_fork()
                stream_filter.stream.unregister_hook(stream_filter.hook)  # a fork of a fork
                stream_filter.stream.register_hook(stream_filter.hook)
            self.pre_execute()
        except Exception:
            pass

    @staticmethod
    def _redacted_exception(redactor: Redactor, error: BaseException) -> BaseException:
        text, names = redactor.redact(str(error))
        return _stand_in(type(error), text) if names else error

    # ------------------------------------------------------------- install / remove

    def install(self) -> None:
        self.installed = True
        self.pre_execute()
        self.shell.events.register("pre_execute", self.pre_execute)
        self.shell.events.register("post_run_cell", self.post_run_cell)
        self.shell.events.register("post_execute", self.post_execute)
        self._original_showtraceback = self.shell._showtraceback
        self.shell._showtraceback = self.showtraceback
        if callable(getattr(self.shell, "user_expressions", None)):
            self._original_user_expressions = self.shell.user_expressions
            self.shell.user_expressions = self.user_expressions
        for stream in (sys.stdout, sys.stderr):
            pub_thread = getattr(stream, "pub_thread", None)
            if getattr(stream, "register_hook", None) is None or pub_thread is None:
                continue
            if any(f.stream is stream for f in self._filters):
                continue
            stream_filter = StreamFilter(stream, self.values)
            self._filters.append(stream_filter)
            # Stream messages are built in OutStream._flush, on the IOPub thread.
            pub_thread.schedule(lambda s=stream, f=stream_filter: s.register_hook(f.hook))
        _fork_handlers.register(self)

    def uninstall(self) -> None:
        """Undo ``install`` (for ``%unload_ext``/``%reload_ext``) on this and the IOPub thread."""
        self.installed = False
        self.release_held_output()
        for attribute in ("_showtraceback", "user_expressions"):
            self.shell.__dict__.pop(attribute, None)
        events = (
            ("pre_execute", self.pre_execute),
            ("post_run_cell", self.post_run_cell),
            ("post_execute", self.post_execute),
        )
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
        for stream_filter in self._filters:
            stream = stream_filter.stream
            if stream.pub_thread is not None:
                stream.pub_thread.schedule(
                    lambda s=stream, f=stream_filter: s.unregister_hook(f.hook)
                )
        self._filters = []


class _ForkHandlers:
    """One ``os.register_at_fork`` for the process (it cannot be undone): calls the installed."""

    def __init__(self) -> None:
        self._redactions: list[Any] = []
        self._registered = False

    def register(self, redaction: KernelRedaction) -> None:
        self._redactions = [r for r in self._redactions if r.installed and r is not redaction]
        self._redactions.append(redaction)
        if not self._registered and hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._after_in_child)
            self._registered = True

    def _after_in_child(self) -> None:
        for redaction in self._redactions:
            redaction.after_fork_in_child()


_fork_handlers = _ForkHandlers()


class EchoFilter:
    """What the kernel writes to its original stdout and stderr — the server's log — redacted.

    ipykernel puts pipes in the place of file descriptors 1 and 2 and reads them in a thread
    (``watchfd``): what it reads becomes stream messages (redacted by the hooks above) *and*
    is copied, unchanged, to a duplicate of the original descriptor
    (``OutStream._original_stdstream_copy``), which is the Jupyter server's terminal or log
    file.  The same duplicate is what ``sys.stdout.fileno()`` returns (so
    ``subprocess.run(..., stdout=sys.stdout)`` writes there) and where the kernel's own log
    handler writes.  We move the real descriptor aside and put a pipe under that number
    (``dup2``), so every writer goes through the pipe; a thread copies what comes out of it
    to the real descriptor, redacted, holding back only an end that may begin a value (as
    ``StreamFilter`` does, for at most ``HOLD_SECONDS``).  Bytes that are not UTF-8 pass as
    they are.  Installed once per process, for its life.
    """

    def __init__(self, values: SecretValues):
        self.values = values
        self._pid = os.getpid()
        self._lock = threading.Lock()
        # read end of each pipe -> [real descriptor, UTF-8 decoder, held text]
        self._channels: dict[int, list[Any]] = {}

    def install(self, streams: Any) -> bool:
        for stream in streams:
            fd = getattr(stream, "_original_stdstream_copy", None)
            if not isinstance(fd, int) or any(c[0] == fd for c in self._channels.values()):
                continue
            real = os.dup(fd)
            read_end, write_end = os.pipe()
            os.dup2(write_end, fd, inheritable=False)
            os.close(write_end)
            decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
            self._channels[read_end] = [real, decoder, ""]
        if not self._channels:
            return False
        threading.Thread(target=self._run, name="jupyter_secrets echo filter", daemon=True).start()
        atexit.register(self.drain)
        return True

    def _run(self) -> None:
        while self._channels:
            try:
                holding = any(channel[2] for channel in self._channels.values())
                ready, _, _ = select.select(
                    list(self._channels), [], [], HOLD_SECONDS if holding else None
                )
                with self._lock:
                    if not ready:  # nothing followed the held text: it was not a value
                        for channel in self._channels.values():
                            self._send(channel, final=True)
                    for read_end in ready:
                        self._read(read_end)
            except Exception:  # never stop reading: the writers would block on a full pipe
                time.sleep(0.1)

    def _read(self, read_end: int) -> bool:
        channel = self._channels[read_end]
        data = os.read(read_end, 65536)
        if not data:  # every writer closed: the kernel is going
            self._send(channel, final=True)
            del self._channels[read_end]
            os.close(read_end)
            return False
        channel[2] += channel[1].decode(data)
        self._send(channel, final=False)
        return True

    def _send(self, channel: list[Any], final: bool) -> None:
        real, _, text = channel
        if not text:
            return
        try:
            redactor = self.values.redactor()
            if final:
                head, tail = redactor.redact(text)[0], ""
            else:
                head, tail, _ = redactor.redact_partial(text)
        except Exception:
            head, tail = text, ""
        channel[2] = tail
        data = head.encode("utf-8", "surrogateescape")
        while data:
            data = data[os.write(real, data) :]

    def drain(self) -> None:
        """At exit: what is still in the pipes goes out (the thread dies with the process)."""
        if os.getpid() != self._pid or not self._lock.acquire(timeout=2):
            return
        try:
            for read_end in list(self._channels):
                os.set_blocking(read_end, False)
                try:
                    while self._read(read_end):
                        pass
                except (BlockingIOError, OSError):
                    pass
                if read_end in self._channels:
                    self._send(self._channels[read_end], final=True)
        finally:
            self._lock.release()


_echo_filter: EchoFilter | None = None


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
        global _echo_filter
        values = SecretValues(directory, _min_length())
        redaction = KernelRedaction(ip, values)
        setattr(ip, _STATE, redaction)
        redaction.install()
        if _echo_filter is None:
            _echo_filter = EchoFilter(values)
            _echo_filter.install((sys.stdout, sys.stderr))
    except Exception as err:
        # Never break the kernel: say so on its log (no value can be in this message).
        message = f"jupyter_secrets: output redaction not installed ({type(err).__name__})"
        print(message, file=sys.__stderr__)


def unload_ipython_extension(ip: Any) -> None:
    redaction = getattr(ip, _STATE, None)
    if redaction is not None:
        redaction.uninstall()
        setattr(ip, _STATE, None)
