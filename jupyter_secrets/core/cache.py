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
- time: a model is reused only until the first moment one of its bound secrets changes
  state by itself — it expires, or it enters its ``expiry_warning_days`` (``expires_soon``) —
  and for at most ``max_age`` seconds.

The signature is taken *before* the model is built, so a change made while it is built makes
the next request build it again.  Models that report an error (a broken slot file, a copied
project id) are not cached: they depend on other folders' files too.  Thread-safe (handlers
run in worker threads); bounded in entries.

The fast path (``cached_for_path``, issue 16): the server's event loop asks the cache first and
gets the model only when the signature can be checked **without waiting** — the store's
``data_version_nowait()`` (SQLite: None when another thread holds the store or the database is
busy; a store without it, such as the hub's, has no fast path) and this cache's lock taken
without blocking — and the entry is still valid; anything else (a miss, a busy store, a path
to refuse) is None, and the caller builds the model in a worker thread as before.  Measured on
the 100-slot benchmark, the hop to a worker thread and back cost more server CPU than the
cached lookup itself (GIL hand-offs, the executor's wake-ups).  What the fast path does on the
loop is what every other check does: the slot file's ``stat``, the path's resolution (a few
``lstat``) and one ``PRAGMA`` that never waits.
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
from jupyter_secrets.core.states import DEFAULT_EXPIRY_WARNING_DAYS
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
        warning_days: Callable[[], int] = lambda: DEFAULT_EXPIRY_WARNING_DAYS,
    ):
        self.store = store
        self.owner = owner
        self.registry = registry
        self.sync = sync
        self.max_entries = max_entries
        self.max_age = max_age
        # expiry_warning_days as the models use it (the server sets it after start-up)
        self.warning_days = warning_days
        self._lock = threading.Lock()
        # directory -> (signature, valid until (time.time()), model)
        self._entries: OrderedDict[Path, tuple[Any, float, ProjectView]] = OrderedDict()
        self.hits = self.misses = 0  # for tests and benchmarks
        self.fast_hits = 0  # of the hits, those answered by cached_for_path (the loop's)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def cached_for_path(self, api_path: str) -> ProjectView | None:
        """The cached model of the project holding ``api_path`` when it can be told valid
        without waiting on the store or on another thread (the event loop's fast path, see the
        module); else None, and the caller builds it (``SecretsService.project_for_path``) in
        a worker thread, which also reports any error of the path."""
        try:
            directory = self.registry.project_dir_of(api_path)
            if directory is None:
                return None
            signature = self._signature(directory, nowait=True)
        except Exception:  # a path to refuse (400), a file system error: the usual way says so
            return None
        if signature is None or not self._lock.acquire(blocking=False):
            return None
        try:
            entry = self._entries.get(directory)
            if entry is None or entry[0] != signature or time.time() >= entry[1]:
                return None
            self._entries.move_to_end(directory)
            self.hits += 1
            self.fast_hits += 1
            return entry[2]
        finally:
            self._lock.release()

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
        until = min(now + self.max_age, self._first_change(model, signature[-1], now))
        previous = self._entries.get(directory)
        if previous is not None and previous[2] == model:
            # The same model again (its max_age ended, or a change that changed nothing shown):
            # keep the object, so that the JSON encoded for it (server/handlers.py) is reused.
            model = previous[2]
        with self._lock:
            self._entries[directory] = (signature, until, model)
            self._entries.move_to_end(directory)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return model

    def _signature(self, directory: Path, nowait: bool = False) -> Any:
        data_version = getattr(
            self.store, "data_version_nowait" if nowait else "data_version", None
        )
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
            self.warning_days(),  # (last: _first_change reads it)
        )

    @staticmethod
    def _first_change(model: ProjectView, warning_days: int, now: float) -> float:
        """The first moment a slot of ``model`` changes by itself (inf: never): one of its
        secrets expires (state ``expired``) or enters its warning days (``expires_soon``)."""
        first = float("inf")
        warning = warning_days * 86400.0 if warning_days > 0 else None
        for slot in model.slots:
            expires = slot.secret.expires if slot.secret is not None else None
            if not expires:
                continue
            try:
                when = datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ")
            except ValueError:
                return now  # not cached
            at = when.replace(tzinfo=timezone.utc).timestamp()
            for moment in (at, at - warning if warning is not None else at):
                if moment > now:  # (a moment passed already is in the model)
                    first = min(first, moment)
        return first
