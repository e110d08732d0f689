"""The REST API against a real Jupyter server, a real SQLite store and real files."""

from __future__ import annotations

import json
import logging

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import CANARY


def slot_file(root, path="proj") -> dict:
    return json.loads((root / path / ".jupyter" / "secret-slots.json").read_text())


async def test_status(api):
    status, model = await api("GET", "status")
    assert status == 200
    assert model["locked"] is False and model["on_save"] == "redact"


async def test_no_project_gives_the_default(api, jp_root_dir):
    (jp_root_dir / "plain").mkdir()
    status, model = await api("GET", "projects", params={"path": "plain"})
    assert status == 200
    assert model == {
        "id": None,
        "name": None,
        "path": "",
        "exists": False,
        "error": None,
        "slots": [],
    }


async def test_create_project_writes_the_slot_file(api, project, jp_root_dir):
    model = await project("proj", "My project")
    assert model["exists"] and model["name"] == "My project" and model["path"] == "proj"
    on_disk = slot_file(jp_root_dir)
    assert on_disk["project"] == {"id": model["id"], "name": "My project"}
    assert on_disk["version"] == 1 and on_disk["slots"] == []
    # a sub-directory belongs to the nearest project
    (jp_root_dir / "proj" / "sub" / "deeper").mkdir(parents=True)
    status, found = await api("GET", "projects", params={"path": "proj/sub/deeper/nb.ipynb"})
    assert status == 200 and found["id"] == model["id"]
    status, by_id = await api("GET", "projects", model["id"])
    assert status == 200 and by_id == found


async def test_create_project_twice_is_a_clash(api, project):
    await project()
    status, error = await api("POST", "projects", body={"path": "proj", "name": "Again"})
    assert status == 409 and "already a project" in error["message"]


async def test_slot_lifecycle(api, project, jp_root_dir):
    pid = (await project())["id"]
    status, slot = await api(
        "POST",
        "projects",
        pid,
        "slots",
        body={
            "name": "DB password",
            "description": "read-only",
            "filename": "db-password",
            "env": "DB_PASSWORD",
        },
    )
    assert status == 201, slot
    assert slot["state"] == "missing" and slot["secret"] is None and slot["env"] == "DB_PASSWORD"
    assert slot_file(jp_root_dir)["slots"][0]["filename"] == "db-password"

    status, edited = await api(
        "PATCH", "projects", pid, "slots", slot["id"], body={"description": "rw"}
    )
    assert status == 200 and edited["description"] == "rw" and edited["name"] == "DB password"

    status, _ = await api("DELETE", "projects", pid, "slots", slot["id"])
    assert status == 204
    assert slot_file(jp_root_dir)["slots"] == []


async def test_fill_slot_with_value_then_unlink(api, project):
    pid = (await project())["id"]
    _, slot = await api(
        "POST", "projects", pid, "slots", body={"name": "Token", "filename": "token"}
    )
    status, result = await api(
        "PUT", "projects", pid, "slots", slot["id"], "value", body={"value": CANARY}
    )
    assert status == 200, result
    assert result["created"] is True and result["slot"]["state"] == "provided"
    assert CANARY not in json.dumps(result)

    _, model = await api("GET", "projects", pid)
    assert model["slots"][0]["state"] == "provided"
    assert model["slots"][0]["secret"]["id"] == result["secret"]["id"]

    status, _ = await api("DELETE", "projects", pid, "slots", slot["id"], "value")
    assert status == 204
    _, model = await api("GET", "projects", pid)
    assert model["slots"][0]["state"] == "missing"
    # the secret itself stays
    _, listing = await api("GET", "user-secrets")
    assert [s["id"] for s in listing["secrets"]] == [result["secret"]["id"]]


async def test_one_secret_fills_slots_in_two_projects(api, project):
    a = (await project("a", "A"))["id"]
    b = (await project("b", "B"))["id"]
    _, slot_a = await api("POST", "projects", a, "slots", body={"name": "DB", "filename": "db"})
    _, slot_b = await api(
        "POST", "projects", b, "slots", body={"name": "Database", "filename": "database"}
    )
    _, secret = await api("POST", "user-secrets", body={"name": "shared-db", "value": CANARY})
    for pid, slot in ((a, slot_a), (b, slot_b)):
        status, result = await api(
            "PUT", "projects", pid, "slots", slot["id"], "value", body={"secret_id": secret["id"]}
        )
        assert status == 200 and result["created"] is False

    _, listing = await api("GET", "user-secrets")
    usage = listing["secrets"][0]["usage"]
    assert sorted((u["project_name"], u["slot_name"], u["project_path"]) for u in usage) == [
        ("A", "DB", "a"),
        ("B", "Database", "b"),
    ]

    # A new value for the shared secret's slot in A must not change B: a new secret is made.
    status, result = await api(
        "PUT", "projects", a, "slots", slot_a["id"], "value", body={"value": "another-value"}
    )
    assert status == 200 and result["created"] is True
    assert result["secret"]["id"] != secret["id"] and "left unchanged" in result["message"]
    _, project_b = await api("GET", "projects", b)
    assert project_b["slots"][0]["secret"]["id"] == secret["id"]


