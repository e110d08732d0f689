"""References: user secrets whose value stays in a vault and is fetched when it is needed.

A reference is stored instead of a value (encrypted like one: its plaintext is the JSON of
:func:`reference_json`), and fetched when the value is materialized:

- ``{"type": "command", "argv": [...], "ttl_seconds": 300, "timeout_seconds": 30}``: a
  command whose standard output is the value (``op read ...``, ``vault kv get -field=...``,
  ``pass show ...``).  It runs as the server's user, *never through a shell* (``argv`` is a
  list; a user who wants a shell writes ``["sh", "-c", "..."]``), with the store key removed
  from its environment, its standard input closed, in its own process group (killed whole on
  timeout), its output bounded by ``max_value_bytes``.  One trailing newline is dropped.
- ``{"type": "vault", "addr": ..., "mount": "secret", "path": "db", "field": "password",
  "ttl_seconds": 300}``: a KV version 2 secret of HashiCorp Vault or OpenBao, read with
  ``hvac`` (the ``jupyter_secrets[vault]`` extra) with the user's own token: ``VAULT_TOKEN``,
  else ``~/.vault-token``; the address is ``addr``, else ``VAULT_ADDR``.  The token is never
  stored.

:class:`ReferenceFetcher` keeps fetched values in memory only, each for its time to live; a
failure is a :class:`FetchFailed` whose reason never holds what could be the value (the exit
status, and at most one line of standard error from which the output and the last value are
redacted).  Fetches run in worker threads (several at once, bounded), never on an event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar, Final, NamedTuple

from jupyter_secrets.errors import InvalidInput, SecretsError
from jupyter_secrets.store.base import DEFAULT_MAX_VALUE_BYTES, REFERENCE_MARKER
from jupyter_secrets.store.crypto import ENV_VAR as KEY_ENV_VAR

COMMAND: Final = "command"
VAULT: Final = "vault"
TYPES: Final = (COMMAND, VAULT)

DEFAULT_TTL: Final = 300
MAX_TTL: Final = 30 * 24 * 3600
DEFAULT_TIMEOUT: Final = 30
MAX_TIMEOUT: Final = 600
MAX_ARGS: Final = 256
MAX_ARG_CHARS: Final = 4096
MAX_PATH_CHARS: Final = 1024
# A failure is tried again after this long at most (sooner when the time to live is shorter).
RETRY_AFTER: Final = 30
# How much of a failed command's standard error is read, and how much of one line is shown.
_STDERR_BYTES: Final = 8192
_REASON_CHARS: Final = 200
# A redacted stderr line never shows pieces of the output shorter than this (they would
# redact ordinary words); shorter outputs hide the whole line instead.
_MIN_REDACTED: Final = 4


# Why a command reference is refused (saved) or not run (fetched) where an admin turned them
# off (``c.SecretsExtension.allow_command_references = False``).
COMMANDS_OFF: Final = (
    "command references are turned off on this server "
    "(c.SecretsExtension.allow_command_references); use a vault reference or a value"
)


class FetchFailed(SecretsError):
    """A reference could not be fetched; ``reason`` is safe to show (never the value)."""

    def __init__(self, reason: str):
        super().__init__(f"the reference could not be fetched: {reason}")
        self.reason = reason


class FetchPending(FetchFailed):
    """Asked on an event loop before the first fetch ended: written once it does."""


@dataclass(frozen=True)
class CommandReference:
    argv: tuple[str, ...]
    ttl_seconds: int = DEFAULT_TTL
    timeout_seconds: int = DEFAULT_TIMEOUT

    type: ClassVar[str] = COMMAND

    def describe(self) -> str:
        """The command as a shell would show it (for its owner only: arguments are no value,
        but may name the vault item)."""
        return " ".join(_shell_quote(arg) for arg in self.argv)


@dataclass(frozen=True)
class VaultReference:
    mount: str
    path: str
    field: str
    addr: str | None = None
    ttl_seconds: int = DEFAULT_TTL
    timeout_seconds: int = DEFAULT_TIMEOUT

    type: ClassVar[str] = VAULT

    def describe(self) -> str:
        where = self.addr or "$VAULT_ADDR"
        return f"{self.mount}/{self.path}#{self.field} at {where}"


Reference = CommandReference | VaultReference


# ---------------------------------------------------------------------- parsing


def parse_reference(payload: Any, field: str = "reference") -> Reference:
    """A reference from a request body or the CLI; ``InvalidInput`` naming the field."""
    if not isinstance(payload, dict):
        raise InvalidInput(field, "must be an object with 'type' (command or vault)")
    kind = payload.get("type")
    if kind == COMMAND:
        allowed = {"type", "argv", "ttl_seconds", "timeout_seconds"}
    elif kind == VAULT:
        allowed = {"type", "addr", "mount", "path", "field", "ttl_seconds", "timeout_seconds"}
    else:
        raise InvalidInput(f"{field}.type", "must be 'command' or 'vault'")
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise InvalidInput(
            f"{field}.{unknown[0]}", f"unknown field (allowed: {', '.join(sorted(allowed))})"
        )
    ttl = _seconds(payload, "ttl_seconds", DEFAULT_TTL, MAX_TTL, field)
    timeout = _seconds(payload, "timeout_seconds", DEFAULT_TIMEOUT, MAX_TIMEOUT, field)
    if kind == COMMAND:
        return CommandReference(_argv(payload.get("argv"), f"{field}.argv"), ttl, timeout)
    addr = payload.get("addr")
    if addr is not None:
        addr = _addr(addr, f"{field}.addr")
    return VaultReference(
        mount=_vault_path(payload.get("mount"), f"{field}.mount"),
        path=_vault_path(payload.get("path"), f"{field}.path"),
        field=_text(payload.get("field"), f"{field}.field", 256),
        addr=addr,
        ttl_seconds=ttl,
        timeout_seconds=timeout,
    )


def parse_vault_spec(spec: str, field: str = "vault") -> tuple[str, str, str]:
    """``MOUNT/PATH#FIELD`` (as ``jupyter secrets set --vault secret/db#password``)."""
    where, sep, key = spec.partition("#")
    mount, slash, path = where.strip("/").partition("/")
    if not sep or not key or not slash or not mount or not path:
        raise InvalidInput(field, "must be MOUNT/PATH#FIELD, e.g. secret/db#password")
    return mount, path, key


