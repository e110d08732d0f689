"""SQLiteSecretStore: the embedded default store, one SQLite file per user account.

Default files (both private to the user running Jupyter)::

    <jupyter data dir>/jupyter_secrets/     mode 0700 when we create it
        secrets.sqlite3 (+ -wal, -shm)       mode 0600; values AES-GCM encrypted
        secrets.key                          mode 0600; only used if JUPYTER_SECRETS_KEY is unset

Durability and concurrency: WAL journal with ``synchronous=FULL`` (a write acknowledged is on
disk), a busy timeout and ``BEGIN IMMEDIATE`` write transactions, so two servers and the CLI
can use one store at once.  Within a process, one connection is shared under a lock.

Locking: a key-check token (a known plaintext encrypted under the key) sits in ``meta``.  At
open, if no configured key decrypts it, or the keys cannot be loaded at all (malformed, unsafe
key file, key file missing while the store holds data), the store is *locked*: it reopens the
file read-only, metadata can be listed, ``read_value`` and every write raise ``StoreLocked``
with ``lock_reason``, and nothing is ever written.  A store file SQLite cannot read is locked
the same way rather than touched, and so is a store path that is a dangling symbolic link (the
database would be created wherever it points) or whose ``-wal``/``-shm`` file is a link.  A
link to an existing store file is followed, as for the key file.

Values of every shape: the ``is_binary`` column says whether a value is bytes (``bytes`` in
and out) or text (``str``); the plaintext is encrypted as bytes either way, and the associated
data of a binary value says so, so that flipping the column makes the value unreadable rather
than silently another type.  Schema 2 added the column: a store of schema 1 is migrated at
its first writable open (every value text, as it was); a locked one is read as all text.

Extension secrets: the ``namespace`` column names the JupyterLab extension that keeps a secret
through jupyter-secrets-manager (``core/extension_secrets.py``); NULL for the user's own.
Schema 3 added it (a store of schema 2 is migrated at its first writable open, every secret
the user's; a locked one is read without it).

Creation: ``meta`` also holds ``created_at``, written by the open that creates the store
(``created_now``).  A store made by an older version (0.1.0) has none: ``created_at`` is then None
(a file's times say when it last changed, not when it was made, so none is guessed).

Why one module of about 800 lines: it is one class implementing the whole ``SecretStore``
interface over one connection, one lock and one transaction discipline (probe, key check,
``BEGIN IMMEDIATE``, error mapping); split, each part would need the others' private state.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from json.encoder import encode_basestring_ascii as _json_string
from pathlib import Path
from typing import Any
from uuid import uuid4

from traitlets import Float

from jupyter_secrets.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    SecretsError,
    SecretUnreadable,
    StoreLocked,
    StoreUnavailable,
)
from jupyter_secrets.rules import name_key, normalise_expires
from jupyter_secrets.store.base import (
    DEFAULT_MAX_VALUE_BYTES,
    REFERENCE_MARKER,
    UNSET,
    Binding,
    ProjectRecord,
    SecretMeta,
    SecretStore,
    SecretValue,
    ValueBatch,
    _Unset,
    check_id,
    check_name,
    decode_value,
    encode_value,
    free_name,
    is_binary,
    is_reference_value,
    slot_changed,
    utc_now,
)
from jupyter_secrets.store.crypto import (
    ENV_VAR,
    DecryptError,
    Keyring,
    KeyringError,
    blob_key_id,
    ensure_private_dir,
)

log = logging.getLogger(__name__)

STORE_FILE_NAME = "secrets.sqlite3"
KEY_FILE_NAME = "secrets.key"
SCHEMA_VERSION = 4  # 2: the is_binary column (values of every shape); 3: namespace;
# 4: is_reference (a reference, core/references.py, told apart without decrypting)
BUSY_TIMEOUT_SECONDS = 30.0

# Called with ``create``: whether a new key may be made (only when the store holds no data).
KeyringFactory = Callable[[bool], Keyring]

_KEY_CHECK_PLAINTEXT = b"jupyter_secrets key check v1"
_KEY_CHECK_AAD = b'["key-check"]'

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    """CREATE TABLE IF NOT EXISTS secrets (
        id TEXT PRIMARY KEY, user TEXT NOT NULL, name TEXT NOT NULL,
        ciphertext BLOB NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL, expires TEXT,
        name_key TEXT, is_binary INTEGER NOT NULL DEFAULT 0, namespace TEXT,
        is_reference INTEGER NOT NULL DEFAULT 0,
        UNIQUE (user, name))""",
    """CREATE TABLE IF NOT EXISTS bindings (
        user TEXT NOT NULL, project_id TEXT NOT NULL, slot_id TEXT NOT NULL,
        secret_id TEXT NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
        PRIMARY KEY (user, project_id, slot_id))""",
    "CREATE INDEX IF NOT EXISTS bindings_by_secret ON bindings (secret_id)",
    """CREATE TABLE IF NOT EXISTS projects (
        user TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, last_path TEXT NOT NULL,
        PRIMARY KEY (user, id))""",
)

_META_COLUMNS = "id, name, created, modified, expires"
_INSERT_SECRET = (
    "INSERT INTO secrets (id, user, name, name_key, ciphertext, created, modified, expires, "
    "is_binary, namespace, is_reference) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _insert_secret(
    db: sqlite3.Connection,
    secret_id: str,
    user: str,
    name: str,
    blob: bytes,
    now: str,
    expires: str | None,
    binary: bool,
    namespace: str | None,
    value: Any,
) -> None:
    """One new row of ``secrets`` (created and modified both ``now``): the one INSERT of
    ``create_secret`` and ``create_and_bind``."""
    db.execute(
        _INSERT_SECRET,
        (
            secret_id,
            user,
            name,
            name_key(name),
            blob,
            now,
            now,
            expires,
            int(binary),
            namespace,
            int(is_reference_value(value)),
        ),
    )


_SLOT_BINDING = "SELECT secret_id FROM bindings WHERE user = ? AND project_id = ? AND slot_id = ?"
_CACHE_KIB = 512
# Ids per query of read_values: under SQLite's smallest limit of bound parameters (999).
_IDS_PER_QUERY = 500


def default_store_path() -> Path:
    """``<jupyter data dir>/jupyter_secrets/secrets.sqlite3``."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "jupyter_secrets" / STORE_FILE_NAME


