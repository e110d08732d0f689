"""Write secret values as files for kernels, and nowhere else.

Layout (``base`` is ``c.SecretsExtension.secrets_dir``, or chosen by :func:`choose_base_dir`)::

    <base>/                                   0700 when we create it; never group/other-writable
      server-<pid>-<random>/                  one per server or `jupyter secrets run`: the root
        .owner                                who owns this tree: pid, process start, boot, host
        <project-id>/                         0700; kernels get this path as JUPYTER_SECRETS_DIR
          <filename>                          0600, the value, UTF-8, exactly as given
          .~slots.json                        0600, {"version": 1, "slots": {slot name: filename}}

Why a directory per server: two servers of the same user (two JupyterLabs, a server and a
``jupyter secrets run``) can share the base without one removing the other's files on exit, and
a server killed without cleaning up leaves a tree that the next start recognises from ``.owner``
(:func:`cleanup_stale`) and removes, while the trees of live servers stay.

Where the base is: memory-backed (``$XDG_RUNTIME_DIR/jupyter-secrets``, else
``/dev/shm/jupyter-secrets-<uid>``).  Those names are predictable, so one that is not ours
(another user's, open to others, a symlink, not a directory) is refused with a warning and a
fresh private directory with an unpredictable name is made in a memory-backed place instead;
disk only when there is no memory-backed place at all, said in :class:`BaseDir`'s warnings.
Since a base may thus change from one start to the next, every base used is recorded in a
registry (``jupyter-secrets-bases.json`` in the Jupyter runtime directory, 0600, paths only)
and :func:`cleanup_all_stale` visits them all at start: no killed server's values stay behind.

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
import fcntl
import json
import logging
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ._fileio import write_new_file_at
from .errors import InvalidInput, SecretsError
from .helper import INDEX_FILENAME, is_valid_filename

__all__ = [
    "INDEX_FILENAME",
    "NO_PROJECT",
    "REDACTION_FILENAME",
    "OWNER_FILENAME",
    "BaseDir",
    "Materializer",
    "choose_base_dir",
    "cleanup_all_stale",
    "cleanup_stale",
    "default_base_dir",
    "default_registry_path",
    "ensure_base_dir",
    "is_memory_backed",
    "new_server_dir",
    "validate_filename",
    "validate_project_id",
]

#: Marker at the root of a server's tree; a project id cannot start with a dot, so no clash.
OWNER_FILENAME = ".owner"
#: Every value kernels must redact (see write_redaction_set); a dot name, so no project clash.
REDACTION_FILENAME = ".~redaction.json"
#: The directory of kernels whose folder belongs to no project: it stays empty.  A dot name,
#: which no project id can take, so that no project's files are ever written or wiped there.
NO_PROJECT = ".no-project"

_PROJECT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SERVER_DIR = re.compile(r"server-([0-9]{1,10})-[0-9a-f]{8}")
_TMP_PREFIX = ".~tmp-"
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: a FIFO planted where a file belongs must not hang the server on open().
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
NEW_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_MEMORY_FS = ("tmpfs", "ramfs")

#: The shared memory-backed directory; bases there are ``jupyter-secrets-<uid>`` or fresh ones.
SHM_DIR = Path("/dev/shm")
SHM_PREFIX = "jupyter-secrets-"
XDG_NAME = "jupyter-secrets"
#: In the Jupyter runtime directory: every base this user's servers used (see _registry).
REGISTRY_FILENAME = "jupyter-secrets-bases.json"

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------- validation


def validate_project_id(project_id: object) -> str:
    """``project_id`` if it matches ``^[A-Za-z0-9_-]{1,64}$``, else :class:`InvalidInput`."""
    if not isinstance(project_id, str) or not _PROJECT_ID.fullmatch(project_id):
        raise InvalidInput("project id", "must be 1-64 characters of A-Z a-z 0-9 _ -")
    return project_id


def validate_filename(filename: object) -> str:
    """``filename`` if it follows the slot filename rule, else :class:`InvalidInput`."""
    if not isinstance(filename, str) or not is_valid_filename(filename):
        raise InvalidInput(
            "filename", "must be 1-200 characters of A-Z a-z 0-9 _ . - and not only dots"
        )
    return filename


def _validate_slot_name(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise InvalidInput("slot name", "must be a non-empty string")
    return name


def _encode_value(value: object) -> bytes:
    if not isinstance(value, str):
        raise InvalidInput("value", "must be a string")  # never show the value itself
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
        data = json.dumps({"version": 1, "values": values}, ensure_ascii=False).encode("utf-8", "surrogatepass")
        with self._lock, self._root_fd() as root_fd:
            _atomic_write(root_fd, REDACTION_FILENAME, data)

    def write_project(self, project_id: str, entries: Iterable[tuple[str, str, str]]) -> None:
        """Make the project's directory hold exactly ``entries``: ``(slot name, filename, value)``.

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

    def write_value(self, project_id: str, slot_name: str, filename: str, value: str) -> None:
        """Write (or replace) one slot's file, leaving the project's other files as they are.

        If the slot had another filename, its old file is removed.
        """
        project_id = validate_project_id(project_id)
        slot_name = _validate_slot_name(slot_name)
        filename = validate_filename(filename)
        data = _encode_value(value)
        with self._lock, self._root_fd() as root_fd, self._project_fd(root_fd, project_id) as fd:
            _atomic_write(fd, filename, data)
            index = _read_index(fd)
            old = index.get(slot_name)
            # The file now belongs to this slot alone.
            index = {n: f for n, f in index.items() if f != filename}
            index[slot_name] = filename
            _write_index(fd, index)
            if old is not None and old != filename and old not in index.values():
                _remove_at(fd, old)
            _fsync_dir(fd)

    def remove_value(self, project_id: str, filename: str) -> None:
        """Remove one file of the project (and its index entries); nothing if it is not there."""
        project_id = validate_project_id(project_id)
        filename = validate_filename(filename)
        with self._lock, self._existing_root_fd() as root_fd:
            if root_fd is None:
                return
            fd = _open_private_dir(root_fd, project_id, create=False)
            if fd is None:
                return
            try:
                index = _read_index(fd)
                _write_index(fd, {n: f for n, f in index.items() if f != filename})
                _remove_at(fd, filename)
                _fsync_dir(fd)
            finally:
                os.close(fd)

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


