"""Small stumbles of issue 13, each against a real server, store and kernel: an expiry in the
past, the order of the secrets list, one label for a value in both leak guards, and what
``get_secret`` says about an empty slot."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from jupyter_secrets.core.exposed import ExposedValues
from jupyter_secrets.errors import InvalidInput
from jupyter_secrets.rules import future_expires, name_sort_key, redaction_label

from .test_kernels import run_code, start_session

SHARED_VALUE = "shared-warehouse-" + "9d81c6e2"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ------------------------------------------------------------------ an expiry in the past


@pytest.mark.parametrize("expires", ["2001-01-01", "2026-01-01T00:00:00Z", "1999-12-31T23:00:00"])
async def test_an_expiry_in_the_past_is_a_clear_400_that_changes_nothing(api, project, expires):
    status, error = await api(
        "POST", "user-secrets", body={"name": "late", "value": "v-123456", "expires": expires}
    )
    assert status == 400 and error["field"] == "expires", error
    assert "in the past" in error["message"] and "choose a later date" in error["message"]
    assert (await api("GET", "user-secrets"))[1]["secrets"] == []

    status, created = await api("POST", "user-secrets", body={"name": "ok", "value": "v-654321"})
    status, error = await api("PATCH", "user-secrets", created["id"], body={"expires": expires})
    assert status == 400 and error["field"] == "expires"
    assert (await api("GET", "user-secrets", created["id"]))[1]["expires"] is None

    pid = (await project())["id"]
    _, slot = await api("POST", "projects", pid, "slots", body={"name": "T", "filename": "t"})
    status, error = await api(
        "PUT",
        "projects",
        pid,
        "slots",
        slot["id"],
        "value",
        body={"value": "v-777777", "expires": expires},
    )
    assert status == 400 and error["field"] == "expires"
    assert (await api("GET", "projects", pid))[1]["slots"][0]["state"] == "missing"


async def test_a_future_expiry_and_no_expiry_are_accepted(api):
    later = (datetime.now(timezone.utc) + timedelta(days=2)).strftime("%Y-%m-%d")
    status, created = await api(
        "POST", "user-secrets", body={"name": "soon", "value": "v-123456", "expires": later}
    )
    assert status == 201 and created["expires"] == f"{later}T00:00:00Z"
    status, cleared = await api("PATCH", "user-secrets", created["id"], body={"expires": None})
    assert status == 200 and cleared["expires"] is None


def test_future_expires_compares_with_now():
    now = datetime(2026, 12, 1, 23, 45, tzinfo=timezone.utc)
    assert future_expires("2026-12-02", now=now) == "2026-12-02T00:00:00Z"
    assert future_expires(None, now=now) is None
    with pytest.raises(InvalidInput, match="2026-12-01T00:00:00Z is in the past"):
        future_expires("2026-12-01", now=now)  # today's midnight UTC has gone
    with pytest.raises(InvalidInput):
        future_expires("2026-12-01T23:45:00Z", now=now)  # now is not in the future either


# ------------------------------------------------------------------ the order of the list


async def test_secrets_are_listed_by_name_ignoring_case_expired_or_not(api, jp_serverapp):
    for name in ["beta", "Alpha", "gamma", "Delta"]:
        status, _ = await api("POST", "user-secrets", body={"name": name, "value": "v-123456"})
        assert status == 201
    # "Delta" has expired since it was saved (written by the store, which keeps old expiries).
    app = jp_serverapp.extension_manager.extension_points["jupyter_secrets"].app
    store = app.service.store
    delta = next(m for m in store.list_secrets(app.service.owner) if m.name == "Delta")
    store.update_secret(app.service.owner, delta.id, expires="2001-01-01T00:00:00Z")
    _, reply = await api("GET", "user-secrets")
    assert [s["name"] for s in reply["secrets"]] == ["Alpha", "beta", "Delta", "gamma"]
    assert [s["expired"] for s in reply["secrets"]] == [False, False, True, False]


def test_name_sort_key_orders_look_alikes_and_case_totally():
    names = ["token", "Token", "api", "Beta", "b\u0435ta"]  # the last has a Cyrillic "е"
    ordered = sorted(names, key=name_sort_key)
    assert ordered[0] == "api" and ordered[-2:] == ["Token", "token"]
    assert set(ordered[1:3]) == {"Beta", "b\u0435ta"}
    # digits keep their order (the look-alike key alone maps 0 to O and 1 to l)
    assert sorted(["db-2", "db-10", "db-0", "db-1"], key=name_sort_key) == [
        "db-0",
        "db-1",
        "db-10",
        "db-2",
    ]


# ------------------------------------------------------------------ one label for a value


def test_the_label_of_a_value_in_two_slots_is_one_rule():
    assert redaction_label(["Warehouse password", "Database password"]) == "Database password"
    assert redaction_label(["database", "Database"]) == "Database"
    exposed = ExposedValues()
    exposed.set_project("p1", {SHARED_VALUE: "Warehouse password"})
    exposed.set_project("p2", {SHARED_VALUE: "Database password"})
    assert exposed.all() == {SHARED_VALUE: "Database password"}
    exposed.set_project("p3", {SHARED_VALUE: "Another"})  # whichever project is written last
    assert exposed.all() == {SHARED_VALUE: "Another"}


async def test_kernel_output_and_the_save_guard_label_a_shared_value_alike(
    api, project, jp_fetch, jp_serverapp, jp_root_dir
):
    """One secret fills "Warehouse password" (the kernel's project) and "Database password"
    (another project): kernel output and the saved file both say [REDACTED:Database password]."""
    made = {}
    for path, slot_name in [("wh", "Warehouse password"), ("db", "Database password")]:
        pid = (await project(path, path))["id"]
        _, slot = await api(
            "POST", "projects", pid, "slots", body={"name": slot_name, "filename": "pw"}
        )
        made[path] = (pid, slot["id"])
    _, created = await api("POST", "user-secrets", body={"name": "pw", "value": SHARED_VALUE})
    for pid, sid in made.values():
        status, _ = await api(
            "PUT", "projects", pid, "slots", sid, "value", body={"secret_id": created["id"]}
        )
        assert status == 200
    expected = "[REDACTED:Database password]"

    kernel_id = await start_session(jp_fetch, "wh/nb.ipynb")
    out, error = await run_code(
        jp_serverapp, kernel_id, "from jupyter_secrets import get_secret; print(get_secret('pw'))"
    )
    assert error is None and out.strip() == expected, out

    body = {"type": "file", "format": "text", "content": f"pw={SHARED_VALUE}\n"}
    await jp_fetch("api", "contents", "wh", "notes.txt", method="PUT", body=json.dumps(body))
    assert (jp_root_dir / "wh" / "notes.txt").read_text() == f"pw={expected}\n"


# ------------------------------------------------------------------ get_secret on an empty slot


async def test_get_secret_on_an_empty_slot_names_it_and_how_to_fill_it(
    api, project, jp_fetch, jp_serverapp
):
    pid = (await project("proj", "Sales"))["id"]
    await api(
        "POST", "projects", pid, "slots", body={"name": "Warehouse password", "filename": "wh-pw"}
    )
    kernel_id = await start_session(jp_fetch, "proj/nb.ipynb")
    for asked in ["Warehouse password", "wh-pw"]:
        _, error = await run_code(
            jp_serverapp,
            kernel_id,
            f"from jupyter_secrets import get_secret; get_secret({asked!r})",
        )
        assert error is not None and error["ename"] == "SecretNotFoundError"
        message = error["evalue"]
        assert "The slot 'Warehouse password' of the project 'Sales' is empty" in message
        assert "Secrets panel" in message and "jupyter secrets bind 'Warehouse password'" in message
        assert "add the slot" not in message
        traceback = ANSI.sub("", "\n".join(error["traceback"]))
        # One frame of ours, the function called: none of the internal ones below it.
        assert traceback.count("helper.py") == 1, traceback
        assert "secret_path" not in traceback and "_not_found" not in traceback, traceback
        assert f"get_secret({asked!r})" in traceback  # the user's own line is shown

    # A name that is no slot at all still lists what is available and how to add a slot.
    _, error = await run_code(
        jp_serverapp, kernel_id, "from jupyter_secrets import get_secret; get_secret('nope')"
    )
    assert "No secret 'nope'" in error["evalue"] and "slots add" in error["evalue"]