async def test_user_secret_crud(api):
    status, created = await api(
        "POST",
        "user-secrets",
        body={"name": "api-token", "value": CANARY, "expires": "2099-01-01T00:00:00+00:00"},
    )
    assert status == 201 and created["expires"] == "2099-01-01T00:00:00Z" and created["usage"] == []
    assert CANARY not in json.dumps(created)
    sid = created["id"]
    status, renamed = await api("PATCH", "user-secrets", sid, body={"name": "api-token-2"})
    assert status == 200 and renamed["name"] == "api-token-2"
    status, replaced = await api("PATCH", "user-secrets", sid, body={"value": "new-value-123"})
    assert status == 200 and replaced["modified"] >= created["modified"]
    status, one = await api("GET", "user-secrets", sid)
    assert status == 200 and one["name"] == "api-token-2"
    status, _ = await api("DELETE", "user-secrets", sid)
    assert status == 204
    _, listing = await api("GET", "user-secrets")
    assert listing["secrets"] == []
    status, _ = await api("GET", "user-secrets", sid)
    assert status == 404


async def test_delete_secret_unlinks_everywhere(api, project):
    pid = (await project())["id"]
    _, slot = await api(
        "POST", "projects", pid, "slots", body={"name": "Token", "filename": "token"}
    )
    _, result = await api(
        "PUT", "projects", pid, "slots", slot["id"], "value", body={"value": CANARY}
    )
    status, _ = await api("DELETE", "user-secrets", result["secret"]["id"])
    assert status == 204
    _, model = await api("GET", "projects", pid)
    assert model["slots"][0]["state"] == "missing"


async def test_expired_secret_shows_expired(api, project, jp_serverapp):
    pid = (await project())["id"]
    _, slot = await api(
        "POST", "projects", pid, "slots", body={"name": "Token", "filename": "token"}
    )
    _, result = await api(
        "PUT", "projects", pid, "slots", slot["id"], "value", body={"value": CANARY}
    )
    # An expiry in the past is refused (400), so the secret expires afterwards: in the store.
    service = jp_serverapp.extension_manager.extension_points["jupyter_secrets"].app.service
    service.store.update_secret(
        service.owner, result["secret"]["id"], expires="2001-01-01T00:00:00Z"
    )
    _, model = await api("GET", "projects", pid)
    assert model["slots"][0]["state"] == "expired"
    _, secret = await api("GET", "user-secrets", result["secret"]["id"])
    assert secret["expired"] is True


async def test_duplicate_secret_name_is_a_clash(api):
    await api("POST", "user-secrets", body={"name": "dup", "value": "x"})
    status, error = await api("POST", "user-secrets", body={"name": "dup", "value": "y"})
    assert status == 409 and error["field"] == "name"


async def test_duplicate_filename_is_a_clash(api, project, jp_root_dir):
    pid = (await project())["id"]
    await api("POST", "projects", pid, "slots", body={"name": "One", "filename": "same"})
    before = slot_file(jp_root_dir)
    status, error = await api(
        "POST", "projects", pid, "slots", body={"name": "Two", "filename": "same"}
    )
    assert status == 409 and error["field"] == "filename"
    assert slot_file(jp_root_dir) == before


BAD_SLOTS = [
    ({"name": "x", "filename": "../x"}, "filename"),
    ({"name": "x", "filename": ".."}, "filename"),
    ({"name": "x", "filename": "."}, "filename"),
    ({"name": "x", "filename": "a/b"}, "filename"),
    ({"name": "x", "filename": "a\x00b"}, "filename"),
    ({"name": "x", "filename": "f" * 201}, "filename"),
    ({"name": "x", "filename": ""}, "filename"),
    ({"name": "", "filename": "ok"}, "name"),
    ({"name": "n" * 100, "filename": "ok"}, "name"),
    ({"name": 5, "filename": "ok"}, "name"),
    ({"name": "x", "filename": ["ok"]}, "filename"),
    ({"name": "x", "filename": "ok", "description": "d" * 501}, "description"),
    ({"name": "x", "filename": "ok", "env": "PATH"}, "env"),
    ({"name": "x", "filename": "ok", "env": "LD_PRELOAD"}, "env"),
    ({"name": "x", "filename": "ok", "env": "lower"}, "env"),
    ({"name": "x", "filename": "ok", "colour": "red"}, "colour"),
]


