"""The hub service's database layer (``hub/repository.py``, ``hub/db.py``, ``hub/keys.py``) on
both URLs it takes: SQLite (aiosqlite, a small hub) and a real PostgreSQL (asyncpg).  No hub:
these check the rows, the transactions and the keys; tests/hub/test_service_hub.py checks the
whole path through a real hub."""

from __future__ import annotations

import asyncio
import os

import pytest

from jupyter_secrets.errors import Conflict, StoreLocked
from jupyter_secrets.hub import db
from jupyter_secrets.hub.keys import ServiceKeys
from jupyter_secrets.hub.repository import NotBound, Repository
from jupyter_secrets.store.crypto import Keyring

from .postgres import Postgres
from .postgres import missing as postgres_missing


@pytest.fixture(scope="module")
def pg():
    problem = postgres_missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    server = Postgres().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path, pg):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite'}"
    name = "t" + os.urandom(4).hex()
    pg.psql(f"CREATE DATABASE {name}")
    return pg.url.rsplit("/", 1)[0] + "/" + name


def keys(*raw: bytes) -> ServiceKeys:
    return ServiceKeys(Keyring(list(raw)))


async def opened(url: str, service_keys: ServiceKeys | None) -> Repository:
    await asyncio.to_thread(db.upgrade, url)
    repo = Repository(db.make_engine(url), service_keys, 65536)
    await repo.open()
    return repo


def test_rows_values_bindings_and_audit(url):
    async def go():
        repo = await opened(url, keys(os.urandom(32)))
        try:
            meta = await repo.create_secret("alice", "a", "tok", b"value-1", False, None)
            values, errors = await repo.read_values("alice", "a", [meta["id"]])
            assert values == {} and isinstance(errors[meta["id"]], NotBound)
            await repo.bind("alice", "a", "p", "s", meta["id"])
            values, _ = await repo.read_values("alice", "kernel", [meta["id"]])
            assert values == {meta["id"]: (b"value-1", False)}
            # bob reaches none of it.
            values, errors = await repo.read_values("bob", "b", [meta["id"]])
            assert values == {} and "no secret" in str(errors[meta["id"]])
            assert (await repo.state("bob"))["secrets"] == []
            actions = [(e["actor"], e["action"]) for e in await repo.audit_log("alice")]
            assert ("kernel", "read-value") in actions and ("a", "read-refused") in actions
            assert await repo.version("alice") >= 2
        finally:
            await repo.engine.dispose()

    asyncio.run(go())


def test_create_and_bind_is_atomic_under_concurrency(url):
    async def go():
        repo = await opened(url, keys(os.urandom(32)))
        try:
            results = await asyncio.gather(
                *[
                    repo.create_and_bind(
                        "alice",
                        "a",
                        "p",
                        "s",
                        "tok",
                        b"x",
                        False,
                        unique_name=True,
                        expected_secret_id=None,
                    )
                    for _ in range(6)
                ],
                return_exceptions=True,
            )
            made = [r for r in results if isinstance(r, dict)]
            assert len(made) == 1, results
            assert all(isinstance(r, Conflict) for r in results if not isinstance(r, dict))
            state = await repo.state("alice")
            assert len(state["secrets"]) == 1 and len(state["bindings"]) == 1
        finally:
            await repo.engine.dispose()

    asyncio.run(go())


def test_wrong_key_locks_and_rotation_rewraps(url):
    old, new = os.urandom(32), os.urandom(32)

    async def go():
        repo = await opened(url, keys(old))
        meta = await repo.create_secret("alice", "a", "tok", b"v", False, None)
        await repo.bind("alice", "a", "p", "s", meta["id"])
        await repo.engine.dispose()
        wrong = await opened(url, keys(os.urandom(32)))
        assert wrong.locked and "cannot decrypt" in wrong.lock_reason
        with pytest.raises(StoreLocked):
            await wrong.create_secret("alice", "a", "other", b"v", False, None)
        with pytest.raises(StoreLocked):
            await wrong.read_values("alice", "a", [meta["id"]])
        await wrong.engine.dispose()
        both = await opened(url, keys(new, old))
        assert not both.locked
        assert await both.rotate() == 1
        await both.engine.dispose()
        only_new = await opened(url, keys(new))
        values, _ = await only_new.read_values("alice", "a", [meta["id"]])
        assert values[meta["id"]] == (b"v", False)
        await only_new.engine.dispose()
        only_old = await opened(url, keys(old))
        assert only_old.locked
        await only_old.engine.dispose()

    asyncio.run(go())


