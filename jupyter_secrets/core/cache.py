"""The project model of a directory, reused while nothing it depends on has changed.

``GET /api/secrets/projects?path=`` is what JupyterLab asks most (every folder the file browser
enters, every refresh of the panel): building the model reads the slot file, queries the
store for the bound secrets and builds a view per slot.  ``ProjectModelCache`` keeps the last
model of each project directory with the signature of everything it was built from:

- the slot file: its ``stat`` (modification and change times in nanoseconds, size, inode) —
  the file is replaced atomically on every write, by this server, another one or an editor;
- the store: its ``data_version()`` (SQLite: ``PRAGMA data_version``, which changes when
  *another* connection commits — the CLI, another server — and the connection's own
  ``total_changes``, which counts this process's writes); a store without ``data_version``
  is never cached;
- this process's memory that states depend on: the secrets found unreadable, the failed
  reference fetches, whether the store is locked, the folders seen claiming a project id;
- time: a model is reused only until the first expiry among its bound secrets, and for at
  most ``max_age`` seconds.

The signature is taken *before* the model is built, so a change made while it is built makes
the next request build it again.  Models that report an error (a broken slot file, a copied
project id) are not cached: they depend on other folders' files too.  Thread-safe (handlers
run in worker threads); bounded in entries.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jupyter_secrets.core import slotfile
from jupyter_secrets.core.models import ProjectView
from jupyter_secrets.core.projects import ProjectRegistry
from jupyter_secrets.core.sync import FileSync
from jupyter_secrets.store.base import SecretStore

__all__ = ["ProjectModelCache"]


class ProjectModelCache:
    """Project models by directory, each valid while its signature holds (see the module)."""

    def __init__(
        self,
        store: SecretStore,
        owner: str,
        registry: ProjectRegistry,
        sync: FileSync,
        *,
        max_entries: int = 128,
        max_age: float = 10.0,
    ):
        self.store = store
        self.owner = owner
        self.registry = registry
        self.sync = sync
        self.max_entries = max_entries
        self.max_age = max_age
        self._lock = threading.Lock()
        # directory -> (signature, valid until (time.time()), model)
        self._entries: OrderedDict[Path, tuple[Any, float, ProjectView]] = OrderedDict()
        self.hits = self.misses = 0  # for tests and benchmarks

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def model_at(self, directory: Path, build: Callable[[Path], ProjectView]) -> ProjectView:
        """The model of the project at ``directory``: the cached one, or ``build(directory)``."""
        signature = self._signature(directory)
        if signature is None:
            return build(directory)
        now = time.time()
        with self._lock:
            entry = self._entries.get(directory)
            if entry is not None and entry[0] == signature and now < entry[1]:
                self._entries.move_to_end(directory)
                self.hits += 1
                return entry[2]
            self.misses += 1
        model = build(directory)
        if model.error is not None or model.id is None:
            return model
        until = min(now + self.max_age, self._first_expiry(model.id, now))
        with self._lock:
            self._entries[directory] = (signature, until, model)
            self._entries.move_to_end(directory)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return model

    def _signature(self, directory: Path) -> Any:
        data_version = getattr(self.store, "data_version", None)
        if data_version is None:
            return None
        try:
            version = data_version()
            st = os.stat(directory / slotfile.SLOT_FILE)
        except Exception:  # an unusable store or file: build (and report) it as usual
            return None
        if version is None:
            return None
        sync = self.sync
        return (
            version,
            (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev),
            self.store.locked,
            frozenset(sync.unreadable),
            frozenset(sync.fetch_failed.items()),
            self.registry.claims_seen,
        )

    def _first_expiry(self, project_id: str, now: float) -> float:
        """When the first bound secret of the project expires (inf: none will)."""
        first = float("inf")
        try:
            metas = self.store.bound_secrets(self.owner, project_id).values()
        except Exception:
            return now  # not cached
        for meta in metas:
            if meta.expires:
                try:
                    when = datetime.strptime(meta.expires, "%Y-%m-%dT%H:%M:%SZ")
                except ValueError:
                    return now
                at = when.replace(tzinfo=timezone.utc).timestamp()
                if at > now:  # (one already expired stays expired)
                    first = min(first, at)
        return first
