"""The audit trail: every change through the API emits exactly one change event, with the
right action and ids; refused requests emit none; no event ever carries a value.

Events are caught in-process twice: by a logging handler (what a file or log shipper gets) and
by an async listener (what jupyter_events listeners get); both must see the same events.
"""

from __future__ import annotations

import asyncio
import json
from importlib.resources import files

import pytest
import yaml

from jupyter_secrets.server.events import CHANGE

from .conftest import CANARY
from .hardening import ListHandler

SCHEMA = yaml.safe_load(
    files("jupyter_secrets").joinpath("server/event_schemas/change/v1.yaml").read_text()
)
ACTIONS = set(SCHEMA["properties"]["action"]["enum"])


@pytest.fixture
def audit(jp_serverapp, api):
    logged: list[dict] = []
    heard: list[dict] = []
    handler = ListHandler(logged)
    logger = jp_serverapp.event_logger

    async def listener(logger, schema_id, data):
        heard.append({"__schema__": schema_id, **data})

    logger.register_handler(handler)
    logger.add_listener(schema_id=CHANGE, listener=listener)
    owner = next(iter(jp_serverapp.extension_manager.extension_apps["jupyter_secrets"])).owner

    class Audit:
        seen = 0
        last: dict | None = None
        covered: set[str] = set()

        def skip(self):
            """Forget the events so far (a test's set-up)."""
            self.seen = len(logged)

        async def expect(self, call, action: str | None, **ids):
            """Run ``call`` (an awaitable API call); check the events it emitted; return its reply."""
            status, reply = await call
            await asyncio.sleep(0.05)  # listeners run as tasks
            new = logged[self.seen :]
            self.seen = len(logged)
            self.last = new[0] if new else None
            if action is None:
                assert new == [], (status, reply, new)
                return status, reply
            assert len(new) == 1, (action, status, reply, new)
            event = new[0]
            assert (
                event["__schema__"] == CHANGE
                and event["action"] == action
                and event["owner"] == owner
            )
            for key, value in ids.items():
                assert event.get(key) == value, (action, key, event)
            self.covered.add(action)
            return status, reply

    yield Audit()
    logger.remove_handler(handler)
    logger.remove_listener(schema_id=CHANGE, listener=listener)
    # Both channels saw the same events, and none holds a value.
    strip = lambda events: [{k: v for k, v in e.items() if not k.startswith("__")} for e in events]  # noqa: E731
    assert strip(heard) == strip(logged)
    assert CANARY not in json.dumps(logged) + json.dumps(heard)


