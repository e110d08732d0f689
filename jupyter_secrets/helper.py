"""Read, inside a kernel, the secrets that Jupyter wrote for it.

```python
from jupyter_secrets import get_secret, get_secret_bytes, secret_path, list_secrets
token = get_secret("api-token")       # by slot name or by filename -> str
key = get_secret_bytes("tls-key")     # the file's exact bytes (binary values) -> bytes
```

The server (or ``jupyter secrets run``) writes each value of the kernel's project as a file in
one directory and passes its path in ``JUPYTER_SECRETS_DIR``.  Next to the values it writes an
index, ``.~slots.json`` (``{"version": 1, "slots": {slot name: filename}}``: names, never
values), so that a secret can be asked for by its slot name.  A directory without that index
(one prepared by hand, a mounted Kubernetes secret, ...) still works: its visible files are
the secrets, named by their filenames.

Kernels import this module, so it imports nothing outside the standard library (no
jupyter_server, tornado or cryptography), and not even ``json``, ``re`` or ``pathlib`` until a
call needs them, and does its work at call time: the variable and the files are read afresh on
every call, so a value replaced while the kernel runs is seen on the next read, and
``JUPYTER_SECRETS_DIR`` may be set after import.  The parsed index is kept between calls while
a ``stat`` of it shows the same file (device, inode, mtime, size) in the same directory; the
materializer replaces it by rename, so a new index is a new inode.

A name given by the caller is never used to build a path: it is only compared with the slot
names and filenames of the index (or of the directory listing), and those filenames must follow
the slot filename rule (``[A-Za-z0-9_.-]``, not dots only), so no name reaches outside the
directory.
"""

from __future__ import annotations

import os
import stat as _stat

__all__ = [
    "SecretNotFoundError",
    "SecretNotTextError",
    "get_secret",
    "get_secret_bytes",
    "list_secrets",
    "secret_path",
]

TYPE_CHECKING = False
if TYPE_CHECKING:  # pathlib is imported at call time only: kernels pay for it when they use it
    from pathlib import Path

#: The environment variable naming this kernel's secrets directory.
ENV_VAR = "JUPYTER_SECRETS_DIR"

#: The index of slot names written by the materializer next to the values.  It holds a ``~``,
#: which the slot filename rule does not allow, so no slot's file can ever be called that.
INDEX_FILENAME = ".~slots.json"

# The slot filename rule of SPEC (``[A-Za-z0-9_.-]{1,200}``, not dots only); checked again here
# on what the index or the listing says.  A set of characters rather than a regex: importing
# ``re`` would cost every kernel a few milliseconds.
_FILENAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_FILENAME_MAX = 200

# O_NONBLOCK: a FIFO planted where a value belongs must not hang the kernel on open().
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)

# An index changed this recently may be replaced again within the file system's timestamp
# granularity by a file that reuses its inode and size: a stat could not tell them apart.  Such
# an index is not trusted from its stat alone: its bytes are read again on every call (cheap),
# and only the parsing is saved, until it is older than this.
_RACY_NS = 2_000_000_000

# The last index read: (directory as given, (st_dev, st_ino, st_mtime_ns, st_size), trusted,
# {slot name: filename}, frozenset of those filenames, the index's bytes).  One tuple, replaced
# whole, so threads never see half of an update.
_index_cache: tuple | None = None

_HOW_TO_PROVIDE = (
    "To provide it, give the slot a value in JupyterLab's Secrets panel (key icon in the left "
    "sidebar), or in a terminal run `jupyter secrets set NAME` and `jupyter secrets bind ...` "
    "(or add the slot first with `jupyter secrets slots add ...` if the project has none by "
    "that name). The file appears without restarting the kernel: call get_secret() again."
)


def is_valid_filename(filename: str) -> bool:
    """Whether ``filename`` follows the slot rule: 1-200 of ``[A-Za-z0-9_.-]``, not only dots."""
    if not isinstance(filename, str):
        raise TypeError(f"a filename is a str, not {type(filename).__name__}")
    return (
        0 < len(filename) <= _FILENAME_MAX
        and _FILENAME_CHARS.issuperset(filename)
        and filename.strip(".") != ""
    )


class SecretNotFoundError(KeyError):
    """A secret this kernel cannot read: not provided, unknown, or no secrets directory at all.

    The message names the secret, lists the names that are available and says how to provide
    the value.  ``name`` and ``available`` hold the same as attributes.
    """

    def __init__(
        self, name: str, available: list[str], reason: str | None = None, how: str | None = None
    ):
        shown = _shown(name)
        if reason is None:
            if available:
                listing = "Available: " + ", ".join(_shown(n) for n in available) + "."
            else:
                listing = "No secret is available to this kernel yet."
            reason = f"No secret {shown} among this kernel's secrets. {listing}"
        message = f"{reason} {how or _HOW_TO_PROVIDE}"
        super().__init__(message)
        self.name = name
        self.available = available
        self.message = message

    def __str__(self) -> str:
        # KeyError.__str__ would print the repr of the message, quotes and escaped newlines.
        return self.message