def test_import_brings_a_changed_value_and_keeps_a_newer_hub_one(url):
    """Review #7: a rerun of the migration after the local value changed replaces the hub's
    (it was kept silently before); a copy changed in the hub after the local one is kept."""

    async def go():
        repo = await opened(url, keys(os.urandom(32)))
        sid = "a" * 32
        args = ("alice", "migrate", sid, "tok")
        try:
            t0, t1, t2 = "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"
            _, outcome = await repo.import_secret(*args, b"v1", False, t0, t0, None)
            assert outcome == "created"
            _, outcome = await repo.import_secret(*args, b"v1", False, t0, t0, None)
            assert outcome == "unchanged"
            meta, outcome = await repo.import_secret(*args, b"v2", False, t0, t1, None)
            assert outcome == "updated" and meta["modified"] == t1
            await repo.bind("alice", "a", "p", "s", sid)
            values, _ = await repo.read_values("alice", "a", [sid])
            assert values[sid] == (b"v2", False)
            await repo.update_secret("alice", "a", sid, plaintext=b"in-hub", binary=False)
            # Changed in the hub now (modified: today), after the local copy of t2: kept.
            meta, outcome = await repo.import_secret(*args, b"v3", False, t0, t2, None)
            assert outcome == "hub-newer" and meta["modified"] > t2
            values, _ = await repo.read_values("alice", "a", [sid])
            assert values[sid] == (b"in-hub", False)
            actions = [e["action"] for e in await repo.audit_log("alice")]
            assert actions.count("import") == 1 and actions.count("import-update") == 1
        finally:
            await repo.engine.dispose()

    asyncio.run(go())


def test_extension_secrets_are_readable_unbound_and_project_secrets_are_not(url):
    """Review #4 (hub part): a secret with a namespace (an extension's) is given out unbound,
    audited; a project secret still only when bound."""

    async def go():
        repo = await opened(url, keys(os.urandom(32)))
        try:
            ext = await repo.create_secret("alice", "a", "ns:k", b"e", False, None, "ns")
            own = await repo.create_secret("alice", "a", "own", b"o", False, None)
            values, errors = await repo.read_values("alice", "srv", [ext["id"], own["id"]])
            assert values == {ext["id"]: (b"e", False)}
            assert isinstance(errors[own["id"]], NotBound)
            entries = await repo.audit_log("alice")
            assert ("read-value", ext["id"]) in {(e["action"], e["secret_id"]) for e in entries}
        finally:
            await repo.engine.dispose()

    asyncio.run(go())


def test_is_reference_is_kept_and_rows_older_than_0002_are_flagged_once(url):
    from sqlalchemy import delete, update

    from jupyter_secrets.hub.repository import REFERENCES_FLAGGED
    from jupyter_secrets.store.base import REFERENCE_MARKER

    async def go():
        service_keys = keys(os.urandom(32))
        repo = await opened(url, service_keys)
        stored = REFERENCE_MARKER + b'{"type": "vault"}'
        try:
            ref = await repo.create_secret("alice", "a", "r", stored, True, None)
            plain = await repo.create_secret("alice", "a", "b", b"\x00bin", True, None)
            assert ref["is_reference"] is True and plain["is_reference"] is False
            by_id = {s["id"]: s for s in (await repo.state("alice"))["secrets"]}
            assert by_id[ref["id"]]["is_reference"] and not by_id[plain["id"]]["is_reference"]
            # As a database of schema 0001 left it: no flag, no marker of the one-time pass.
            async with repo.engine.begin() as conn:
                await conn.execute(update(db.secrets).values(is_reference=False))
                await conn.execute(
                    delete(db.service_meta).where(db.service_meta.c.key == REFERENCES_FLAGGED)
                )
        finally:
            await repo.engine.dispose()
        repo = await opened(url, service_keys)
        try:
            by_id = {s["id"]: s for s in (await repo.state("alice"))["secrets"]}
            assert by_id[ref["id"]]["is_reference"] and not by_id[plain["id"]]["is_reference"]
        finally:
            await repo.engine.dispose()

    asyncio.run(go())
