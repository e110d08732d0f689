"""Project slot files (``.jupyter/secret-slots.json``) and project discovery.

A slot file is committed with a project and edited by hand, by git merges and by this
extension, so reading is strict (every problem becomes a :class:`SlotFileError` whose reason a
person can act on) and writing is careful: atomic, pretty-printed with sorted keys (small
diffs), and never through a symlink, so a link planted in ``.jupyter`` cannot redirect the
write to another file.

Pure domain code: stdlib only, no HTTP, no jupyter_server.

Why one module of about 550 lines: reading (strict parsing, one reason per problem), editing
(add, update, remove slots by the rule book) and the careful no-follow write of one file format
belong together, and discovery is a few lines on top.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from jupyter_secrets.errors import Conflict, InvalidInput, NotFound, SlotFileError
from jupyter_secrets.fileio import _fsync_dir, write_new_file_at
from jupyter_secrets.rules import (
    check_env_names,
    ensure_name_free,
    name_key,
    validate_api_path,
    validate_description,
    validate_env,
    validate_env_file,
    validate_filename,
    validate_id,
    validate_project_name,
    validate_slot_name,
)

__all__ = [
    "MAX_SLOTS",
    "MAX_SLOT_FILE_BYTES",
    "SLOT_DIR",
    "SLOT_FILE",
    "SLOT_FILE_VERSION",
    "Slot",
    "SlotFile",
    "add_slot",
    "api_path",
    "find_project_dir",
    "new_slot_file",
    "parse_slot_file",
    "read_slot_file",
    "remove_slot",
    "resolve_api_path",
    "update_slot",
    "write_slot_file",
]

SLOT_DIR = ".jupyter"
SLOT_FILE = Path(SLOT_DIR) / "secret-slots.json"
SLOT_FILE_VERSION = 1
# A real slot file is a few KiB; anything near this is a mistake (or an attack on memory).
MAX_SLOT_FILE_BYTES = 1024 * 1024
# Keeps the worst-case file (every field at its maximum, non-ASCII) well under the size limit,
# so that whatever add_slot() accepts can be read back.
MAX_SLOTS = 256
NEW_FILE_MODE = 0o644  # committed with the project and holds no secret
# Parsed slot files are kept by text (a project is read on every request): at most this many,
# each of at most _CACHE_MAX_CHARS (a larger one is parsed every time), a few MiB in all.
_CACHE_SIZE = 32
_CACHE_MAX_CHARS = 256 * 1024
_TOO_LARGE = f"is larger than {MAX_SLOT_FILE_BYTES // 1024} KiB; is it really a slot file?"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# O_NONBLOCK: a FIFO planted as the slot file must not hang the server on open().
_READ_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
# dir_fd-relative operations close the gap between "checked it is not a symlink" and "used it".
# (os.replace takes dir fds wherever os.rename does; only the latter is listed.)
_HAVE_DIR_FD = {os.open, os.stat, os.mkdir, os.rename, os.unlink} <= os.supports_dir_fd


# ---------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Slot:
    """One declared secret of a project.  Holds no value."""

    id: str
    name: str
    description: str
    filename: str
    env: str | None = None
    #: A variable that gets the path of the slot's file (``PGPASSFILE``, ``DB_PASSWORD_FILE``).
    env_file: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "filename": self.filename,
        }
        if self.env is not None:
            data["env"] = self.env
        if self.env_file is not None:
            data["env_file"] = self.env_file
        return data


@dataclass(frozen=True)
class SlotFile:
    """The content of a project's ``.jupyter/secret-slots.json``."""

    project_id: str
    project_name: str
    slots: tuple[Slot, ...] = field(default_factory=tuple)
    version: int = SLOT_FILE_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "project": {"id": self.project_id, "name": self.project_name},
            "slots": [slot.to_json() for slot in self.slots],
        }

    def dumps(self) -> str:
        """The file's text: sorted keys and one key per line keep git diffs small."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def slot(self, slot_id: str) -> Slot:
        for slot in self.slots:
            if slot.id == slot_id:
                return slot
        raise NotFound(f"project {self.project_id} has no slot with id {slot_id}")


def new_slot_file(project_name: str) -> SlotFile:
    """A new project with a fresh id (created once, then committed so clones share it)."""
    return SlotFile(project_id=uuid.uuid4().hex, project_name=validate_project_name(project_name))


# ---------------------------------------------------------------------------- pure edits


def _check_unique(slots: Iterable[Slot], name: str, filename: str, skip_id: str | None) -> None:
    """Filenames clash case-insensitively: on macOS and Windows 'Token' and 'token' are one file.

    Names clash when they look the same (``name_key``): kernel code asks for a secret by slot
    name, so 'db-password' and 'db-pаssword' (Cyrillic а) must not be two slots.
    """
    others = [other for other in slots if other.id != skip_id]
    for other in others:
        if other.filename.lower() == filename.lower():
            raise Conflict(
                f"filename: '{filename}' is already used by slot '{other.name}' of this project",
                field="filename",
            )
    ensure_name_free(name, (other.name for other in others), what="slot of this project")


def add_slot(
    slot_file: SlotFile,
    *,
    name: str,
    filename: str,
    description: str = "",
    env: str | None = None,
    env_file: str | None = None,
) -> SlotFile:
    """A copy of ``slot_file`` with a new slot (fresh id) at the end."""
    # Re-validating is cheap and keeps every SlotFile valid whoever calls this.
    slot = Slot(
        id=uuid.uuid4().hex,
        name=validate_slot_name(name),
        description=validate_description(description),
        filename=validate_filename(filename),
        env=validate_env(env),
        env_file=validate_env_file(env_file),
    )
    check_env_names(slot.env, slot.env_file)
    if len(slot_file.slots) >= MAX_SLOTS:
        raise Conflict(f"slots: a project holds at most {MAX_SLOTS} slots", field="slots")
    _check_unique(slot_file.slots, slot.name, slot.filename, skip_id=None)
    return replace(slot_file, slots=(*slot_file.slots, slot))


def update_slot(slot_file: SlotFile, slot_id: str, **fields: Any) -> SlotFile:
    """A copy with the slot's given fields (any of name, description, filename, env) changed."""
    current = slot_file.slot(slot_id)
    validators = {
        "name": validate_slot_name,
        "description": validate_description,
        "filename": validate_filename,
        "env": validate_env,
        "env_file": validate_env_file,
    }
    unknown = sorted(set(fields) - set(validators))
    if unknown:
        raise InvalidInput(
            unknown[0], "unknown field (allowed: name, description, filename, env, env_file)"
        )
    changes: dict[str, Any] = {key: validators[key](value) for key, value in fields.items()}
    updated = replace(current, **changes)
    check_env_names(updated.env, updated.env_file)
    _check_unique(slot_file.slots, updated.name, updated.filename, skip_id=slot_id)
    slots = tuple(updated if slot.id == slot_id else slot for slot in slot_file.slots)
    return replace(slot_file, slots=slots)