class SecretNotTextError(ValueError):
    """``get_secret`` on a secret whose bytes are not UTF-8 text (a binary value): the message
    names the secret and says to use ``get_secret_bytes`` or ``secret_path``, never the value."""

    def __init__(self, name: str):
        shown = _shown(name)
        message = (
            f"The secret {shown} holds binary data, not UTF-8 text: read it with "
            f"get_secret_bytes({shown}) (bytes), or open secret_path({shown})."
        )
        super().__init__(message)
        self.name = name
        self.message = message


def get_secret(name: str) -> str:
    """The value of the secret ``name`` (a slot name, else a filename), read now from its file.

    The value is returned exactly as stored: nothing is stripped, so a trailing newline that
    was part of the value stays, and CRLF stays CRLF.  Raises :class:`SecretNotFoundError` (a
    ``KeyError``) when this kernel has no such secret, :class:`SecretNotTextError` (a
    ``ValueError``) when its bytes are not UTF-8 text (use :func:`get_secret_bytes`).
    """
    try:
        data = get_secret_bytes(name)
    except SecretNotFoundError as error:  # the traceback ends here, at the function called
        raise error.with_traceback(None) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretNotTextError(name) from None


def get_secret_bytes(name: str) -> bytes:
    """The exact bytes of the secret ``name`` (a slot name, else a filename), read now from its
    file: binary values (keys, keystores, images) and text alike (text as UTF-8).  Raises
    :class:`SecretNotFoundError` (a ``KeyError``) when this kernel has no such secret.
    """
    # Fast path: the (cached) index names the file, which is read at once.  Anything unusual
    # (no variable, no index, unknown name, file gone or not a regular file, any OSError) takes
    # the full path below, which gives the same answer or the helpful error.
    directory = os.environ.get(ENV_VAR) if isinstance(name, str) else None
    if directory:
        filename = _indexed_filename(directory, name)
        if filename is not None:
            try:
                data = _read_regular_file(os.path.join(directory, filename))
            except OSError:
                data = None
            if data is not None:
                return data
    try:
        path = secret_path(name)
    except SecretNotFoundError as error:
        raise error.with_traceback(None) from None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        # Unbound or deleted between the lookup and the read.
        raise SecretNotFoundError(name, sorted(_available(path.parent))) from None


def secret_path(name: str) -> Path:
    """The path of the file holding the secret ``name`` (a slot name, else a filename).

    For code that wants a path (a certificate, a key file, another program).  The file can be
    replaced while the kernel runs; open it again to see the new value.
    """
    if not isinstance(name, str):
        raise TypeError(f"a secret name is a str, not {type(name).__name__}")
    from pathlib import Path

    value = os.environ.get(ENV_VAR)
    if value:
        # Fast path: stat only the file the (cached) index names.
        filename = _indexed_filename(value, name)
        if filename is not None:
            try:
                is_file = _stat.S_ISREG(os.stat(os.path.join(value, filename)).st_mode)
            except (OSError, ValueError):
                is_file = False
            if is_file:
                return Path(value) / filename
    directory = _directory_or_raise(name)
    available = _available(directory)
    filename = available.get(name)
    if filename is None and name in available.values():
        filename = name
    if filename is None:
        raise _not_found(name, directory, available).with_traceback(None) from None
    return directory / filename


def list_secrets() -> dict[str, Path]:
    """``{name: path}`` of every secret this kernel can read now (``{}`` without a directory).

    Keyed by slot name (by filename for a directory without an index); :func:`get_secret` also
    accepts the filename of each.
    """
    directory = _directory()
    if directory is None or not directory.is_dir():
        return {}
    return {name: directory / filename for name, filename in sorted(_available(directory).items())}


# ---------------------------------------------------------------------------- internals


def _not_found(name: str, directory: Path, available: dict[str, str]) -> SecretNotFoundError:
    """The error for a name this kernel has no file for: an empty slot of its project is named
    as such, with how to fill it; any other name lists what is available."""
    empty = _empty_slot(name, directory)
    if empty is None:
        return SecretNotFoundError(name, sorted(available))
    slot, project = empty
    shown = _shown(slot)
    return SecretNotFoundError(
        name,
        sorted(available),
        f"The slot {shown} of the project {_shown(project)} is empty: no value has been "
        "provided for it yet.",
        "Fill it in JupyterLab's Secrets panel (key icon in the left sidebar, then "
        f'"Provide value" on {shown}), or in a terminal with `jupyter secrets bind {_shown(slot)}` '
        "(it asks for the value). The file appears without restarting the kernel: call "
        "get_secret() again.",
    )


def _empty_slot(name: str, directory: Path) -> tuple[str, str] | None:
    """(slot name, project name) when ``name`` is a slot (name or filename) of this kernel's
    project, read from the nearest slot file above the working directory whose project id is
    the secrets directory's; None when it cannot be told (only on the error path)."""
    import json

    try:
        folder = os.path.abspath(os.getcwd())
    except OSError:
        return None
    while True:
        try:
            with open(os.path.join(folder, ".jupyter", "secret-slots.json"), "rb") as file:
                data = json.loads(file.read(4 * 1024 * 1024))
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict):
            project = data.get("project")
            if not isinstance(project, dict):
                return None
            if project.get("id") != directory.name:
                return None  # the nearest project is not this kernel's
            for slot in data.get("slots") or []:
                if isinstance(slot, dict) and name in (slot.get("name"), slot.get("filename")):
                    return str(slot.get("name")), str(project.get("name") or directory.name)
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _directory() -> Path | None:
    value = os.environ.get(ENV_VAR)
    if not value:
        return None
    from pathlib import Path

    return Path(value)


