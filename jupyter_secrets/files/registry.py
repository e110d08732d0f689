"""The registry of every secrets base directory this user's servers used.

A base may change from one start to the next (a squatted location, a fresh private directory),
so each one used is recorded (paths only, 0600, ``jupyter-secrets-bases.json`` in the Jupyter
runtime directory, locked while in use) and the next start visits them all: no killed
server's values stay behind wherever they were.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from jupyter_secrets.fileio import _READ_FLAGS, _atomic_write

log = logging.getLogger(__name__)

#: In the Jupyter runtime directory: every base this user's servers used (see _registry).
REGISTRY_FILENAME = "jupyter-secrets-bases.json"
NEW_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def default_registry_path() -> Path:
    """``<jupyter runtime dir>/jupyter-secrets-bases.json`` (``$JUPYTER_RUNTIME_DIR``)."""
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir()) / REGISTRY_FILENAME


@contextlib.contextmanager
def _registry(path: Path | None = None) -> Iterator[dict[str, dict | None]]:
    """The registry of bases, ``{absolute path: owner record or None}``, locked while in use
    and written back (atomically, 0600) if changed.

    Why a registry: each start after a refused location makes a fresh directory with a new
    name, and ``secrets_dir`` or ``$XDG_RUNTIME_DIR`` may change between starts; without a
    record, a killed server's values would stay there for good.  The owner record (pid,
    process start, boot) of a fresh private directory says when it may be removed.  The file
    holds paths only.  ``flock`` on a ``.lock`` beside it: two servers starting at once.
    """
    path = Path(path or default_registry_path()).absolute()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        lock_fd = os.open(path.name + ".lock", NEW_LOCK_FLAGS, 0o600, dir_fd=dir_fd)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)  # released when closed
            bases = _read_registry(dir_fd, path.name)
            before = dict(bases)
            yield bases
            if bases != before:
                data = json.dumps({"version": 1, "bases": bases}, indent=1, sort_keys=True)
                _atomic_write(dir_fd, path.name, (data + "\n").encode())
        finally:
            os.close(lock_fd)
    finally:
        os.close(dir_fd)


def _read_registry(dir_fd: int, name: str) -> dict[str, dict | None]:
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return {}
    except OSError as err:
        if err.errno == errno.ELOOP:  # replaced by the next write (rename replaces the link)
            return {}
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
            return {}  # not ours: trust none of it, the next write replaces it
        bases = json.loads(os.read(fd, 1 << 22) or b"{}").get("bases", {})
    except (ValueError, AttributeError):
        return {}
    finally:
        os.close(fd)
    if not isinstance(bases, dict):
        return {}
    return {
        p: (o if isinstance(o, dict) else None)
        for p, o in bases.items()
        if isinstance(p, str) and os.path.isabs(p)
    }