def remove_slot(slot_file: SlotFile, slot_id: str) -> SlotFile:
    slot_file.slot(slot_id)  # NotFound for an unknown id
    return replace(slot_file, slots=tuple(s for s in slot_file.slots if s.id != slot_id))


# ---------------------------------------------------------------------------- parsing


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of duplicate keys silently; in a hand-merged file that hides
    # a conflict, so say so instead.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key[:40]!r}")
        result[key] = value
    return result


def _parse_slot(index: int, data: Any) -> Slot:
    where = f"slots[{index}]"
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be an object")
    unknown = sorted(set(data) - {"id", "name", "description", "filename", "env", "env_file"})
    if unknown:
        raise ValueError(f"{where} has an unknown key {unknown[0][:40]!r}")
    for key in ("id", "name", "filename"):
        if key not in data:
            raise ValueError(f"{where} has no '{key}'")
    try:
        slot = Slot(
            id=validate_id("id", data["id"]),
            name=validate_slot_name(data["name"]),
            description=validate_description(data.get("description", "")),
            filename=validate_filename(data["filename"]),
            env=validate_env(data.get("env")),
            env_file=validate_env_file(data.get("env_file")),
        )
        check_env_names(slot.env, slot.env_file)
        return slot
    except InvalidInput as err:
        raise ValueError(f"{where}.{err}") from None


