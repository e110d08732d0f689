"""Write secret values as files for kernels, and nowhere else.

Layout (``base`` is ``c.SecretsExtension.secrets_dir``, or chosen by :func:`choose_base_dir`)::

    <base>/                                   0700 when we create it; never group/other-writable
      server-<pid>-<random>/                  one per server or `jupyter secrets run`: the root
        .owner                                who owns this tree: pid, process start, boot, host
        <project-id>/                         0700; kernels get this path as JUPYTER_SECRETS_DIR
          <filename>                          0600, the value's exact bytes (text as UTF-8)
          .~slots.json                        0600, {"version": 1, "slots": {slot name: filename}}

Why a directory per server: two servers of the same user (two JupyterLabs, a server and a
``jupyter secrets run``) can share the base without one removing the other's files on exit, and
a server killed without cleaning up leaves a tree that the next start recognises from ``.owner``
(:func:`cleanup_stale`) and removes, while the trees of live servers stay.

Where the base is, and how trees of killed servers are found again: ``base_dir.py``.

Safety: every write goes through directory file descriptors opened with ``O_NOFOLLOW``
(``dir_fd=``, never a path string below the root), project ids and filenames are validated again
here, and a symlink, file or directory found where ours belongs is removed as an entry (unlink
or :func:`_remove_at`, which never follows links), never followed.  POSIX only.

Values are written atomically: a new file ``.~tmp-<random>`` (``O_CREAT|O_EXCL|O_NOFOLLOW``,
0600) is written, fsynced, then renamed over the old one, so a kernel reads the old value or the
new one, never half of one.  Temporary names hold a ``~``, like the index's, which the slot
filename rule does not allow: no slot's file can clash with them.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from jupyter_secrets.errors import InvalidInput, SecretsError
from jupyter_secrets.fileio import (
    _DIR_FLAGS,
    _atomic_write,
    _fsync_dir,
    _make_private,
    _open_private_dir,
    _read_small,
    _remove_at,
)
from jupyter_secrets.files.owners import _write_owner
from jupyter_secrets.helper import INDEX_FILENAME, parse_index
from jupyter_secrets.rules import validate_filename, validate_id, validate_slot_name

#: Every value kernels must redact (see write_redaction_set); a dot name, so no project clash.
REDACTION_FILENAME = ".~redaction.json"
#: The directory of kernels whose folder belongs to no project: it stays empty.  A dot name,
#: which no project id can take, so that no project's files are ever written or wiped there.
NO_PROJECT = ".no-project"


log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- validation


# The rules are those of rules.py, checked again here: a path component is built from them.


def validate_project_id(project_id: object) -> str:
    """``project_id`` if it is an id by the rule book (safe as a path component)."""
    return validate_id("project id", project_id)


def _validate_slot_name(name: object) -> str:
    return validate_slot_name(name)


def _encode_value(value: object) -> bytes:
    """The exact bytes of a value's file: a text value (``str``) as UTF-8, a binary one as is."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if not isinstance(value, str):
        raise InvalidInput("value", "must be text or bytes")  # never show the value itself
    return value.encode("utf-8")


def _project_dir_name(project_id: object) -> str:
    return NO_PROJECT if project_id == NO_PROJECT else validate_project_id(project_id)


# ---------------------------------------------------------------------------- the materializer


