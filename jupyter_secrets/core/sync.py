"""File sync: the materialized files of each project follow the store, and kernels get them.

After every change (and at start, and on refresh) a project's usable values are written into
its directory of the server's tree; what was written is recorded in :class:`ExposedValues`
(the leak guards' set, retired values included) and in the kernels' redaction file.  A files
problem (a full or unusable secrets directory) never fails the change that caused it: the
store holds the change, and the problem is reported (log, status) until the next write works.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

from jupyter_secrets.core.exposed import ExposedValues, redaction_forms
from jupyter_secrets.core.projects import Project, ProjectRegistry, problem_of
from jupyter_secrets.core.references import (
    FetchPending,
    ReferenceFetcher,
    is_stored_reference,
    stored_reference,
)
from jupyter_secrets.core.states import is_expired, utcnow
from jupyter_secrets.errors import Conflict, NotFound, SecretsError, SecretUnreadable, SlotFileError
from jupyter_secrets.files import NO_PROJECT, Materializer
from jupyter_secrets.store.base import (
    DEFAULT_MAX_VALUE_BYTES,
    SecretMeta,
    SecretStore,
    SecretValue,
    ValueBatch,
)

log = logging.getLogger(__name__)


class FileSync:
    """Writes the projects' files for one owner; ``materializer`` None: nothing is written."""

    def __init__(
        self,
        store: SecretStore,
        owner: str,
        registry: ProjectRegistry,
        materializer: Materializer | None,
    ):
        self.store = store
        self.owner = owner
        self.registry = registry
        self.materializer = materializer
        # Every value written for kernels in this run, replaced ones too (for the leak guards).
        self.exposed = ExposedValues()
        # project id -> why its files could not be written last time (shown in the status).
        self._files_errors: dict[str, str] = {}
        # Secrets whose stored value failed authentication when last read (state "unreadable").
        self.unreadable: set[str] = set()
        # References (core/references.py): fetched when written, kept in memory for their TTL;
        # secret id -> why the last fetch failed (state "fetch-failed").
        self.fetcher = ReferenceFetcher(getattr(store, "max_value_bytes", DEFAULT_MAX_VALUE_BYTES))
        self.fetch_failed: dict[str, str] = {}
        # secret id -> the secret's ``modified`` when its fetch failed: a failure describes
        # that version of the secret only (a plain value or another reference saved since,
        # by this server or another process, is not "fetch-failed").
        self._failed_version: dict[str, str | None] = {}

    def fetch_failure(self, meta: SecretMeta) -> str | None:
        """Why the reference ``meta`` holds could not be fetched, or None: it was fetched, it
        was never tried, or the secret changed since the failure (another value or reference,
        saved here or by another process)."""
        reason = self.fetch_failed.get(meta.id)
        if reason is None:
            return None
        version = self._failed_version.get(meta.id)
        if not meta.binary or (version is not None and version != meta.modified):
            return None  # text is never a reference; a newer version was not tried yet
        if getattr(self.store, "knows_references", False) and not meta.reference:
            return None  # a value now (saved here or by another process)
        return reason

    def failed_ids(self, metas: Iterable[SecretMeta | None]) -> set[str]:
        """The ids among ``metas`` whose slots are in the state ``fetch-failed``."""
        return {m.id for m in metas if m is not None and self.fetch_failure(m) is not None}

    def clear_fetch_failure(self, secret_id: str) -> None:
        self.fetch_failed.pop(secret_id, None)
        self._failed_version.pop(secret_id, None)

    @property
    def files_error(self) -> str | None:
        return "; ".join(self._files_errors.values()) or None

    # ------------------------------------------------------------------ kernels

    def kernel_env(self, os_cwd: str | None, *, from_store: bool = True) -> dict[str, str]:
        """Environment for a kernel or terminal started in ``os_cwd`` (an OS path; None: the
        root, as for ``POST /api/kernels`` without a path).

        The project's files are written from the store first; when the store fails (down,
        locked, any store error), or with ``from_store`` False (no store call at all: a
        terminal whose store answers too slowly), the process gets the files already written
        for the project in this run, or the no-project directory when there are none."""
        if self.materializer is None:
            return {}
        directory = self.registry.project_dir_of_os_path(os_cwd)
        if directory is None:
            return self._no_project_env()
        try:
            project = self.registry.read(directory)
        except (SlotFileError, Conflict) as err:
            log.warning("Secrets of %s unavailable: %s", directory, problem_of(err))
            return self._no_project_env()
        project_dir = self.materializer.project_dir(project.id)
        if from_store:
            try:
                values = self.write(project)
            except SecretsError as err:
                # The class and the store's own message only: store errors never hold a value.
                log.warning(
                    "Secrets of project %s not read from the store (%s: %s): the files already "
                    "written are given",
                    project.id,
                    type(err).__name__,
                    err,
                )
                from_store = False
        if not from_store:
            if not project_dir.is_dir():
                return self._no_project_env()
            values = self._written_values(project, project_dir)
        env = {"JUPYTER_SECRETS_DIR": str(project_dir)}
        for slot in project.slots.slots:
            if slot.env_file and slot.id in values:
                # The <ENV>_FILE convention: the path of the file, for programs that want one.
                env[slot.env_file] = str(project_dir / slot.filename)
            if slot.env and slot.id in values:
                value = values[slot.id]
                if isinstance(value, bytes):
                    try:
                        value = value.decode("utf-8")
                    except UnicodeDecodeError:
                        log.warning(
                            "Slot %r of project %s: the value is binary (not UTF-8 text), so "
                            "it is not given as $%s (read the file instead)",
                            slot.name,
                            project.id,
                            slot.env,
                        )
                        continue
                if "\0" in value:
                    # No process can receive it (execve refuses it); the file still holds it.
                    log.warning(
                        "Slot %r of project %s: the value holds a NUL character, so it is not "
                        "given as $%s (read the file instead)",
                        slot.name,
                        project.id,
                        slot.env,
                    )
                    continue
                env[slot.env] = value
        return env

    @staticmethod
    def _written_values(project: Project, project_dir: Path) -> dict[str, SecretValue]:
        """{slot id: value} of the project's env slots, from the files written earlier."""
        values: dict[str, SecretValue] = {}
        for slot in project.slots.slots:
            if slot.env or slot.env_file:
                try:
                    values[slot.id] = (project_dir / slot.filename).read_bytes()
                except OSError:
                    continue  # not written (no value, expired, or never written in this run)
        return values

    def _no_project_env(self) -> dict[str, str]:
        """An empty directory, so that get_secret() explains there is no project."""
        assert self.materializer is not None
        try:
            self.materializer.write_project(NO_PROJECT, [])
        except (OSError, SecretsError) as err:
            log.error("jupyter_secrets: cannot prepare the kernel's secrets directory: %s", err)
            return {}
        return {"JUPYTER_SECRETS_DIR": str(self.materializer.project_dir(NO_PROJECT))}

    # ------------------------------------------------------------------ writing

    def write(self, project: Project) -> dict[str, SecretValue]:
        """Write the project's usable values as files; return {slot id: value} of the slots
        with ``env`` or ``env_file``."""
        if self.materializer is None or self.store.locked:
            return {}
        bound = self.store.bound_secrets(self.owner, project.id)
        now = utcnow()
        # slot id -> secret id of the slots to write: bound, and the secret not expired.
        usable = {
            slot.id: meta.id
            for slot in project.slots.slots
            if (meta := bound.get(slot.id)) is not None and not is_expired(meta, now)
        }
        read = self.fetch_references(
            self.store.read_values(self.owner, usable.values()),
            {sid: bound[slot_id] for slot_id, sid in usable.items()},
        )
        entries: list[tuple[str, str, SecretValue]] = []
        values: dict[str, SecretValue] = {}
        for slot in project.slots.slots:
            secret_id = usable.get(slot.id)
            if secret_id is None:
                continue
            value = read.values.get(secret_id)
            if value is None:
                err = read.errors.get(secret_id, NotFound(f"no secret with id {secret_id}"))
                if isinstance(err, SecretUnreadable):
                    self.unreadable.add(secret_id)
                log.warning("Slot %r of project %s not written: %s", slot.name, project.id, err)
                continue
            self.unreadable.discard(secret_id)
            entries.append((slot.name, slot.filename, value))
            if slot.env or slot.env_file:
                values[slot.id] = value
        try:
            self.materializer.write_project(project.id, entries)
        except (OSError, SecretsError) as err:
            # The store already holds the change: report the files problem (status, log)
            # rather than fail a request whose change was made.
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            self._files_errors[project.id] = (
                f"the secret files of project {project.id} cannot be written: {reason}"
            )
            log.error("jupyter_secrets: %s", self._files_errors[project.id])
            return {}
        self._files_errors.pop(project.id, None)
        written = {form: name for name, _, value in entries for form in redaction_forms(value)}
        if self.exposed.set_project(project.id, written):
            self._write_redaction_set()
        return values

    def fetch_references(
        self, read: ValueBatch, metas: Mapping[str, SecretMeta] | None = None
    ) -> ValueBatch:
        """The values of reference secrets fetched (or the reason why not) in place of the
        references the store holds; plain values pass through (and clear a failure of the
        reference they replaced).  ``metas``: the secrets read, to date their failures."""
        stored = {sid: v for sid, v in read.values.items() if is_stored_reference(v)}
        for sid in read.values.keys() - stored.keys():
            self.clear_fetch_failure(sid)  # a plain value now: nothing to fetch
        if not stored:
            return read
        values, errors = dict(read.values), dict(read.errors)
        references = {}
        for sid, value in stored.items():
            del values[sid]
            reference = stored_reference(value)
            if reference is None:
                errors[sid] = SecretUnreadable(sid, "its stored reference is damaged")
            else:
                references[sid] = reference
        fetched = self.fetcher.fetch_all(references)
        for sid, data in fetched.values.items():
            self.clear_fetch_failure(sid)
            try:
                values[sid] = data.decode("utf-8")
            except UnicodeDecodeError:
                values[sid] = data
        for sid, err in fetched.errors.items():
            errors[sid] = err
            if not isinstance(err, FetchPending):
                self.fetch_failed[sid] = err.reason
                meta = (metas or {}).get(sid)
                self._failed_version[sid] = meta.modified if meta is not None else None
        return ValueBatch(values, errors)

    def _write_redaction_set(self) -> None:
        assert self.materializer is not None
        try:
            self.materializer.write_redaction_set(self.exposed.all())
        except (OSError, SecretsError) as err:
            # The kernels' own directories still redact their current values.
            log.error("jupyter_secrets: cannot update the kernels' redaction set: %s", err)

    def secret_users(self, secret_id: str, also: Project | None = None) -> None:
        """Rewrite every project the secret fills (and ``also``, just changed)."""
        project_ids = {b.project_id for b in self.store.bindings(self.owner, secret_id=secret_id)}
        if also is not None:
            project_ids.add(also.id)
        self.rewrite(project_ids, also)

    def rewrite(self, project_ids: Iterable[str], known: Project | None = None) -> None:
        """Rewrite these projects' files, best effort: the change they follow is committed, so
        a project whose slot file broke meanwhile is logged and skipped, not an error."""
        for project_id in project_ids:
            try:
                project = (
                    known
                    if known is not None and known.id == project_id
                    else self.registry.find(project_id)
                )
            except (SlotFileError, Conflict) as err:
                log.warning(
                    "Secret files of project %s not rewritten: %s", project_id, problem_of(err)
                )
                continue
            if project is not None:
                self.write(project)

    def write_known_projects(self) -> None:
        """At start: the files of the root's project and of every project the store remembers."""
        for directory in self.registry.start_candidates():
            try:
                project = self.registry.load(directory)
            except (SecretsError, OSError):
                continue
            if project is not None:
                self.write(project)