def reference_json(reference: Reference) -> str:
    """The stored form (the plaintext that is encrypted): canonical JSON."""
    data: dict[str, Any] = {
        "type": reference.type,
        "ttl_seconds": reference.ttl_seconds,
        "timeout_seconds": reference.timeout_seconds,
    }
    if isinstance(reference, CommandReference):
        data["argv"] = list(reference.argv)
    else:
        data.update(mount=reference.mount, path=reference.path, field=reference.field)
        if reference.addr is not None:
            data["addr"] = reference.addr
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


# How a reference is kept by every store, with no change to any backend: as a *binary* value
# whose plaintext is this marker and the reference's JSON (encrypted like any value).  The
# service refuses binary values that start with the marker, so an uploaded file can never be
# taken for a reference (which would run a command).
STORED_MARKER: Final = REFERENCE_MARKER


def stored_form(reference: Reference) -> bytes:
    """What the store keeps for a reference secret (a binary value)."""
    return STORED_MARKER + reference_json(reference).encode("utf-8")


def is_stored_reference(value: object) -> bool:
    """Whether a value read from the store is a reference rather than a value."""
    return isinstance(value, (bytes, bytearray)) and bytes(value).startswith(STORED_MARKER)


def stored_reference(value: object) -> Reference | None:
    """The reference a stored value holds, or None for a plain value (or a damaged one)."""
    if not isinstance(value, (bytes, bytearray)) or not is_stored_reference(value):
        return None
    try:
        return load_reference(bytes(value)[len(STORED_MARKER) :])
    except InvalidInput:
        return None


def refuse_reserved(value: object, field: str = "value_base64") -> None:
    """A binary value must not look like a stored reference (see ``STORED_MARKER``)."""
    if is_stored_reference(value):
        raise InvalidInput(field, "must not start with the bytes that mark a stored reference")


def load_reference(text: str | bytes) -> Reference:
    """A stored reference back; ``InvalidInput`` when it is not one (a damaged row)."""
    try:
        payload = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("reference", "the stored reference is not JSON") from None
    return parse_reference(payload)


def _seconds(payload: dict[str, Any], key: str, default: int, most: int, field: str) -> int:
    value = payload.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise InvalidInput(f"{field}.{key}", f"must be a whole number of seconds, 1 to {most}")
    return value