class Materializer:
    """Writes and removes the value files of one server's tree, ``root``.

    ``root`` (normally from :func:`new_server_dir`) is created 0700 if missing, must be a real
    directory owned by this user, and has its mode set back to 0700 when it is not.  Methods
    are thread-safe.  After :meth:`remove_all` every write raises :class:`SecretsError`, so that
    nothing is written again once the server has cleaned up.

    ``OSError`` (a full or read-only disk) propagates; :class:`InvalidInput` means a bad
    project id, filename or slot name and is raised before anything is written.
    """

    def __init__(self, root: Path):
        self.root = Path(root).absolute()
        self._lock = threading.RLock()
        self._closed = False
        self.root.parent.mkdir(parents=True, exist_ok=True)
        with self._root_fd() as fd:
            _write_owner(fd)

    # -- public API

    def project_dir(self, project_id: str) -> Path:
        """The directory of the project's files (what kernels get as ``JUPYTER_SECRETS_DIR``)."""
        return self.root / _project_dir_name(project_id)

    def write_redaction_set(self, values: dict[str, str]) -> None:
        """Write ``{value: slot name}`` of every value to redact, for this server's kernels.

        Kernels read it (``kernel_redact.py``) beside their own directory: it holds the values
        of every project of this server, and those replaced since, which a kernel may still
        hold in memory.  0600 at the root of the tree, like the values themselves.
        """
        data = json.dumps({"version": 1, "values": values}, ensure_ascii=False).encode(
            "utf-8", "surrogatepass"
        )
        with self._lock, self._root_fd() as root_fd:
            _atomic_write(root_fd, REDACTION_FILENAME, data)

    def write_project(
        self, project_id: str, entries: Iterable[tuple[str, str, str | bytes]]
    ) -> None:
        """Make the project's directory hold exactly ``entries``: ``(slot name, filename, value)``,
        a value being text (``str``, written as UTF-8) or ``bytes`` (written exactly).

        Each value file is replaced atomically, the index rewritten, and every other file of
        the directory removed (unbound slots, left-over temporary files).  The directory is
        created even with no entries, so that a kernel always gets one.  When two entries share
        a slot name, the index keeps the first (both files are written).
        """
        project_id = _project_dir_name(project_id)
        checked = []
        for name, filename, value in entries:
            checked.append(
                (_validate_slot_name(name), validate_filename(filename), _encode_value(value))
            )
        filenames = [filename for _, filename, _ in checked]
        if len(set(filenames)) != len(filenames):
            raise InvalidInput("filename", "must be unique within the project")
        index: dict[str, str] = {}
        for name, filename, _ in checked:
            index.setdefault(name, filename)

        with self._lock, self._root_fd() as root_fd, self._project_fd(root_fd, project_id) as fd:
            for _, filename, data in checked:
                _atomic_write(fd, filename, data)
            _write_index(fd, index)
            keep = set(filenames) | {INDEX_FILENAME}
            for entry in os.listdir(fd):
                if entry not in keep:
                    _remove_at(fd, entry)
            _fsync_dir(fd)

    def remove_all(self) -> None:
        """Remove this server's whole tree (on shutdown); later writes raise SecretsError."""
        with self._lock:
            self._closed = True
            try:
                parent_fd = os.open(self.root.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except FileNotFoundError:
                return
            try:
                _remove_at(parent_fd, self.root.name)
            finally:
                os.close(parent_fd)

    # -- internals

    def _open_root(self, create: bool) -> int | None:
        """An fd of the root, checked private; None when it is missing and ``create`` is False."""
        if self._closed:
            if not create:
                return None  # removed already: nothing left to remove
            raise SecretsError(f"{self.root} was removed (the server is stopping); not writing")
        created = False
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(self.root, 0o700)
                created = True
        try:
            fd = os.open(self.root, _DIR_FLAGS)
        except FileNotFoundError:
            if create:
                raise
            return None
        except OSError as err:
            if err.errno in (errno.ELOOP, errno.ENOTDIR):
                raise SecretsError(
                    f"{self.root} is a symbolic link or not a directory; refusing to write there"
                ) from None
            raise
        try:
            _make_private(fd, str(self.root))
            if created:  # it vanished (removed by hand?) and is ours again
                _write_owner(fd)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @contextlib.contextmanager
    def _root_fd(self) -> Iterator[int]:
        fd = self._open_root(create=True)
        assert fd is not None  # with create, it is made or an error raised
        try:
            yield fd
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def _existing_root_fd(self) -> Iterator[int | None]:
        fd = self._open_root(create=False)
        try:
            yield fd
        finally:
            if fd is not None:
                os.close(fd)

    @contextlib.contextmanager
    def _project_fd(self, root_fd: int, project_id: str) -> Iterator[int]:
        fd = _open_private_dir(root_fd, project_id, create=True)
        assert fd is not None  # with create, it is made or an error raised
        try:
            yield fd
        finally:
            os.close(fd)


def _read_index(dir_fd: int) -> dict[str, str]:
    return parse_index(_read_small(dir_fd, INDEX_FILENAME) or b"{}") or {}


def _write_index(dir_fd: int, index: dict[str, str]) -> None:
    text = json.dumps({"version": 1, "slots": index}, indent=1, sort_keys=True, ensure_ascii=False)
    _atomic_write(dir_fd, INDEX_FILENAME, (text + "\n").encode("utf-8"))
