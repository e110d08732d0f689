"""Issue 10 on a real JupyterHub: alice shares her server with bob, and bob, although he reaches
the server as himself, gets 403 ``not-owner`` on every secrets route and changes nothing.

The hub is real (JupyterHub 5+ sharing, configurable-http-proxy, jupyterhub-singleuser with
this package enabled), so this proves what tests/test_trust.py::TestOnlyTheOwner shows with a
stand-in identity provider: JupyterHub's own identity provider gives stable names, and the
owner is taken from the hub (``$JUPYTERHUB_USER``) without any configuration.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

import jupyter_secrets

from ..conftest import CANARY

PLANTED = "planted-by-a-guest-3d9c"

# What a guest would send to each write route (the refusal must come first, whatever the body).
BODIES = {
    ("post", "/api/secrets/projects"): {"path": "", "name": "Mine now"},
    ("post", "/api/secrets/projects/{project_id}/slots"): {"name": "x", "filename": "planted"},
    ("patch", "/api/secrets/projects/{project_id}/slots/{slot_id}"): {"name": "renamed by a guest"},
    ("put", "/api/secrets/projects/{project_id}/slots/{slot_id}/value"): {"value": PLANTED},
    ("post", "/api/secrets/user-secrets"): {"name": "planted", "value": PLANTED},
    ("patch", "/api/secrets/user-secrets/{secret_id}"): {"name": "renamed", "value": PLANTED},
}
QUERIES = {
    ("get", "/api/secrets/projects"): "?path=proj",
    ("get", "/api/secrets/extension-secrets"): "?namespace=%40example%2Fext%3Aplugin",
}
VERBS = ("get", "put", "post", "patch", "delete")


def openapi_document() -> Path:
    """The API document shipped inside the package (wherever in it the package keeps it)."""
    found = sorted(Path(jupyter_secrets.__file__).parent.rglob("openapi.yaml"))
    assert len(found) == 1, f"expected one openapi.yaml in the package, found {found}"
    return found[0]


def every_route(ids: dict[str, str]) -> list[tuple[str, str, object]]:
    """Every (method, path, body) of the shipped OpenAPI document, with real ids filled in;
    deletions last, so that each route is tried against the owner's real objects."""
    spec = yaml.safe_load(openapi_document().read_text())
    routes = []
    for template, operations in spec["paths"].items():
        for verb in (v for v in VERBS if v in operations):
            path = template
            for name, value in ids.items():
                path = path.replace("{" + name + "}", value)
            assert "{" not in path, f"no id for {template}: extend `ids` in this test"
            body = BODIES.get((verb, template), {} if verb in ("post", "put", "patch") else None)
            routes.append((verb.upper(), path + QUERIES.get((verb, template), ""), body))
    assert len(routes) >= 14, routes  # the document really was read
    return sorted(routes, key=lambda route: route[0] == "DELETE")