# ---------------------------------------------------------------------------- file primitives


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


def _read_index(dir_fd: int) -> dict[str, str]:
    try:
        slots = json.loads(_read_small(dir_fd, INDEX_FILENAME) or b"{}").get("slots", {})
    except (ValueError, AttributeError):
        return {}
    if not isinstance(slots, dict):
        return {}
    return {
        n: f
        for n, f in slots.items()
        if isinstance(n, str) and isinstance(f, str) and is_valid_filename(f)
    }


def _write_index(dir_fd: int, index: dict[str, str]) -> None:
    text = json.dumps({"version": 1, "slots": index}, indent=1, sort_keys=True, ensure_ascii=False)
    _atomic_write(dir_fd, INDEX_FILENAME, (text + "\n").encode("utf-8"))


# ---------------------------------------------------------------------------- base dir and owners


@dataclass(frozen=True)
class BaseDir:
    """Where this server's tree goes (:func:`choose_base_dir`), and what the user must hear.

    ``memory_backed`` is per ``/proc/self/mounts`` (None when unknown).  ``warnings`` are
    sentences for the log (at WARNING), the status and ``jupyter secrets doctor``: a location
    refused because it is not ours (``squatted`` lists those paths), values going to disk.
    ``temporary``: a fresh private directory made for this server (``tempfile.mkdtemp``),
    recorded in the registry so that it is cleaned and removed after a crash.
    """

    path: Path
    memory_backed: bool | None
    warnings: list[str] = field(default_factory=list)
    squatted: list[Path] = field(default_factory=list)
    temporary: bool = False


