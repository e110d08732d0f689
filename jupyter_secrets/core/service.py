"""SecretsService: every user-level operation, composing the store, slot files and materializer.

This is the domain layer the REST handlers and the CLI call.  It knows nothing of HTTP: it
takes plain Python values, returns plain dicts (the API models of docs/API.md) and raises the
errors of ``errors.py``.  No value ever leaves it except through the materializer.

One service serves one owner: a Jupyter server runs as one person (every identity that holds
its token can run code as that person anyway), so secrets are keyed by the server's owner, not
by the per-browser identities jupyter_server generates for token logins.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jupyter_secrets.core import slotfile
from jupyter_secrets.errors import Conflict, InvalidInput, NotFound, SecretsError, SlotFileError
from jupyter_secrets.core.exposed import ExposedValues
from jupyter_secrets.files import NO_PROJECT, Materializer
from jupyter_secrets.core.slotfile import Slot, SlotFile
from jupyter_secrets.store.base import UNSET, Binding, SecretMeta, SecretStore
from jupyter_secrets.rules import validate_id, validate_project_name, validate_slot_fields

log = logging.getLogger(__name__)

# The pseudo project directory kernels get when their directory belongs to no project: it
# stays empty, so get_secret() explains that the project declares no slots.  No project id
# can take its name.
NO_PROJECT_DIR = NO_PROJECT

# Filling a slot re-reads it when another process changed it meanwhile; more than a few
# changes in a row is not a race but a loop, reported as the Conflict it is.
_FILL_ATTEMPTS = 5


@dataclass(frozen=True)
class Project:
    """A project found on disk: its directory and its parsed slot file."""

    directory: Path
    slots: SlotFile

    @property
    def id(self) -> str:
        return self.slots.project_id


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def is_expired(meta: SecretMeta, now: datetime | None = None) -> bool:
    if not meta.expires:
        return False
    try:
        expires = datetime.strptime(meta.expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        # Not a date this version writes (an older row): never serve a value on a guess.
        log.warning("Secret %s has an unreadable expiry; treated as expired", meta.id)
        return True
    return expires <= (now or _utcnow())


class SecretsService:
    """The operations of docs/API.md for one owner, over one store and one server root."""

    def __init__(
        self,
        store: SecretStore,
        root_dir: Path,
        owner: str,
        materializer: Materializer | None = None,
        on_change: Callable[[str, dict[str, Any]], None] | None = None,
    ):
        self.store = store
        self.root_dir = Path(root_dir).resolve()
        self.owner = owner
        self.materializer = materializer
        # on_change(event, details): audit trail hook; details never hold a value.
        self._on_change = on_change or (lambda event, details: None)
        # project id -> directory of every project seen by this process.
        self._known: dict[str, Path] = {}
        # project id -> every directory seen claiming it (more than one: a copied project).
        self._claims: dict[str, set[Path]] = {}
        # Every value written for kernels in this run, replaced ones too (for the leak guards).
        self.exposed = ExposedValues()
        # project id -> why its files could not be written last time (shown in the status).
        self._files_errors: dict[str, str] = {}
        # Serialises changes that touch the store and the materialized files together.
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ projects

    def project_for_path(self, api_path: str) -> dict[str, Any]:
        """The project holding ``api_path`` (nearest ancestor with a slot file), as an API model."""
        directory = slotfile.find_project_dir(self.root_dir, api_path or "")
        if directory is None:
            return self._no_project_model()
        return self._project_model_at(directory)

    def create_project(self, api_path: str, name: Any) -> dict[str, Any]:
        name = validate_project_name(name)
        directory = self._directory_of(api_path)
        if (directory / slotfile.SLOT_FILE).exists():
            raise Conflict(f"path: '{api_path or '/'}' is already a project", field="path")
        with self._lock:
            slots = slotfile.new_slot_file(name)
            slotfile.write_slot_file(directory, slots)
            project = self._remember(Project(directory, slots))
            self._record(project)
        self._on_change("project.created", {"project_id": project.id, "path": self._api_path(directory)})
        return self._project_model(project)

    def get_project(self, project_id: str) -> dict[str, Any]:
        return self._project_model(self._project(project_id))

    # ------------------------------------------------------------------ slots

    def add_slot(self, project_id: str, payload: Any) -> dict[str, Any]:
        fields = validate_slot_fields(payload)
        with self._lock:
            project = self._project_to_change(project_id)
            updated = slotfile.add_slot(project.slots, **fields)
            project = self._save_slots(project, updated)
            slot = updated.slots[-1]
        self._on_change("slot.added", {"project_id": project.id, "slot_id": slot.id})
        return self._slot_model(project, slot)

    def update_slot(self, project_id: str, slot_id: str, payload: Any) -> dict[str, Any]:
        fields = validate_slot_fields(payload, partial=True)
        with self._lock:
            project = self._project_to_change(project_id)
            updated = slotfile.update_slot(project.slots, slot_id, **fields)
            project = self._save_slots(project, updated)
            self._materialize(project)
        self._on_change("slot.updated", {"project_id": project.id, "slot_id": slot_id, "fields": sorted(fields)})
        return self._slot_model(project, self._slot(project, slot_id))

    def remove_slot(self, project_id: str, slot_id: str) -> None:
        with self._lock:
            project = self._project_to_change(project_id)
            updated = slotfile.remove_slot(project.slots, slot_id)
            project = self._save_slots(project, updated)
            self.store.unbind(self.owner, project.id, slot_id)
            self._materialize(project)
        self._on_change("slot.removed", {"project_id": project.id, "slot_id": slot_id})

    # ------------------------------------------------------------------ slot values

    def fill_slot(
        self,
        project_id: str,
        slot_id: str,
        *,
        value: Any = None,
        secret_id: Any = None,
        name: Any = None,
        expires: Any = None,
    ) -> dict[str, Any]:
        """Fill a slot with a new value, or link it to an existing secret.

        A new value for a slot whose secret also fills other slots never changes those: a new
        secret is created for this slot alone, and the reply says so.
        """
        if (value is None) == (secret_id is None):
            raise InvalidInput("value", "give either 'value' (a new value) or 'secret_id' (an existing secret), not both")
        with self._lock:
            project = self._project_to_change(project_id)
            slot = self._slot(project, slot_id)
            if secret_id is not None:
                meta = self._link_existing(project, slot, secret_id)
                created, message = False, f"'{slot.name}' now uses the saved secret '{meta.name}'."
            else:
                meta, created, message = self._fill_with_value(project, slot, value, name, expires)
            self._materialize_secret_users(meta.id, also=project)
        self._on_change(
            "slot.filled",
            {"project_id": project.id, "slot_id": slot.id, "secret_id": meta.id, "created": created},
        )
        return {
            "slot": self._slot_model(project, slot),
            "secret": self._secret_model(meta),
            "created": created,
            "message": message,
        }

    def unlink_slot(self, project_id: str, slot_id: str) -> None:
        with self._lock:
            project = self._project_to_change(project_id)
            self._slot(project, slot_id)
            if not self.store.unbind(self.owner, project.id, slot_id):
                raise NotFound(f"slot {slot_id} has no value to unlink")
            self._materialize(project)
        self._on_change("slot.unlinked", {"project_id": project.id, "slot_id": slot_id})

    # ------------------------------------------------------------------ user secrets

    def list_user_secrets(self) -> list[dict[str, Any]]:
        usage = self._usage_by_secret()
        return [self._secret_model(meta, usage) for meta in self.store.list_secrets(self.owner)]

    def get_user_secret(self, secret_id: str) -> dict[str, Any]:
        return self._secret_model(self.store.get_secret(self.owner, _id("secret_id", secret_id)))

    def create_user_secret(self, name: Any, value: Any, expires: Any = None) -> dict[str, Any]:
        _require_str("value", value)
        with self._lock:
            meta = self.store.create_secret(self.owner, _require_str("name", name), value, expires=expires)
        self._on_change("secret.created", {"secret_id": meta.id, "secret_name": meta.name})
        return self._secret_model(meta)

    def update_user_secret(self, secret_id: str, payload: Any) -> dict[str, Any]:
        """Rename, replace the value (every slot it fills follows), or change the expiry."""
        if not isinstance(payload, dict) or not payload:
            raise InvalidInput("body", "must be a JSON object with 'name', 'value' or 'expires'")
        unknown = sorted(set(payload) - {"name", "value", "expires"})
        if unknown:
            raise InvalidInput(unknown[0], "unknown field (allowed: name, value, expires)")
        changes = {
            key: _require_str(key, payload[key]) if key != "expires" or payload[key] is not None else None
            for key in payload
        }
        with self._lock:
            meta = self.store.update_secret(
                self.owner,
                _id("secret_id", secret_id),
                name=changes.get("name", UNSET),
                value=changes.get("value", UNSET),
                expires=changes.get("expires", UNSET),
            )
            if "value" in changes or "expires" in changes:
                self._materialize_secret_users(meta.id)
        self._on_change("secret.updated", {"secret_id": meta.id, "fields": sorted(changes)})
        return self._secret_model(meta)

    def delete_user_secret(self, secret_id: str) -> list[Binding]:
        with self._lock:
            removed = self.store.delete_secret(self.owner, _id("secret_id", secret_id))
            self._rewrite({b.project_id for b in removed})
        self._on_change("secret.deleted", {"secret_id": secret_id, "unlinked": len(removed)})
        return removed

    # ------------------------------------------------------------------ kernels and start-up

    def kernel_env(self, os_cwd: str | None) -> dict[str, str]:
        """Environment for a kernel or terminal started in ``os_cwd`` (an OS path, or None)."""
        if self.materializer is None:
            return {}
        directory = None
        try:
            # No cwd (POST /api/kernels without a path): the kernel runs in the server's root.
            api_path = self._api_path(Path(os_cwd)) if os_cwd else ""
            directory = slotfile.find_project_dir(self.root_dir, api_path)
        except (InvalidInput, ValueError):
            directory = None  # a cwd outside the root belongs to no project of ours
        if directory is None:
            return self._no_project_env()
        try:
            project = self._remember(Project(directory, slotfile.read_slot_file(directory)))
        except (SlotFileError, Conflict) as err:
            log.warning("Secrets of %s unavailable: %s", directory, getattr(err, "reason", err.message))
            return self._no_project_env()
        values = self._materialize(project)
        env = {"JUPYTER_SECRETS_DIR": str(self.materializer.project_dir(project.id))}
        for slot in project.slots.slots:
            if slot.env and slot.id in values:
                if "\0" in values[slot.id]:
                    # No process can receive it (execve refuses it); the file still holds it.
                    log.warning(
                        "Slot %r of project %s: the value holds a NUL character, so it is not "
                        "given as $%s (read the file instead)", slot.name, project.id, slot.env,
                    )
                    continue
                env[slot.env] = values[slot.id]
        return env

    def materialize_known_projects(self) -> None:
        """Write the files of the default project and of every bound project under the root."""
        default = slotfile.find_project_dir(self.root_dir, "")
        candidates = [default] if default is not None else []
        for record in self.store.projects(self.owner).values():
            candidates.append(Path(record.last_path))
        for directory in candidates:
            try:
                project = self._load(directory)
            except (SecretsError, OSError):
                continue
            if project is not None:
                self._materialize(project)

    @property
    def files_error(self) -> str | None:
        """Why some materialized files are out of date (a full or unusable secrets dir), or None."""
        return "; ".join(self._files_errors.values()) or None

    @property
    def values_version(self) -> int:
        """Changes whenever materialized_values() would answer differently."""
        return self.exposed.version

    def materialized_values(self) -> dict[str, str]:
        """{value: slot name} of every value this service has written for kernels in this run:
        the current ones and those replaced, unlinked, deleted or expired since."""
        return self.exposed.all()

    def missing_slots(self, api_path: str = "") -> list[dict[str, Any]]:
        """Slots of the project at ``api_path`` that have no usable value."""
        model = self.project_for_path(api_path)
        return [slot for slot in model["slots"] if slot["state"] != "provided"]

    def refresh(self) -> None:
        """Rewrite every known project's files (after an outside change or an expiry)."""
        with self._lock:
            self._rewrite(list(self._known))

    # ------------------------------------------------------------------ internals: projects

    def _directory_of(self, api_path: Any) -> Path:
        if not isinstance(api_path, str):
            raise InvalidInput("path", "must be a string (a path relative to the server root)")
        directory = slotfile.resolve_api_path(self.root_dir, api_path)
        if not directory.is_dir():
            raise InvalidInput("path", f"'{api_path}' is not a directory inside the server root")
        return directory

    def _api_path(self, directory: Path) -> str:
        return slotfile.api_path(self.root_dir, directory)

    def _load(self, directory: Path) -> Project | None:
        directory = directory.resolve()
        if not directory.is_relative_to(self.root_dir):
            return None
        if not (directory / slotfile.SLOT_FILE).is_file():
            return None
        return self._remember(Project(directory, slotfile.read_slot_file(directory)))

    def _remember(self, project: Project) -> Project:
        """Note where the project lives (in memory: reads never write to the store).

        Two folders claiming one id (a copied project) are a clash, reported on both as
        long as both claim it: raises Conflict, so nothing is read from or written to a
        folder the user did not ask for.
        """
        claims = self._claims.get(project.id)
        if claims is None:
            claims = self._claims[project.id] = set()
            record = self.store.projects(self.owner).get(project.id) if not self.store.locked else None
            if record is not None:
                claims.add(Path(record.last_path))
        claims.add(project.directory)
        others = sorted(d for d in claims if d != project.directory and self._claims_id(d, project.id))
        if others:
            names = ", ".join(f"'{self._display_path(str(d)) or '/'}'" for d in [project.directory, *others])
            raise Conflict(
                f"project id {project.id} is used by more than one folder ({names}), as when a "
                "project folder is copied: give one of them a new id (edit \"project\": {\"id\"} "
                f"in its {slotfile.SLOT_FILE}; 1-64 characters of A-Z a-z 0-9 _ -)",
                field="project_id",
            )
        self._known[project.id] = project.directory
        return project

    def _claims_id(self, directory: Path, project_id: str) -> bool:
        try:
            return slotfile.read_slot_file(directory).project_id == project_id
        except (SlotFileError, OSError):
            return False

    def _record(self, project: Project) -> None:
        """Persist where the project lives, for the usage list: on changes only."""
        if not self.store.locked:
            self.store.remember_project(
                self.owner, project.id, project.slots.project_name, str(project.directory)
            )

    def _find_project(self, project_id: str) -> Project | None:
        """The project with this id, from this process's memory or the store's last path."""
        candidates = []
        if project_id in self._known:
            candidates.append(self._known[project_id])
        record = self.store.projects(self.owner).get(project_id)
        if record is not None:
            candidates.append(Path(record.last_path))
        for directory in candidates:
            try:
                project = self._load(directory)
            except OSError:
                continue
            if project is not None and project.id == project_id:
                return project
        return None

    def _project(self, project_id: str) -> Project:
        project = self._find_project(_id("project_id", project_id))
        if project is None:
            raise NotFound(f"no project with id {project_id} is known to this server")
        return project

    def _project_to_change(self, project_id: str) -> Project:
        """The project a change is about, recorded in the store (where it lives, its name)."""
        project = self._project(project_id)
        self._record(project)
        return project

    def _save_slots(self, project: Project, slots: SlotFile) -> Project:
        slotfile.write_slot_file(project.directory, slots)
        return Project(project.directory, slots)

    @staticmethod
    def _slot(project: Project, slot_id: str) -> Slot:
        for slot in project.slots.slots:
            if slot.id == slot_id:
                return slot
        raise NotFound(f"project {project.id} has no slot with id {slot_id}")

    # ------------------------------------------------------------------ internals: values

    def _link_existing(self, project: Project, slot: Slot, secret_id: Any) -> SecretMeta:
        meta = self.store.get_secret(self.owner, _id("secret_id", secret_id))
        self.store.bind(self.owner, project.id, slot.id, meta.id)
        return meta

    def _fill_with_value(
        self, project: Project, slot: Slot, value: Any, name: Any, expires: Any
    ) -> tuple[SecretMeta, bool, str]:
        _require_str("value", value)
        if name is not None:
            _require_str("name", name)
        # Another server (or the CLI) may fill the same slot at the same moment: the store
        # creates and binds only if the slot is still as read here, else we read again.
        for attempt in range(_FILL_ATTEMPTS):
            current = self._bound_secret(project.id, slot.id)
            if current is not None and name is None and not self._fills_other_slots(current, project, slot):
                meta = self.store.update_secret(
                    self.owner, current.id, value=value,
                    expires=UNSET if expires is None else expires,
                )
                return meta, False, f"The value of '{slot.name}' was replaced."
            try:
                meta = self.store.create_and_bind(
                    self.owner, project.id, slot.id, name if name is not None else slot.filename, value,
                    expires=expires, unique_name=name is None,
                    expected_secret_id=current.id if current is not None else None,
                )
            except Conflict as err:
                if err.field is None and attempt + 1 < _FILL_ATTEMPTS:
                    continue  # the slot changed meanwhile: decide again on what it holds now
                raise
            break
        if current is not None:
            message = (
                f"'{current.name}' also fills other slots, so it was left unchanged: a new secret "
                f"'{meta.name}' now fills '{slot.name}'."
            )
        else:
            message = f"Saved as the new secret '{meta.name}'."
        return meta, True, message

    def _fills_other_slots(self, secret: SecretMeta, project: Project, slot: Slot) -> bool:
        return any(
            (b.project_id, b.slot_id) != (project.id, slot.id)
            for b in self.store.bindings(self.owner, secret_id=secret.id)
        )

    def _bound_secret(self, project_id: str, slot_id: str) -> SecretMeta | None:
        for binding in self.store.bindings(self.owner, project_id=project_id):
            if binding.slot_id == slot_id:
                try:
                    return self.store.get_secret(self.owner, binding.secret_id)
                except NotFound:
                    return None
        return None

    # ------------------------------------------------------------------ internals: files

    def _no_project_env(self) -> dict[str, str]:
        """An empty directory, so that get_secret() explains there is no project."""
        assert self.materializer is not None
        try:
            self.materializer.write_project(NO_PROJECT_DIR, [])
        except (OSError, SecretsError) as err:
            log.error("jupyter_secrets: cannot prepare the kernel's secrets directory: %s", err)
            return {}
        return {"JUPYTER_SECRETS_DIR": str(self.materializer.project_dir(NO_PROJECT_DIR))}

    def _materialize(self, project: Project) -> dict[str, str]:
        """Write the project's usable values as files; return {slot id: value} for env slots."""
        if self.materializer is None or self.store.locked:
            return {}
        bound = self.store.bound_secrets(self.owner, project.id)
        now = _utcnow()
        # slot id -> secret id of the slots to write: bound, and the secret not expired.
        usable = {
            slot.id: meta.id
            for slot in project.slots.slots
            if (meta := bound.get(slot.id)) is not None and not is_expired(meta, now)
        }
        read = self.store.read_values(self.owner, usable.values())
        entries, values = [], {}
        for slot in project.slots.slots:
            secret_id = usable.get(slot.id)
            if secret_id is None:
                continue
            value = read.values.get(secret_id)
            if value is None:
                err = read.errors.get(secret_id, NotFound(f"no secret with id {secret_id}"))
                log.warning("Slot %r of project %s not written: %s", slot.name, project.id, err)
                continue
            entries.append((slot.name, slot.filename, value))
            if slot.env:
                values[slot.id] = value
        try:
            self.materializer.write_project(project.id, entries)
        except (OSError, SecretsError) as err:
            # The store already holds the change: report the files problem (status, log)
            # rather than fail a request whose change was made.
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            self._files_errors[project.id] = f"the secret files of project {project.id} cannot be written: {reason}"
            log.error("jupyter_secrets: %s", self._files_errors[project.id])
            return {}
        self._files_errors.pop(project.id, None)
        written = {value: name for name, _, value in entries}
        if self.exposed.set_project(project.id, written):
            self._write_redaction_set()
        return values

    def _write_redaction_set(self) -> None:
        assert self.materializer is not None
        try:
            self.materializer.write_redaction_set(self.exposed.all())
        except (OSError, SecretsError) as err:
            # The kernels' own directories still redact their current values.
            log.error("jupyter_secrets: cannot update the kernels' redaction set: %s", err)

    def _materialize_secret_users(self, secret_id: str, also: Project | None = None) -> None:
        project_ids = {b.project_id for b in self.store.bindings(self.owner, secret_id=secret_id)}
        if also is not None:
            project_ids.add(also.id)
        self._rewrite(project_ids, also)

    def _rewrite(self, project_ids: Iterable[str], known: Project | None = None) -> None:
        """Rewrite these projects' files, best effort: the change they follow is committed, so
        a project whose slot file broke meanwhile is logged and skipped, not an error."""
        for project_id in project_ids:
            try:
                project = known if known is not None and known.id == project_id else self._find_project(project_id)
            except (SlotFileError, Conflict) as err:
                log.warning("Secret files of project %s not rewritten: %s", project_id, getattr(err, "reason", err.message))
                continue
            if project is not None:
                self._materialize(project)

    # ------------------------------------------------------------------ models (docs/API.md)

    def _no_project_model(self) -> dict[str, Any]:
        return {"id": None, "name": None, "path": "", "exists": False, "error": None, "slots": []}

    def _project_model_at(self, directory: Path) -> dict[str, Any]:
        try:
            project = self._remember(Project(directory, slotfile.read_slot_file(directory)))
        except (SlotFileError, Conflict) as err:
            return {
                "id": None, "name": None, "path": self._api_path(directory),
                "exists": True, "error": getattr(err, "reason", err.message), "slots": [],
            }
        return self._project_model(project)

    def _project_model(self, project: Project) -> dict[str, Any]:
        states = self._slot_states(project)
        return {
            "id": project.id,
            "name": project.slots.project_name,
            "path": self._api_path(project.directory),
            "exists": True,
            "error": None,
            "slots": [self._slot_model(project, slot, states) for slot in project.slots.slots],
        }

    def _slot_states(self, project: Project) -> dict[str, tuple[str, SecretMeta | None]]:
        now = _utcnow()
        return {
            slot_id: ("expired" if is_expired(meta, now) else "provided", meta)
            for slot_id, meta in self.store.bound_secrets(self.owner, project.id).items()
        }

    def _slot_model(
        self, project: Project, slot: Slot, states: dict[str, tuple[str, SecretMeta | None]] | None = None
    ) -> dict[str, Any]:
        if states is None:
            states = self._slot_states(project)
        state, meta = states.get(slot.id, ("missing", None))
        return {
            "id": slot.id,
            "name": slot.name,
            "description": slot.description,
            "filename": slot.filename,
            "env": slot.env,
            "state": state,
            "secret": {"id": meta.id, "name": meta.name} if meta is not None else None,
        }

    def _usage_by_secret(self) -> dict[str, list[dict[str, Any]]]:
        records = self.store.projects(self.owner)
        slot_names: dict[str, dict[str, str]] = {}
        usage: dict[str, list[dict[str, Any]]] = {}
        for binding in self.store.bindings(self.owner):
            if binding.project_id not in slot_names:
                slot_names[binding.project_id] = self._slot_names(binding.project_id)
            record = records.get(binding.project_id)
            usage.setdefault(binding.secret_id, []).append(
                {
                    "project_id": binding.project_id,
                    "project_name": record.name if record else None,
                    "project_path": self._display_path(record.last_path) if record else None,
                    "slot_id": binding.slot_id,
                    "slot_name": slot_names[binding.project_id].get(binding.slot_id),
                }
            )
        return usage

    def _slot_names(self, project_id: str) -> dict[str, str]:
        try:
            project = self._find_project(project_id)
        except (SlotFileError, Conflict):
            return {}
        return {slot.id: slot.name for slot in project.slots.slots} if project else {}

    def _display_path(self, last_path: str) -> str:
        path = Path(last_path)
        return self._api_path(path) if path.is_relative_to(self.root_dir) else last_path

    def _secret_model(
        self, meta: SecretMeta, usage: dict[str, list[dict[str, Any]]] | None = None
    ) -> dict[str, Any]:
        if usage is None:
            usage = self._usage_by_secret()
        return {
            "id": meta.id,
            "name": meta.name,
            "created": meta.created,
            "modified": meta.modified,
            "expires": meta.expires,
            "expired": is_expired(meta),
            "usage": usage.get(meta.id, []),
        }


def _require_str(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(field, "must be a string")
    return value


def _id(field: str, value: Any) -> str:
    """Ids come from URLs and bodies: check their shape before they reach a query or a path."""
    return validate_id(field, value)