def test_a_guest_of_a_shared_server_is_refused_every_secrets_route_and_changes_nothing(hub):
    hub.start_server("alice")
    alice = hub.user_token("alice")

    def on_alices_server(token: str, method: str, path: str, body=None):
        return hub.request(method, "/user/alice" + path, token, body)

    # ---- alice fills a slot of a project in her home, through her server
    home = hub.user_dir("alice") / "home"
    (home / "proj").mkdir()
    project = {"path": "proj", "name": "Shared work"}
    reply = on_alices_server(alice, "POST", "/api/secrets/projects", project)
    assert reply.status == 201, reply.text
    pid = reply.body["id"]
    slot = {"name": "Token", "filename": "token"}
    reply = on_alices_server(alice, "POST", f"/api/secrets/projects/{pid}/slots", slot)
    assert reply.status == 201, reply.text
    slot_id = reply.body["id"]
    value_route = f"/api/secrets/projects/{pid}/slots/{slot_id}/value"
    reply = on_alices_server(alice, "PUT", value_route, {"value": CANARY})
    assert reply.status == 200, reply.text
    secret_id, secret_name = reply.body["secret"]["id"], reply.body["secret"]["name"]
    status = on_alices_server(alice, "GET", "/api/secrets/status").body
    value_file = Path(status["secrets_dir"]) / pid / "token"
    assert value_file.read_text() == CANARY

    def alices_view() -> dict:
        view = {}
        for path in (
            "/api/secrets/user-secrets",
            f"/api/secrets/projects/{pid}",
            f"/api/secrets/user-secrets/{secret_id}",
            "/api/secrets/projects?path=",
        ):
            reply = on_alices_server(alice, "GET", path)
            assert reply.status == 200, (path, reply.status, reply.text)
            view[path] = reply.body
        return view

    before = alices_view()
    assert [s["name"] for s in before["/api/secrets/user-secrets"]["secrets"]] == [secret_name]

    # ---- before any share, bob does not reach alice's server at all (the hub refuses him)
    early = hub.user_token("bob", note="before the share")
    reply = on_alices_server(early, "GET", "/api/me")
    assert reply.status == 403, (reply.status, reply.text)

    # ---- alice shares her server with bob, through the hub's sharing API
    reply = hub.request("POST", "/hub/api/shares/alice/", alice, {"user": "bob"})
    assert reply.status == 200, reply.text
    assert reply.body["user"] == {"name": "bob"}
    assert reply.body["scopes"] == ["access:servers!server=alice/"]

    # ---- bob reaches alice's server as himself ...
    bob = hub.user_token("bob", note="after the share")
    reply = on_alices_server(bob, "GET", "/api/me")
    assert reply.status == 200, reply.text
    assert reply.body["identity"]["username"] == "bob"
    # ... and her contents, so the share works: only the secrets are closed to him.
    assert on_alices_server(bob, "GET", "/api/contents/proj").status == 200

    # ---- ... and every secrets route refuses him, whatever he sends
    # An extension's key (jupyter-secrets-manager): percent-encoded, one path segment.
    routes = every_route(
        {
            "project_id": pid,
            "slot_id": slot_id,
            "secret_id": secret_id,
            "key": "%40example%2Fext%3Aplugin%3Atoken",
        }
    )
    refusals = {}
    for method, path, body in routes:
        reply = on_alices_server(bob, method, path, body)
        assert reply.status == 403, (method, path, reply.status, reply.text)
        assert reply.body["reason"] == "not-owner" and reply.body["owner"] == "alice", reply.text
        assert "alice" in reply.body["message"] and "bob" in reply.body["message"], reply.text
        assert CANARY not in reply.text and hub.keys["alice"] not in reply.text
        refusals[f"{method} {path}"] = reply.body
    assert len({json.dumps(body, sort_keys=True) for body in refusals.values()}) == 1, refusals
    print("bob's 403:", next(iter(refusals.values())))

    # The hub's admin reaches every server, yet is not the owner either.
    reply = on_alices_server(hub.admin_token, "GET", "/api/secrets/status")
    assert reply.status == 403 and reply.body["reason"] == "not-owner", reply.text
    assert "secrets-test-admin" in reply.body["message"], reply.text

    # ---- nothing bob tried changed alice's secrets, slots, projects or files
    assert alices_view() == before
    assert value_file.read_text() == CANARY
    assert not (home / ".jupyter" / "secret-slots.json").exists()  # his POST /projects at root
    slots = json.loads((home / "proj" / ".jupyter" / "secret-slots.json").read_text())["slots"]
    assert [(s["id"], s["name"], s["filename"]) for s in slots] == [(slot_id, "Token", "token")]

    # ---- alice herself is served on every route she reads
    for method, path, _ in routes:
        if method == "GET":
            reply = on_alices_server(alice, method, path)
            # She never saved that extension's key: served (404), not refused.
            expected = 404 if path.startswith("/api/secrets/extension-secrets/") else 200
            assert reply.status == expected, (path, reply.status, reply.text)

    # ---- the hub stops alice's server: her values leave the disk, and no log holds them
    hub.stop_server("alice")
    assert not value_file.exists()
    assert [p for p in (hub.user_dir("alice") / "run").rglob("*") if p.is_file()] == []
    log = hub.log()
    assert "Interrupted" in log or "Shutting down" in log  # the server's own log is in there
    assert CANARY not in log and PLANTED not in log and hub.keys["alice"] not in log
