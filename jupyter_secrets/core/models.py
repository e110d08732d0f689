"""The typed results of the use cases: projects, slots, user secrets with their usage.

The service returns these; the server layer turns them into the JSON of ``openapi.yaml``
(``server/models.py``: their field names are the document's), and the CLI prints them.  None
of them ever holds a value: a slot says its state and which secret fills it, a secret its
name, dates and where it is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jupyter_secrets.core.projects import Project, ProjectRegistry, problem_of
from jupyter_secrets.core.references import CommandReference, stored_reference
from jupyter_secrets.core.slotfile import Slot
from jupyter_secrets.core.states import (
    DEFAULT_EXPIRY_WARNING_DAYS,
    PROVIDED,
    expires_soon,
    is_expired,
    state_of,
    utcnow,
)
from jupyter_secrets.core.sync import FileSync
from jupyter_secrets.errors import Conflict, SecretsError, SlotFileError
from jupyter_secrets.store.base import SecretMeta, SecretStore


@dataclass(frozen=True)
class SecretRef:
    """Which saved secret fills a slot."""

    id: str
    name: str
    expires: str | None = None  # when its value stops being written (ISO 8601 UTC)


@dataclass(frozen=True)
class SlotView:
    id: str
    name: str
    description: str
    filename: str
    env: str | None
    state: str  # core/states.py
    secret: SecretRef | None
    expires_soon: bool = False  # provided, but expires within expiry_warning_days
    env_file: str | None = None  # a variable that gets the path of the slot's file


@dataclass(frozen=True)
class ProjectView:
    """The project of a path: ``exists`` False for a path in no project; ``error`` (and no id)
    for a project that cannot be used now (a broken slot file, a copied project id)."""

    id: str | None
    name: str | None
    path: str
    exists: bool
    error: str | None
    slots: tuple[SlotView, ...]


@dataclass(frozen=True)
class Usage:
    """One slot a secret fills."""

    project_id: str
    project_name: str | None
    project_path: str | None
    slot_id: str
    slot_name: str | None


@dataclass(frozen=True)
class ReferenceView:
    """What a reference secret fetches (``core/references.py``), for its owner: the kind, a
    description (the command line, or mount/path#field at the address), and the last fetch."""

    type: str  # "command" | "vault"
    description: str
    ttl_seconds: int
    timeout_seconds: int
    argv: tuple[str, ...] | None  # command references
    fetch_error: str | None  # why the last fetch failed (never output that could be the value)


@dataclass(frozen=True)
class SecretView:
    id: str
    name: str
    created: str
    modified: str
    expires: str | None
    expired: bool
    usage: tuple[Usage, ...]
    binary: bool = False  # the value is bytes (given as value_base64), not text
    # The JupyterLab extension keeping it (jupyter-secrets-manager namespace), None for the user's.
    namespace: str | None = None
    # Set for a reference secret (its value stays in a vault and is fetched when needed).
    reference: ReferenceView | None = None
    expires_soon: bool = False  # not expired yet, but within expiry_warning_days


@dataclass(frozen=True)
class FillResult:
    """A slot filled: with which secret, whether it was created, and a sentence for the user."""

    slot: SlotView
    secret: SecretView
    created: bool
    message: str


class ApiModels:
    """Builds the models one owner sees.

    ``expiry_warning_days`` (``c.SecretsExtension.expiry_warning_days``, set by the server and
    the CLI): a value expiring within that many days is ``expires_soon``.
    """

    expiry_warning_days: int = DEFAULT_EXPIRY_WARNING_DAYS

    def __init__(self, store: SecretStore, owner: str, projects: ProjectRegistry, sync: FileSync):
        self.store = store
        self.owner = owner
        self.projects = projects
        self.sync = sync

    def no_project_model(self) -> ProjectView:
        return ProjectView(id=None, name=None, path="", exists=False, error=None, slots=())

    def project_model_at(self, directory: Path) -> ProjectView:
        try:
            project = self.projects.read(directory)
        except (SlotFileError, Conflict) as err:
            return ProjectView(
                id=None,
                name=None,
                path=self.projects.api_path(directory),
                exists=True,
                error=problem_of(err),
                slots=(),
            )
        return self.project_model(project)

    def project_model(self, project: Project) -> ProjectView:
        states = self.slot_states(project)
        return ProjectView(
            id=project.id,
            name=project.slots.project_name,
            path=self.projects.api_path(project.directory),
            exists=True,
            error=None,
            slots=tuple(self.slot_model(project, slot, states) for slot in project.slots.slots),
        )

    def slot_states(self, project: Project) -> dict[str, tuple[str, SecretMeta | None]]:
        now = utcnow()
        bound = self.store.bound_secrets(self.owner, project.id)
        failed = self.sync.failed_ids(bound.values())
        return {
            slot_id: (state_of(meta, self.sync.unreadable, now, failed), meta)
            for slot_id, meta in bound.items()
        }

    def slot_model(
        self,
        project: Project,
        slot: Slot,
        states: dict[str, tuple[str, SecretMeta | None]] | None = None,
    ) -> SlotView:
        if states is None:
            states = self.slot_states(project)
        state, meta = states.get(slot.id, (state_of(None, frozenset()), None))
        return SlotView(
            id=slot.id,
            name=slot.name,
            description=slot.description,
            filename=slot.filename,
            env=slot.env,
            env_file=slot.env_file,
            state=state,
            secret=SecretRef(meta.id, meta.name, meta.expires) if meta is not None else None,
            expires_soon=state == PROVIDED and expires_soon(meta, self.expiry_warning_days),
        )

    def usage_by_secret(self) -> dict[str, list[Usage]]:
        records = self.store.projects(self.owner)
        slot_names: dict[str, dict[str, str]] = {}
        usage: dict[str, list[Usage]] = {}
        for binding in self.store.bindings(self.owner):
            if binding.project_id not in slot_names:
                slot_names[binding.project_id] = self.projects.slot_names(binding.project_id)
            record = records.get(binding.project_id)
            usage.setdefault(binding.secret_id, []).append(
                Usage(
                    project_id=binding.project_id,
                    project_name=record.name if record else None,
                    project_path=self.projects.display_path(record.last_path) if record else None,
                    slot_id=binding.slot_id,
                    slot_name=slot_names[binding.project_id].get(binding.slot_id),
                )
            )
        return usage

    def secret_model(
        self, meta: SecretMeta, usage: dict[str, list[Usage]] | None = None
    ) -> SecretView:
        if usage is None:
            usage = self.usage_by_secret()
        reference = self.reference_model(meta)
        return SecretView(
            id=meta.id,
            name=meta.name,
            created=meta.created,
            modified=meta.modified,
            expires=meta.expires,
            expired=is_expired(meta),
            usage=tuple(usage.get(meta.id, [])),
            binary=getattr(meta, "binary", False) and reference is None,
            namespace=meta.namespace,
            reference=reference,
            expires_soon=expires_soon(meta, self.expiry_warning_days),
        )

    def reference_model(self, meta: SecretMeta) -> ReferenceView | None:
        """The reference a secret holds (None for a value).  A reference is kept as a binary
        value, flagged in the store's metadata (``SecretMeta.reference``): only references are
        read, never the values of a listing (a store that keeps no flag: its binary ones)."""
        if not getattr(meta, "binary", False) or self.store.locked:
            return None
        if getattr(self.store, "knows_references", False) and not meta.reference:
            return None
        try:
            ref = stored_reference(self.store.read_value(self.owner, meta.id))
        except SecretsError:
            return None
        if ref is None:
            return None
        return ReferenceView(
            type=ref.type,
            description=ref.describe(),
            ttl_seconds=ref.ttl_seconds,
            timeout_seconds=ref.timeout_seconds,
            argv=ref.argv if isinstance(ref, CommandReference) else None,
            fetch_error=self.sync.fetch_failure(meta),
        )