def _parse(text: str) -> SlotFile:
    """The SlotFile in ``text``, or ValueError with the reason."""
    if len(text) > MAX_SLOT_FILE_BYTES:
        raise ValueError(_TOO_LARGE)
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as err:
        where = f"line {err.lineno} column {err.colno}"
        raise ValueError(f"is not valid JSON ({err.msg} at {where})") from None
    except RecursionError:
        raise ValueError("is not a slot file (nested too deeply)") from None
    if not isinstance(data, dict):
        raise ValueError("must hold a JSON object with 'version', 'project' and 'slots'")
    version = data.get("version")
    if type(version) is not int:  # not bool, not 1.0
        raise ValueError(f'must have "version": {SLOT_FILE_VERSION}')
    if version != SLOT_FILE_VERSION:
        raise ValueError(
            f"has version {version}; this jupyter_secrets reads version {SLOT_FILE_VERSION}"
            + (" (upgrade jupyter_secrets)" if version > SLOT_FILE_VERSION else "")
        )
    project = data.get("project")
    if not isinstance(project, dict):
        raise ValueError("must have a \"project\" object with 'id' and 'name'")
    unknown = sorted(set(project) - {"id", "name"})
    if unknown:
        raise ValueError(f"project has an unknown key {unknown[0][:40]!r}")
    try:
        project_id = validate_id("project.id", project.get("id"))
        project_name = validate_project_name(project.get("name"), field="project.name")
    except InvalidInput as err:
        raise ValueError(str(err)) from None
    slots_data = data.get("slots")
    if not isinstance(slots_data, list):
        raise ValueError('must have a "slots" list (it may be empty)')
    slots = tuple(_parse_slot(i, item) for i, item in enumerate(slots_data))
    seen_ids: set[str] = set()
    seen_names: dict[str, str] = {}  # name_key -> the first name with it
    seen_files: set[str] = set()
    for i, slot in enumerate(slots):
        if slot.id in seen_ids:
            raise ValueError(
                f"slots[{i}].id '{slot.id}' is used by an earlier slot; ids must be unique"
            )
        key = name_key(slot.name)
        if key in seen_names:
            looks = "" if seen_names[key] == slot.name else f" ('{seen_names[key]}' looks the same)"
            raise ValueError(
                f"slots[{i}].name is used by an earlier slot{looks}; names must be unique"
            )
        if slot.filename.lower() in seen_files:
            raise ValueError(
                f"slots[{i}].filename '{slot.filename}' is used by an earlier slot "
                "(filenames must be unique, ignoring case)"
            )
        seen_ids.add(slot.id)
        seen_names[key] = slot.name
        seen_files.add(slot.filename.lower())
    # Unknown top-level keys are ignored (and dropped on the next write): forward compatibility.
    return SlotFile(project_id=project_id, project_name=project_name, slots=slots)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_cached(text: str) -> SlotFile:
    # SlotFile and Slot are frozen, so one parse can be shared.  A ValueError is not cached
    # (lru_cache keeps results only): the caller names the source each time.
    return _parse(text)


def parse_slot_file(text: str, source: str) -> SlotFile:
    """Parse a slot file's text; any problem is a :class:`SlotFileError` naming ``source``.

    The same text gives the same (immutable) :class:`SlotFile`: recent parses are reused.
    """
    if not isinstance(text, str):
        raise SlotFileError(source, "is not text")
    try:
        if type(text) is str and len(text) <= _CACHE_MAX_CHARS:
            return _parse_cached(text)
        return _parse(text)
    except ValueError as err:
        raise SlotFileError(source, str(err)) from None


# ---------------------------------------------------------------------------- file access


def _symlink_error(path: Path) -> SlotFileError:
    return SlotFileError(
        str(path),
        "is a symbolic link; jupyter_secrets only reads and writes a real file here "
        "(replace the link with the file itself)",
    )


