"""The project model cache's fast path (issue 16): ``GET /api/secrets/projects`` answers an
unchanged project on the event loop, without a worker thread, only when the cache can tell it is
unchanged without waiting on the store; its JSON and ETag are computed once per model.  Every
test here fails if the fast path served a stale model, waited on a busy store, or was not taken.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.core.states import MISSING, PROVIDED
from jupyter_secrets.store.sqlite import SQLiteSecretStore

VALUE = "fast-path-test-value-0123456789"


@pytest.fixture
def env():
    return {"JUPYTER_SECRETS_KEY": base64.b64encode(os.urandom(32)).decode()}


@pytest.fixture
def store(tmp_path, env):
    store = SQLiteSecretStore.open(tmp_path / "store" / "s.sqlite3", env=env)
    yield store
    store.close()


@pytest.fixture
def service(store, tmp_path):
    (tmp_path / "root" / "proj").mkdir(parents=True)
    return SecretsService(store, tmp_path / "root", "alice")


def states(model):
    return {slot.name: slot.state for slot in model.slots}


def warm(service, path="proj"):
    """Build the model until the cache holds it (the first read of a project records where it
    was seen, which ends the entry built before that)."""
    for _ in range(3):
        service.project_for_path(path)
        if service.cached_project_for_path(path) is not None:
            return service.cached_project_for_path(path)
    raise AssertionError("the model never reached the cache")


def with_the_store_held(store, action):
    """Run ``action()`` in another thread while this one holds the store's lock (as a write
    in progress does); returns its result, or fails if it waited for the lock."""
    result: list = []
    worker = threading.Thread(target=lambda: result.append(action()), daemon=True)
    with store._lock:
        worker.start()
        worker.join(30)
        assert not worker.is_alive(), "the fast path waited for the store's lock"
    return result[0]


# ---------------------------------------------------------------- the domain layer


def test_an_unchanged_project_comes_from_the_cache_without_a_build(service):
    pid = service.create_project("proj", "P").id
    service.add_slot(pid, {"name": "Token", "filename": "token"})
    model = warm(service)
    hits = service.project_cache.hits
    assert service.cached_project_for_path("proj/sub/nb.ipynb") is model
    assert service.project_cache.hits == hits + 1
    assert service.project_for_path("proj") is model  # the usual way agrees


def test_no_fast_answer_while_another_thread_holds_the_store(service, store):
    pid = service.create_project("proj", "P").id
    service.add_slot(pid, {"name": "Token", "filename": "token"})
    warm(service)
    assert with_the_store_held(store, store.data_version_nowait) is None
    assert with_the_store_held(store, lambda: service.cached_project_for_path("proj")) is None
    assert service.cached_project_for_path("proj") is not None  # lock released: fast again


def test_a_commit_of_another_process_is_never_served_from_the_fast_path(service, store, env):
    pid = service.create_project("proj", "P").id
    slot = service.add_slot(pid, {"name": "Token", "filename": "token"}).id
    assert states(warm(service)) == {"Token": MISSING}
    other = SQLiteSecretStore.open(store.path, env=env)  # as the CLI or another server
    try:
        secret = other.create_secret("alice", "from-elsewhere", VALUE)
        other.bind("alice", pid, slot, secret.id)
    finally:
        other.close()
    assert service.cached_project_for_path("proj") is None
    assert states(service.project_for_path("proj")) == {"Token": PROVIDED}
    with sqlite3.connect(store.path) as db:  # raw SQL, no store code at all
        db.execute("DELETE FROM bindings")
    assert service.cached_project_for_path("proj") is None
    assert states(service.project_for_path("proj")) == {"Token": MISSING}


def test_writes_of_this_process_and_slot_file_edits_end_the_fast_answer(service, tmp_path):
    pid = service.create_project("proj", "P").id
    slot = service.add_slot(pid, {"name": "Token", "filename": "token"}).id
    warm(service)
    service.fill_slot(pid, slot, value=VALUE)
    assert service.cached_project_for_path("proj") is None
    assert states(warm(service)) == {"Token": PROVIDED}
    path = tmp_path / "root" / "proj" / ".jupyter" / "secret-slots.json"
    data = json.loads(path.read_text())
    data["slots"][0]["description"] = "edited by hand"
    path.write_text(json.dumps(data))  # in place: same inode
    assert service.cached_project_for_path("proj") is None
    assert service.project_for_path("proj").slots[0].description == "edited by hand"


def test_a_new_project_below_ends_the_fast_answer_for_its_paths(service, tmp_path):
    service.create_project("proj", "Outer")
    model = warm(service, "proj/inner/nb.ipynb")
    assert model.name == "Outer"
    (tmp_path / "root" / "proj" / "inner").mkdir()
    service.create_project("proj/inner", "Inner")
    fast = service.cached_project_for_path("proj/inner/nb.ipynb")
    assert fast is None or fast.name == "Inner"
    assert service.project_for_path("proj/inner/nb.ipynb").name == "Inner"


def test_a_path_to_refuse_is_left_to_the_usual_way(service):
    service.create_project("proj", "P")
    warm(service)
    for bad in ("../etc", "/etc", "proj/\x00", 5):
        assert service.cached_project_for_path(bad) is None  # type: ignore[arg-type]


def test_a_store_without_a_nowait_version_has_no_fast_path(service, monkeypatch):
    service.create_project("proj", "P")
    service.project_for_path("proj")
    service.project_for_path("proj")
    monkeypatch.setattr(type(service.store), "data_version_nowait", None)
    assert service.cached_project_for_path("proj") is None


def test_entering_the_warning_days_ends_the_cached_model(service, store):
    service.models.expiry_warning_days = 1
    pid = service.create_project("proj", "P").id
    slot = service.add_slot(pid, {"name": "Token", "filename": "token"}).id
    # The warning starts in about 2 s: expires one day and 2 s from now.
    at = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1, seconds=2)
    secret = store.create_secret(
        "alice", "warned", VALUE, expires=at.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    store.bind("alice", pid, slot, secret.id)
    model = warm(service)
    assert [s.expires_soon for s in model.slots] == [False]
    time.sleep(
        max(0.0, (at - timedelta(days=1) - datetime.now(timezone.utc)).total_seconds()) + 0.2
    )
    assert service.cached_project_for_path("proj") is None
    assert [s.expires_soon for s in service.project_for_path("proj").slots] == [True]


# ---------------------------------------------------------------- through the server


def if_none_match(jp_fetch, etag: str):
    """GET the projects reply of "proj" with ``If-None-Match: etag`` (a 304 is no error)."""
    return jp_fetch(
        "api",
        "secrets",
        "projects",
        params={"path": "proj"},
        headers={"If-None-Match": etag},
        raise_error=False,
    )


def _service(jp_serverapp) -> SecretsService:
    return jp_serverapp.extension_manager.extension_points["jupyter_secrets"].app.service


async def test_the_server_answers_an_unchanged_project_without_a_worker_thread(
    api, project, jp_fetch, jp_serverapp, monkeypatch
):
    model = await project("proj")
    status, _ = await api(
        "POST", "projects", model["id"], "slots", body={"name": "Token", "filename": "token"}
    )
    assert status == 201
    service = _service(jp_serverapp)
    built: list[str] = []
    usual = service.project_for_path

    def counted(path):
        built.append(path)
        return usual(path)

    monkeypatch.setattr(service, "project_for_path", counted)
    replies = []
    for _ in range(4):
        reply = await jp_fetch("api", "secrets", "projects", params={"path": "proj"})
        replies.append(reply)
    built_before = len(built)
    assert built_before < 4  # warmed: later requests did not go to the thread
    reply = await jp_fetch("api", "secrets", "projects", params={"path": "proj"})
    assert len(built) == built_before
    assert reply.body == replies[-1].body
    assert [s["state"] for s in json.loads(reply.body)["slots"]] == [MISSING]
    # The ETag is tornado's own (the SHA-1 of the body), and If-None-Match gives a 304.
    etag = reply.headers["Etag"]
    assert etag == f'"{hashlib.sha1(reply.body).hexdigest()}"'
    not_modified = await if_none_match(jp_fetch, etag)
    assert not_modified.code == 304
    # A change through the API: the next reply is the new model, with its own ETag.
    slot_id = json.loads(reply.body)["slots"][0]["id"]
    status, _ = await api(
        "PUT", "projects", model["id"], "slots", slot_id, "value", body={"value": VALUE}
    )
    assert status in (200, 201)
    after = await if_none_match(jp_fetch, etag)
    assert after.code == 200
    assert [s["state"] for s in json.loads(after.body)["slots"]] == [PROVIDED]
    assert after.headers["Etag"] == f'"{hashlib.sha1(after.body).hexdigest()}"' != etag
    assert VALUE.encode() not in after.body


async def test_a_busy_store_sends_the_request_to_the_usual_way(
    api, project, jp_fetch, jp_serverapp
):
    model = await project("proj")
    await api("POST", "projects", model["id"], "slots", body={"name": "Token", "filename": "t"})
    for _ in range(3):
        await jp_fetch("api", "secrets", "projects", params={"path": "proj"})
    store = _service(jp_serverapp).store
    # Hold the store's lock in another thread, as a slow write would: the request must not be
    # answered on the loop (that would mean waiting on the lock or skipping the check), and
    # it is answered once the lock is free.
    held, release = threading.Event(), threading.Event()

    def hold():
        with store._lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    held.wait(30)
    cache = _service(jp_serverapp).project_cache
    fast_hits = cache.fast_hits
    try:
        pending = asyncio.ensure_future(
            jp_fetch("api", "secrets", "projects", params={"path": "proj"})
        )
        status_reply = await jp_fetch("api", "status")  # the loop keeps answering meanwhile
        assert status_reply.code == 200
        assert not pending.done()
    finally:
        release.set()
    reply = await pending
    holder.join(30)
    assert reply.code == 200 and json.loads(reply.body)["id"] == model["id"]
    assert cache.fast_hits == fast_hits  # answered by the worker thread, after the lock
    again = await jp_fetch("api", "secrets", "projects", params={"path": "proj"})
    assert again.body == reply.body and cache.fast_hits == fast_hits + 1  # and fast again


def test_an_equal_model_built_again_keeps_its_object(service, store):
    pid = service.create_project("proj", "P").id
    service.add_slot(pid, {"name": "Token", "filename": "token"})
    model = warm(service)
    # A store write that changes nothing shown (what a change of another project does)
    store.remember_project("alice", "someotherproject", "Other", "/elsewhere")
    assert service.cached_project_for_path("proj") is None
    assert service.project_for_path("proj") is model  # built again, equal: the same object
    service.project_cache.max_age = 0.0  # and an entry whose time ended
    assert service.project_for_path("proj") is model
    assert service.project_for_path("proj") is model
    service.add_slot(pid, {"name": "Other", "filename": "other"})
    changed = service.project_for_path("proj")
    assert changed is not model and [s.name for s in changed.slots] == ["Token", "Other"]


class TestAGuestOfASharedServer:
    """A warm cache never answers another user: the access check runs before the fast path."""

    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        config = json.loads(json.dumps(jp_server_config))
        config["ServerApp"]["identity_provider_class"] = "tests.two_users.TwoUsersIdentityProvider"
        config["SecretsExtension"]["owner"] = "alice"
        return config

    async def test_the_guest_is_refused_even_when_the_owners_project_is_cached(
        self, jp_fetch, jp_root_dir, jp_serverapp
    ):
        from .two_users import GUEST_TOKEN, OWNER_TOKEN

        def as_user(token, method="GET", path="proj", body=None):
            kwargs = {
                "method": method,
                "raise_error": False,
                "headers": {"Authorization": f"token {token}"},
            }
            if body is None:
                kwargs["params"] = {"path": path}
            else:
                kwargs["body"] = json.dumps(body)
            return jp_fetch("api", "secrets", "projects", **kwargs)

        (jp_root_dir / "proj").mkdir()
        created = await as_user(OWNER_TOKEN, "POST", body={"path": "proj", "name": "Alice's"})
        assert created.code == 201
        for _ in range(3):
            owner = await as_user(OWNER_TOKEN)
        cache = _service(jp_serverapp).project_cache
        fast_hits = cache.fast_hits
        owner = await as_user(OWNER_TOKEN)
        assert owner.code == 200 and cache.fast_hits == fast_hits + 1  # warm: the fast path
        guest = await as_user(GUEST_TOKEN)
        assert guest.code == 403
        assert json.loads(guest.body)["reason"] == "not-owner"
        assert (
            b"Alice's" not in guest.body
            and json.loads(created.body)["id"].encode() not in guest.body
        )
        assert cache.fast_hits == fast_hits + 1  # the guest's request never reached the cache