def _directory_or_raise(name: str) -> Path:
    directory = _directory()
    if directory is None:
        raise SecretNotFoundError(
            name,
            [],
            f"No secret {_shown(name)}: {ENV_VAR} is not set, so this kernel has no secrets. "
            "It was not started by a Jupyter server with jupyter_secrets enabled, nor inside "
            "`jupyter secrets run`.",
        )
    if not directory.is_dir():
        raise SecretNotFoundError(
            name,
            [],
            f"No secret {_shown(name)}: the secrets directory {ENV_VAR}={directory} does not "
            "exist (the Jupyter server that started this kernel may have stopped; restart the "
            "kernel from a running server).",
        )
    return directory


def _available(directory: Path) -> dict[str, str]:
    """``{name: filename}`` of the secrets in ``directory`` whose file exists now."""
    index = _read_index(directory)
    if index is None:
        # No index: every visible file is a secret named by its filename.  Dot-files never are
        # (temporary files, the index, Kubernetes' ``..data`` links).
        try:
            with os.scandir(directory) as entries:
                names = [e.name for e in entries if not e.name.startswith(".") and e.is_file()]
        except OSError:
            return {}
        return {n: n for n in names if is_valid_filename(n)}
    # The index is written after the files and may outlive one for a moment: keep what exists.
    return {name: fn for name, fn in index.items() if (directory / fn).is_file()}


def _read_index(directory: Path) -> dict[str, str] | None:
    try:
        return parse_index((directory / INDEX_FILENAME).read_bytes())
    except OSError:
        return None


def parse_index(data: bytes) -> dict[str, str] | None:
    """``{slot name: filename}`` of the index's entries whose filename follows the rule: the one
    parser of ``.~slots.json``, used by kernels and by the materializer alike."""
    import json

    try:
        data = json.loads(data)
    except ValueError:
        return None
    slots = data.get("slots") if isinstance(data, dict) else None
    if not isinstance(slots, dict):
        return None
    return {
        name: filename
        for name, filename in slots.items()
        if isinstance(name, str) and isinstance(filename, str) and is_valid_filename(filename)
    }


def _indexed_filename(directory: str, name: str) -> str | None:
    """The filename the index of ``directory`` gives ``name`` (a slot name, else one of its
    filenames), or None: no index, unreadable, or no such name.  Does not check the file."""
    global _index_cache
    try:
        path = os.path.join(directory, INDEX_FILENAME)
        st = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the variable
        return None
    key = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
    cached = _index_cache
    if cached is None or cached[0] != directory or cached[1] != key or not cached[2]:
        cached = _load_index(directory, path, cached)
        if cached is None:
            return None
    index, filenames = cached[3], cached[4]
    filename = index.get(name)
    if filename is None and name in filenames:
        filename = name
    return filename


def _load_index(directory: str, path: str, previous: tuple | None) -> tuple | None:
    """Read and parse the index at ``path``; the new cache entry, or None (no usable index)."""
    global _index_cache
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)  # the key and the bytes come from one and the same file
        if not _stat.S_ISREG(st.st_mode):
            return None
        data = _read_all(fd, st.st_size)
    except OSError:
        return None
    finally:
        os.close(fd)
    if previous is not None and previous[0] == directory and previous[5] == data:
        index, filenames = previous[3], previous[4]  # same bytes: the parse still holds
    else:
        index = parse_index(data)
        if index is None:
            return None
        filenames = frozenset(index.values())
    import time

    trusted = time.time_ns() - st.st_mtime_ns >= _RACY_NS
    entry = (
        directory,
        (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size),
        trusted,
        index,
        filenames,
        data,
    )
    _index_cache = entry
    return entry


def _read_regular_file(path: str) -> bytes | None:
    """The bytes of ``path`` (symlinks followed, as ``open`` does); None if it is not a regular
    file.  Raises OSError (FileNotFoundError, ...)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        st = os.fstat(fd)
        if not _stat.S_ISREG(st.st_mode):
            return None
        return _read_all(fd, st.st_size)
    finally:
        os.close(fd)


def _read_all(fd: int, size: int) -> bytes:
    """Everything until end of file, expecting ``size`` bytes (more or fewer are read too)."""
    data = os.read(fd, size + 1)
    if not data:
        return data
    chunks = [data]
    while True:
        chunk = os.read(fd, max(size + 1 - len(data), 65536))
        if not chunk:
            break
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _shown(name: str) -> str:
    # Names only ever reach messages; cut a long one (a value pasted by mistake stays short).
    return repr(name if len(name) <= 100 else name[:100] + "...")
