"""The service's use cases over the database: one hub user's rows at a time.

Every method takes the user (the name the hub gave for the request's token, never a field of
the request) and reaches only that user's rows.  Every write is one transaction that first
bumps the user's ``version`` (``UPDATE ... RETURNING``): on PostgreSQL that row lock serialises
one user's writes across every replica, so "fill the slot I saw empty" (``create_and_bind``)
and name checks are atomic, and single-user servers see any change as a new version.  A write
is acknowledged only after its commit.

Values: sealed with the user's data key (``keys.py``).  They are given out only for secrets
bound to a slot of a project (what a server materializes) and for extension secrets (a
``namespace``: read by the JupyterLab extension that owns them, through the server), and each
read is audited with its actor.  Nothing here ever puts a value in a message.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from jupyter_secrets.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    SecretsError,
    SecretUnreadable,
    StoreLocked,
)
from jupyter_secrets.hub import db
from jupyter_secrets.hub.keys import ServiceKeys
from jupyter_secrets.rules import name_key, normalise_expires
from jupyter_secrets.store.base import (
    REFERENCE_MARKER,
    check_id,
    check_name,
    free_name,
    slot_changed,
    utc_now,
)

KEY_CHECK = "key_check"
REFERENCES_FLAGGED = "references_flagged"  # rows older than schema 0002 were flagged
CREATED = "created"
_SECRET_ID_CHARS = set("0123456789abcdef")


class NotBound(SecretsError):
    """A value was asked for a secret that fills no slot (the service does not give it out)."""


@dataclass
class Unset:
    pass


UNSET: Any = Unset()


def check_secret_id(value: Any) -> str:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= 64
        or not set(value)
        <= (_SECRET_ID_CHARS | set("ABCDEFGHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz_-"))
    ):
        raise InvalidInput("secret_id", "must be 1-64 characters of letters, digits, '_' and '-'")
    return value


def check_namespace(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= 200 or not value.isprintable():
        raise InvalidInput("namespace", "must be null or 1-200 printable characters")
    return value


def is_reference(plaintext: bytes, binary: bool) -> bool:
    """Whether a stored plaintext is a reference's stored form (store/base.py)."""
    return binary and plaintext.startswith(REFERENCE_MARKER)


def value_digest(plaintext: bytes, binary: bool) -> bytes:
    import hashlib

    return hashlib.sha256(b"b" if binary else b"t").digest() + hashlib.sha256(plaintext).digest()


def meta_of(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "created": row.created,
        "modified": row.modified,
        "expires": row.expires,
        "binary": bool(row.binary),
        "namespace": row.namespace,
        "is_reference": bool(row.is_reference),
    }


_META_COLUMNS = (
    db.secrets.c.id,
    db.secrets.c.name,
    db.secrets.c.created,
    db.secrets.c.modified,
    db.secrets.c.expires,
    db.secrets.c.binary,
    db.secrets.c.namespace,
    db.secrets.c.is_reference,
)