@pytest.mark.parametrize("body,field", BAD_SLOTS)
async def test_bad_slot_input_is_refused_and_changes_nothing(
    api, project, jp_root_dir, body, field
):
    pid = (await project())["id"]
    before = (jp_root_dir / "proj" / ".jupyter" / "secret-slots.json").read_bytes()
    status, error = await api("POST", "projects", pid, "slots", body=body)
    assert status == 400, error
    assert field in error["message"] and error.get("field") == field
    assert (jp_root_dir / "proj" / ".jupyter" / "secret-slots.json").read_bytes() == before


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'"string"', b"\xff\xfe", b'{"name": "x", "filename": "ok"'],
)
async def test_non_json_bodies_are_400(api, project, raw):
    pid = (await project())["id"]
    status, error = await api("POST", "projects", pid, "slots", raw=raw)
    assert status == 400 and "body" in error["message"]


async def test_unknown_ids_are_404_or_400(api, project):
    pid = (await project())["id"]
    assert (await api("GET", "projects", "0" * 32))[0] == 404
    assert (await api("GET", "projects", "..%2F..%2Fetc"))[0] in (400, 404)
    assert (await api("PATCH", "projects", pid, "slots", "f" * 32, body={"name": "x"}))[0] == 404
    assert (await api("PUT", "projects", pid, "slots", "f" * 32, "value", body={"value": "v"}))[
        0
    ] == 404
    assert (await api("PATCH", "user-secrets", "a" * 32, body={"name": "x"}))[0] == 404
    assert (await api("DELETE", "user-secrets", "a" * 32))[0] == 404
    status, error = await api(
        "PUT", "projects", pid, "slots", "f" * 32, "value", body={"secret_id": "nope!"}
    )
    assert status in (400, 404) and "message" in error


async def test_fill_needs_exactly_one_of_value_or_secret(api, project):
    pid = (await project())["id"]
    _, slot = await api(
        "POST", "projects", pid, "slots", body={"name": "Token", "filename": "token"}
    )
    for body in ({}, {"value": "a", "secret_id": "b"}, {"value": 5}, {"secret_id": None}):
        status, error = await api("PUT", "projects", pid, "slots", slot["id"], "value", body=body)
        assert status == 400, (body, error)


async def test_value_size_limit(api):
    status, _ = await api("POST", "user-secrets", body={"name": "big", "value": "x" * 65536})
    assert status == 201
    status, error = await api("POST", "user-secrets", body={"name": "bigger", "value": "x" * 65537})
    assert status == 400 and error["field"] == "value"


async def test_path_escaping_the_root_is_refused(api, jp_root_dir):
    for path in ("../outside", "/etc", "a/../../x"):
        status, error = await api("POST", "projects", body={"path": path, "name": "Evil"})
        assert status == 400, (path, error)
        status, error = await api("GET", "projects", params={"path": path})
        assert status == 400, (path, error)
    assert not (jp_root_dir.parent / "outside").exists()


async def test_requests_without_a_token_are_refused(jp_fetch, jp_serverapp):
    for method, body in (("GET", None), ("POST", "{}")):
        with pytest.raises(HTTPClientError) as raised:
            await jp_fetch(
                "api",
                "secrets",
                "user-secrets",
                method=method,
                body=body,
                headers={"Authorization": ""},
            )
        assert raised.value.code == 403


async def test_values_never_reach_responses_or_logs(api, project, caplog):
    caplog.set_level(logging.DEBUG)
    pid = (await project())["id"]
    _, slot = await api(
        "POST", "projects", pid, "slots", body={"name": "Token", "filename": "token"}
    )
    replies = [
        await api("PUT", "projects", pid, "slots", slot["id"], "value", body={"value": CANARY}),
        await api("POST", "user-secrets", body={"name": "other", "value": CANARY}),
        await api("POST", "user-secrets", body={"name": "other", "value": CANARY}),  # 409
        await api(
            "POST", "user-secrets", raw=('{"name": "broken", "value": "' + CANARY).encode()
        ),  # 400
        await api("GET", "user-secrets"),
        await api("GET", "projects", pid),
    ]
    assert CANARY not in json.dumps(replies)
    assert CANARY not in caplog.text
