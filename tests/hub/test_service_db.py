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
