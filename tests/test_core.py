"""The use cases themselves (core/), without a server: a real SQLite store, real files."""

from __future__ import annotations

import base64
import os
import sqlite3
from pathlib import Path

import pytest

from jupyter_secrets.core.projects import ProjectRegistry
from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.core.states import EXPIRED, MISSING, PROVIDED, STATES, UNREADABLE, needs_value
from jupyter_secrets.errors import Conflict, InvalidInput, NotFound
from jupyter_secrets.files import Materializer
from jupyter_secrets.store.sqlite import SQLiteSecretStore

VALUE = "core-test-value-3e91"


@pytest.fixture
def store(tmp_path):
    env = {"JUPYTER_SECRETS_KEY": base64.b64encode(os.urandom(32)).decode()}
    store = SQLiteSecretStore.open(tmp_path / "store" / "s.sqlite3", env=env)
    yield store
    store.close()


@pytest.fixture
def service(store, tmp_path):
    root = tmp_path / "root"
    (root / "proj").mkdir(parents=True)
    base = tmp_path / "run"
    base.mkdir(mode=0o700)
    materializer = Materializer(base / "server-1-00000000")
    yield SecretsService(store, root, "alice", materializer)
    materializer.remove_all()


def slot_in(service, path="proj", name="Token", filename="token"):
    pid = service.create_project(path, "P").id
    slot = service.add_slot(pid, {"name": name, "filename": filename})
    return pid, slot.id


def test_needs_value_is_one_rule_over_every_state():
    # fetch-failed: a reference whose last fetch failed (core/references.py) has no usable value
    assert [state for state in STATES if needs_value(state)] == [
        MISSING,
        EXPIRED,
        UNREADABLE,
        "fetch-failed",
    ]
    assert not needs_value(PROVIDED)


def test_registry_converts_paths_both_ways_and_never_leaves_the_root(store, tmp_path):
    root = tmp_path / "root"
    (root / "a" / "b").mkdir(parents=True)
    registry = ProjectRegistry(store, root, "alice")
    assert registry.directory_of("a/b") == (root / "a" / "b").resolve()
    assert registry.api_path((root / "a" / "b").resolve()) == "a/b"
    assert registry.project_dir_of_os_path(str(tmp_path)) is None  # outside the root
    with pytest.raises(InvalidInput):
        registry.directory_of("../outside")
    with pytest.raises(NotFound):
        registry.get("nosuchproject")


def test_a_read_does_not_record_the_project_but_a_change_does(service, tmp_path):
    slots = '{"version": 1, "project": {"id": "readme01", "name": "R"}, "slots": []}'
    (tmp_path / "root" / "r" / ".jupyter").mkdir(parents=True)
    (tmp_path / "root" / "r" / ".jupyter" / "secret-slots.json").write_text(slots)
    assert service.project_for_path("r").id == "readme01"
    assert "readme01" not in service.store.projects("alice")
    service.add_slot("readme01", {"name": "Token", "filename": "token"})
    assert service.store.projects("alice")["readme01"].last_path == str(
        (tmp_path / "root" / "r").resolve()
    )


def test_filling_a_shared_secret_creates_a_new_one_for_this_slot_only(service):
    pid, first = slot_in(service)
    second = service.add_slot(pid, {"name": "Other", "filename": "other"}).id
    result = service.fill_slot(pid, first, value=VALUE)
    service.fill_slot(pid, second, secret_id=result.secret.id)
    replaced = service.fill_slot(pid, first, value="another-value-77")
    assert replaced.created is True and "left unchanged" in replaced.message
    states = {slot.id: slot.secret.id for slot in service.get_project(pid).slots}
    assert states[second] == result.secret.id != states[first]
    assert VALUE not in replaced.message


def test_a_tampered_value_makes_its_slot_unreadable_and_only_that_one(service, store):
    pid, first = slot_in(service)
    second = service.add_slot(pid, {"name": "Fine", "filename": "fine"}).id
    broken = service.fill_slot(pid, first, value=VALUE).secret.id
    service.fill_slot(pid, second, value="still-fine-value")
    with sqlite3.connect(store.path) as db:
        (blob,) = db.execute("SELECT ciphertext FROM secrets WHERE id = ?", (broken,)).fetchone()
        db.execute(
            "UPDATE secrets SET ciphertext = ? WHERE id = ?",
            (blob[:-1] + bytes([blob[-1] ^ 1]), broken),
        )
    service.refresh()
    states = {slot.name: slot.state for slot in service.get_project(pid).slots}
    assert states == {"Token": UNREADABLE, "Fine": PROVIDED}
    assert [slot.name for slot in service.missing_slots("proj")] == ["Token"]
    # A new value makes it readable again.
    service.fill_slot(pid, first, value="a-fresh-value-1")
    assert {slot.name: slot.state for slot in service.get_project(pid).slots}["Token"] == PROVIDED


def test_a_copied_project_is_a_clash_for_writes_by_id(service, tmp_path):
    pid, _ = slot_in(service)
    copy = tmp_path / "root" / "copy" / ".jupyter"
    copy.mkdir(parents=True)
    (copy / "secret-slots.json").write_bytes(
        (tmp_path / "root" / "proj" / ".jupyter" / "secret-slots.json").read_bytes()
    )
    assert "more than one folder" in service.project_for_path("copy").error
    with pytest.raises(Conflict):
        service.add_slot(pid, {"name": "More", "filename": "more"})


def test_kernel_env_of_a_folder_outside_every_project_is_an_empty_dot_directory(service, tmp_path):
    (tmp_path / "root" / "elsewhere").mkdir()
    env = service.kernel_env(str(tmp_path / "root" / "elsewhere"))
    directory = Path(env["JUPYTER_SECRETS_DIR"])
    assert directory.name == ".no-project"
    assert [p.name for p in directory.iterdir()] == [".~slots.json"]  # an empty index: no slots


class TestStoreCallsLeaveTheLoopFree:
    """Every handler calls the store off the event loop: a slow backend never blocks the server."""

    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        import json

        config = json.loads(json.dumps(jp_server_config))
        config["SecretsExtension"]["store_class"] = "tests.blocking_store.BlockingStore"
        return config

    async def test_the_server_answers_while_a_store_call_waits(self, api, jp_fetch):
        import asyncio

        from . import blocking_store

        blocking_store.entered.clear()
        blocking_store.release.clear()
        slow = asyncio.ensure_future(api("GET", "user-secrets"))
        try:
            while not blocking_store.entered.is_set():
                await asyncio.sleep(0.01)
            # The store call is in flight and waits: the loop must still serve other requests
            # (were the call on the loop, this request would wait for it, and the test time out).
            response = await asyncio.wait_for(jp_fetch("api", "status"), 30)
            assert response.code == 200
            status, reply = await asyncio.wait_for(api("GET", "status"), 30)
            assert status == 200 and not slow.done()
        finally:
            blocking_store.release.set()
        status, listing = await slow
        assert status == 200 and listing == {"secrets": []}


class TestTheStoreHasItsOwnSettings:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        import json

        config = json.loads(json.dumps(jp_server_config))
        config["SQLiteSecretStore"] = {"busy_timeout": 7.5}
        return config

    async def test_a_backend_reads_its_traits_from_the_server_config(self, jp_serverapp, api):
        app = jp_serverapp.extension_manager.extension_points["jupyter_secrets"].app
        assert app.store.busy_timeout == 7.5 and app.store.parent is app
        status, _ = await api("GET", "status")
        assert status == 200