class Repository:
    def __init__(self, engine: AsyncEngine, keys: ServiceKeys | None, max_value_bytes: int):
        self.engine = engine
        self.keys = keys
        self.max_value_bytes = max_value_bytes
        self.locked = keys is None
        self.lock_reason = "no usable service key" if keys is None else ""
        self.created_at: str | None = None

    # ------------------------------------------------------------------ start-up
    async def open(self, lock_reason: str = "") -> None:
        """Check the service keys against the database; lock (and write nothing) if they fail."""
        async with self.engine.begin() as conn:
            rows: dict[str, bytes] = {
                str(k): bytes(v) for k, v in (await conn.execute(select(db.service_meta))).all()
            }
        created = rows.get(CREATED)
        self.created_at = created.decode() if created else None
        if self.keys is None:
            self.locked, self.lock_reason = True, lock_reason or "no usable service key"
            return
        check = rows.get(KEY_CHECK)
        if check is None:
            any_user = await self._scalar(select(func.count()).select_from(db.users))
            if any_user:
                self._lock(
                    "the database holds users but no key check: it was not written by this service"
                )
                return
            async with self.engine.begin() as conn:
                try:
                    now = utc_now()
                    await conn.execute(
                        insert(db.service_meta),
                        [
                            {"key": KEY_CHECK, "value": self.keys.check_blob()},
                            {"key": CREATED, "value": now.encode()},
                        ],
                    )
                    self.created_at = now
                except IntegrityError:  # another replica wrote it first: check theirs
                    pass
            if self.created_at is None:
                return await self.open()
        elif not self.keys.opens_check(check):
            self._lock(
                "the service keys cannot decrypt this database (wrong or missing key in "
                "JUPYTER_SECRETS_HUB_KEYS / the key file): nothing is written until the right "
                "key is configured"
            )
            return
        self.locked, self.lock_reason = False, ""
        if REFERENCES_FLAGGED not in rows:
            await self._flag_references()

    async def _flag_references(self) -> None:
        """Set is_reference of binary rows written before schema 0002 (once: decrypts them)."""
        keys = self._require_unlocked()
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(
                        db.secrets.c.user,
                        db.secrets.c.id,
                        db.secrets.c.ciphertext,
                        db.users.c.data_key,
                    )
                    .join(db.users, db.users.c.name == db.secrets.c.user)
                    .where(db.secrets.c.binary.is_(True), db.secrets.c.is_reference.is_(False))
                )
            ).all()
            for user, secret_id, ciphertext, wrapped in rows:
                try:
                    plain = keys.open(user, bytes(wrapped), secret_id, ciphertext, True)
                except SecretUnreadable:
                    continue
                if is_reference(plain, True):
                    await conn.execute(
                        update(db.secrets)
                        .where(db.secrets.c.user == user, db.secrets.c.id == secret_id)
                        .values(is_reference=True)
                    )
            try:
                async with conn.begin_nested():
                    await conn.execute(
                        insert(db.service_meta).values(key=REFERENCES_FLAGGED, value=b"1")
                    )
            except IntegrityError:  # another replica did it meanwhile
                pass

    def _lock(self, reason: str) -> None:
        self.locked, self.lock_reason = True, reason

    def _require_unlocked(self) -> ServiceKeys:
        if self.locked or self.keys is None:
            raise StoreLocked(self.lock_reason)
        return self.keys

    async def _scalar(self, statement: Any) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(statement)).scalar()

    # ------------------------------------------------------------------ reads
    async def version(self, user: str) -> int:
        found = await self._scalar(select(db.users.c.version).where(db.users.c.name == user))
        return int(found or 0)

    async def state(self, user: str) -> dict[str, Any]:
        """Everything a server shows, without values: one consistent read."""
        async with self.engine.begin() as conn:
            version = (
                await conn.execute(select(db.users.c.version).where(db.users.c.name == user))
            ).scalar()
            secrets = (
                await conn.execute(
                    select(*_META_COLUMNS)
                    .where(db.secrets.c.user == user)
                    .order_by(db.secrets.c.name_key, db.secrets.c.id)
                )
            ).all()
            binds = (
                await conn.execute(
                    select(db.bindings.c.project_id, db.bindings.c.slot_id, db.bindings.c.secret_id)
                    .where(db.bindings.c.user == user)
                    .order_by(db.bindings.c.project_id, db.bindings.c.slot_id)
                )
            ).all()
            projects = (
                await conn.execute(
                    select(db.projects.c.id, db.projects.c.name, db.projects.c.last_path).where(
                        db.projects.c.user == user
                    )
                )
            ).all()
        return {
            "version": int(version or 0),
            "secrets": [meta_of(row) for row in secrets],
            "bindings": [{"project_id": p, "slot_id": s, "secret_id": i} for p, s, i in binds],
            "projects": [{"id": i, "name": n, "last_path": p} for i, n, p in projects],
        }

    async def read_values(
        self, user: str, actor: str, secret_ids: Iterable[str], project_id: str | None = None
    ) -> tuple[dict[str, tuple[bytes, bool]], dict[str, SecretsError]]:
        """The values of bound secrets and of extension secrets (a namespace); each other id
        gets its error (a project secret bound to no slot: ``NotBound``).  Audited per secret."""
        keys = self._require_unlocked()
        ids = list(dict.fromkeys(check_secret_id(i) for i in secret_ids))
        if project_id is not None:
            check_id("project_id", project_id)
        values: dict[str, tuple[bytes, bool]] = {}
        errors: dict[str, SecretsError] = {}
        if not ids:
            return values, errors
        async with self.engine.begin() as conn:
            wrapped = (
                await conn.execute(select(db.users.c.data_key).where(db.users.c.name == user))
            ).scalar()
            bound_where = [db.bindings.c.user == user, db.bindings.c.secret_id.in_(ids)]
            if project_id is not None:
                bound_where.append(db.bindings.c.project_id == project_id)
            bound = {
                row[0]
                for row in (
                    await conn.execute(select(db.bindings.c.secret_id).where(and_(*bound_where)))
                ).all()
            }
            rows = (
                await conn.execute(
                    select(
                        db.secrets.c.id,
                        db.secrets.c.ciphertext,
                        db.secrets.c.binary,
                        db.secrets.c.namespace,
                    ).where(db.secrets.c.user == user, db.secrets.c.id.in_(ids))
                )
            ).all()
            found = {row.id: row for row in rows}
            for secret_id in ids:
                row = found.get(secret_id)
                if row is None or wrapped is None:
                    errors[secret_id] = NotFound(f"no secret with id {secret_id}")
                elif secret_id not in bound and row.namespace is None:
                    errors[secret_id] = NotBound(
                        f"secret {secret_id} fills no slot"
                        + (f" of project {project_id}" if project_id else "")
                        + ": the service gives out only values that a server materializes"
                    )
                else:
                    try:
                        plain = keys.open(user, wrapped, secret_id, row.ciphertext, row.binary)
                        values[secret_id] = (plain, bool(row.binary))
                    except SecretUnreadable as err:
                        errors[secret_id] = err
            if values:
                given = [(i, project_id) for i in values]
                await self._audit(conn, user, actor, "read-value", given)
            if errors:
                refused = [(i, project_id) for i in errors]
                await self._audit(conn, user, actor, "read-refused", refused)
        return values, errors

    async def audit_log(self, user: str, limit: int = 200) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(db.audit)
                    .where(db.audit.c.user == user)
                    .order_by(db.audit.c.id.desc())
                    .limit(limit)
                )
            ).all()
        return [
            {
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "secret_id": r.secret_id,
                "project_id": r.project_id,
            }
            for r in rows
        ]

    # ------------------------------------------------------------------ writes
    async def _begin_write(self, conn: AsyncConnection, user: str) -> bytes:
        """Lock the user's row (creating it with a new data key), bump the version."""
        keys = self._require_unlocked()
        row = (
            await conn.execute(
                update(db.users)
                .where(db.users.c.name == user)
                .values(version=db.users.c.version + 1)
                .returning(db.users.c.data_key)
            )
        ).first()
        if row is not None:
            return bytes(row[0])
        wrapped = keys.new_wrapped_data_key(user)
        upsert = _insert_ignore(conn, db.users).values(
            name=user, data_key=wrapped, version=1, created=utc_now()
        )
        await conn.execute(upsert)
        row = (
            await conn.execute(
                update(db.users)
                .where(db.users.c.name == user)
                .values(version=db.users.c.version + 1)
                .returning(db.users.c.data_key)
            )
        ).first()
        assert row is not None
        return bytes(row[0])

    async def _audit(
        self,
        conn: AsyncConnection,
        user: str,
        actor: str,
        action: str,
        targets: Sequence[tuple[str | None, str | None]],
    ) -> None:
        now = utc_now()
        await conn.execute(
            insert(db.audit),
            [
                {
                    "at": now,
                    "user": user,
                    "actor": actor,
                    "action": action,
                    "secret_id": secret_id,
                    "project_id": project_id,
                }
                for secret_id, project_id in targets
            ],
        )

    def _plaintext(self, value: Any, binary: bool) -> bytes:
        if not isinstance(value, bytes):
            raise InvalidInput("value_base64", "must be base64")
        if len(value) > self.max_value_bytes:
            raise InvalidInput(
                "value", f"must be at most {self.max_value_bytes} bytes; it is {len(value)} bytes"
            )
        if not binary:
            try:
                value.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(
                    "value", "a text value must be UTF-8 (send binary: true)"
                ) from None
        return value

    async def _names(self, conn: AsyncConnection, user: str) -> dict[str, str]:
        rows = (
            await conn.execute(
                select(db.secrets.c.name_key, db.secrets.c.id).where(db.secrets.c.user == user)
            )
        ).all()
        return {str(key): str(secret_id) for key, secret_id in rows}

    async def _insert_secret(
        self,
        conn: AsyncConnection,
        user: str,
        wrapped: bytes,
        name: str,
        plaintext: bytes,
        binary: bool,
        expires: str | None,
        secret_id: str | None = None,
        created: str | None = None,
        modified: str | None = None,
        namespace: str | None = None,
    ) -> dict[str, Any]:
        keys = self._require_unlocked()
        names = await self._names(conn, user)
        if name_key(name) in names:
            raise Conflict(f"a secret named {name!r} already exists", field="name")
        secret_id = secret_id or uuid.uuid4().hex
        now = utc_now()
        row = {
            "user": user,
            "id": secret_id,
            "name": name,
            "name_key": name_key(name),
            "ciphertext": keys.seal(user, wrapped, secret_id, plaintext, binary),
            "binary": binary,
            "created": created or now,
            "modified": modified or now,
            "expires": expires,
            "namespace": namespace,
            "is_reference": is_reference(plaintext, binary),
        }
        await conn.execute(insert(db.secrets).values(**row))
        fields = ("id", "name", "created", "modified", "expires", "binary", "namespace")
        return {**{k: row[k] for k in fields}, "is_reference": row["is_reference"]}

    async def create_secret(
        self,
        user: str,
        actor: str,
        name: Any,
        plaintext: Any,
        binary: bool,
        expires: Any,
        namespace: Any = None,
    ) -> dict[str, Any]:
        name = check_name(name)
        namespace = check_namespace(namespace)
        plaintext = self._plaintext(plaintext, binary)
        expires = normalise_expires(expires)
        async with self.engine.begin() as conn:
            wrapped = await self._begin_write(conn, user)
            meta = await self._insert_secret(
                conn, user, wrapped, name, plaintext, binary, expires, namespace=namespace
            )
            await self._audit(conn, user, actor, "create", [(meta["id"], None)])
        return meta

    async def _get_row(self, conn: AsyncConnection, user: str, secret_id: str) -> Any:
        row = (
            await conn.execute(
                select(*_META_COLUMNS).where(
                    db.secrets.c.user == user, db.secrets.c.id == secret_id
                )
            )
        ).first()
        if row is None:
            raise NotFound(f"no secret with id {secret_id}")
        return row

    async def update_secret(
        self,
        user: str,
        actor: str,
        secret_id: Any,
        *,
        name: Any = UNSET,
        plaintext: Any = UNSET,
        binary: bool = False,
        expires: Any = UNSET,
    ) -> dict[str, Any]:
        secret_id = check_secret_id(secret_id)
        changes: dict[str, Any] = {}
        if name is not UNSET:
            name = check_name(name)
        if plaintext is not UNSET:
            plaintext = self._plaintext(plaintext, binary)
        if expires is not UNSET:
            changes["expires"] = normalise_expires(expires)
        async with self.engine.begin() as conn:
            wrapped = await self._begin_write(conn, user)
            await self._get_row(conn, user, secret_id)
            if name is not UNSET:
                owner = (await self._names(conn, user)).get(name_key(name))
                if owner is not None and owner != secret_id:
                    raise Conflict(f"a secret named {name!r} already exists", field="name")
                changes.update(name=name, name_key=name_key(name))
            if plaintext is not UNSET:
                keys = self._require_unlocked()
                changes["ciphertext"] = keys.seal(user, wrapped, secret_id, plaintext, binary)
                changes["binary"] = binary
                changes["is_reference"] = is_reference(plaintext, binary)
            changes["modified"] = utc_now()
            await conn.execute(
                update(db.secrets)
                .where(db.secrets.c.user == user, db.secrets.c.id == secret_id)
                .values(**changes)
            )
            await self._audit(
                conn,
                user,
                actor,
                "replace-value" if plaintext is not UNSET else "update",
                [(secret_id, None)],
            )
            return meta_of(await self._get_row(conn, user, secret_id))

    async def delete_secret(self, user: str, actor: str, secret_id: Any) -> list[dict[str, str]]:
        secret_id = check_secret_id(secret_id)
        async with self.engine.begin() as conn:
            await self._begin_write(conn, user)
            await self._get_row(conn, user, secret_id)
            removed = (
                await conn.execute(
                    delete(db.bindings)
                    .where(db.bindings.c.user == user, db.bindings.c.secret_id == secret_id)
                    .returning(db.bindings.c.project_id, db.bindings.c.slot_id)
                )
            ).all()
            await conn.execute(
                delete(db.secrets).where(db.secrets.c.user == user, db.secrets.c.id == secret_id)
            )
            await self._audit(conn, user, actor, "delete", [(secret_id, None)])
        return [{"project_id": p, "slot_id": s, "secret_id": secret_id} for p, s in sorted(removed)]

    async def _bind(
        self, conn: AsyncConnection, user: str, project_id: str, slot_id: str, secret_id: str
    ) -> None:
        await conn.execute(
            delete(db.bindings).where(
                db.bindings.c.user == user,
                db.bindings.c.project_id == project_id,
                db.bindings.c.slot_id == slot_id,
            )
        )
        await conn.execute(
            insert(db.bindings).values(
                user=user, project_id=project_id, slot_id=slot_id, secret_id=secret_id
            )
        )

    async def bind(
        self, user: str, actor: str, project_id: Any, slot_id: Any, secret_id: Any
    ) -> None:
        project_id, slot_id = check_id("project_id", project_id), check_id("slot_id", slot_id)
        secret_id = check_secret_id(secret_id)
        async with self.engine.begin() as conn:
            await self._begin_write(conn, user)
            await self._get_row(conn, user, secret_id)
            await self._bind(conn, user, project_id, slot_id, secret_id)
            await self._audit(conn, user, actor, "bind", [(secret_id, project_id)])

    async def unbind(self, user: str, actor: str, project_id: Any, slot_id: Any) -> bool:
        project_id, slot_id = check_id("project_id", project_id), check_id("slot_id", slot_id)
        async with self.engine.begin() as conn:
            await self._begin_write(conn, user)
            removed = (
                await conn.execute(
                    delete(db.bindings)
                    .where(
                        db.bindings.c.user == user,
                        db.bindings.c.project_id == project_id,
                        db.bindings.c.slot_id == slot_id,
                    )
                    .returning(db.bindings.c.secret_id)
                )
            ).all()
            if removed:
                await self._audit(conn, user, actor, "unbind", [(removed[0][0], project_id)])
        return bool(removed)

    async def create_and_bind(
        self,
        user: str,
        actor: str,
        project_id: Any,
        slot_id: Any,
        name: Any,
        plaintext: Any,
        binary: bool,
        *,
        expires: Any = None,
        unique_name: bool = False,
        expected_secret_id: Any = UNSET,
    ) -> dict[str, Any]:
        project_id, slot_id = check_id("project_id", project_id), check_id("slot_id", slot_id)
        name = check_name(name)
        plaintext = self._plaintext(plaintext, binary)
        expires = normalise_expires(expires)
        async with self.engine.begin() as conn:
            wrapped = await self._begin_write(conn, user)  # the user's row lock: atomic below
            if expected_secret_id is not UNSET:
                current = (
                    await conn.execute(
                        select(db.bindings.c.secret_id).where(
                            db.bindings.c.user == user,
                            db.bindings.c.project_id == project_id,
                            db.bindings.c.slot_id == slot_id,
                        )
                    )
                ).scalar()
                if current != expected_secret_id:
                    raise slot_changed(project_id, slot_id)
            if unique_name:
                taken = (
                    await conn.execute(select(db.secrets.c.name).where(db.secrets.c.user == user))
                ).scalars()
                name = free_name(name, list(taken))
            meta = await self._insert_secret(conn, user, wrapped, name, plaintext, binary, expires)
            await self._bind(conn, user, project_id, slot_id, meta["id"])
            await self._audit(conn, user, actor, "create-and-bind", [(meta["id"], project_id)])
        return meta

    async def remember_project(
        self, user: str, actor: str, project_id: Any, name: Any, last_path: Any
    ) -> None:
        project_id = check_id("project_id", project_id)
        if not isinstance(name, str) or not isinstance(last_path, str):
            raise InvalidInput("name", "name and last_path must be strings")
        if len(name) > 1000 or len(last_path) > 4096:
            raise InvalidInput("name", "name or last_path too long")
        async with self.engine.begin() as conn:
            await self._begin_write(conn, user)
            await conn.execute(
                delete(db.projects).where(
                    db.projects.c.user == user, db.projects.c.id == project_id
                )
            )
            await conn.execute(
                insert(db.projects).values(user=user, id=project_id, name=name, last_path=last_path)
            )

    async def import_secret(
        self,
        user: str,
        actor: str,
        secret_id: Any,
        name: Any,
        plaintext: Any,
        binary: bool,
        created: Any,
        modified: Any,
        expires: Any,
        namespace: Any = None,
    ) -> tuple[dict[str, Any], str]:
        """Copy a secret under its own id (``migrate --to-hub``): ``(meta, outcome)``.

        Outcomes: ``created``; ``unchanged`` (the hub holds this id with the same value, name,
        expiry and namespace: a rerun after an interruption copies only what is missing);
        ``updated`` (it differs and the local copy's ``modified`` is not older than the hub's:
        the local value, name and expiry replace the hub's, so a rerun brings a value changed
        locally since the last run); ``hub-newer`` (it differs but was changed in the hub after
        the local copy: the hub's is kept, and the caller reports it).  Values are compared by
        decrypting the hub's copy here, never sent back."""
        secret_id = check_secret_id(secret_id)
        name = check_name(name)
        namespace = check_namespace(namespace)
        plaintext = self._plaintext(plaintext, binary)
        expires = normalise_expires(expires)
        created = normalise_expires(created) if created else None
        modified = normalise_expires(modified) if modified else None
        async with self.engine.begin() as conn:
            wrapped = await self._begin_write(conn, user)
            existing = (
                await conn.execute(
                    select(*_META_COLUMNS, db.secrets.c.ciphertext).where(
                        db.secrets.c.user == user, db.secrets.c.id == secret_id
                    )
                )
            ).first()
            if existing is not None:
                keys = self._require_unlocked()
                try:
                    held = keys.open(
                        user, wrapped, secret_id, existing.ciphertext, bool(existing.binary)
                    )
                    same_value = value_digest(held, bool(existing.binary)) == value_digest(
                        plaintext, binary
                    )
                except SecretUnreadable:
                    same_value = False
                same = (
                    same_value
                    and existing.name == name
                    and existing.expires == expires
                    and existing.namespace == namespace
                )
                if same:
                    return meta_of(existing), "unchanged"
                if modified is not None and existing.modified > modified:
                    return meta_of(existing), "hub-newer"
                owner = (await self._names(conn, user)).get(name_key(name))
                if owner is not None and owner != secret_id:
                    raise Conflict(f"a secret named {name!r} already exists", field="name")
                await conn.execute(
                    update(db.secrets)
                    .where(db.secrets.c.user == user, db.secrets.c.id == secret_id)
                    .values(
                        name=name,
                        name_key=name_key(name),
                        ciphertext=keys.seal(user, wrapped, secret_id, plaintext, binary),
                        binary=binary,
                        is_reference=is_reference(plaintext, binary),
                        expires=expires,
                        namespace=namespace,
                        modified=modified or utc_now(),
                    )
                )
                await self._audit(conn, user, actor, "import-update", [(secret_id, None)])
                return meta_of(await self._get_row(conn, user, secret_id)), "updated"
            meta = await self._insert_secret(
                conn,
                user,
                wrapped,
                name,
                plaintext,
                binary,
                expires,
                secret_id,
                created,
                modified,
                namespace,
            )
            await self._audit(conn, user, actor, "import", [(secret_id, None)])
        return meta, "created"

    # ------------------------------------------------------------------ the admin's
    async def rotate(self) -> int:
        """Re-wrap every data key (and the key check) under the primary service key."""
        keys = self._require_unlocked()
        count = 0
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(db.users.c.name, db.users.c.data_key))).all()
            for user, wrapped in rows:
                await conn.execute(
                    update(db.users)
                    .where(db.users.c.name == user)
                    .values(
                        data_key=keys.rewrap(user, bytes(wrapped)), version=db.users.c.version + 1
                    )
                )
                count += 1
            await conn.execute(
                update(db.service_meta)
                .where(db.service_meta.c.key == KEY_CHECK)
                .values(value=keys.check_blob())
            )
        return count


def _insert_ignore(conn: AsyncConnection, table: Any) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()
