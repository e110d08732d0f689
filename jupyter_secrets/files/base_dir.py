"""Where each server's tree goes: a memory-backed base directory that is ours, and its cleanup.

Memory-backed first (``$XDG_RUNTIME_DIR/jupyter-secrets``, else ``/dev/shm/jupyter-secrets-<uid>``).
Those names are predictable, so one that is not ours (another user's, open to others, a
symlink, not a directory) is refused with a warning and a fresh private directory with an
unpredictable name is made in a memory-backed place instead; disk only when there is no
memory-backed place at all, said in :class:`BaseDir`'s warnings.  Every base used is recorded
(``registry.py``) and :func:`cleanup_all_stale` visits them all at start.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_secrets.errors import SecretsError
from jupyter_secrets.fileio import _DIR_FLAGS, _remove_at
from jupyter_secrets.files.owners import _is_stale, _owner_record, _read_owner, _write_owner
from jupyter_secrets.files.registry import _registry

log = logging.getLogger(__name__)

_SERVER_DIR = re.compile(r"server-([0-9]{1,10})-[0-9a-f]{8}")
_MEMORY_FS = ("tmpfs", "ramfs")
#: The shared memory-backed directory; bases there are ``jupyter-secrets-<uid>`` or fresh ones.
SHM_DIR = Path("/dev/shm")
SHM_PREFIX = "jupyter-secrets-"
XDG_NAME = "jupyter-secrets"


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
            return sum(
                _cleanup_registered(path, owner, bases, path == current)
                for path, owner in list(bases.items())
            )
    except (OSError, SecretsError) as err:
        log.warning(
            "jupyter_secrets: the registry of secrets directories cannot be used (%s): "
            "only %s is cleaned of stale trees",
            err,
            current,
        )
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
