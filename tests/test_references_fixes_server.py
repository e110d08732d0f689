"""Review fixes seen through a real server: an expired extension secret is never served, its
value's read is audited, and ``allow_command_references = False`` is a 400 for a command
reference (a vault reference still saves)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from .conftest import CANARY


@pytest.fixture
def jp_server_config(jp_server_config):
    jp_server_config["SecretsExtension"]["allow_command_references"] = False
    return jp_server_config


async def test_an_expired_extension_secret_is_a_404_saying_so(api, store_path):
    body = {"namespace": "demo", "id": "token", "value": CANARY}
    status, saved = await api("PUT", "extension-secrets", "demo:token", body=body)
    assert status == 201, saved
    assert (await api("GET", "extension-secrets", "demo:token"))[0] == 200
    with sqlite3.connect(store_path) as db:  # its expiry passed (written as the store does)
        db.execute(
            "UPDATE secrets SET expires = '2001-01-01T00:00:00Z' WHERE id = ?",
            (saved["secret_id"],),
        )
    status, reply = await api("GET", "extension-secrets", "demo:token")
    assert status == 404, reply
    assert "expired on 2001-01-01T00:00:00Z" in reply["message"]
    assert CANARY not in str(reply)
    listing = (await api("GET", "extension-secrets", params={"namespace": "demo"}))[1]
    assert listing["secrets"][0]["expired"] is True  # still listed, marked expired
    # Saving it again gives it a value without expiry: served again.
    status, _ = await api("PUT", "extension-secrets", "demo:token", body=body)
    with sqlite3.connect(store_path) as db:
        db.execute("UPDATE secrets SET expires = NULL WHERE id = ?", (saved["secret_id"],))
    assert (await api("GET", "extension-secrets", "demo:token"))[1]["value"] == CANARY


async def test_command_references_turned_off_are_a_clear_400(api):
    command = {"type": "command", "argv": ["sh", "-c", "echo ran"]}
    status, reply = await api("POST", "user-secrets", body={"name": "cmd", "reference": command})
    assert status == 400, reply
    assert reply["field"] == "reference.type"
    assert "allow_command_references" in reply["message"]
    vault = {"type": "vault", "mount": "secret", "path": "db", "field": "password"}
    status, reply = await api("POST", "user-secrets", body={"name": "vaulted", "reference": vault})
    assert status == 201, reply


async def test_stopping_the_extension_stops_the_fetch_threads(jp_serverapp):
    ext = next(iter(jp_serverapp.extension_manager.extension_apps["jupyter_secrets"]))
    fetcher = ext.service.sync.fetcher
    fetcher.allow_commands = True
    from jupyter_secrets.core.references import CommandReference

    await asyncio.to_thread(fetcher.fetch_all, {"s": CommandReference(("echo", "v1"))})
    pool = fetcher._pool
    assert pool is not None
    await ext.stop_extension()
    assert fetcher._pool is None
    alive = [t for t in pool._threads if t.is_alive()]  # type: ignore[attr-defined]
    for thread in alive:
        thread.join(5)
    assert not any(t.is_alive() for t in pool._threads)  # type: ignore[attr-defined]