def default_key_file(store_path: Path | str) -> Path:
    """``secrets.key`` beside the store file (same private directory, not inside the database)."""
    return Path(store_path).with_name(KEY_FILE_NAME)


def _on_read_only_file_system(directory: Path) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _aad(user: str, secret_id: str, binary: bool = False) -> bytes:
    # Binds a ciphertext to its row: moved to another row or user, it fails authentication.
    # Byte for byte ``json.dumps(["secret", user, secret_id]).encode("utf-8")`` (what every
    # stored text value was sealed with), built without the general encoder: ``json.dumps`` of
    # a list of strings is their ``encode_basestring_ascii`` joined by ", " within brackets.
    # A binary value adds ``"binary"``: its is_binary column cannot be flipped unnoticed.
    if type(user) is str and type(secret_id) is str:
        tail = ', "binary"]' if binary else "]"
        return ('["secret", ' + _json_string(user) + ", " + _json_string(secret_id) + tail).encode()
    parts = ["secret", user, secret_id, *(["binary"] if binary else [])]
    return json.dumps(parts).encode("utf-8")


def _plain_ids(ids: Iterable[str]) -> bool:
    """Every id is alphanumeric ASCII (the store's own ids, ``uuid4().hex``): JSON quotes such an
    id as it is, so ``_text_aads`` may build its associated data by concatenation."""
    joined = "".join(ids)  # one check of all the ids at once (str.isalnum is 30x slower)
    return joined.isascii() and (joined.encode().isalnum() or not joined)


def _text_aads(user: str, plain_ids: Iterable[str]) -> list[bytes]:
    """``_aad(user, id)`` of text values under plain ids (``_plain_ids``), built in bulk."""
    head = _aad(user, "")[: -len(b'""]')] + b'"'  # '["secret", "<user>", "'
    return [head + secret_id.encode() + b'"]' for secret_id in plain_ids]


def _meta(row: tuple) -> SecretMeta:
    return SecretMeta(
        id=row[0],
        name=row[1],
        created=row[2],
        # One string for both when the secret was never changed (memory of long listings).
        modified=row[2] if row[3] == row[2] else row[3],
        expires=row[4],
        binary=bool(row[5]),
        namespace=row[6] if len(row) > 6 else None,
        reference=bool(row[7]) if len(row) > 7 else False,
    )