async def test_every_change_emits_exactly_one_event(api, audit, jp_root_dir):
    (jp_root_dir / "proj").mkdir()
    e = audit.expect
    _, project = await e(
        api("POST", "projects", body={"path": "proj", "name": "P"}), "project.created", path="proj"
    )
    pid = project["id"]
    assert project["id"]
    await e(api("POST", "projects", body={"path": "proj", "name": "P"}), None)  # 409
    _, slot = await e(
        api("POST", "projects", pid, "slots", body={"name": "Token", "filename": "token"}),
        "slot.added",
        project_id=pid,
    )
    sid = slot["id"]
    _, second = await e(
        api("POST", "projects", pid, "slots", body={"name": "Second", "filename": "second"}),
        "slot.added",
        project_id=pid,
    )
    await e(
        api("POST", "projects", pid, "slots", body={"name": "Dup", "filename": "token"}), None
    )  # 409
    await e(
        api("PATCH", "projects", pid, "slots", sid, body={"description": "the token"}),
        "slot.updated",
        project_id=pid,
        slot_id=sid,
        fields=["description"],
    )
    await e(api("PATCH", "projects", pid, "slots", sid, body={"filename": "../x"}), None)  # 400

    _, filled = await e(
        api("PUT", "projects", pid, "slots", sid, "value", body={"value": CANARY}),
        "slot.filled",
        project_id=pid,
        slot_id=sid,
        created=True,
    )
    first_secret = filled["secret"]["id"]
    assert audit.last["secret_id"] == first_secret
    await e(
        api("PUT", "projects", pid, "slots", sid, "value", body={"value": CANARY + "-2"}),
        "slot.filled",
        project_id=pid,
        slot_id=sid,
        secret_id=first_secret,
        created=False,
    )
    await e(
        api(
            "PUT",
            "projects",
            pid,
            "slots",
            sid,
            "value",
            body={"value": CANARY, "secret_id": first_secret},
        ),
        None,
    )
    await e(
        api("PUT", "projects", pid, "slots", "nosuchslot", "value", body={"value": CANARY}), None
    )

    _, created = await e(
        api("POST", "user-secrets", body={"name": "shared", "value": CANARY + "-shared"}),
        "secret.created",
        secret_name="shared",
    )
    shared = created["id"]
    await e(api("POST", "user-secrets", body={"name": "shared", "value": CANARY}), None)  # 409
    await e(api("POST", "user-secrets", body={"name": "big", "value": CANARY * 3000}), None)  # 400
    await e(
        api("PUT", "projects", pid, "slots", second["id"], "value", body={"secret_id": shared}),
        "slot.filled",
        project_id=pid,
        slot_id=second["id"],
        secret_id=shared,
        created=False,
    )
    await e(
        api("PATCH", "user-secrets", shared, body={"value": CANARY + "-shared-2"}),
        "secret.updated",
        secret_id=shared,
        fields=["value"],
    )
    await e(
        api("PATCH", "user-secrets", shared, body={"name": "renamed", "expires": "2999-01-01"}),
        "secret.updated",
        secret_id=shared,
        fields=["expires", "name"],
    )
    await e(api("PATCH", "user-secrets", shared, body={"value": 5}), None)
    await e(api("PATCH", "user-secrets", "nosuch", body={"value": CANARY}), None)

    await e(
        api("DELETE", "projects", pid, "slots", sid, "value"),
        "slot.unlinked",
        project_id=pid,
        slot_id=sid,
    )
    await e(api("DELETE", "projects", pid, "slots", sid, "value"), None)  # nothing to unlink
    await e(api("DELETE", "user-secrets", shared), "secret.deleted", secret_id=shared, unlinked=1)
    await e(api("DELETE", "user-secrets", shared), None)
    await e(
        api("DELETE", "projects", pid, "slots", sid), "slot.removed", project_id=pid, slot_id=sid
    )
    await e(api("DELETE", "projects", pid, "slots", sid), None)
    # An extension secret: saved, then its value read by its extension (the one read audited).
    ext_body = {"namespace": "demo", "id": "k", "value": CANARY}
    await e(api("PUT", "extension-secrets", "demo:k", body=ext_body), "secret.created")
    await e(api("GET", "extension-secrets", "demo:k"), "secret.read", namespace="demo")
    await e(api("GET", "extension-secrets", "demo:nosuch"), None)  # 404: nothing read
    # Reads emit nothing.
    for parts, params in [
        (("user-secrets",), None),
        (("projects",), {"path": "proj"}),
        (("projects", pid), None),
        (("status",), None),
        (("user-secrets", first_secret), None),
    ]:
        await e(api("GET", *parts, params=params), None)

    assert audit.covered == ACTIONS, ACTIONS - audit.covered  # every action of the schema was seen


async def test_events_hold_ids_not_values_even_for_shared_secret_splits(api, audit, project):
    """Filling a shared secret's slot with a new value creates a secret: one event says so."""
    pid = (await project())["id"]
    _, a = await api("POST", "projects", pid, "slots", body={"name": "A", "filename": "a"})
    _, b = await api("POST", "projects", pid, "slots", body={"name": "B", "filename": "b"})
    _, made = await api("POST", "user-secrets", body={"name": "both", "value": CANARY})
    await api("PUT", "projects", pid, "slots", a["id"], "value", body={"secret_id": made["id"]})
    await api("PUT", "projects", pid, "slots", b["id"], "value", body={"secret_id": made["id"]})
    audit.skip()
    status, reply = await audit.expect(
        api("PUT", "projects", pid, "slots", a["id"], "value", body={"value": CANARY + "-new"}),
        "slot.filled",
        project_id=pid,
        slot_id=a["id"],
        created=True,
    )
    assert status == 200 and reply["created"] is True and reply["secret"]["id"] != made["id"]
    assert audit.last["secret_id"] == reply["secret"]["id"]