def choose_base_dir(
    configured: str | Path | None = None,
    *,
    create: bool = True,
    registry: Path | None = None,
    shm_dir: Path = SHM_DIR,
    temp_dir: Path | None = None,
) -> BaseDir:
    """The parent of this server's tree: ``configured`` (``c.SecretsExtension.secrets_dir``),
    else a memory-backed place, so that values never reach a disk (nor its backups) and vanish
    at reboot even if a server is killed.

    In order: ``$XDG_RUNTIME_DIR/jupyter-secrets`` (systemd's per-user tmpfs, 0700) when that
    variable names a private directory of ours on tmpfs; ``<shm_dir>/jupyter-secrets-<uid>``
    (``/dev/shm``, shared by every user).  Those names are predictable: one that is not ours
    (another owner, writable by others, a symbolic link, not a directory) may have been made by
    another user to read the values or send them elsewhere, so it is refused with a warning
    naming it, and a fresh private directory with an unpredictable name
    (``tempfile.mkdtemp``) in a memory-backed place is used instead.  Only when no
    memory-backed place exists at all does it fall back to disk, ``<temp_dir>/
    jupyter-secrets-<uid>`` (or a fresh one when that is not ours), with a warning saying so.

    ``create=False`` (``jupyter secrets doctor``) creates nothing: ``path`` is then where the
    tree would go (for a fresh private directory, the place it would be made in).  A
    ``configured`` directory that is not fit raises :class:`SecretsError` (with ``create``) or
    is reported in ``warnings``.  ``registry`` defaults to :func:`default_registry_path`.
    """
    if configured:
        return _configured_base_dir(Path(configured).absolute(), create)
    uid = os.geteuid()
    warnings: list[str] = []
    squatted: list[Path] = []
    memory_places = _memory_places(shm_dir, warnings)
    for _, candidate in memory_places:
        problem = _base_problem(candidate, create)
        if problem is None:
            return BaseDir(candidate, is_memory_backed(candidate), warnings, squatted)
        squatted.append(candidate)
        warnings.append(
            f"refusing {candidate} for secrets: it {problem} (another user may have made it to "
            "read the values or send them elsewhere); using a private directory instead"
        )
    if memory_places:  # every predictable name refused: a fresh one in the first place
        return _fresh_base_dir(memory_places[0][0], create, registry, warnings, squatted)
    # No memory-backed place at all: disk, said loudly.
    temp = Path(temp_dir or tempfile.gettempdir()).absolute()
    candidate = temp / f"{SHM_PREFIX}{uid}"
    problem = _base_problem(candidate, create)
    if problem is None:
        base = BaseDir(candidate, is_memory_backed(candidate), warnings, squatted)
    else:
        squatted.append(candidate)
        warnings.append(f"refusing {candidate} for secrets: it {problem}")
        base = _fresh_base_dir(temp, create, registry, warnings, squatted)
    if base.memory_backed is not True:
        warnings.append(
            f"no memory-backed place for secrets (no usable $XDG_RUNTIME_DIR, no {shm_dir}): "
            f"values are written to disk under {base.path}"
            + (", which may stay there after a crash until the next start" if create else "")
            + "; set c.SecretsExtension.secrets_dir to a directory on tmpfs"
        )
    return base


def default_base_dir() -> Path:
    """:func:`choose_base_dir`'s path, its warnings logged; for callers that show no status."""
    base = choose_base_dir()
    for warning in base.warnings:
        log.warning("jupyter_secrets: %s", warning)
    return base.path


def _configured_base_dir(path: Path, create: bool) -> BaseDir:
    warnings = []
    if create:
        ensure_base_dir(path)
    else:
        problem = _base_problem(path, create=False)
        if problem:
            warnings.append(f"c.SecretsExtension.secrets_dir {path} {problem}: it is refused")
    memory_backed = is_memory_backed(path)
    if memory_backed is False:
        # The admin's choice, but values on disk outlive a crash and reach backups: say so.
        warnings.append(
            f"c.SecretsExtension.secrets_dir {path} is not memory-backed: secret values are "
            "written to disk there; point it to a directory on tmpfs to keep them in memory"
        )
    return BaseDir(path, memory_backed, warnings)


def _memory_places(shm_dir: Path, warnings: list[str]) -> list[tuple[Path, Path]]:
    """``(place, its stable base)`` of each memory-backed place: XDG_RUNTIME_DIR, ``shm_dir``."""
    places = []
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime):
        try:
            fd, problem = _open_checked(Path(runtime))
        except OSError:
            fd, problem = None, None  # missing (logged out?): nothing to say
        if fd is not None:
            os.close(fd)
            if is_memory_backed(Path(runtime)) is not False:
                places.append((Path(runtime), Path(runtime) / XDG_NAME))
        elif problem:
            warnings.append(f"XDG_RUNTIME_DIR={runtime} {problem}: not used for secrets")
    if (
        os.path.isdir(shm_dir)
        and os.access(shm_dir, os.W_OK | os.X_OK)
        and is_memory_backed(shm_dir) is not False
    ):
        places.append((Path(shm_dir), Path(shm_dir) / f"{SHM_PREFIX}{os.geteuid()}"))
    return places


