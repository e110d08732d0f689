"""No-follow file primitives: every file this package writes or reads where a value may be.

``write_new_file_at`` is the one way a file is written: a new temporary file in a directory
given by descriptor, never following a link, with an exact mode, fully written and synced.
The materializer (secret values) and the slot files both build on it, then rename the
temporary file over the real name (``_atomic_write``).  The rest open, check and remove
entries through directory descriptors, never following a symbolic link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

from jupyter_secrets.errors import SecretsError

_TMP_PREFIX = ".~tmp-"
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: a FIFO planted where a file belongs must not hang the server on open().
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)

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


def _open_private_dir(parent_fd: int, name: str, create: bool) -> int | None:
    """An fd of the directory ``name`` in ``parent_fd``, made (or found) 0700 and ours.

    A symlink or non-directory in its place is removed (the entry, never its target) and, with
    ``create``, a real directory made instead; without ``create`` it returns None.
    """
    for _ in range(5):
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=parent_fd)
        try:
            fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
        except FileNotFoundError:
            if not create:
                return None
            continue  # removed between mkdir and open: try again
        except OSError as err:
            if err.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            # A symlink or a file where our directory belongs: planted, or debris.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=parent_fd)
            if not create:
                return None
            continue
        try:
            _make_private(fd, name)
        except BaseException:
            os.close(fd)
            raise
        return fd
    raise SecretsError(f"{name}: cannot make a private directory there (it keeps changing)")


def _make_private(fd: int, what: str) -> None:
    st = os.fstat(fd)
    if st.st_uid != os.geteuid():
        raise SecretsError(f"{what} belongs to uid {st.st_uid}, not to this user; not using it")
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.fchmod(fd, 0o700)


def _atomic_write(dir_fd: int, filename: str, data: bytes) -> None:
    """Replace ``filename`` in ``dir_fd`` by a 0600 file holding ``data``, atomically.

    A file that already holds exactly ``data`` (ours, regular, 0600) is left alone: refreshes
    rewrite every project, and an unchanged value should not get a new inode and mtime.
    """
    if _holds(dir_fd, filename, data):
        return
    tmp = _TMP_PREFIX + os.urandom(8).hex()
    try:
        write_new_file_at(dir_fd, tmp, data, 0o600)
        try:
            # rename() replaces a symlink itself, never its target.
            os.replace(tmp, filename, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except OSError as err:
            if err.errno not in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                raise
            _remove_at(dir_fd, filename)  # a directory sits where the file goes
            os.replace(tmp, filename, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise


def _holds(dir_fd: int, filename: str, data: bytes) -> bool:
    try:
        fd = os.open(filename, _READ_FLAGS, dir_fd=dir_fd)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not (
            stat.S_ISREG(st.st_mode)
            and stat.S_IMODE(st.st_mode) == 0o600
            and st.st_uid == os.geteuid()
            and st.st_nlink == 1  # a hard link shares its inode with a name we do not own
            and st.st_size == len(data)
        ):
            return False
        chunks, size = [], 0
        while size <= len(data):
            chunk = os.read(fd, len(data) + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks) == data
    finally:
        os.close(fd)


def _remove_at(dir_fd: int, name: str) -> None:
    """Remove the entry ``name`` of ``dir_fd``, a directory recursively; never follows a symlink.

    Written here rather than with ``shutil.rmtree(dir_fd=)`` (Python 3.11+) so that the rule is
    visible: directories are entered only through ``O_NOFOLLOW`` fds, everything else unlinked.
    """
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return
    except OSError as err:
        if err.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=dir_fd)  # a file or a symlink: the entry goes, not its target
        return
    try:
        for entry in os.listdir(fd):
            _remove_at(fd, entry)
    finally:
        os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(name, dir_fd=dir_fd)


def _fsync_dir(fd: int) -> None:
    # Makes the renames durable on disk-backed directories; some file systems refuse it.
    with contextlib.suppress(OSError):
        os.fsync(fd)


def _read_small(dir_fd: int, name: str, limit: int = 1 << 20) -> bytes | None:
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        return os.read(fd, limit)
    finally:
        os.close(fd)
