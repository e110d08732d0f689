"""Read, inside a kernel, the secrets that Jupyter wrote for it.

```python
from jupyter_secrets import get_secret, secret_path, list_secrets
token = get_secret("api-token")       # by slot name or by filename -> str
```

The server (or ``jupyter secrets run``) writes each value of the kernel's project as a file in
one directory and passes its path in ``JUPYTER_SECRETS_DIR``.  Next to the values it writes an
index, ``.~slots.json`` (``{"version": 1, "slots": {slot name: filename}}``: names, never
values), so that a secret can be asked for by its slot name.  A directory without that index
(one prepared by hand, a mounted Kubernetes secret, ...) still works: its visible files are
the secrets, named by their filenames.

Kernels import this module, so it imports nothing outside the standard library (no
jupyter_server, tornado or cryptography) and does its work at call time: the variable, the
index and the files are read afresh on every call, so a value replaced while the kernel runs is
seen on the next read, and ``JUPYTER_SECRETS_DIR`` may be set after import.

A name given by the caller is never used to build a path: it is only compared with the slot
names and filenames of the index (or of the directory listing), and those filenames must follow
the slot filename rule (``[A-Za-z0-9_.-]``, not dots only), so no name reaches outside the
directory.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

__all__ = ["SecretNotFoundError", "get_secret", "list_secrets", "secret_path"]

#: The environment variable naming this kernel's secrets directory.
ENV_VAR = "JUPYTER_SECRETS_DIR"

#: The index of slot names written by the materializer next to the values.  It holds a ``~``,
#: which the slot filename rule does not allow, so no slot's file can ever be called that.
INDEX_FILENAME = ".~slots.json"

# The slot filename rule of SPEC; checked again here on what the index or the listing says.
_FILENAME = re.compile(r"[A-Za-z0-9_.-]{1,200}")

_HOW_TO_PROVIDE = (
    "To provide it, give the slot a value in JupyterLab's Secrets panel (key icon in the left "
    "sidebar), or in a terminal run `jupyter secrets set NAME` and `jupyter secrets bind ...` "
    "(or add the slot first with `jupyter secrets slots add ...` if the project has none by "
    "that name). The file appears without restarting the kernel: call get_secret() again."
)


def is_valid_filename(filename: str) -> bool:
    """Whether ``filename`` follows the slot rule: 1-200 of ``[A-Za-z0-9_.-]``, not only dots."""
    return bool(_FILENAME.fullmatch(filename)) and filename.strip(".") != ""


class SecretNotFoundError(KeyError):
    """A secret this kernel cannot read: not provided, unknown, or no secrets directory at all.

    The message names the secret, lists the names that are available and says how to provide
    the value.  ``name`` and ``available`` hold the same as attributes.
    """

    def __init__(self, name: str, available: list[str], reason: str | None = None):
        shown = _shown(name)
        if reason is None:
            if available:
                listing = "Available: " + ", ".join(_shown(n) for n in available) + "."
            else:
                listing = "No secret is available to this kernel yet."
            reason = f"No secret {shown} among this kernel's secrets. {listing}"
        message = f"{reason} {_HOW_TO_PROVIDE}"
        super().__init__(message)
        self.name = name
        self.available = available
        self.message = message

    def __str__(self) -> str:
        # KeyError.__str__ would print the repr of the message, quotes and escaped newlines.
        return self.message


def get_secret(name: str) -> str:
    """The value of the secret ``name`` (a slot name, else a filename), read now from its file.

    The value is returned exactly as stored: nothing is stripped, so a trailing newline that
    was part of the value stays.  Raises :class:`SecretNotFoundError` (a ``KeyError``) when this
    kernel has no such secret.
    """
    path = secret_path(name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        # Unbound or deleted between the lookup and the read.
        raise SecretNotFoundError(name, sorted(_available(path.parent))) from None
    return data.decode("utf-8")


def secret_path(name: str) -> Path:
    """The path of the file holding the secret ``name`` (a slot name, else a filename).

    For code that wants a path (a certificate, a key file, another program).  The file can be
    replaced while the kernel runs; open it again to see the new value.
    """
    if not isinstance(name, str):
        raise TypeError(f"a secret name is a str, not {type(name).__name__}")
    directory = _directory_or_raise(name)
    available = _available(directory)
    filename = available.get(name)
    if filename is None and name in available.values():
        filename = name
    if filename is None:
        raise SecretNotFoundError(name, sorted(available))
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


def _directory() -> Path | None:
    value = os.environ.get(ENV_VAR)
    return Path(value) if value else None


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
        data = json.loads((directory / INDEX_FILENAME).read_bytes())
    except (OSError, ValueError):
        return None
    slots = data.get("slots") if isinstance(data, dict) else None
    if not isinstance(slots, dict):
        return None
    return {
        name: filename
        for name, filename in slots.items()
        if isinstance(name, str) and isinstance(filename, str) and is_valid_filename(filename)
    }


def _shown(name: str) -> str:
    # Names only ever reach messages; cut a long one (a value pasted by mistake stays short).
    return repr(name if len(name) <= 100 else name[:100] + "...")