def _argv(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidInput(
            field, "must be a non-empty list of strings (the program and its arguments)"
        )
    if len(value) > MAX_ARGS:
        raise InvalidInput(field, f"must have at most {MAX_ARGS} items")
    for index, arg in enumerate(value):
        if not isinstance(arg, str):
            raise InvalidInput(f"{field}[{index}]", "must be a string")
        if len(arg) > MAX_ARG_CHARS:
            raise InvalidInput(f"{field}[{index}]", f"must be at most {MAX_ARG_CHARS} characters")
        if "\0" in arg:
            raise InvalidInput(f"{field}[{index}]", "must not contain NUL characters")
    if not value[0].strip():
        raise InvalidInput(f"{field}[0]", "must name the program to run")
    return tuple(value)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Environment variables whose values a failed command's stderr line never shows (tokens the
# command was given, e.g. VAULT_TOKEN, OP_SESSION_..., AWS_SECRET_ACCESS_KEY).
_CREDENTIAL_NAME = re.compile(r"TOKEN|SECRET|PASS|KEY|CREDENTIAL|SESSION|AUTH", re.IGNORECASE)


def _text(value: Any, field: str, most: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "must be a non-empty string")
    if len(value) > most:
        raise InvalidInput(field, f"must be at most {most} characters")
    if _CONTROL.search(value):
        raise InvalidInput(field, "must not contain control characters")
    return value


def _vault_path(value: Any, field: str) -> str:
    text = _text(value, field, MAX_PATH_CHARS).strip("/")
    if not text or any(part in ("", ".", "..") for part in text.split("/")):
        raise InvalidInput(field, "must be a path of non-empty segments, without '.' or '..'")
    if any(ch in text for ch in "?#%\\"):
        raise InvalidInput(field, "must not contain '?', '#', '%' or backslashes")
    return text


def _addr(value: Any, field: str) -> str:
    text = _text(value, field, 2048)
    if not re.fullmatch(r"https?://[^\s/?#@]+(/[^\s?#]*)?", text):
        raise InvalidInput(field, "must be an http:// or https:// address (no user, query or #)")
    return text.rstrip("/")


def _shell_quote(arg: str) -> str:
    if arg and re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", arg):
        return arg
    return "'" + arg.replace("'", "'\"'\"'") + "'"


# ---------------------------------------------------------------------- fetching


class FetchBatch(NamedTuple):
    """What :meth:`ReferenceFetcher.fetch_all` returns: every id is in one of the two."""

    values: dict[str, bytes]
    errors: dict[str, FetchFailed]


@dataclass
class _Entry:
    fingerprint: str
    value: bytes | None  # None: the last fetch failed and nothing is usable
    error: FetchFailed | None
    expires_at: float  # monotonic; fetched again after this


@dataclass(frozen=True)
class _Running:
    """A fetch under way: of which reference, and the future its callers wait on."""

    fingerprint: str
    future: Future[_Entry]


# A caller waits this much longer than a reference's own timeout before it gives up on a
# fetch (the worker's bookkeeping; a command is killed at its timeout already).
_DEADLINE_GRACE: Final = 2.0


def fingerprint(reference: Reference) -> str:
    return hashlib.sha256(reference_json(reference).encode()).hexdigest()


def on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class ReferenceFetcher:
    """Fetches references, keeps each value in memory for its time to live.

    ``fetch_all`` blocks until the references it is given are fresh (fetched concurrently, at
    most ``max_workers`` at once), except on a thread running an event loop: there it never
    runs a command, answers from memory and starts the fetch in the background.
    """

    def __init__(
        self,
        max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
        *,
        max_workers: int = 4,
        clock: Callable[[], float] = time.monotonic,
        environ: Mapping[str, str] | None = None,
        home: Path | None = None,
    ):
        self.max_value_bytes = max_value_bytes
        self.max_workers = max_workers
        self._clock = clock
        self._environ = environ
        self._home = home
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._fetching: dict[str, _Running] = {}
        self._pool: ThreadPoolExecutor | None = None
        # False: command references are never run (``allow_command_references``).
        self.allow_commands = True

    # -- what callers ask

    def fetch_all(self, references: Mapping[str, Reference]) -> FetchBatch:
        """``{secret id: reference}`` -> the values (bytes) and the failures."""
        if on_event_loop():
            return self._from_memory(references, start=True)
        futures = {sid: self._start(sid, ref) for sid, ref in references.items()}
        batch = FetchBatch({}, {})
        # One overall deadline: no caller waits longer than the slowest reference's timeout
        # (and a little more), whatever a vault or a command does meanwhile.
        started = self._clock_now()
        for sid, future in futures.items():
            if isinstance(future, Future):
                limit = references[sid].timeout_seconds + _DEADLINE_GRACE
                try:
                    entry = future.result(max(0.0, started + limit - self._clock_now()))
                except FutureTimeout:
                    batch.errors[sid] = FetchFailed(
                        f"not fetched within {references[sid].timeout_seconds} s"
                    )
                    continue
            else:
                entry = future
            if entry.value is not None:
                batch.values[sid] = entry.value
            else:
                batch.errors[sid] = entry.error or FetchFailed("not fetched")
        return batch

    def failure(self, secret_id: str) -> str | None:
        """Why the reference's last fetch failed (None: it worked, or was never tried)."""
        with self._lock:
            entry = self._entries.get(secret_id)
        return entry.error.reason if entry is not None and entry.error is not None else None

    def forget(self, secret_id: str) -> None:
        """Drop what is remembered of a secret (it was replaced or deleted), a fetch under
        way too: its result is never kept nor handed to a later caller."""
        with self._lock:
            self._entries.pop(secret_id, None)
            self._fetching.pop(secret_id, None)

    def close(self) -> None:
        """Stop the worker threads (the server stops): nothing new starts, queued fetches are
        cancelled, what is remembered is dropped."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._entries.clear()
            self._fetching.clear()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    # -- internals

    def _fresh(self, secret_id: str, reference: Reference) -> _Entry | None:
        entry = self._entries.get(secret_id)
        if (
            entry is not None
            and entry.fingerprint == fingerprint(reference)
            and self._clock() < entry.expires_at
        ):
            return entry
        return None

    def _start(self, secret_id: str, reference: Reference) -> Future[_Entry] | _Entry:
        with self._lock:
            fresh = self._fresh(secret_id, reference)
            if fresh is not None:
                return fresh
            running = self._fetching.get(secret_id)
            # A fetch under way serves only callers of the same reference: after the secret
            # switched to another command or vault path, the old fetch's output is not its value.
            if running is not None and running.fingerprint == fingerprint(reference):
                return running.future
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.max_workers, thread_name_prefix="jupyter-secrets-fetch"
                )
            future: Future[_Entry] = Future()
            run = _Running(fingerprint(reference), future)
            self._fetching[secret_id] = run
            self._pool.submit(self._fetch_one, secret_id, reference, run)
            return future

    def _from_memory(self, references: Mapping[str, Reference], start: bool) -> FetchBatch:
        batch = FetchBatch({}, {})
        for sid, ref in references.items():
            with self._lock:
                entry = self._entries.get(sid)
                fresh = self._fresh(sid, ref)
            if fresh is None and start:
                self._start(sid, ref)
            if entry is not None and entry.fingerprint == fingerprint(ref) and entry.value:
                # Stale but the best there is; the background fetch replaces it.
                batch.values[sid] = entry.value
            else:
                batch.errors[sid] = (entry.error if entry else None) or FetchPending(
                    "being fetched; it is written when the fetch ends"
                )
        return batch

    def _clock_now(self) -> float:
        return time.monotonic()

    def _fetch_one(self, secret_id: str, reference: Reference, run: _Running) -> None:
        entry = self._fetch_entry(secret_id, reference)  # never raises: failures are entries
        with self._lock:
            # Kept only if this fetch is still the one for the secret (not forgotten, not
            # overtaken by a fetch of a newer reference).
            if self._fetching.get(secret_id) is run:
                del self._fetching[secret_id]
                self._entries[secret_id] = entry
        run.future.set_result(entry)

    def _fetch_entry(self, secret_id: str, reference: Reference) -> _Entry:
        with self._lock:
            previous = self._entries.get(secret_id)
        known = (
            previous.value
            if previous is not None and previous.fingerprint == fingerprint(reference)
            else None
        )
        try:
            value = self._fetch(reference, known)
            entry = _Entry(
                fingerprint(reference), value, None, self._clock() + reference.ttl_seconds
            )
        except FetchFailed as err:
            retry = min(reference.ttl_seconds, RETRY_AFTER)
            entry = _Entry(fingerprint(reference), None, err, self._clock() + retry)
        except Exception as err:  # a bug must not leave the caller waiting, nor say the value
            entry = _Entry(
                fingerprint(reference),
                None,
                FetchFailed(f"unexpected {type(err).__name__}"),
                self._clock() + min(reference.ttl_seconds, RETRY_AFTER),
            )
        return entry

    def _fetch(self, reference: Reference, known: bytes | None) -> bytes:
        if isinstance(reference, CommandReference):
            if not self.allow_commands:
                raise FetchFailed(COMMANDS_OFF)
            return run_command(
                reference.argv,
                timeout=reference.timeout_seconds,
                max_bytes=self.max_value_bytes,
                env=child_env(self._environ),
                known=known,
            )
        return _within(
            reference.timeout_seconds,
            lambda: read_vault(
                reference,
                environ=self._environ if self._environ is not None else os.environ,
                home=self._home,
                max_bytes=self.max_value_bytes,
            ),
            f"no answer from the vault within {reference.timeout_seconds} s",
        )


def _within(seconds: float, work: Callable[[], bytes], late: str) -> bytes:
    """``work()`` given ``seconds`` in all (hvac's timeout is per socket operation: a server
    that trickles its answer would hold it forever).  Past the deadline ``FetchFailed(late)``;
    the abandoned call ends on its own in a daemon thread, its result dropped."""
    outcome: list[bytes | BaseException] = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as err:  # handed to the caller below
            outcome.append(err)

    worker = threading.Thread(target=target, name="jupyter-secrets-vault", daemon=True)
    worker.start()
    worker.join(seconds)
    if not outcome:
        raise FetchFailed(late)
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


# ---------------------------------------------------------------------- commands


def child_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a reference's command: the server's, without the store key."""
    env = dict(os.environ if environ is None else environ)
    env.pop(KEY_ENV_VAR, None)
    return env


def run_command(
    argv: Iterable[str],
    *,
    timeout: float,
    max_bytes: int,
    env: Mapping[str, str],
    known: bytes | None = None,
) -> bytes:
    """Run ``argv`` (no shell), return its standard output less one trailing newline.

    ``FetchFailed`` on a missing program, a non-zero exit, a timeout, no output or more than
    ``max_bytes``.  ``known`` (the last value) is redacted from any stderr shown, as is what
    the command printed.
    """
    argv = list(argv)
    program = argv[0]
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            close_fds=True,
            start_new_session=True,  # its own process group, killed whole on timeout
            shell=False,
        )
    except FileNotFoundError:
        raise FetchFailed(f"command not found: {program!r}") from None
    except PermissionError:
        raise FetchFailed(f"cannot run {program!r}: permission denied") from None
    except OSError as err:
        raise FetchFailed(f"cannot run {program!r}: {err.strerror or type(err).__name__}") from None
    assert proc.stdout is not None and proc.stderr is not None
    out, err_out = bytearray(), bytearray()
    overflow = threading.Event()

    def kill() -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def pump(stream: IO[bytes], buf: bytearray, limit: int, on_over: Callable[[], None]) -> None:
        try:
            while chunk := stream.read1(65536):  # type: ignore[attr-defined]
                room = limit + 1 - len(buf)
                buf += chunk[:room]
                if len(buf) > limit:
                    on_over()
                    break
        except (OSError, ValueError):
            pass
        finally:
            stream.close()

    def stdout_over() -> None:
        overflow.set()
        kill()

    readers = [
        threading.Thread(target=pump, args=(proc.stdout, out, max_bytes, stdout_over), daemon=True),
        threading.Thread(
            target=pump, args=(proc.stderr, err_out, _STDERR_BYTES, lambda: None), daemon=True
        ),
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill()
        proc.wait()
    # Whatever it left running in its group (``sh -c 'sleep 1000 & echo v'``) goes too, on
    # success as well: nothing a reference started outlives its fetch.
    kill()
    for reader in readers:
        reader.join(2)
    if timed_out:
        raise FetchFailed(f"{program!r} did not finish within {timeout:g} s (it was stopped)")
    if overflow.is_set():
        raise FetchFailed(f"{program!r} printed more than {max_bytes} bytes (max_value_bytes)")
    if proc.returncode != 0:
        status = (
            f"was killed by signal {-proc.returncode}"
            if proc.returncode < 0
            else f"exited with status {proc.returncode}"
        )
        credentials = [
            value.encode("utf-8", "replace")
            for name, value in env.items()
            if _CREDENTIAL_NAME.search(name) and len(value) >= 8
        ]
        line = _stderr_line(bytes(err_out), hide=[bytes(out), known or b"", *credentials])
        raise FetchFailed(f"{program!r} {status}" + (f": {line}" if line else ""))
    value = bytes(out)
    if value.endswith(b"\n"):
        value = value[:-2] if value.endswith(b"\r\n") else value[:-1]
    if not value:
        raise FetchFailed(f"{program!r} printed nothing")
    return value


def _stderr_line(stderr: bytes, hide: list[bytes]) -> str:
    """The last non-empty line of a failed command's stderr, safe to show, or ''.

    Whatever the command printed on stdout, and the last value, may be a value: any of their
    lines found in the stderr line is replaced by ``[REDACTED]``; when they are too short to
    be told apart from ordinary words, the line is not shown at all.
    """
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[-1]
    pieces = {p.strip() for blob in hide if blob for p in [blob, *blob.splitlines()] if p.strip()}
    for piece in sorted(pieces, key=len, reverse=True):
        if piece in line:
            if len(piece) < _MIN_REDACTED:
                return ""
            line = line.replace(piece, b"[REDACTED]")
    text = _CONTROL.sub("", line.decode("utf-8", "replace"))
    return text[:_REASON_CHARS] + ("..." if len(text) > _REASON_CHARS else "")


# ---------------------------------------------------------------------- Vault and OpenBao


def vault_token(environ: Mapping[str, str], home: Path | None = None) -> str | None:
    """The user's own token: ``VAULT_TOKEN``, else ``~/.vault-token`` (as the vault CLI)."""
    token = environ.get("VAULT_TOKEN", "").strip()
    if token:
        return token
    path = (home or Path.home()) / ".vault-token"
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def read_vault(
    reference: VaultReference,
    *,
    environ: Mapping[str, str],
    home: Path | None = None,
    max_bytes: int = DEFAULT_MAX_VALUE_BYTES,
) -> bytes:
    """One field of a KV v2 secret, as bytes (a string as UTF-8, anything else as JSON)."""
    try:
        import hvac  # type: ignore[import-untyped]
        import hvac.exceptions  # type: ignore[import-untyped]
        import requests
    except ImportError:
        raise FetchFailed(
            "vault references need hvac: pip install 'jupyter_secrets[vault]'"
        ) from None
    addr = reference.addr or environ.get("VAULT_ADDR", "").strip()
    if not addr:
        raise FetchFailed("no vault address: give 'addr' or set VAULT_ADDR for the server")
    token = vault_token(environ, home)
    if token is None:
        raise FetchFailed(
            "no vault token: set VAULT_TOKEN for the server or log in (~/.vault-token)"
        )
    verify: bool | str = True
    if environ.get("VAULT_CACERT"):
        verify = environ["VAULT_CACERT"]
    if environ.get("VAULT_SKIP_VERIFY", "").lower() in ("1", "true", "yes"):
        verify = False
    where = f"{reference.mount}/{reference.path}"
    try:
        client = hvac.Client(
            url=addr,
            token=token,
            timeout=reference.timeout_seconds,
            verify=verify,
            namespace=environ.get("VAULT_NAMESPACE") or None,
        )
        answer = client.secrets.kv.v2.read_secret_version(
            path=reference.path, mount_point=reference.mount, raise_on_deleted_version=True
        )
    except (hvac.exceptions.Forbidden, hvac.exceptions.Unauthorized):
        raise FetchFailed(
            f"permission denied reading {where}: the token (VAULT_TOKEN or ~/.vault-token) "
            "is revoked, expired or not allowed to read it"
        ) from None
    except hvac.exceptions.InvalidPath:
        raise FetchFailed(f"no secret at {where} (a KV version 2 mount and path)") from None
    except (hvac.exceptions.VaultDown, hvac.exceptions.VaultNotInitialized):
        raise FetchFailed(f"the vault at {addr} is sealed or not initialized") from None
    except requests.exceptions.Timeout:
        raise FetchFailed(f"no answer from {addr} within {reference.timeout_seconds} s") from None
    except requests.exceptions.RequestException:
        raise FetchFailed(f"cannot reach the vault at {addr}") from None
    except hvac.exceptions.VaultError as err:
        raise FetchFailed(f"the vault refused reading {where} ({type(err).__name__})") from None
    data = ((answer or {}).get("data") or {}).get("data")
    if not isinstance(data, dict):
        raise FetchFailed(f"{where} is not a KV version 2 secret")
    if reference.field not in data:
        fields = ", ".join(sorted(str(k) for k in data)[:20]) or "none"
        raise FetchFailed(f"{where} has no field {reference.field!r} (fields: {fields})")
    raw = data[reference.field]
    value = (raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True)).encode("utf-8")
    if not value:
        raise FetchFailed(f"the field {reference.field!r} of {where} is empty")
    if len(value) > max_bytes:
        raise FetchFailed(f"the field {reference.field!r} of {where} is over {max_bytes} bytes")
    return value
