"""The project model cache (``core/cache.py``): reused while nothing changed, rebuilt on the
next request after any change — through the API, the service, another connection to the
store, the CLI in another process, a hand edit of the slot file, an expiry, a copied project.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.core.states import EXPIRED, MISSING, PROVIDED, UNREADABLE
from jupyter_secrets.store.sqlite import SQLiteSecretStore

VALUE = "cache-test-value-0123456789"


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


def test_an_unchanged_project_is_served_from_the_cache(service):
    pid = service.create_project("proj", "P").id
    service.add_slot(pid, {"name": "Token", "filename": "token"})
    first = service.project_for_path("proj")
    hits = service.project_cache.hits
    again = service.project_for_path("proj/sub/nb.ipynb")
    assert again is first and service.project_cache.hits == hits + 1
    assert states(again) == {"Token": MISSING}


def test_every_write_of_this_process_is_seen(service):
    pid = service.create_project("proj", "P").id
    slot = service.add_slot(pid, {"name": "Token", "filename": "token"}).id
    assert states(service.project_for_path("proj")) == {"Token": MISSING}
    secret = service.fill_slot(pid, slot, value=VALUE).secret.id
    assert states(service.project_for_path("proj")) == {"Token": PROVIDED}
    service.update_slot(pid, slot, {"name": "Renamed"})
    assert states(service.project_for_path("proj")) == {"Renamed": PROVIDED}
    service.store.unbind("alice", pid, slot)  # the store directly, no service call
    assert states(service.project_for_path("proj")) == {"Renamed": MISSING}
    service.store.bind("alice", pid, slot, secret)
    service.store.update_secret("alice", secret, name="new-name")
    model = service.project_for_path("proj")
    assert model.slots[0].secret.name == "new-name"
    service.remove_slot(pid, slot)
    assert service.project_for_path("proj").slots == ()


def test_a_commit_of_another_connection_is_seen(service, store, env):
    pid = service.create_project("proj", "P").id
    slot = service.add_slot(pid, {"name": "Token", "filename": "token"}).id
    assert states(service.project_for_path("proj")) == {"Token": MISSING}
    other = SQLiteSecretStore.open(store.path, env=env)  # as another server or the CLI
    try:
        secret = other.create_secret("alice", "from-elsewhere", VALUE)
        other.bind("alice", pid, slot, secret.id)
    finally:
        other.close()
    assert states(service.project_for_path("proj")) == {"Token": PROVIDED}
    with sqlite3.connect(store.path) as db:  # raw SQL, no store code at all
        db.execute("DELETE FROM bindings")
    assert states(service.project_for_path("proj")) == {"Token": MISSING}


def test_a_hand_edit_of_the_slot_file_is_seen(service, tmp_path):
    pid = service.create_project("proj", "P").id
    service.add_slot(pid, {"name": "Token", "filename": "token"})
    service.project_for_path("proj")
    path = tmp_path / "root" / "proj" / ".jupyter" / "secret-slots.json"
    data = json.loads(path.read_text())
    data["slots"][0]["description"] = "edited by hand"
    path.write_text(json.dumps(data))  # in place: same inode, same second maybe
    assert service.project_for_path("proj").slots[0].description == "edited by hand"
    path.write_text("{not json")
    assert service.project_for_path("proj").error
    data["slots"][0]["description"] = "fixed"
    path.write_text(json.dumps(data))
    assert service.project_for_path("proj").slots[0].description == "fixed"


def test_a_copied_project_becomes_a_clash_on_the_cached_one_too(service, tmp_path):
    service.create_project("proj", "P")
    assert service.project_for_path("proj").error is None
    copy = tmp_path / "root" / "copy" / ".jupyter"
    copy.mkdir(parents=True)
    source = tmp_path / "root" / "proj" / ".jupyter" / "secret-slots.json"
    (copy / "secret-slots.json").write_bytes(source.read_bytes())
    assert "more than one folder" in service.project_for_path("copy").error
    assert "more than one folder" in service.project_for_path("proj").error


def test_an_unreadable_value_found_later_is_seen(service, store):
    pid = service.create_project("proj", "P").id
    slot = service.add_slot(pid, {"name": "Token", "filename": "token"}).id
    secret = service.fill_slot(pid, slot, value=VALUE).secret.id
    assert states(service.project_for_path("proj")) == {"Token": PROVIDED}
    service.sync.unreadable.add(secret)  # what a failed decryption records
    assert states(service.project_for_path("proj")) == {"Token": UNREADABLE}


def test_an_expiry_ends_the_cached_model(service, store):
    pid = service.create_project("proj", "P").id
    slot = service.add_slot(pid, {"name": "Token", "filename": "token"}).id
    soon = (datetime.now(timezone.utc) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    secret = store.create_secret("alice", "short-lived", VALUE, expires=soon)
    store.bind("alice", pid, slot, secret.id)
    assert states(service.project_for_path("proj")) == {"Token": PROVIDED}
    deadline = datetime.strptime(soon, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    time.sleep(max(0.0, (deadline - datetime.now(timezone.utc)).total_seconds()) + 0.2)
    assert states(service.project_for_path("proj")) == {"Token": EXPIRED}


def test_a_store_without_data_version_is_never_cached(service, monkeypatch):
    service.create_project("proj", "P")
    monkeypatch.setattr(type(service.store), "data_version", None)
    first = service.project_for_path("proj")
    assert service.project_for_path("proj") is not first


# ---------------------------------------------------------------- through the server


async def test_the_api_sees_changes_made_by_the_cli_in_another_process(
    api, project, jp_root_dir, store_path, secrets_key
):
    model = await project("proj")
    status, _ = await api(
        "POST", "projects", model["id"], "slots", body={"name": "Token", "filename": "token"}
    )
    assert status == 201
    for _ in range(2):  # the second one from the cache
        status, got = await api("GET", "projects", params={"path": "proj"})
        assert status == 200 and [s["state"] for s in got["slots"]] == [MISSING]

    def cli(*args: str, stdin: str = "") -> None:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "jupyter_secrets.cli.main",
                f"--SecretsExtension.store_path={store_path}",
                *args,
            ],
            input=stdin,
            text=True,
            capture_output=True,
            cwd=jp_root_dir / "proj",
            env={
                **os.environ,
                "JUPYTER_SECRETS_KEY": secrets_key,
                "JUPYTER_CONFIG_DIR": str(jp_root_dir.parent / "no-config"),
            },
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    cli("bind", "Token", stdin=VALUE + "\n")
    status, got = await api("GET", "projects", params={"path": "proj"})
    assert [s["state"] for s in got["slots"]] == [PROVIDED], got
    status, secrets = await api("GET", "user-secrets")
    name = secrets["secrets"][0]["name"]
    cli("rm", name)
    status, got = await api("GET", "projects", params={"path": "proj"})
    assert [s["state"] for s in got["slots"]] == [MISSING], got
    # and through the API itself
    slot_id = got["slots"][0]["id"]
    status, _ = await api(
        "PUT", "projects", model["id"], "slots", slot_id, "value", body={"value": VALUE}
    )
    assert status in (200, 201)
    status, got = await api("GET", "projects", params={"path": "proj"})
    assert [s["state"] for s in got["slots"]] == [PROVIDED], got
