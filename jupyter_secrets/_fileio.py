"""The one way this package writes a file it cares about: a new temporary file in a directory
given by descriptor, never following a link, with an exact mode, fully written and synced.

The materializer (secret values) and the slot files both build on it, then rename the
temporary file over the real name themselves (each handles what may sit in its way).
"""

from __future__ import annotations

import os

NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def write_new_file_at(dir_fd: int, name: str, data: bytes, mode: int) -> None:
    """Create ``name`` in ``dir_fd`` (it must not exist) holding ``data``, synced to disk."""
    fd = os.open(name, NEW_FILE_FLAGS, 0o600, dir_fd=dir_fd)
    try:
        os.fchmod(fd, mode)  # exactly ``mode``, whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