class SQLiteSecretStore(SecretStore):
    """User secrets in one SQLite file, values encrypted by a ``Keyring``."""

    knows_references = True  # the is_reference column

    busy_timeout = Float(
        BUSY_TIMEOUT_SECONDS,
        config=True,
        help="""Seconds a write waits for another process (a second server, the CLI) holding
        the database's write lock before it answers that the store is busy.""",
    )

    def __init__(
        self,
        path: Path | str,
        keyring: Keyring | KeyringFactory,
        max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
        *,
        busy_timeout: float | None = None,
        parent: Any = None,
    ):
        super().__init__(parent=parent)
        if busy_timeout is not None:
            self.busy_timeout = busy_timeout
        self.path = Path(path)
        self.max_value_bytes = max_value_bytes
        self.locked = False
        self.lock_reason = ""
        self.created_now = False
        self.created_at: str | None = None
        self._busy_timeout = self.busy_timeout
        self._lock = threading.RLock()
        self._keyring: Keyring | None = None
        self._conn: sqlite3.Connection | None = None
        # A locked store of schema 1 (never migrated: nothing is written to it) has no
        # is_binary column: its values are all text.
        self._binary_column = "is_binary"
        # Nor has one of schema 2 the namespace column: none of its secrets is an extension's.
        self._namespace_column = "namespace"
        # Nor has one of schema 3 is_reference: a locked store cannot tell (all False).
        self._reference_column = "is_reference"

        probe, key_check, has_data = self._probe()
        try:
            self._keyring = keyring if isinstance(keyring, Keyring) else keyring(not has_data)
        except KeyringError as err:
            self._lock_with(err.message)
        if not self.locked and key_check is not None:
            self._verify_key_check(key_check)
        if self.locked:
            self._conn = probe if probe is not None else self._empty_memory_db()
            if not self._has_binary_column(self._conn):
                self._binary_column = "0"
            if not self._has_column(self._conn, "namespace"):
                self._namespace_column = "NULL"
            if not self._has_column(self._conn, "is_reference"):
                self._reference_column = "0"
            log.warning("Secret store %s is locked: %s", self.path, self.lock_reason)
            return
        if probe is not None:
            probe.close()
        self._conn = self._open_writable()

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        key_file: str | Path | None = None,
        max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
        env: Mapping[str, str] = os.environ,
        parent: Any = None,
    ) -> SQLiteSecretStore:
        """The store at ``path`` with keys from ``JUPYTER_SECRETS_KEY``, else from ``key_file``
        (default ``secrets.key`` beside ``path``), created only if the store is new."""
        path = Path(path).expanduser()
        key_path = Path(key_file).expanduser() if key_file else default_key_file(path)
        return cls(
            path,
            lambda create: Keyring.from_env_or_file(key_path, env, create=create),
            max_value_bytes,
            parent=parent,
        )

    # ---------------------------------------------------------------- opening

    def _probe(self) -> tuple[sqlite3.Connection | None, bytes | None, bool]:
        """Read-only look at an existing file: (connection, key-check token, holds data?)."""
        link_problem = self._link_problem()
        if link_problem:
            self._lock_with(link_problem)
            return None, None, True  # "holds data": so that no key file is made for it either
        if not self.path.exists():
            return None, None, False
        try:
            return self._probe_at(f"file:{self.path}?mode=ro")
        except sqlite3.DatabaseError as err:
            if not _on_read_only_file_system(self.path.parent):
                # Never "repair" a file we cannot read: it may be the only copy of the user's data.
                self._lock_with(
                    f"the secret store {self.path} cannot be read ({err}); it is left untouched"
                )
                return None, None, True
        # SQLite cannot open a WAL database read-only without creating its -shm file; on a
        # read-only file system nothing can change it, so it is safe to read as immutable.
        try:
            probe = self._probe_at(f"file:{self.path}?mode=ro&immutable=1")
        except sqlite3.DatabaseError as err:
            self._lock_with(
                f"the secret store {self.path} cannot be read ({err}); it is left untouched"
            )
            return None, None, True
        self._lock_with(
            f"the secret store {self.path} is on a read-only file system: it is shown read-only "
            "and nothing is written to it"
        )
        return probe

    def _link_problem(self) -> str | None:
        """Why the store's path cannot be used because of a symbolic link, or None."""
        if self.path.is_symlink() and not self.path.exists():
            return (
                f"the secret store {self.path} is a symbolic link to {os.readlink(self.path)}, "
                "which does not exist: refusing to create the store where a link points "
                "(remove the link, or restore the file it points to)"
            )
        # SQLite puts these beside the real file and refuses links there ("unable to open").
        real = Path(os.path.realpath(self.path))
        for suffix in ("-wal", "-shm"):
            companion = real.with_name(real.name + suffix)
            if companion.is_symlink():
                return (
                    f"{companion} is a symbolic link, where SQLite keeps the store's recent "
                    "changes: refusing to use the store until that link is removed"
                )
        return None

    def _probe_at(self, uri: str) -> tuple[sqlite3.Connection | None, bytes | None, bool]:
        conn = self._connect(uri, uri=True)
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "secrets" not in tables or "meta" not in tables:
                conn.close()
                return None, None, False
            rows = dict(conn.execute("SELECT key, value FROM meta"))
            created_at = rows.get("created_at")
            self.created_at = created_at if isinstance(created_at, str) else None
            if int(rows.get("schema_version", SCHEMA_VERSION)) > SCHEMA_VERSION:
                self._lock_with(
                    f"the secret store {self.path} was written by a newer jupyter_secrets: "
                    "upgrade jupyter_secrets"
                )
            key_check = rows.get("key_check")
            has_data = (
                key_check is not None
                or conn.execute("SELECT 1 FROM secrets LIMIT 1").fetchone() is not None
            )
            return conn, key_check, has_data
        except BaseException:
            conn.close()
            raise

    def _verify_key_check(self, token: bytes) -> None:
        assert self._keyring is not None
        try:
            self._keyring.decrypt(token, _KEY_CHECK_AAD)
        except DecryptError:
            kid = blob_key_id(token)
            self._lock_with(
                f"the keys from {self._keyring.source} cannot decrypt the secret store {self.path}"
                + (f" (it was encrypted with key id {kid.hex()[:8]})" if kid else "")
                + f": set {ENV_VAR} to the key that encrypted it, or restore that key file"
            )

    def _lock_with(self, reason: str) -> None:
        if not self.locked:
            self.locked = True
            self.lock_reason = reason + ". Nothing is written to the store while it is locked."

    def _connect(self, target: str, uri: bool = False) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        return sqlite3.connect(
            target,
            uri=uri,
            timeout=self._busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )

    def _empty_memory_db(self) -> sqlite3.Connection:
        """A locked store with no readable file answers reads from an empty schema."""
        conn = self._connect(":memory:")
        for statement in _SCHEMA:
            conn.execute(statement)
        return conn

    def _open_writable(self) -> sqlite3.Connection:
        try:
            ensure_private_dir(self.path.parent)
            try:
                # SQLite gives the -wal and -shm files the mode of the database file.
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
                os.fchmod(fd, 0o600)
                os.close(fd)
            except FileExistsError:
                pass
            conn = self._connect(str(self.path))
        except OSError as err:
            raise StoreUnavailable(
                f"the secret store {self.path} cannot be created: {err.strerror}"
            ) from err
        self._conn = conn
        with self._db_errors():
            self._enable_wal(conn)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            # A page cache of 512 KiB instead of SQLite's 2 MiB: a server's peak memory with a
            # store of 10,000 secrets (issue 16, memory_10k).  What is read on every request
            # (the tables' inner pages, a project's rows) fits; a whole-table pass (a listing,
            # read_values of most secrets) reads past any cache of 2 MiB anyway.
            conn.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        with self._write() as db:
            for statement in _SCHEMA:
                db.execute(statement)
            self._fill_name_keys(db)
            if not self._has_binary_column(db):
                # Schema 1 -> 2: every value stored so far is text.
                db.execute("ALTER TABLE secrets ADD COLUMN is_binary INTEGER NOT NULL DEFAULT 0")
            if not self._has_column(db, "namespace"):
                # Schema 2 -> 3: the secrets saved so far are the user's, no extension's.
                db.execute("ALTER TABLE secrets ADD COLUMN namespace TEXT")
            if not self._has_column(db, "is_reference"):
                # Schema 3 -> 4: which binary values are references, read once here.
                db.execute("ALTER TABLE secrets ADD COLUMN is_reference INTEGER NOT NULL DEFAULT 0")
                self._flag_references(db)
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )
            # New when nothing was ever written: no key check and no secret (under the write
            # lock, so of two processes creating the store at once only one says so).
            self.created_now = (
                db.execute("SELECT 1 FROM meta WHERE key = 'key_check'").fetchone() is None
                and db.execute("SELECT 1 FROM secrets LIMIT 1").fetchone() is None
            )
            if self.created_now:
                db.execute("INSERT INTO meta (key, value) VALUES ('created_at', ?)", (utc_now(),))
            row = db.execute("SELECT value FROM meta WHERE key = 'created_at'").fetchone()
            self.created_at = row[0] if row and isinstance(row[0], str) else None
            assert self._keyring is not None
            db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('key_check', ?)",
                (self._keyring.encrypt(_KEY_CHECK_PLAINTEXT, _KEY_CHECK_AAD),),
            )
            token = db.execute("SELECT value FROM meta WHERE key = 'key_check'").fetchone()[0]
        # Another process may have initialised the store first, under another key.
        self._verify_key_check(token)
        return conn

    def _enable_wal(self, conn: sqlite3.Connection) -> None:
        # Switching a new database to WAL can fail with "database is locked" without waiting
        # for the busy timeout when another process opens it at the same moment: retry.
        deadline = time.monotonic() + self._busy_timeout
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        if mode != "wal":
            log.warning(
                "Secret store %s: WAL journal unavailable (%s); concurrent use is slower",
                self.path,
                mode,
            )

    # ---------------------------------------------------------------- plumbing

    @contextmanager
    def _db_errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.IntegrityError:
            raise
        except sqlite3.DatabaseError as err:
            # SQLite's messages ("database or disk is full", "attempt to write a readonly
            # database") never contain our data: queries are parameterised.
            raise StoreUnavailable(f"the secret store {self.path} cannot be used: {err}") from err

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreUnavailable(f"the secret store {self.path} is closed")
        return self._conn

    def data_version(self) -> tuple[int, int]:
        """Changes when the store's data may have changed: ``PRAGMA data_version`` (bumped by
        commits of *other* connections: the CLI, another server) and this connection's
        ``total_changes`` (its own writes).  What caches of store-derived models key on."""
        with self._lock, self._db_errors():
            conn = self._connection()
            (version,) = conn.execute("PRAGMA data_version").fetchone()
            return int(version), conn.total_changes

    def data_version_nowait(self) -> tuple[int, int] | None:
        """``data_version()`` for a caller that must never wait (the server's event loop, for
        the project model cache's fast path): None when another thread holds the store (a
        write, its fsync) or the database is busy (SQLite's busy timeout is 0 for this one
        query), so that the caller takes its usual way through a worker thread instead."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            conn = self._conn
            if conn is None:
                return None
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                (version,) = conn.execute("PRAGMA data_version").fetchone()
            finally:
                conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            return int(version), conn.total_changes
        except sqlite3.Error:
            return None
        finally:
            self._lock.release()

    def _check_writable(self) -> None:
        if self.locked:
            raise StoreLocked(self.lock_reason)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, locked at its start (BEGIN IMMEDIATE): never fails midway
        on another writer's lock, the busy timeout covers the wait."""
        self._check_writable()
        with self._lock, self._db_errors():
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # SQLite already rolled back (e.g. disk full); report the first error
                raise

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock, self._db_errors():
            return self._connection().execute(sql, params).fetchall()

    def _secret_row(self, db: sqlite3.Connection, user: str, secret_id: str) -> SecretMeta:
        row = db.execute(
            f"SELECT {self._meta_columns()} FROM secrets WHERE user = ? AND id = ?",
            (user, secret_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"no secret with id {secret_id}")
        return _meta(row)

    def _meta_columns(self) -> str:
        return (
            f"{_META_COLUMNS}, {self._binary_column}, {self._namespace_column}, "
            f"{self._reference_column}"
        )

    def _flag_references(self, db: sqlite3.Connection) -> None:
        """Set is_reference of the binary values that are references (a migration to 4)."""
        assert self._keyring is not None
        rows = db.execute("SELECT id, user, ciphertext FROM secrets WHERE is_binary = 1")
        flagged = []
        for secret_id, user, blob in rows.fetchall():
            try:
                data = self._keyring.decrypt(blob, _aad(user, secret_id, True))
            except DecryptError:
                continue  # unreadable: shown as such, never run
            if data.startswith(REFERENCE_MARKER):
                flagged.append((secret_id,))
        db.executemany("UPDATE secrets SET is_reference = 1 WHERE id = ?", flagged)

    @staticmethod
    def _has_column(db: sqlite3.Connection, column: str) -> bool:
        return any(row[1] == column for row in db.execute("PRAGMA table_info(secrets)"))

    @staticmethod
    def _has_binary_column(db: sqlite3.Connection) -> bool:
        return any(row[1] == "is_binary" for row in db.execute("PRAGMA table_info(secrets)"))

    @staticmethod
    def _fill_name_keys(db: sqlite3.Connection) -> None:
        """Give every row its look-alike key (``validation.name_key``), indexed.

        Stores of 0.1.0 have no such column, and a row written by an older version has none:
        both are filled here, at each writable open (a no-op once done).  The index is not
        unique: look-alike names saved before this rule existed stay readable as they are.
        """
        columns = {row[1] for row in db.execute("PRAGMA table_info(secrets)")}
        if "name_key" not in columns:
            db.execute("ALTER TABLE secrets ADD COLUMN name_key TEXT")
        db.execute("CREATE INDEX IF NOT EXISTS secrets_by_name_key ON secrets (user, name_key)")
        missing = db.execute("SELECT id, name FROM secrets WHERE name_key IS NULL").fetchall()
        db.executemany(
            "UPDATE secrets SET name_key = ? WHERE id = ?",
            [(name_key(name), secret_id) for secret_id, name in missing],
        )

    @staticmethod
    def _check_name_free(
        db: sqlite3.Connection, user: str, name: str, own_id: str | None = None
    ) -> None:
        """Conflict when another secret of ``user`` has this name or one that looks the same."""
        row = db.execute(
            "SELECT name FROM secrets WHERE user = ? AND (name = ? OR name_key = ?) AND id <> ? LIMIT 1",
            (user, name, name_key(name), own_id or ""),
        ).fetchone()
        if row is not None:
            looks = "" if row[0] == name else " (the two names look the same)"
            raise Conflict(
                f"name: '{name}' is already used by the secret '{row[0]}'{looks}", field="name"
            )

    # ---------------------------------------------------------------- secrets

    def list_secrets(self, user: str) -> list[SecretMeta]:
        # Row by row from the cursor, not fetchall(): 10,000 rows are never held beside the
        # 10,000 records made of them (issue 16, peak memory).
        with self._lock, self._db_errors():
            cursor = self._connection().execute(
                f"SELECT {self._meta_columns()} FROM secrets WHERE user = ? ORDER BY name, id",
                (user,),
            )
            return list(map(_meta, cursor))

    def get_secret(self, user: str, secret_id: str) -> SecretMeta:
        with self._lock, self._db_errors():
            return self._secret_row(self._connection(), user, secret_id)

    def read_value(self, user: str, secret_id: str) -> SecretValue:
        self._check_writable()  # a locked store's keys are wrong: nothing to decrypt with
        rows = self._query(
            "SELECT ciphertext, is_binary FROM secrets WHERE user = ? AND id = ?",
            (user, secret_id),
        )
        if not rows:
            raise NotFound(f"no secret with id {secret_id}")
        return self._read_row(user, secret_id, rows[0][0], bool(rows[0][1]))

    def read_values(self, user: str, secret_ids: Iterable[str]) -> ValueBatch:
        """The values of several secrets: the text ones in one query (per 500 ids; one pass
        over the table when most of the user's are asked) and, under plain ids (the store's
        own), decrypted in bulk (``Keyring.decrypt_all``); the others (binary, missing, odd
        ids, or all if the bulk path refuses one) fetched by id and read one by one as
        ``read_value`` does (``_read_row``: the same answers and messages)."""
        self._check_writable()  # a locked store's keys are wrong: nothing to decrypt with
        wanted = dict.fromkeys(secret_ids)  # the ids asked, once each, in order
        keyring = self._keyring
        assert keyring is not None
        # Why map() and zip() rather than one loop: at 10,000 values a loop's few operations
        # per value cost as much as the decryption itself (issue 16); these run in C.
        with self._lock, self._db_errors():
            texts = dict(self._text_rows(self._connection(), user, wanted))  # id -> ciphertext
        blobs: list[Any] = list(map(texts.get, wanted))  # None: not a text value of the user's
        if all(blobs) and _plain_ids(wanted):  # all of them text, usually
            plain = keyring.decrypt_all(blobs, _text_aads(user, wanted))
            if plain is not None:
                try:
                    return ValueBatch(dict(zip(wanted, map(bytes.decode, plain))), {})
                except UnicodeDecodeError:
                    pass  # one is not text: the loop below says which
        # Some are not text, or missing, or the bulk path refused one: the rest one by one.
        values: dict[str, SecretValue] = {}
        errors: dict[str, SecretsError] = {}
        others = [sid for sid, blob in zip(wanted, blobs) if blob is None]
        found: dict[str, tuple] = {}
        if others:
            with self._lock, self._db_errors():
                rows = self._value_rows(self._connection(), user, others)
            found = {row[0]: row for row in rows}
        for secret_id, blob in zip(wanted, blobs):
            binary = False
            if blob is None:
                row = found.get(secret_id)
                if row is None:
                    errors[secret_id] = NotFound(f"no secret with id {secret_id}")
                    continue
                blob, binary = row[1], bool(row[2])
            try:
                values[secret_id] = self._read_row(user, secret_id, blob, binary)
            except SecretUnreadable as err:
                errors[secret_id] = err
        return ValueBatch(values, errors)

    def _read_row(self, user: str, secret_id: str, blob: bytes, binary: bool) -> SecretValue:
        """The value of one fetched row, or ``SecretUnreadable`` (``read_value``'s last step)."""
        assert self._keyring is not None
        try:
            data = self._keyring.decrypt(blob, _aad(user, secret_id, binary))
        except DecryptError as err:
            raise SecretUnreadable(secret_id, str(err)) from None
        return decode_value(secret_id, data, binary)

    @staticmethod
    def _text_rows(db: sqlite3.Connection, user: str, wanted: Collection[str]) -> list[tuple]:
        """Rows ``(id, ciphertext)`` of the user's text values among ``wanted`` (or of all the
        user's, when most of them are asked: the caller keeps the asked ones).  What
        ``read_values`` decrypts in bulk, and the floor its benchmark reports (the same
        query)."""
        return SQLiteSecretStore._rows(db, user, wanted, "id, ciphertext", "AND is_binary = 0")

    @staticmethod
    def _value_rows(db: sqlite3.Connection, user: str, wanted: Collection[str]) -> list[tuple]:
        """Rows ``(id, ciphertext, is_binary)`` of the user's secrets among ``wanted``."""
        return SQLiteSecretStore._rows(db, user, wanted, "id, ciphertext, is_binary", "")

    @staticmethod
    def _rows(
        db: sqlite3.Connection, user: str, wanted: Collection[str], columns: str, where: str
    ) -> list[tuple]:
        if len(wanted) > _IDS_PER_QUERY:
            (mine,) = db.execute("SELECT count(*) FROM secrets WHERE user = ?", (user,)).fetchone()
            (every,) = db.execute("SELECT count(*) FROM secrets").fetchone()
            if mine <= 2 * len(wanted) and every <= 2 * mine:
                # Most of the user's secrets, who owns most of the table: one pass over the
                # table in its order ("+user": not through the (user, name) index, a lookup
                # of the table per row) beats a lookup for each id.
                query = f"SELECT {columns} FROM secrets WHERE +user = ? {where}"
                return db.execute(query, (user,)).fetchall()
        rows: list[tuple] = []
        ids = list(wanted)
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start : start + _IDS_PER_QUERY]
            # "+user" keeps SQLite on the primary key (a lookup per id): for a long IN list it
            # would otherwise walk every row of the user through the (user, name) index.
            rows += db.execute(
                f"SELECT {columns} FROM secrets WHERE +user = ? {where} AND id IN "
                f"({', '.join('?' * len(chunk))})",
                (user, *chunk),
            ).fetchall()
        return rows

    def create_secret(
        self,
        user: str,
        name: str,
        value: SecretValue,
        expires: str | None = None,
        namespace: str | None = None,
    ) -> SecretMeta:
        self._check_writable()
        name = check_name(name)
        data, binary = encode_value(value, self.max_value_bytes), is_binary(value)
        expires = normalise_expires(expires)
        secret_id, now = uuid4().hex, utc_now()
        assert self._keyring is not None
        blob = self._keyring.encrypt(data, _aad(user, secret_id, binary))
        with self._write() as db:
            self._check_name_free(db, user, name)
            _insert_secret(db, secret_id, user, name, blob, now, expires, binary, namespace, value)
        return SecretMeta(
            id=secret_id,
            name=name,
            created=now,
            modified=now,
            expires=expires,
            binary=binary,
            namespace=namespace,
            reference=is_reference_value(value),
        )

    def update_secret(
        self,
        user: str,
        secret_id: str,
        *,
        name: str | _Unset = UNSET,
        value: SecretValue | _Unset = UNSET,
        expires: str | _Unset | None = UNSET,
    ) -> SecretMeta:
        self._check_writable()
        changes: dict[str, Any] = {}
        if name is not UNSET:
            changes["name"] = check_name(name)
        if not isinstance(value, _Unset):
            assert self._keyring is not None
            data, binary = encode_value(value, self.max_value_bytes), is_binary(value)
            changes["ciphertext"] = self._keyring.encrypt(data, _aad(user, secret_id, binary))
            changes["is_binary"] = int(binary)
            changes["is_reference"] = int(is_reference_value(value))
        if expires is not UNSET:
            changes["expires"] = normalise_expires(expires)
        with self._write() as db:
            current = self._secret_row(db, user, secret_id)
            if not changes:
                return current
            if "name" in changes and current.namespace and changes["name"] != current.name:
                raise InvalidInput(
                    "name",
                    f"'{current.name}' is kept by the extension '{current.namespace}' under this "
                    "name (its key): it cannot be renamed",
                )
            if "name" in changes:
                self._check_name_free(db, user, changes["name"], own_id=secret_id)
                changes["name_key"] = name_key(changes["name"])
            changes["modified"] = utc_now()
            assignments = ", ".join(f"{column} = ?" for column in changes)  # column names are ours
            db.execute(
                f"UPDATE secrets SET {assignments} WHERE user = ? AND id = ?",
                (*changes.values(), user, secret_id),
            )
            return self._secret_row(db, user, secret_id)

    def delete_secret(self, user: str, secret_id: str) -> list[Binding]:
        with self._write() as db:
            self._secret_row(db, user, secret_id)
            removed = [
                Binding(*row)
                for row in db.execute(
                    "SELECT project_id, slot_id, secret_id FROM bindings "
                    "WHERE user = ? AND secret_id = ? ORDER BY project_id, slot_id",
                    (user, secret_id),
                )
            ]
            db.execute(
                "DELETE FROM secrets WHERE user = ? AND id = ?", (user, secret_id)
            )  # cascades
        return removed

    def create_and_bind(
        self,
        user: str,
        project_id: str,
        slot_id: str,
        name: str,
        value: SecretValue,
        *,
        expires: str | None = None,
        unique_name: bool = False,
        expected_secret_id: str | _Unset | None = UNSET,
    ) -> SecretMeta:
        """See ``SecretStore.create_and_bind``: here one ``BEGIN IMMEDIATE`` transaction, so
        the binding checked, the free name chosen, the secret and its binding are one step
        that no other process can interleave with."""
        self._check_writable()
        check_id("project_id", project_id)
        check_id("slot_id", slot_id)
        name = check_name(name)
        data, binary = encode_value(value, self.max_value_bytes), is_binary(value)
        expires = normalise_expires(expires)
        secret_id, now = uuid4().hex, utc_now()
        assert self._keyring is not None
        blob = self._keyring.encrypt(data, _aad(user, secret_id, binary))  # outside the write lock
        with self._write() as db:
            if expected_secret_id is not UNSET:
                row = db.execute(_SLOT_BINDING, (user, project_id, slot_id)).fetchone()
                if (row[0] if row else None) != expected_secret_id:
                    raise slot_changed(project_id, slot_id)
            if unique_name:
                names = db.execute("SELECT name FROM secrets WHERE user = ?", (user,))
                name = free_name(name, {row[0] for row in names})
            else:
                self._check_name_free(db, user, name)
            _insert_secret(db, secret_id, user, name, blob, now, expires, binary, None, value)
            db.execute(
                "INSERT INTO bindings (user, project_id, slot_id, secret_id) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user, project_id, slot_id) "
                "DO UPDATE SET secret_id = excluded.secret_id",
                (user, project_id, slot_id, secret_id),
            )
        return SecretMeta(
            id=secret_id,
            name=name,
            created=now,
            modified=now,
            expires=expires,
            binary=binary,
            reference=is_reference_value(value),
        )

    # ---------------------------------------------------------------- bindings and projects

    def bound_secret_id(self, user: str, project_id: str, slot_id: str) -> str | None:
        rows = self._query(_SLOT_BINDING, (user, project_id, slot_id))
        return rows[0][0] if rows else None

    def bind(self, user: str, project_id: str, slot_id: str, secret_id: str) -> None:
        check_id("project_id", project_id)
        check_id("slot_id", slot_id)
        with self._write() as db:
            self._secret_row(db, user, secret_id)
            db.execute(
                "INSERT INTO bindings (user, project_id, slot_id, secret_id) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user, project_id, slot_id) "
                "DO UPDATE SET secret_id = excluded.secret_id",
                (user, project_id, slot_id, secret_id),
            )

    def unbind(self, user: str, project_id: str, slot_id: str) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "DELETE FROM bindings WHERE user = ? AND project_id = ? AND slot_id = ?",
                (user, project_id, slot_id),
            )
            return cursor.rowcount > 0

    def bindings(
        self, user: str, *, project_id: str | None = None, secret_id: str | None = None
    ) -> list[Binding]:
        sql = "SELECT project_id, slot_id, secret_id FROM bindings WHERE user = ?"
        params: list[str] = [user]
        if project_id is not None:
            sql += " AND project_id = ?"
            params.append(project_id)
        if secret_id is not None:
            sql += " AND secret_id = ?"
            params.append(secret_id)
        return [
            Binding(*row)
            for row in self._query(sql + " ORDER BY project_id, slot_id", tuple(params))
        ]

    def bound_secrets(self, user: str, project_id: str) -> dict[str, SecretMeta]:
        rows = self._query(
            "SELECT b.slot_id, s.id, s.name, s.created, s.modified, s.expires, "
            + ("s.is_binary" if self._binary_column == "is_binary" else "0")
            + (", s.namespace" if self._namespace_column != "NULL" else ", NULL")
            + (", s.is_reference" if self._reference_column != "0" else ", 0")
            + " FROM bindings AS b JOIN secrets AS s ON s.id = b.secret_id AND s.user = b.user "
            "WHERE b.user = ? AND b.project_id = ? ORDER BY b.slot_id",
            (user, project_id),
        )
        return {row[0]: _meta(row[1:]) for row in rows}

    def remember_project(self, user: str, project_id: str, name: str, last_path: str) -> None:
        check_id("project_id", project_id)
        self._check_writable()
        known = self._query(
            "SELECT name, last_path FROM projects WHERE user = ? AND id = ?", (user, project_id)
        )
        if known and tuple(known[0]) == (name, last_path):
            return  # called on every project lookup: skip a synced write when nothing changed
        with self._write() as db:
            db.execute(
                "INSERT INTO projects (user, id, name, last_path) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user, id) "
                "DO UPDATE SET name = excluded.name, last_path = excluded.last_path",
                (user, project_id, name, last_path),
            )

    def projects(self, user: str) -> dict[str, ProjectRecord]:
        rows = self._query(
            "SELECT id, name, last_path FROM projects WHERE user = ? ORDER BY id", (user,)
        )
        return {row[0]: ProjectRecord(*row) for row in rows}

    # ---------------------------------------------------------------- keys

    def rotate_key(
        self,
        new_keyring: Keyring,
        *,
        batch_size: int = 100,
        on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Re-encrypt every value under ``new_keyring``'s first key; returns how many were.

        Values are decrypted with the new keyring's keys or this store's current ones.  Work is
        committed in batches; rows already under the new key are skipped, so after an
        interruption (``on_batch(count_so_far)`` is called after each committed batch and may
        raise) the store stays readable with both keys and running again resumes.  The
        key-check moves last: until the rotation completes, a keyring without the old key
        finds the store locked rather than half unreadable.  A value that no key decrypts is
        left as it is (it was unreadable already) and logged by id.
        """
        self._check_writable()
        assert self._keyring is not None
        reader = new_keyring.merged(self._keyring)
        # From now on this store writes under the new key and still reads the old one.
        self._keyring = reader
        target = new_keyring.primary_id
        todo = [
            row[0]
            for row in self._query(
                "SELECT id FROM secrets WHERE substr(ciphertext, 2, ?) IS NOT ? ORDER BY id",
                (len(target), target),
            )
        ]
        count = 0
        for start in range(0, len(todo), max(1, batch_size)):
            with self._write() as db:
                for secret_id in todo[start : start + batch_size]:
                    row = db.execute(
                        "SELECT user, ciphertext, is_binary FROM secrets WHERE id = ?",
                        (secret_id,),
                    ).fetchone()
                    if row is None or blob_key_id(row[1]) == target:
                        continue  # deleted or re-encrypted meanwhile
                    user, blob, binary = row[0], row[1], bool(row[2])
                    aad = _aad(user, secret_id, binary)
                    try:
                        plaintext = reader.decrypt(blob, aad)
                    except DecryptError as err:
                        log.warning("Secret %s not re-encrypted: %s", secret_id, err)
                        continue
                    db.execute(
                        "UPDATE secrets SET ciphertext = ? WHERE id = ?",
                        (new_keyring.encrypt(plaintext, aad), secret_id),
                    )
                    count += 1
            if on_batch is not None:
                on_batch(count)
        with self._write() as db:
            db.execute(
                "UPDATE meta SET value = ? WHERE key = 'key_check'",
                (new_keyring.encrypt(_KEY_CHECK_PLAINTEXT, _KEY_CHECK_AAD),),
            )
        return count

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __repr__(self) -> str:
        return f"<SQLiteSecretStore {self.path}{' locked' if self.locked else ''}>"
