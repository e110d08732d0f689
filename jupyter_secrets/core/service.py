"""SecretsService: the use cases of docs/API.md for one owner, over one store and one root.

This is the domain layer the REST handlers and the CLI call.  It knows nothing of HTTP: it
takes plain Python values, returns typed results (``core/models.py``: projects, slots, secrets,
fills), which the server layer turns into the JSON of ``openapi.yaml``, and raises the errors
of ``errors.py``.  No value ever leaves it except through the materialized files.
It composes three parts with one job each: the project registry (``projects.py``: paths,
directories, projects), the store (secrets and bindings) and the file sync (``sync.py``:
materialized files, kernel environments, the leak guards' values).

One service serves one owner: secrets are keyed by the server's owner (see ``server/access.py``
for who may call it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from jupyter_secrets.core import slotfile
from jupyter_secrets.core.cache import ProjectModelCache
from jupyter_secrets.core.exposed import ExposedValues
from jupyter_secrets.core.models import ApiModels, FillResult, ProjectView, SecretView, SlotView
from jupyter_secrets.core.projects import Project, ProjectRegistry
from jupyter_secrets.core.references import (
    COMMANDS_OFF,
    CommandReference,
    is_stored_reference,
    parse_reference,
    refuse_reserved,
    stored_form,
)
from jupyter_secrets.core.slotfile import Slot
from jupyter_secrets.core.states import is_expired, needs_value
from jupyter_secrets.core.sync import FileSync
from jupyter_secrets.errors import Conflict, InvalidInput, NotFound
from jupyter_secrets.files import Materializer
from jupyter_secrets.rules import (
    future_expires,
    name_sort_key,
    validate_id,
    validate_project_name,
    validate_slot_fields,
)
from jupyter_secrets.store.base import (
    UNSET,
    Binding,
    SecretMeta,
    SecretStore,
    SecretValue,
    ValueBatch,
)

__all__ = ["Project", "SecretsService", "is_expired"]

# Filling a slot re-reads it when another process changed it meanwhile; more than a few
# changes in a row is not a race but a loop, reported as the Conflict it is.
_FILL_ATTEMPTS = 5


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
        self.owner = owner
        self.projects = ProjectRegistry(store, root_dir, owner)
        self.sync = FileSync(store, owner, self.projects, materializer)
        self.models = ApiModels(store, owner, self.projects, self.sync)
        # The project models of directories, reused until something they depend on changes.
        self.project_cache = ProjectModelCache(
            store,
            owner,
            self.projects,
            self.sync,
            warning_days=lambda: self.models.expiry_warning_days,
        )
        # on_change(event, details): audit trail hook; details never hold a value.
        self._on_change = on_change or (lambda event, details: None)
        # Serialises changes that touch the store and the materialized files together.
        self._lock = threading.RLock()

    @property
    def allow_command_references(self) -> bool:
        """Whether command references may be saved and run (``allow_command_references``)."""
        return self.sync.fetcher.allow_commands

    @allow_command_references.setter
    def allow_command_references(self, allowed: bool) -> None:
        self.sync.fetcher.allow_commands = allowed

    @property
    def root_dir(self) -> Path:
        return self.projects.root_dir

    @property
    def materializer(self) -> Materializer | None:
        return self.sync.materializer

    @property
    def exposed(self) -> ExposedValues:
        return self.sync.exposed

    # ------------------------------------------------------------------ projects

    def project_for_path(self, api_path: str) -> ProjectView:
        """The project holding ``api_path`` (nearest ancestor with a slot file), as an API model."""
        directory = self.projects.project_dir_of(api_path)
        if directory is None:
            return self.models.no_project_model()
        return self.project_cache.model_at(directory, self.models.project_model_at)

    def cached_project_for_path(self, api_path: str) -> ProjectView | None:
        """``project_for_path`` from the cache when that answer needs no waiting on the store
        (for the event loop, issue 16); None otherwise: then call ``project_for_path``."""
        return self.project_cache.cached_for_path(api_path)

    def create_project(self, api_path: str, name: Any) -> ProjectView:
        name = validate_project_name(name)
        directory = self.projects.directory_of(api_path)
        if (directory / slotfile.SLOT_FILE).exists():
            raise Conflict(f"path: '{api_path or '/'}' is already a project", field="path")
        with self._lock:
            project = self.projects.create(directory, name)
        self._on_change(
            "project.created", {"project_id": project.id, "path": self.projects.api_path(directory)}
        )
        return self.models.project_model(project)

    def get_project(self, project_id: Any) -> ProjectView:
        return self.models.project_model(self.projects.get(project_id))

    # ------------------------------------------------------------------ slots

    def add_slot(self, project_id: Any, payload: Any) -> SlotView:
        fields = validate_slot_fields(payload)
        with self._lock:
            project = self.projects.for_change(project_id)
            updated = slotfile.add_slot(project.slots, **fields)
            project = self.projects.save_slots(project, updated)
            slot = updated.slots[-1]
        self._on_change("slot.added", {"project_id": project.id, "slot_id": slot.id})
        return self.models.slot_model(project, slot)

    def update_slot(self, project_id: Any, slot_id: str, payload: Any) -> SlotView:
        fields = validate_slot_fields(payload, partial=True)
        with self._lock:
            project = self.projects.for_change(project_id)
            updated = slotfile.update_slot(project.slots, slot_id, **fields)
            project = self.projects.save_slots(project, updated)
            self.sync.write(project)
        self._on_change(
            "slot.updated", {"project_id": project.id, "slot_id": slot_id, "fields": sorted(fields)}
        )
        return self.models.slot_model(project, project.slot(slot_id))

    def remove_slot(self, project_id: Any, slot_id: str) -> None:
        with self._lock:
            project = self.projects.for_change(project_id)
            updated = slotfile.remove_slot(project.slots, slot_id)
            project = self.projects.save_slots(project, updated)
            self.store.unbind(self.owner, project.id, slot_id)
            self.sync.write(project)
        self._on_change("slot.removed", {"project_id": project.id, "slot_id": slot_id})

    # ------------------------------------------------------------------ slot values

    def fill_slot(
        self,
        project_id: Any,
        slot_id: str,
        *,
        value: Any = None,
        secret_id: Any = None,
        name: Any = None,
        expires: Any = None,
        reference: Any = None,
    ) -> FillResult:
        """Fill a slot with a new value (text ``str`` or binary ``bytes``), a new reference
        (``core/references.py``: a command or a vault field fetched when needed), or link it to
        an existing secret.

        A new value for a slot whose secret also fills other slots never changes those: a new
        secret is created for this slot alone, and the reply says so.
        """
        value = _value_or_reference(value, reference, self.allow_command_references)
        if (value is None) == (secret_id is None):
            raise InvalidInput(
                "value",
                "give either a new value ('value' for text, 'value_base64' for bytes, or a "
                "'reference') or 'secret_id' (an existing secret), not both",
            )
        with self._lock:
            project = self.projects.for_change(project_id)
            slot = project.slot(slot_id)
            if secret_id is not None:
                meta = self._link_existing(project, slot, secret_id)
                created, message = False, f"'{slot.name}' now uses the saved secret '{meta.name}'."
            else:
                meta, created, message = self._fill_with_value(
                    project, slot, value, name, future_expires(expires)
                )
            self.sync.secret_users(meta.id, also=project)
        self._on_change(
            "slot.filled",
            {
                "project_id": project.id,
                "slot_id": slot.id,
                "secret_id": meta.id,
                "created": created,
            },
        )
        return FillResult(
            slot=self.models.slot_model(project, slot),
            secret=self.models.secret_model(meta),
            created=created,
            message=message,
        )

    def unlink_slot(self, project_id: Any, slot_id: str) -> None:
        with self._lock:
            project = self.projects.for_change(project_id)
            project.slot(slot_id)
            if not self.store.unbind(self.owner, project.id, slot_id):
                raise NotFound(f"slot {slot_id} has no value to unlink")
            self.sync.write(project)
        self._on_change("slot.unlinked", {"project_id": project.id, "slot_id": slot_id})

    # ------------------------------------------------------------------ user secrets

    def list_user_secrets(self) -> list[SecretView]:
        """Every secret by name as people read names (``rules.name_sort_key``), expired or not."""
        return list(self.iter_user_secrets())

    def iter_user_secrets(self) -> Iterator[SecretView]:
        """``list_user_secrets`` one model at a time, for replies encoded as they go: the
        store is read at the first ``next()``, each model is built when asked for (so that
        10,000 secrets are never 10,000 models at once)."""
        usage = self.models.usage_by_secret()
        metas = sorted(
            self.store.list_secrets(self.owner), key=lambda m: (name_sort_key(m.name), m.id)
        )
        for meta in metas:
            yield self.models.secret_model(meta, usage)

    def get_user_secret(self, secret_id: str) -> SecretView:
        return self.models.secret_model(
            self.store.get_secret(self.owner, _id("secret_id", secret_id))
        )

    def create_user_secret(
        self, name: Any, value: Any, expires: Any = None, reference: Any = None
    ) -> SecretView:
        """``value``: text (``str``) or binary (``bytes``); or ``reference`` instead (a
        command or a vault field, ``core/references.py``)."""
        value = _value_or_reference(value, reference, self.allow_command_references)
        _require_value(value)
        with self._lock:
            meta = self.store.create_secret(
                self.owner, _require_str("name", name), value, expires=future_expires(expires)
            )
        self._on_change("secret.created", {"secret_id": meta.id, "secret_name": meta.name})
        return self.models.secret_model(meta)

    def update_user_secret(self, secret_id: str, payload: Any) -> SecretView:
        """Rename, replace the value (every slot it fills follows), or change the expiry."""
        if not isinstance(payload, dict) or not payload:
            raise InvalidInput("body", "must be a JSON object with 'name', 'value' or 'expires'")
        unknown = sorted(set(payload) - {"name", "value", "expires", "reference"})
        if unknown:
            raise InvalidInput(
                unknown[0],
                "unknown field (allowed: name, value, value_base64, reference, expires)",
            )
        if "value" in payload or "reference" in payload:
            payload = {
                **{k: v for k, v in payload.items() if k != "reference"},
                "value": _value_or_reference(
                    payload.get("value"), payload.get("reference"), self.allow_command_references
                ),
            }
        changes: dict[str, Any] = {
            key: None
            if key == "expires" and payload[key] is None
            else _require_value(payload[key])
            if key == "value"
            else _require_str(key, payload[key])
            for key in payload
        }
        if changes.get("expires") is not None:
            changes["expires"] = future_expires(changes["expires"])
        with self._lock:
            meta = self.store.update_secret(
                self.owner,
                _id("secret_id", secret_id),
                name=changes.get("name", UNSET),
                value=changes.get("value", UNSET),
                expires=changes.get("expires", UNSET),
            )
            if "value" in changes:
                self.sync.fetcher.forget(meta.id)  # a new value or reference: fetch again
                self.sync.clear_fetch_failure(meta.id)
            if "value" in changes or "expires" in changes:
                self.sync.secret_users(meta.id)
        self._on_change("secret.updated", {"secret_id": meta.id, "fields": sorted(changes)})
        return self.models.secret_model(meta)

    def delete_user_secret(self, secret_id: str) -> list[Binding]:
        with self._lock:
            removed = self.store.delete_secret(self.owner, _id("secret_id", secret_id))
            self.sync.fetcher.forget(secret_id)
            self.sync.clear_fetch_failure(secret_id)
            self.sync.rewrite({b.project_id for b in removed})
        self._on_change("secret.deleted", {"secret_id": secret_id, "unlinked": len(removed)})
        return removed

    # ------------------------------------------------------------------ kernels and start-up

    def kernel_env(self, os_cwd: str | None, *, from_store: bool = True) -> dict[str, str]:
        """Environment for a kernel or terminal started in ``os_cwd`` (an OS path, or None);
        ``from_store`` False: from the files already written, no store call."""
        return self.sync.kernel_env(os_cwd, from_store=from_store)

    def materialize_known_projects(self) -> None:
        """Write the files of the default project and of every bound project under the root."""
        self.sync.write_known_projects()

    @property
    def files_error(self) -> str | None:
        """Why some materialized files are out of date (a full or unusable secrets dir), or None."""
        return self.sync.files_error

    @property
    def values_version(self) -> int:
        """Changes whenever materialized_values() would answer differently."""
        return self.exposed.version

    def materialized_values(self) -> dict[str, str]:
        """{value: slot name} of every value this service has written for kernels in this run:
        the current ones and those replaced, unlinked, deleted or expired since."""
        return self.exposed.all()

    def missing_slots(self, api_path: str = "") -> list[SlotView]:
        """Slots of the project at ``api_path`` that need a value (``states.needs_value``)."""
        model = self.project_for_path(api_path)
        return [slot for slot in model.slots if needs_value(slot.state)]

    def check_references(self, secret_ids: Iterable[str]) -> dict[str, str | None]:
        """Fetch the reference secrets among ``secret_ids`` now (the values stay in memory):
        ``{secret id: None when fetched, else why not}``; plain values are left out.  The
        slots' states follow (``fetch-failed``)."""
        if self.store.locked:
            return {}
        read = self.store.read_values(self.owner, list(dict.fromkeys(secret_ids)))
        stored = {sid: v for sid, v in read.values.items() if is_stored_reference(v)}
        metas = {m.id: m for m in self.store.list_secrets(self.owner) if m.id in stored}
        fetched = self.sync.fetch_references(ValueBatch(stored, {}), metas)
        return {
            sid: None
            if sid in fetched.values
            else getattr(fetched.errors.get(sid), "reason", "not fetched")
            for sid in stored
        }

    def refresh(self) -> None:
        """Rewrite every known project's files (after an outside change or an expiry)."""
        with self._lock:
            self.sync.rewrite(self.projects.known_ids())

    # ------------------------------------------------------------------ internals: values

    def _link_existing(self, project: Project, slot: Slot, secret_id: Any) -> SecretMeta:
        meta = self.store.get_secret(self.owner, _id("secret_id", secret_id))
        self.store.bind(self.owner, project.id, slot.id, meta.id)
        return meta

    def _fill_with_value(
        self, project: Project, slot: Slot, value: Any, name: Any, expires: Any
    ) -> tuple[SecretMeta, bool, str]:
        _require_value(value)
        if name is not None:
            _require_str("name", name)
        # Another server (or the CLI) may fill the same slot at the same moment: the store
        # creates and binds only if the slot is still as read here, else we read again.
        for attempt in range(_FILL_ATTEMPTS):
            current = self._bound_secret(project.id, slot.id)
            if (
                current is not None
                and name is None
                and not self._fills_other_slots(current, project, slot)
            ):
                meta = self.store.update_secret(
                    self.owner,
                    current.id,
                    value=value,
                    expires=UNSET if expires is None else expires,
                )
                self.sync.fetcher.forget(meta.id)  # a new value or reference: fetch again
                self.sync.clear_fetch_failure(meta.id)
                return meta, False, f"The value of '{slot.name}' was replaced."
            try:
                meta = self.store.create_and_bind(
                    self.owner,
                    project.id,
                    slot.id,
                    name if name is not None else slot.filename,
                    value,
                    expires=expires,
                    unique_name=name is None,
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


def _require_str(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(field, "must be a string")
    return value


def _value_or_reference(value: Any, reference: Any, allow_commands: bool = True) -> Any:
    """The value to store: the value given, or a reference's stored form (a binary value the
    service alone makes: a given binary value that looks like one is refused)."""
    if reference is None:
        refuse_reserved(value)
        return value
    if value is not None:
        raise InvalidInput("reference", "give either a value or a reference, not both")
    parsed = parse_reference(reference)
    if isinstance(parsed, CommandReference) and not allow_commands:
        raise InvalidInput("reference.type", COMMANDS_OFF)
    return stored_form(parsed)


def _require_value(value: Any) -> SecretValue:
    """A value: text (``str``) or binary (``bytes``; the API's ``value_base64``)."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return _require_str("value", value)


def _id(field: str, value: Any) -> str:
    """Ids come from URLs and bodies: check their shape before they reach a query or a path."""
    return validate_id(field, value)