def _open_slot_dir(project_dir: Path, *, create: bool) -> int:
    """An fd on ``project_dir/.jupyter``, refusing a symlink; creates it (0755) if asked."""
    pfd = os.open(project_dir, os.O_RDONLY | _DIRECTORY)
    try:
        if create:
            try:
                os.mkdir(SLOT_DIR, 0o755, dir_fd=pfd)
                os.fsync(pfd)  # the new directory entry survives a crash with the file
            except FileExistsError:
                pass
        st = os.stat(SLOT_DIR, dir_fd=pfd, follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            raise _symlink_error(project_dir / SLOT_DIR)
        if not stat.S_ISDIR(st.st_mode):
            raise SlotFileError(str(project_dir / SLOT_DIR), "is not a directory")
        # O_NOFOLLOW again: a link swapped in after the stat makes this fail, not follow.
        return os.open(SLOT_DIR, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=pfd)
    finally:
        os.close(pfd)


def _os_error(path: Path, action: str, err: OSError) -> SlotFileError:
    return SlotFileError(str(path), f"cannot {action}: {err.strerror or err}")


def read_slot_file(project_dir: Path) -> SlotFile:
    """Read and parse ``project_dir/.jupyter/secret-slots.json`` (never through a symlink)."""
    project_dir = Path(project_dir)
    path = project_dir / SLOT_FILE
    try:
        if _HAVE_DIR_FD:
            dfd = _open_slot_dir(project_dir, create=False)
            try:
                fd = os.open(SLOT_FILE.name, _READ_FLAGS, dir_fd=dfd)
            finally:
                os.close(dfd)
        else:  # Windows: no dir_fd, check then open
            if (project_dir / SLOT_DIR).is_symlink():
                raise _symlink_error(project_dir / SLOT_DIR)
            if path.is_symlink():
                raise _symlink_error(path)
            fd = os.open(path, _READ_FLAGS)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise SlotFileError(str(path), "is not a regular file")
            data = f.read(MAX_SLOT_FILE_BYTES + 1)
    except SlotFileError:
        raise
    except FileNotFoundError:
        raise SlotFileError(str(path), "does not exist") from None
    except OSError as err:
        if os.path.islink(path):  # O_NOFOLLOW on the file itself fails with ELOOP
            raise _symlink_error(path) from None
        raise _os_error(path, "be read", err) from None
    if len(data) > MAX_SLOT_FILE_BYTES:
        raise SlotFileError(str(path), _TOO_LARGE)
    try:
        text = data.decode("utf-8-sig")  # tolerate the BOM some Windows editors add
    except UnicodeDecodeError as err:
        reason = f"is not UTF-8 text (bad byte at offset {err.start})"
        raise SlotFileError(str(path), reason) from None
    return parse_slot_file(text, str(path))


def write_slot_file(project_dir: Path, slot_file: SlotFile) -> None:
    """Write the slot file atomically: temp file in ``.jupyter``, fsync, rename, fsync the dir.

    Never follows a symlink at ``.jupyter`` or at the file: a link planted there is an error,
    and the rename replaces the directory entry itself, so nothing is written elsewhere.
    Keeps the mode of an existing file; a new one is 0644.
    """
    project_dir = Path(project_dir)
    path = project_dir / SLOT_FILE
    data = slot_file.dumps().encode("utf-8")
    if len(data) > MAX_SLOT_FILE_BYTES:
        raise SlotFileError(str(path), "would exceed the slot file size limit; remove some slots")
    tmp_name = f".{SLOT_FILE.name}.{uuid.uuid4().hex}.tmp"
    try:
        if _HAVE_DIR_FD:
            dfd = _open_slot_dir(project_dir, create=True)
            try:
                _write_in(dfd, tmp_name, data, path)
            finally:
                os.close(dfd)
        else:
            _write_by_path(project_dir, tmp_name, data, path)
    except SlotFileError:
        raise
    except OSError as err:
        raise _os_error(path, "be written", err) from None


def _existing_mode(st: os.stat_result | None, path: Path) -> int:
    if st is None:
        return NEW_FILE_MODE
    if stat.S_ISLNK(st.st_mode):
        raise _symlink_error(path)
    if not stat.S_ISREG(st.st_mode):
        raise SlotFileError(str(path), "is not a regular file")
    return stat.S_IMODE(st.st_mode)


def _write_in(dfd: int, tmp_name: str, data: bytes, path: Path) -> None:
    try:
        st = os.stat(SLOT_FILE.name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        st = None
    mode = _existing_mode(st, path)
    try:
        write_new_file_at(dfd, tmp_name, data, mode)
        os.replace(tmp_name, SLOT_FILE.name, src_dir_fd=dfd, dst_dir_fd=dfd)
    except BaseException:
        try:
            os.unlink(tmp_name, dir_fd=dfd)
        except OSError:
            pass
        raise
    _fsync_dir(dfd)


def _write_by_path(project_dir: Path, tmp_name: str, data: bytes, path: Path) -> None:
    """Fallback for platforms without dir_fd (Windows): same steps, checked by path."""
    directory = project_dir / SLOT_DIR
    if directory.is_symlink():
        raise _symlink_error(directory)
    directory.mkdir(mode=0o755, exist_ok=True)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    mode = _existing_mode(st, path)
    tmp = directory / tmp_name
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------- discovery


def resolve_api_path(root: Path, path: Any) -> Path:
    """The real OS path of an API path (relative, '/'-separated, "" for the root).

    Raises :class:`InvalidInput` ("path") for anything that is not a plain relative path or
    that resolves (through ``..`` or symlinks) outside ``root``.  The result may not exist.
    """
    path = validate_api_path(path)
    win = PureWindowsPath(path)
    if path.startswith("/") or win.drive or win.root:
        raise InvalidInput("path", "must be relative to the server root, not absolute")
    parts = [p for p in PurePosixPath(path).parts if p != "."]
    if ".." in parts:
        raise InvalidInput("path", "must not contain '..'")
    root = Path(root).resolve()
    try:
        resolved = root.joinpath(*parts).resolve()
    except (OSError, RuntimeError):  # symlink loop, name too long
        reason = "cannot be resolved (a symlink loop or a name too long?)"
        raise InvalidInput("path", reason) from None
    if not resolved.is_relative_to(root):
        raise InvalidInput("path", "leads outside the server root (through a symlink)")
    return resolved


def find_project_dir(root: Path, path: Any) -> Path | None:
    """The nearest directory from ``path`` up to ``root`` holding the slot file, else None.

    ``path`` is an API path; if it is a file the search starts at its directory, and if it does
    not exist, at its longest existing prefix (as jupyter_server's cwd_for_path does).  The
    search never goes above ``root``.  A slot file that is a symlink still marks the project,
    so that reading it reports the problem instead of silently using a parent project.
    """
    root = Path(root).resolve()
    return project_dir_above(root, resolve_api_path(root, path))


def project_dir_above(root: Path, current: Path) -> Path | None:
    """The walk of :func:`find_project_dir` from ``current``: a resolved OS path inside the
    resolved ``root`` (a kernel's working directory, without a detour through an API path)."""
    # ``current`` is resolved (no symlinks left), so walking up by name stays inside root.
    while current != root and not os.path.isdir(current):
        current = current.parent
    while True:
        if os.path.lexists(current / SLOT_FILE):
            return current
        if current == root:
            return None
        current = current.parent


def api_path(root: Path, directory: Path) -> str:
    """The API path of ``directory`` ("" for the root), '/'-separated.

    Raises ValueError when ``directory`` is not inside ``root``.  Tries the path as given
    first (a kernel's cwd is usually root + api path), then its resolved form (symlinks).
    """
    root = Path(root).resolve()
    try:
        relative = Path(os.path.abspath(directory)).relative_to(root)
    except ValueError:
        relative = Path(directory).resolve().relative_to(root)
    text = relative.as_posix()
    return "" if text == "." else text
