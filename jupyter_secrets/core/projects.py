"""The project registry: the one owner of the server root and of every conversion between an
API path, a directory and a project (its parsed slot file).

A project is a directory holding ``.jupyter/secret-slots.json``; the project of a path is the
nearest ancestor inside the root that holds one.  The registry remembers in memory where each
project id was seen, and in the store only when a change is made (a read never writes).  Two
folders claiming one id (a copied project) are a clash, reported on both while both claim it,
so that nothing is read from or written to a folder the user did not ask for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_secrets.core import slotfile
from jupyter_secrets.core.slotfile import Slot, SlotFile
from jupyter_secrets.errors import Conflict, InvalidInput, NotFound, SlotFileError
from jupyter_secrets.rules import validate_id
from jupyter_secrets.store.base import SecretStore


@dataclass(frozen=True)
class Project:
    """A project found on disk: its directory and its parsed slot file."""

    directory: Path
    slots: SlotFile

    @property
    def id(self) -> str:
        return self.slots.project_id

    def slot(self, slot_id: str) -> Slot:
        for slot in self.slots.slots:
            if slot.id == slot_id:
                return slot
        raise NotFound(f"project {self.id} has no slot with id {slot_id}")


class ProjectRegistry:
    """Where the projects of one owner live under one server root."""

    def __init__(self, store: SecretStore, root_dir: Path, owner: str):
        self.store = store
        self.root_dir = Path(root_dir).resolve()
        self.owner = owner
        # project id -> directory of every project seen by this process.
        self._known: dict[str, Path] = {}
        # project id -> every directory seen claiming it (more than one: a copied project).
        self._claims: dict[str, set[Path]] = {}

    # ------------------------------------------------------------------ paths

    def directory_of(self, api_path: Any) -> Path:
        """The directory an API path names (it must exist inside the root)."""
        if not isinstance(api_path, str):
            raise InvalidInput("path", "must be a string (a path relative to the server root)")
        directory = slotfile.resolve_api_path(self.root_dir, api_path)
        if not directory.is_dir():
            raise InvalidInput("path", f"'{api_path}' is not a directory inside the server root")
        return directory

    def api_path(self, directory: Path) -> str:
        return slotfile.api_path(self.root_dir, directory)

    def display_path(self, os_path: str) -> str:
        """An API path for a directory inside the root, else the OS path as recorded."""
        path = Path(os_path)
        return self.api_path(path) if path.is_relative_to(self.root_dir) else os_path

    def project_dir_of(self, api_path: str) -> Path | None:
        """The directory of the project holding ``api_path`` (nearest ancestor), or None."""
        # slotfile.find_project_dir, without resolving the root again: it is resolved once, in
        # __init__ (one realpath fewer on every GET /api/secrets/projects, issue 16).
        return slotfile.project_dir_above(
            self.root_dir, slotfile.resolve_api_path(self.root_dir, api_path or "")
        )

    def project_dir_of_os_path(self, os_path: str | None) -> Path | None:
        """The same for an OS path (a kernel's cwd; None: the root); None outside the root."""
        try:
            directory = Path(os_path).resolve() if os_path else self.root_dir
        except (OSError, RuntimeError):  # a symlink loop, a name too long
            return None
        if not directory.is_relative_to(self.root_dir):
            return None  # a directory outside the root belongs to no project of ours
        return slotfile.project_dir_above(self.root_dir, directory)

    # ------------------------------------------------------------------ projects

    def read(self, directory: Path) -> Project:
        """The project at ``directory``: SlotFileError if its file is broken, Conflict on a clash."""
        return self._remember(Project(directory, slotfile.read_slot_file(directory)))

    def load(self, directory: Path) -> Project | None:
        """The project at ``directory`` if it is one inside the root, else None."""
        directory = directory.resolve()
        if not directory.is_relative_to(self.root_dir):
            return None
        if not (directory / slotfile.SLOT_FILE).is_file():
            return None
        return self.read(directory)

    def find(self, project_id: str) -> Project | None:
        """The project with this id, from this process's memory or the store's last path."""
        candidates = []
        if project_id in self._known:
            candidates.append(self._known[project_id])
        record = self.store.projects(self.owner).get(project_id)
        if record is not None:
            candidates.append(Path(record.last_path))
        for directory in candidates:
            try:
                project = self.load(directory)
            except OSError:
                continue
            if project is not None and project.id == project_id:
                return project
        return None

    def get(self, project_id: Any) -> Project:
        project_id = validate_id("project_id", project_id)
        project = self.find(project_id)
        if project is None:
            raise NotFound(f"no project with id {project_id} is known to this server")
        return project

    def for_change(self, project_id: Any) -> Project:
        """The project a change is about, recorded in the store (where it lives, its name)."""
        project = self.get(project_id)
        self.record(project)
        return project

    def record(self, project: Project) -> None:
        """Persist where the project lives, for the usage list: on changes only."""
        if not self.store.locked:
            self.store.remember_project(
                self.owner, project.id, project.slots.project_name, str(project.directory)
            )

    def create(self, directory: Path, name: str) -> Project:
        slots = slotfile.new_slot_file(name)
        slotfile.write_slot_file(directory, slots)
        project = self._remember(Project(directory, slots))
        self.record(project)
        return project

    @staticmethod
    def save_slots(project: Project, slots: SlotFile) -> Project:
        slotfile.write_slot_file(project.directory, slots)
        return Project(project.directory, slots)

    @property
    def claims_seen(self) -> int:
        """How many (project id, folder) claims this process has seen: grows when a folder
        claiming a known id (a copied project) is read (what ``core/cache.py`` watches)."""
        return sum(map(len, self._claims.values()))

    def known_ids(self) -> list[str]:
        return list(self._known)

    def start_candidates(self) -> list[Path]:
        """The directories whose files a starting server writes: the root's project, and every
        project the store remembers."""
        default = self.project_dir_of("")
        candidates = [default] if default is not None else []
        candidates += [
            Path(record.last_path) for record in self.store.projects(self.owner).values()
        ]
        return candidates

    def slot_names(self, project_id: str) -> dict[str, str]:
        """{slot id: name} of a project, {} when it cannot be read now."""
        try:
            project = self.find(project_id)
        except (SlotFileError, Conflict):
            return {}
        return {slot.id: slot.name for slot in project.slots.slots} if project else {}

    # ------------------------------------------------------------------ internals

    def _remember(self, project: Project) -> Project:
        claims = self._claims.get(project.id)
        if claims is None:
            claims = self._claims[project.id] = set()
            record = (
                self.store.projects(self.owner).get(project.id) if not self.store.locked else None
            )
            if record is not None:
                claims.add(Path(record.last_path))
        claims.add(project.directory)
        others = sorted(d for d in claims if d != project.directory and _claims_id(d, project.id))
        if others:
            names = ", ".join(
                f"'{self.display_path(str(d)) or '/'}'" for d in [project.directory, *others]
            )
            raise Conflict(
                f"project id {project.id} is used by more than one folder ({names}), as when a "
                'project folder is copied: give one of them a new id (edit "project": {"id"} '
                f"in its {slotfile.SLOT_FILE}; 1-64 characters of A-Z a-z 0-9 _ -)",
                field="project_id",
            )
        self._known[project.id] = project.directory
        return project


def _claims_id(directory: Path, project_id: str) -> bool:
    try:
        return slotfile.read_slot_file(directory).project_id == project_id
    except (SlotFileError, OSError):
        return False


def problem_of(error: SlotFileError | Conflict) -> str:
    """What to show for a project that cannot be used now (a broken file, a clash)."""
    return error.reason if isinstance(error, SlotFileError) else error.message
