"""The API models of ``server/openapi.yaml`` (projects, slots, user secrets with their usage),
built from the registry, the store and the file sync as plain JSON-ready dicts.

None of them ever holds a value: a slot says its state and which secret fills it, a secret
its name, dates and where it is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_secrets.core.projects import Project, ProjectRegistry, problem_of
from jupyter_secrets.core.slotfile import Slot
from jupyter_secrets.core.states import is_expired, state_of, utcnow
from jupyter_secrets.core.sync import FileSync
from jupyter_secrets.errors import Conflict, SlotFileError
from jupyter_secrets.store.base import SecretMeta, SecretStore


class ApiModels:
    """Builds the models one owner sees."""

    def __init__(self, store: SecretStore, owner: str, projects: ProjectRegistry, sync: FileSync):
        self.store = store
        self.owner = owner
        self.projects = projects
        self.sync = sync

    def no_project_model(self) -> dict[str, Any]:
        return {"id": None, "name": None, "path": "", "exists": False, "error": None, "slots": []}

    def project_model_at(self, directory: Path) -> dict[str, Any]:
        try:
            project = self.projects.read(directory)
        except (SlotFileError, Conflict) as err:
            return {
                "id": None,
                "name": None,
                "path": self.projects.api_path(directory),
                "exists": True,
                "error": problem_of(err),
                "slots": [],
            }
        return self.project_model(project)

    def project_model(self, project: Project) -> dict[str, Any]:
        states = self.slot_states(project)
        return {
            "id": project.id,
            "name": project.slots.project_name,
            "path": self.projects.api_path(project.directory),
            "exists": True,
            "error": None,
            "slots": [self.slot_model(project, slot, states) for slot in project.slots.slots],
        }

    def slot_states(self, project: Project) -> dict[str, tuple[str, SecretMeta | None]]:
        now = utcnow()
        return {
            slot_id: (state_of(meta, self.sync.unreadable, now), meta)
            for slot_id, meta in self.store.bound_secrets(self.owner, project.id).items()
        }

    def slot_model(
        self,
        project: Project,
        slot: Slot,
        states: dict[str, tuple[str, SecretMeta | None]] | None = None,
    ) -> dict[str, Any]:
        if states is None:
            states = self.slot_states(project)
        state, meta = states.get(slot.id, (state_of(None, frozenset()), None))
        return {
            "id": slot.id,
            "name": slot.name,
            "description": slot.description,
            "filename": slot.filename,
            "env": slot.env,
            "state": state,
            "secret": {"id": meta.id, "name": meta.name} if meta is not None else None,
        }

    def usage_by_secret(self) -> dict[str, list[dict[str, Any]]]:
        records = self.store.projects(self.owner)
        slot_names: dict[str, dict[str, str]] = {}
        usage: dict[str, list[dict[str, Any]]] = {}
        for binding in self.store.bindings(self.owner):
            if binding.project_id not in slot_names:
                slot_names[binding.project_id] = self.projects.slot_names(binding.project_id)
            record = records.get(binding.project_id)
            usage.setdefault(binding.secret_id, []).append(
                {
                    "project_id": binding.project_id,
                    "project_name": record.name if record else None,
                    "project_path": self.projects.display_path(record.last_path)
                    if record
                    else None,
                    "slot_id": binding.slot_id,
                    "slot_name": slot_names[binding.project_id].get(binding.slot_id),
                }
            )
        return usage

    def secret_model(
        self, meta: SecretMeta, usage: dict[str, list[dict[str, Any]]] | None = None
    ) -> dict[str, Any]:
        if usage is None:
            usage = self.usage_by_secret()
        return {
            "id": meta.id,
            "name": meta.name,
            "created": meta.created,
            "modified": meta.modified,
            "expires": meta.expires,
            "expired": is_expired(meta),
            "usage": usage.get(meta.id, []),
        }