def _fresh_base_dir(
    place: Path, create: bool, registry: Path | None, warnings: list[str], squatted: list[Path]
) -> BaseDir:
    """A new private directory with an unpredictable name in ``place``, registered so that
    the next start cleans it even after a crash (each start makes another)."""
    if not create:
        return BaseDir(place, is_memory_backed(place), warnings, squatted, temporary=True)
    path = Path(tempfile.mkdtemp(prefix=SHM_PREFIX, dir=place))  # 0700, O_EXCL-like
    try:
        with _registry(registry) as bases:
            bases[str(path)] = _owner_record()
    except (OSError, SecretsError) as err:
        warnings.append(
            f"cannot record {path} in the registry of secrets directories ({err}): "
            "if this server is killed, its files there are not cleaned at the next start"
        )
    return BaseDir(path, is_memory_backed(path), warnings, squatted, temporary=True)


def _base_problem(base: Path, create: bool) -> str | None:
    """Why ``base`` cannot hold servers' trees (it is made 0700 when missing and ``create``)."""
    if create:
        try:
            base.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                os.mkdir(base, 0o700)
        except OSError as err:
            return f"cannot be created ({err.strerror})"
    try:
        fd, problem = _open_checked(base)
    except FileNotFoundError:
        return None if not create else "vanished while it was being made"
    except OSError as err:
        return f"cannot be opened ({err.strerror})"
    if fd is not None:
        os.close(fd)
    return problem


def ensure_base_dir(base: Path) -> Path:
    """Create ``base`` (0700) if missing and check it is fit to hold servers' trees.

    It must be a real directory (not a symlink) owned by this user and not writable by group
    or others (a shared directory such as ``/tmp`` itself is refused: name a private directory
    inside it).  An existing directory's mode is not changed: each server's tree is 0700
    anyway, and the base reveals only server names.  Raises :class:`SecretsError`.
    """
    base = Path(base).absolute()
    base.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(base, 0o700)
    os.close(_open_base(base))
    return base


def _open_checked(base: Path) -> tuple[int | None, str | None]:
    """``(fd, None)`` for a private directory of ours, ``(None, what is wrong)`` otherwise.

    Opened with ``O_NOFOLLOW`` and checked on the fd: no link or swap between check and use.
    ``FileNotFoundError`` (and other ``OSError``) when it cannot be opened at all.
    """
    try:
        fd = os.open(base, _DIR_FLAGS)
    except OSError as err:
        if err.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        # Linux says ENOTDIR for a link opened with O_NOFOLLOW | O_DIRECTORY: tell them apart.
        return None, "is a symbolic link" if os.path.islink(base) else "is not a directory"
    st = os.fstat(fd)
    if st.st_uid != os.geteuid():
        problem = f"belongs to uid {st.st_uid}, not to this user"
    elif st.st_mode & 0o022:
        problem = f"can be written by other users (mode {stat.S_IMODE(st.st_mode):o})"
    else:
        return fd, None
    os.close(fd)
    return None, problem


def _open_base(base: Path) -> int:
    fd, problem = _open_checked(base)
    if fd is None:
        raise SecretsError(
            f"{base} {problem}; refusing to use it for secrets: choose a private directory "
            "(c.SecretsExtension.secrets_dir)"
        )
    return fd


def new_server_dir(base: Path) -> Path:
    """Create this process's tree ``<base>/server-<pid>-<random>`` (0700, with its ``.owner``)."""
    base = ensure_base_dir(base)
    base_fd = _open_base(base)
    try:
        while True:
            name = f"server-{os.getpid()}-{os.urandom(4).hex()}"
            try:
                os.mkdir(name, 0o700, dir_fd=base_fd)
                break
            except FileExistsError:
                continue
        # The marker goes in before anyone needs it: a tree without one is judged by its name.
        fd = os.open(name, _DIR_FLAGS, dir_fd=base_fd)
        try:
            _write_owner(fd)
        finally:
            os.close(fd)
    finally:
        os.close(base_fd)
    return base / name


def cleanup_stale(base: Path) -> int:
    """Remove the trees in ``base`` left by servers that no longer run; return how many.

    Only directories named ``server-<pid>-<random>`` are considered (anything else in ``base``
    is not ours to judge).  A tree is stale when its ``.owner`` says another boot, or its
    process is gone (or a zombie, or a new process that reused the pid: the start time differs).
    A tree made on another host (a shared file system) is left alone.  Nothing happens when
    ``base`` does not exist; :class:`SecretsError` when it is not a private directory.
    """
    try:
        base_fd = _open_base(Path(base).absolute())
    except FileNotFoundError:
        return 0
    removed = 0
    try:
        for name in os.listdir(base_fd):
            match = _SERVER_DIR.fullmatch(name)
            if not match:
                continue
            with contextlib.suppress(OSError):
                if not stat.S_ISDIR(os.stat(name, dir_fd=base_fd, follow_symlinks=False).st_mode):
                    continue
                if _is_stale(int(match.group(1)), _read_owner(base_fd, name)):
                    _remove_at(base_fd, name)
                    removed += 1
    finally:
        os.close(base_fd)
    return removed


def cleanup_all_stale(current_base: Path, *, registry: Path | None = None) -> int:
    """:func:`cleanup_stale` on every base this user's servers ever used; returns how many
    trees were removed.  Call it at start, before :func:`new_server_dir`.

    The bases come from the registry (:func:`default_registry_path`): ``current_base`` is
    added to it, and so are the fresh private directories :func:`choose_base_dir` makes, so
    that a killed server's files are found whatever name its base had.  A registered base
    that is gone is forgotten; a fresh private one whose server no longer runs is removed
    once empty.  A registry that cannot be used is logged, and ``current_base`` cleaned alone.
    """
    current = str(Path(current_base).absolute())
    try:
        with _registry(registry) as bases:
            bases.setdefault(current, None)
            return sum(_cleanup_registered(path, owner, bases, path == current)
                       for path, owner in list(bases.items()))
    except (OSError, SecretsError) as err:
        log.warning("jupyter_secrets: the registry of secrets directories cannot be used (%s): "
                    "only %s is cleaned of stale trees", err, current)
        return cleanup_stale(Path(current))


def _cleanup_registered(path: str, owner: dict | None, bases: dict, current: bool) -> int:
    try:
        removed = cleanup_stale(Path(path))
    except (OSError, SecretsError):
        return 0  # no longer a private directory of ours: not ours to clean; keep asking
    if current:
        return removed  # in use (maybe not made yet): kept, and not removed when empty
    if not os.path.lexists(path):
        del bases[path]
    elif owner is not None and _is_stale(-1, owner):
        try:
            os.rmdir(path)  # only when empty: a tree left in it stays listed
        except OSError:
            pass
        else:
            del bases[path]
    return removed


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


def is_memory_backed(path: Path) -> bool | None:
    """Whether ``path`` lives on tmpfs/ramfs, per ``/proc/self/mounts``; None when unknown."""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    real = os.path.realpath(path)
    best, fstype = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        # Spaces and such are octal-escaped in /proc/mounts (\040).
        mount = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1])
        inside = real == mount or real.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):  # the deepest, and the last of stacked mounts
            best, fstype = mount, fields[2]
    return None if fstype is None else fstype in _MEMORY_FS


def _owner_record() -> dict[str, object]:
    pid = os.getpid()
    return {
        "pid": pid,
        "start_time": _process_start(pid),
        "boot_id": _boot_id(),
        "host": os.uname().nodename,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _write_owner(root_fd: int) -> None:
    data = json.dumps(_owner_record(), sort_keys=True) + "\n"
    _atomic_write(root_fd, OWNER_FILENAME, data.encode())


def _read_owner(base_fd: int, name: str) -> dict | None:
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=base_fd)
    except OSError:
        return None
    try:
        record = json.loads(_read_small(fd, OWNER_FILENAME, 4096) or b"null")
    except ValueError:
        record = None
    finally:
        os.close(fd)
    return record if isinstance(record, dict) else None


def _is_stale(name_pid: int, owner: dict | None) -> bool:
    owner = owner or {}
    pid = owner.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool):
        pid = name_pid
    host = owner.get("host")
    if isinstance(host, str) and host != os.uname().nodename:
        return False  # cannot see that host's processes
    boot = owner.get("boot_id")
    current_boot = _boot_id()
    if isinstance(boot, str) and current_boot and boot != current_boot:
        return True
    if not _pid_alive(pid):
        return True
    started = owner.get("start_time")
    now_started = _process_start(pid)
    return isinstance(started, int) and now_started is not None and started != now_started


def _pid_alive(pid: int) -> bool:
    if pid <= 0:  # 0 and negatives name process groups for kill()
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, another user's
    except (OverflowError, OSError):
        return False
    stat_fields = _proc_stat(pid)
    return not (stat_fields and stat_fields[0] == "Z")  # a zombie has exited


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name (state first); None off Linux."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def _process_start(pid: int) -> int | None:
    # Field 22, start time in clock ticks after boot: tells a reused pid from the original.
    fields = _proc_stat(pid)
    try:
        return int(fields[19]) if fields else None
    except (IndexError, ValueError):
        return None


def _boot_id() -> str | None:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip() or None
    except OSError:
        return None
