"""Hostile input and access control, by hand: what fuzzers do not think of.

Symlinks, hard links and FIFOs planted in the secrets directory and in projects' ``.jupyter``;
hand-edited slot files that try to climb out of the secrets directory; Unicode look-alikes;
oversized values; a very large store; every route without credentials, with a browser cookie
but no XSRF header, and under an Authorizer that denies the ``secrets`` resource; values kept
out of a DEBUG log, every response and the event stream of a whole scenario.
"""

from __future__ import annotations

import http.cookies
import json
import os
import re
import signal
import stat
import unicodedata
import urllib.parse
import warnings
from pathlib import Path

import pytest
from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.base.handlers import APIHandler
from jupyter_server.serverapp import ServerWebApplication
from jupyter_server.utils import JupyterServerAuthWarning

from jupyter_secrets.server.handlers import ROUTES
from jupyter_secrets.store.sqlite import SQLiteSecretStore

from .conftest import CANARY
from .hardening import ListHandler, diff, files_containing, lean_server, snapshot

SLOT_FILE = Path(".jupyter") / "secret-slots.json"
VERBS = ("get", "post", "put", "patch", "delete")
MAX = 64 * 1024


def route_calls() -> list[tuple[str, str, str]]:
    """(METHOD, concrete path, route pattern) of every method of every route in ROUTES."""
    calls = []
    for pattern, handler in ROUTES:
        path = re.sub(r"\(\[\^/\]\+\)", "0123abcd", pattern)
        for verb in VERBS:
            if verb in vars(handler):
                calls.append((verb.upper(), path, pattern))
    return calls


ROUTE_CALLS = route_calls()
ROUTE_IDS = [f"{method} {pattern}" for method, _, pattern in ROUTE_CALLS]

# Plausible bodies, so that a refusal is the auth layer's and not a body check's.
BODIES = {
    ("POST", r"/api/secrets/projects"): {"path": "", "name": "Denied"},
    ("POST", r"/api/secrets/user-secrets"): {"name": "denied", "value": CANARY},
    ("PUT", r"/api/secrets/projects/([^/]+)/slots/([^/]+)/value"): {"value": CANARY},
    ("PATCH", r"/api/secrets/user-secrets/([^/]+)"): {"value": CANARY},
    ("POST", r"/api/secrets/projects/([^/]+)/slots"): {"name": "n", "filename": "f"},
    ("PATCH", r"/api/secrets/projects/([^/]+)/slots/([^/]+)"): {"name": "n"},
    ("PUT", r"/api/secrets/extension-secrets/([^/]+)"): {"namespace": "n", "id": "i", "value": "v"},
}


def test_route_table_is_covered():
    """The lists below come from ROUTES: a new route is covered without editing this file."""
    assert len(ROUTE_CALLS) >= 13
    assert {m for m, _, _ in ROUTE_CALLS} == {"GET", "POST", "PUT", "PATCH", "DELETE"}


def extension(serverapp):
    (app,) = serverapp.extension_manager.extension_apps["jupyter_secrets"]
    return app


async def raw_fetch(jp_fetch, method: str, path: str, *, body=None, headers=None):
    kwargs = {
        "method": method,
        "raise_error": False,
        "headers": headers or {},
        "follow_redirects": False,
    }
    if body is not None:
        kwargs["body"] = body if isinstance(body, bytes) else json.dumps(body)
    elif method in ("POST", "PUT", "PATCH"):
        kwargs["body"] = b"{}"
    response = await jp_fetch(*path.strip("/").split("/"), **kwargs)
    text = response.body.decode() if response.body else ""
    return response, text


def the_tree(secrets_base: Path) -> Path:
    (tree,) = [p for p in secrets_base.iterdir() if p.name.startswith("server-")]
    return tree


@pytest.fixture
def outside(tmp_path) -> Path:
    """A directory outside the root and the secrets dir, with files an attacker would target."""
    directory = tmp_path / "outside"
    directory.mkdir()
    (directory / "victim.txt").write_text("ORIGINAL CONTENT\n")
    (directory / "hard.txt").write_text("HARD LINKED\n")
    (directory / "sub").mkdir()
    (directory / "sub" / "keep").write_text("keep me\n")
    return directory


async def filled_slot(api, project, value=CANARY, path="proj", filename="token"):
    pid = (await project(path))["id"]
    status, slot = await api(
        "POST", "projects", pid, "slots", body={"name": f"Slot {filename}", "filename": filename}
    )
    assert status == 201, slot
    status, result = await api(
        "PUT", "projects", pid, "slots", slot["id"], "value", body={"value": value}
    )
    assert status == 200, result
    return pid, slot["id"], result["secret"]["id"]


# ====================================================================== authentication


@pytest.mark.parametrize(("method", "path", "pattern"), ROUTE_CALLS, ids=ROUTE_IDS)
async def test_every_route_refuses_without_a_valid_token(jp_fetch, api, method, path, pattern):
    body = BODIES.get((method, pattern))
    for auth in ("", "token not-the-token", "Bearer not-the-token"):
        response, text = await raw_fetch(
            jp_fetch, method, path, body=body, headers={"Authorization": auth}
        )
        assert response.code == 403, (auth, response.code, text)
        assert CANARY not in text
    # Nothing was done on the unauthenticated request's behalf.
    status, listing = await api("GET", "user-secrets")
    assert status == 200 and listing == {"secrets": []}


async def login_cookies(jp_fetch, token: str) -> dict[str, str]:
    """Log in as a browser does: GET /login for the _xsrf cookie, POST the token as password."""
    cookies: dict[str, str] = {}

    def keep(response):
        for header in response.headers.get_list("Set-Cookie"):
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            cookies.update({name: morsel.value for name, morsel in jar.items()})

    response = await jp_fetch("login", headers={"Authorization": ""}, raise_error=False)
    keep(response)
    assert "_xsrf" in cookies, response.headers
    form = urllib.parse.urlencode({"password": token, "_xsrf": cookies["_xsrf"]})
    response = await jp_fetch(
        "login",
        method="POST",
        body=form,
        raise_error=False,
        follow_redirects=False,
        headers={
            "Authorization": "",
            "Cookie": cookie_header(cookies),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.code == 302, response.code
    keep(response)
    assert any(name.startswith("username-") for name in cookies), cookies
    return cookies


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


async def test_cookie_authenticated_writes_need_the_xsrf_header(
    jp_fetch, jp_serverapp, api, project
):
    pid, sid, secret_id = await filled_slot(api, project)
    cookies = await login_cookies(jp_fetch, jp_serverapp.identity_provider.token)
    browser = {"Authorization": "", "Cookie": cookie_header(cookies)}

    # The cookie alone authenticates reads (so a refusal below is about XSRF, not the login).
    response, text = await raw_fetch(jp_fetch, "GET", "/api/secrets/user-secrets", headers=browser)
    assert response.code == 200, text

    writes = [
        ("POST", "/api/secrets/projects", {"path": "", "name": "Forged"}),
        ("POST", "/api/secrets/user-secrets", {"name": "forged", "value": CANARY}),
        ("POST", f"/api/secrets/projects/{pid}/slots", {"name": "Forged", "filename": "forged"}),
        ("PATCH", f"/api/secrets/projects/{pid}/slots/{sid}", {"name": "Forged"}),
        ("PUT", f"/api/secrets/projects/{pid}/slots/{sid}/value", {"value": CANARY + "-forged"}),
        ("DELETE", f"/api/secrets/projects/{pid}/slots/{sid}/value", None),
        ("PATCH", f"/api/secrets/user-secrets/{secret_id}", {"name": "forged"}),
        ("DELETE", f"/api/secrets/projects/{pid}/slots/{sid}", None),
        ("DELETE", f"/api/secrets/user-secrets/{secret_id}", None),
        (
            "PUT",
            "/api/secrets/extension-secrets/ns%3Aid",
            {"namespace": "ns", "id": "id", "value": CANARY},
        ),
        ("DELETE", "/api/secrets/extension-secrets/ns%3Aid", None),
    ]
    # Every write method of every route is in the list above.
    write_patterns = {(m, p) for m, _, p in ROUTE_CALLS if m != "GET"}
    assert len(writes) == len(write_patterns)
    for method, path, body in writes:
        response, text = await raw_fetch(jp_fetch, method, path, body=body, headers=browser)
        assert response.code == 403, (method, path, response.code, text)
        assert "_xsrf" in json.loads(text)["message"]
    # Nothing changed.
    _, listing = await api("GET", "user-secrets")
    assert [s["id"] for s in listing["secrets"]] == [secret_id]
    _, model = await api("GET", "projects", pid)
    assert [(s["id"], s["name"], s["state"]) for s in model["slots"]] == [
        (sid, "Slot token", "provided")
    ]

    # With the header a browser sends (the _xsrf cookie echoed), the same cookie may write.
    response, text = await raw_fetch(
        jp_fetch,
        "POST",
        "/api/secrets/user-secrets",
        body={"name": "from-browser", "value": "v-123456"},
        headers={**browser, "X-XSRFToken": cookies["_xsrf"]},
    )
    assert response.code == 201, text


class DenySecrets(Authorizer):
    """Allows everything except the ``secrets`` resource; records what it was asked."""

    asked: list[tuple[str, str]] = []

    def is_authorized(self, handler, user, action, resource):
        DenySecrets.asked.append((action, resource))
        return resource != "secrets"


class TestAuthorizerDenyingSecrets:
    @pytest.fixture
    def jp_server_config(self, store_path, secrets_base, secrets_key):
        DenySecrets.asked = []
        return {
            "ServerApp": {
                "jpserver_extensions": {"jupyter_secrets": True},
                "authorizer_class": DenySecrets,
            },
            "SecretsExtension": {
                "store_path": str(store_path),
                "secrets_dir": str(secrets_base),
                "prompt_on_start": "never",
                "refresh_interval": 0,
            },
        }

    async def test_every_route_is_forbidden_and_nothing_changes(
        self, jp_fetch, jp_serverapp, jp_root_dir
    ):
        store = extension(jp_serverapp).store
        root_before = snapshot(jp_root_dir)
        for method, path, pattern in ROUTE_CALLS:
            DenySecrets.asked = []
            response, text = await raw_fetch(
                jp_fetch, method, path, body=BODIES.get((method, pattern))
            )
            assert response.code == 403, (method, path, response.code, text)
            assert CANARY not in text
            expected = "read" if method == "GET" else "write"
            assert (expected, "secrets") in DenySecrets.asked, (method, path, DenySecrets.asked)
        assert store.list_secrets(extension(jp_serverapp).owner) == []
        assert snapshot(jp_root_dir) == root_before  # no slot file was created
        # The rest of the server is not affected.
        response = await jp_fetch("api", "status")
        assert response.code == 200
        response = await jp_fetch("api", "contents")
        assert response.code == 200


class Undecorated(APIHandler):
    def get(self):  # deliberately without @web.authenticated: the control case
        self.finish("{}")


def test_every_handler_method_is_authenticated():
    """jupyter_server's own check (the one behind allow_unauthenticated_access) finds nothing."""
    for pattern, handler in ROUTES:
        assert ServerWebApplication._check_handler_auth(None, pattern, handler) == [], pattern
    # The check does catch a handler without the decorator.
    assert ServerWebApplication._check_handler_auth(None, "/x", Undecorated)


class TestNoUnauthenticatedAccess:
    @pytest.fixture
    def jp_server_config(self, store_path, secrets_base, secrets_key):
        return {
            "ServerApp": {
                "jpserver_extensions": {"jupyter_secrets": True},
                "allow_unauthenticated_access": False,
            },
            "SecretsExtension": {
                "store_path": str(store_path),
                "secrets_dir": str(secrets_base),
                "prompt_on_start": "never",
                "refresh_interval": 0,
            },
        }

    @pytest.fixture
    def started(self, request):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            app = request.getfixturevalue("jp_serverapp")
        return app, caught

    async def test_extension_loads_without_auth_warnings(self, started, api):
        app, caught = started
        assert app.allow_unauthenticated_access is False
        # Other installed extensions may have their own (e.g. terminals' websocket): only ours count.
        ours = {handler.__name__ for _, handler in ROUTES}
        lines = [
            line
            for w in caught
            if issubclass(w.category, JupyterServerAuthWarning)
            for line in str(w.message).splitlines()
        ]
        assert not [
            line for line in lines if "/api/secrets" in line or any(f" {n} " in line for n in ours)
        ], lines
        assert any(
            "/api/secrets" in getattr(getattr(rule.matcher, "regex", None), "pattern", "")
            for rule in _rules(app.web_app)
        ), "the extension's handlers were not registered"
        status, _ = await api("GET", "status")
        assert status == 200
        # Control: the same capture sees the warning for an undecorated extension handler.
        with warnings.catch_warnings(record=True) as control:
            warnings.simplefilter("always")
            app.web_app.add_handlers(".*$", [("/hardening-undecorated", Undecorated)])
        assert any(issubclass(w.category, JupyterServerAuthWarning) for w in control)


def _rules(web_app):
    for rule in [*web_app.default_router.rules, *web_app.wildcard_router.rules]:
        yield from getattr(rule.target, "rules", [rule])


# ====================================================================== symlinks and links


async def test_symlinked_project_dir_in_the_secrets_dir_is_replaced_not_followed(
    api, project, secrets_base, outside, tmp_path
):
    pid, sid, secret_id = await filled_slot(api, project)
    tree = the_tree(secrets_base)
    before = snapshot(outside)
    for target in (outside, outside / "sub"):
        project_dir = tree / pid
        if project_dir.is_symlink():
            project_dir.unlink()
        else:
            for entry in project_dir.iterdir():
                entry.unlink()
            project_dir.rmdir()
        project_dir.symlink_to(target, target_is_directory=True)
        status, reply = await api(
            "PATCH", "user-secrets", secret_id, body={"value": CANARY + "-next"}
        )
        assert status == 200, reply
        assert not project_dir.is_symlink() and project_dir.is_dir()
        assert stat.S_IMODE(project_dir.stat().st_mode) == 0o700
        assert (project_dir / "token").read_text() == CANARY + "-next"
    assert snapshot(outside) == before


@pytest.mark.parametrize("planted", ["symlink", "hardlink", "fifo", "directory"])
@pytest.mark.parametrize("entry", ["token", ".~slots.json"])
async def test_planted_value_file_is_replaced_never_written_through(
    api, project, secrets_base, outside, planted, entry
):
    pid, sid, secret_id = await filled_slot(api, project)
    path = the_tree(secrets_base) / pid / entry
    path.unlink()
    if planted == "symlink":
        path.symlink_to(outside / "victim.txt")
    elif planted == "hardlink":
        os.link(outside / "hard.txt", path)
    elif planted == "fifo":
        os.mkfifo(path, 0o600)
    else:
        path.mkdir()
        (path / "inner").symlink_to(outside / "sub")
    before = snapshot(outside)
    status, reply = await api(
        "PATCH", "user-secrets", secret_id, body={"value": CANARY + "-replaced"}
    )
    assert status == 200, reply
    assert snapshot(outside) == before, diff(before, snapshot(outside))
    st = os.lstat(path)
    assert stat.S_ISREG(st.st_mode) and st.st_nlink == 1 and stat.S_IMODE(st.st_mode) == 0o600
    token = path.parent / "token"
    assert token.read_text() == CANARY + "-replaced"


async def test_symlinked_server_tree_writes_nothing_outside(api, project, secrets_base, outside):
    pid, sid, secret_id = await filled_slot(api, project)
    tree = the_tree(secrets_base)
    for entry in sorted(tree.rglob("*"), reverse=True):
        entry.rmdir() if entry.is_dir() else entry.unlink()
    tree.rmdir()
    tree.symlink_to(outside, target_is_directory=True)
    before = snapshot(outside)
    status, reply = await api("PATCH", "user-secrets", secret_id, body={"value": CANARY + "-x"})
    # The store took the change (2xx); the files are refused, and the status says why.
    assert 200 <= status < 300, reply
    _, model = await api("GET", "status")
    assert "symbolic link" in (model["files_error"] or ""), model
    assert CANARY not in json.dumps(reply) + json.dumps(model)
    assert snapshot(outside) == before


@pytest.mark.parametrize("breakage", ["tree symlinked away", "slot file broken"])
async def test_failed_materialization_reply_agrees_with_the_store(
    api, project, secrets_base, outside, jp_serverapp, jp_root_dir, breakage
):
    pid, sid, secret_id = await filled_slot(api, project)
    events = []
    jp_serverapp.event_logger.register_handler(ListHandler(events))
    if breakage == "tree symlinked away":
        tree = the_tree(secrets_base)
        for entry in sorted(tree.rglob("*"), reverse=True):
            entry.rmdir() if entry.is_dir() else entry.unlink()
        tree.rmdir()
        tree.symlink_to(outside, target_is_directory=True)
    else:
        (jp_root_dir / "proj" / SLOT_FILE).write_text("<<<<<<< HEAD\n")  # a merge conflict
    status, reply = await api("PATCH", "user-secrets", secret_id, body={"value": "changed-value"})
    ext = extension(jp_serverapp)
    if ext.store.read_value(ext.owner, secret_id) == "changed-value":
        # The change was committed: the reply and the audit trail must say so.
        assert 200 <= status < 300, (status, reply)
        assert [e["action"] for e in events] == ["secret.updated"]
    else:
        assert status >= 400


async def test_slot_file_and_jupyter_dir_symlinks_are_refused_with_a_reason(
    api, project, jp_root_dir, outside
):
    good_pid = (await project("good"))["id"]
    # An outside directory holding a valid slot file an attacker wants us to use and rewrite.
    foreign = {"version": 1, "project": {"id": "foreignproject", "name": "Foreign"}, "slots": []}
    (outside / ".jupyter").mkdir()
    (outside / SLOT_FILE).write_text(json.dumps(foreign))
    (outside / "slots.json").write_text(json.dumps(foreign))

    # 1. the slot file itself is a symlink
    (jp_root_dir / "linkfile" / ".jupyter").mkdir(parents=True)
    (jp_root_dir / "linkfile" / SLOT_FILE).symlink_to(outside / "slots.json")
    # 2. the .jupyter directory is a symlink
    (jp_root_dir / "linkdir").mkdir()
    (jp_root_dir / "linkdir" / ".jupyter").symlink_to(
        outside / ".jupyter", target_is_directory=True
    )
    # 3. a project that became a link after it was known by id
    pid = (await project("later"))["id"]
    real = jp_root_dir / "later" / SLOT_FILE
    (outside / "later.json").write_text(real.read_text())
    real.unlink()
    real.symlink_to(outside / "later.json")

    before = snapshot(outside)
    for path in ("linkfile", "linkdir", "later", "linkfile/sub/nb.ipynb"):
        status, model = await api("GET", "projects", params={"path": path})
        assert status == 200, model
        assert model["exists"] is True and model["id"] is None and model["slots"] == []
        assert "symbolic link" in model["error"], model
    # Known by id: every operation says why (422), none writes through the link.
    for method, parts, body in [
        ("GET", ("projects", pid), None),
        ("POST", ("projects", pid, "slots"), {"name": "X", "filename": "x"}),
        ("PATCH", ("projects", pid, "slots", "abc"), {"name": "Y"}),
        ("DELETE", ("projects", pid, "slots", "abc"), None),
        ("PUT", ("projects", pid, "slots", "abc", "value"), {"value": CANARY}),
    ]:
        status, reply = await api(method, *parts, body=body)
        assert status == 422, (method, parts, status, reply)
        assert "symbolic link" in reply["message"]
    # Making a project through a linked .jupyter is refused too (with or without a file there).
    status, reply = await api("POST", "projects", body={"path": "linkdir", "name": "Again"})
    assert status in (409, 422), reply
    (jp_root_dir / "linkdir2").mkdir()
    (jp_root_dir / "linkdir2" / ".jupyter").symlink_to(outside / "sub", target_is_directory=True)
    status, reply = await api("POST", "projects", body={"path": "linkdir2", "name": "Again"})
    assert status == 422 and "symbolic link" in reply["message"], reply
    assert snapshot(outside) == before
    # The other project keeps working.
    status, slot = await api(
        "POST", "projects", good_pid, "slots", body={"name": "Fine", "filename": "fine"}
    )
    assert status == 201, slot
    status, reply = await api(
        "PUT", "projects", good_pid, "slots", slot["id"], "value", body={"value": "fine-value"}
    )
    assert status == 200, reply


@pytest.mark.parametrize(
    "path",
    [
        "escape",
        "escape/sub",
        "../outside",
        "/etc",
        "proj/../../outside",
        "C:\\Windows",
        "proj\\..\\..",
        "nul\x00byte",
        "loop",
    ],
)
async def test_project_paths_outside_the_root_are_refused(api, jp_root_dir, outside, path):
    (jp_root_dir / "escape").symlink_to(outside, target_is_directory=True)
    (jp_root_dir / "loop").symlink_to(jp_root_dir / "loop")
    (jp_root_dir / "proj").mkdir()
    before = snapshot(outside)
    status, reply = await api("POST", "projects", body={"path": path, "name": "Escape"})
    assert status == 400 and reply["field"] == "path", reply
    status, reply = await api("GET", "projects", params={"path": path})
    if "\x00" in path:  # tornado turns control characters of query arguments into spaces
        assert status == 200 and reply["exists"] is False, reply
    else:
        assert status == 400 and reply["field"] == "path", reply
    assert snapshot(outside) == before


# What the in-process server may write under tmp_path: its root, secrets dir, store, runtime dir.
WRITABLE = ("root_dir", "run", "store", "runtime")

HOSTILE_SLOT_FILES = {
    "project id climbing up": {"project": {"id": "../../etc", "name": "Evil"}, "slots": []},
    "project id absolute": {"project": {"id": "/etc", "name": "Evil"}, "slots": []},
    "project id dots": {"project": {"id": "..", "name": "Evil"}, "slots": []},
    "filename climbing up": {
        "slots": [{"id": "s1", "name": "Evil", "description": "", "filename": "../x"}]
    },
    "filename absolute": {
        "slots": [{"id": "s1", "name": "Evil", "description": "", "filename": "/etc/passwd"}]
    },
    "filename dots": {"slots": [{"id": "s1", "name": "Evil", "description": "", "filename": ".."}]},
    "filename with a slash": {
        "slots": [{"id": "s1", "name": "Evil", "description": "", "filename": "a/b"}]
    },
    "slot id climbing up": {
        "slots": [{"id": "../s", "name": "Evil", "description": "", "filename": "x"}]
    },
    "filename look-alike": {
        "slots": [{"id": "s1", "name": "Evil", "description": "", "filename": "tоken"}]
    },
    "env on the deny-list": {
        "slots": [
            {"id": "s1", "name": "Evil", "description": "", "filename": "x", "env": "LD_PRELOAD"}
        ]
    },
}


@pytest.mark.parametrize("case", sorted(HOSTILE_SLOT_FILES))
async def test_hand_edited_hostile_slot_file_only_breaks_its_project(
    api, project, jp_root_dir, secrets_base, tmp_path, outside, case
):
    good_pid, good_sid, _ = await filled_slot(api, project, path="good", filename="good")
    evil_pid, evil_sid, evil_secret = await filled_slot(
        api, project, path="evil", filename="evilfile"
    )
    data = json.loads((jp_root_dir / "evil" / SLOT_FILE).read_text())
    override = HOSTILE_SLOT_FILES[case]
    if "project" in override:
        data["project"] = override["project"]
    if "slots" in override:
        data["slots"] = override["slots"]
    (jp_root_dir / "evil" / SLOT_FILE).write_text(json.dumps(data))
    before = snapshot(tmp_path, exclude=WRITABLE)

    status, model = await api("GET", "projects", params={"path": "evil"})
    assert status == 200 and model["error"] and model["id"] is None, model
    assert model["exists"] is True
    status, reply = await api("GET", "projects", evil_pid)
    assert status == 422 and reply["message"], reply
    status, reply = await api("PATCH", "user-secrets", evil_secret, body={"value": "still-private"})
    assert status in (200, 422), reply
    # The other project keeps working, and its file is rewritten in its own directory only.
    status, model = await api("GET", "projects", params={"path": "good"})
    assert status == 200 and model["error"] is None and model["slots"][0]["state"] == "provided"
    status, reply = await api(
        "PUT", "projects", good_pid, "slots", good_sid, "value", body={"value": "good-next"}
    )
    assert status == 200, reply
    status, listing = await api("GET", "user-secrets")
    assert status == 200 and len(listing["secrets"]) == 2

    after = snapshot(tmp_path, exclude=WRITABLE)
    assert after == before, diff(before, after)
    # Inside the secrets dir: only <tree>/<valid project id>/<valid filename>.
    tree = the_tree(secrets_base)
    for path in tree.rglob("*"):
        rel = path.relative_to(tree).parts
        assert re.fullmatch(
            r"[A-Za-z0-9_-]{1,64}|\.owner|\.~redaction\.json|\.no-project", rel[0]
        ), path
        assert len(rel) <= 2 and not path.is_symlink(), path
    assert (tree / good_pid / "good").read_text() == "good-next"


# ====================================================================== Unicode


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("filename", "tоken"),  # Cyrillic o
        ("filename", "ｔｏｋｅｎ"),  # fullwidth
        ("filename", "token\u200b"),  # zero-width space
        ("filename", "to\u0301ken"),  # combining accent
        ("filename", "١٢٣"),  # Arabic-Indic digits
        ("env", "DB_PАSS"),  # Cyrillic A
        ("env", "ＤＢ"),
        ("env", "DB\u200bPASS"),
    ],
)
async def test_look_alike_filenames_and_env_names_are_refused(api, project, field, value):
    pid = (await project())["id"]
    body = {"name": "Look-alike", "filename": "token"}
    body[field] = value
    status, reply = await api("POST", "projects", pid, "slots", body=body)
    assert status == 400 and reply["field"] == field, reply
    assert value not in reply["message"]


async def test_unicode_names_and_paths_work_and_stay_distinct(
    api, project, jp_root_dir, secrets_base
):
    model = await project("prøjekt/ünïcode", "Prøjekt ✓")
    assert model["path"] == "prøjekt/ünïcode"
    status, found = await api("GET", "projects", params={"path": "prøjekt/ünïcode/nb.ipynb"})
    assert status == 200 and found["id"] == model["id"]
    # Look-alike secret names clash (Unicode TS #39 skeletons): reading by name is never ambiguous.
    status, reply = await api(
        "POST", "user-secrets", body={"name": "paypal", "value": "value of paypal"}
    )
    assert status == 201, reply
    for name in ("paypal", "pаypal", "ｐａｙｐａｌ"):
        status, reply = await api(
            "POST", "user-secrets", body={"name": name, "value": f"value of {name}"}
        )
        assert status == 409 and "'paypal'" in reply["message"], reply
    status, slot = await api(
        "POST", "projects", model["id"], "slots", body={"name": "Clé ✓", "filename": "cle"}
    )
    assert status == 201 and slot["name"] == "Clé ✓"
    status, reply = await api(
        "PUT",
        "projects",
        model["id"],
        "slots",
        slot["id"],
        "value",
        body={"value": "mot de passe ✓ ü 🔑"},
    )
    assert status == 200
    assert (
        the_tree(secrets_base) / model["id"] / "cle"
    ).read_bytes() == "mot de passe ✓ ü 🔑".encode()


async def test_canonically_equivalent_secret_names_clash(api):
    nfc = unicodedata.normalize("NFC", "café")
    nfd = unicodedata.normalize("NFD", "café")
    assert nfc != nfd
    status, _ = await api("POST", "user-secrets", body={"name": nfc, "value": "first-value"})
    assert status == 201
    status, reply = await api("POST", "user-secrets", body={"name": nfd, "value": "second-value"})
    assert status == 409, reply


# ====================================================================== sizes and volume


async def test_values_over_64_kib_are_refused_everywhere(api, project, jp_serverapp):
    pid = (await project())["id"]
    _, slot = await api("POST", "projects", pid, "slots", body={"name": "Big", "filename": "big"})
    too_big = [
        CANARY + "x" * (MAX + 1 - len(CANARY)),
        "€" * (MAX // 3 + 1),
    ]  # by bytes, not characters
    assert all(len(v.encode()) > MAX for v in too_big) and len(too_big[1]) < MAX
    for value in too_big:
        status, reply = await api("POST", "user-secrets", body={"name": "big", "value": value})
        assert status == 400 and reply["field"] == "value" and "65536" in reply["message"], reply
        status, reply = await api(
            "PUT", "projects", pid, "slots", slot["id"], "value", body={"value": value}
        )
        assert status == 400 and reply["field"] == "value", reply
        assert CANARY not in json.dumps(reply)
    exact = "y" * MAX
    status, created = await api("POST", "user-secrets", body={"name": "exact", "value": exact})
    assert status == 201, created
    for value in too_big:
        status, reply = await api("PATCH", "user-secrets", created["id"], body={"value": value})
        assert status == 400 and reply["field"] == "value", reply
    ext = extension(jp_serverapp)
    assert ext.store.read_value(ext.owner, created["id"]) == exact
    assert [s["name"] for s in (await api("GET", "user-secrets"))[1]["secrets"]] == ["exact"]


async def test_ten_thousand_secrets_are_all_listed(api, jp_serverapp, store_path, secrets_key):
    ext = extension(jp_serverapp)
    # A second handle on the same file with the same key, as the CLI or another server would
    # (the server took the key out of this process's environment once it had read it).
    other = SQLiteSecretStore.open(store_path, env={"JUPYTER_SECRETS_KEY": secrets_key})
    assert not other.locked
    other._connection().execute("PRAGMA synchronous=OFF")  # population speed only
    expected = {}
    for n in range(10_000):
        meta = other.create_secret(ext.owner, f"bulk-{n:05d}", f"bulk value {n}")
        expected[meta.id] = meta.name
    other.close()
    status, listing = await api("GET", "user-secrets")
    assert status == 200
    assert {s["id"]: s["name"] for s in listing["secrets"]} == expected
    assert [s["name"] for s in listing["secrets"]] == sorted(expected.values())


# ====================================================================== values never leak


def test_values_never_reach_the_debug_log_responses_or_events(tmp_path):
    events_file = tmp_path / "events.jsonl"
    server = lean_server(tmp_path / "server", "--debug")
    (server.workdir / "config" / "jupyter_server_config.py").write_text(
        f"import logging\nc.EventLogger.handlers = [logging.FileHandler({str(events_file)!r})]\n"
    )
    replies: list[str] = []

    def call(method, path, body=None, *, raw=None, expect=None):
        status, text = server.call(method, path, body, raw=raw)
        replies.append(text)
        if expect is not None:
            assert status == expect, (method, path, status, text)
        return status, (json.loads(text) if text else None)

    second = CANARY + "-second"
    (server.root / "proj").mkdir()
    server.start()
    try:
        _, model = call(
            "POST", "/api/secrets/projects", {"path": "proj", "name": "Proj"}, expect=201
        )
        pid = model["id"]
        base = f"/api/secrets/projects/{pid}"
        _, slot = call(
            "POST",
            f"{base}/slots",
            {"name": "Token", "filename": "token", "env": "MY_TOKEN"},
            expect=201,
        )
        _, other = call("POST", f"{base}/slots", {"name": "Other", "filename": "other"}, expect=201)
        sid = slot["id"]
        _, filled = call("PUT", f"{base}/slots/{sid}/value", {"value": CANARY}, expect=200)
        secret_id = filled["secret"]["id"]
        call("PUT", f"{base}/slots/{other['id']}/value", {"secret_id": secret_id}, expect=200)
        call(
            "PUT", f"{base}/slots/{sid}/value", {"value": second}, expect=200
        )  # shared: a new secret
        call(
            "PATCH",
            f"/api/secrets/user-secrets/{secret_id}",
            {"value": CANARY + "-patched"},
            expect=200,
        )
        call("GET", "/api/secrets/user-secrets", expect=200)
        call("GET", "/api/secrets/projects?path=proj", expect=200)
        call("GET", f"/api/secrets/user-secrets/{secret_id}", expect=200)
        # Bad requests that carry values.
        bad = [
            (
                "POST",
                "/api/secrets/user-secrets",
                None,
                ('{"name": "x", "value": "' + CANARY + '"').encode(),
            ),
            (
                "POST",
                "/api/secrets/user-secrets",
                None,
                b'{"value": "' + CANARY.encode() + b'\xff\xfe"}',
            ),
            (
                "POST",
                "/api/secrets/user-secrets",
                {"name": "y", "value": CANARY, "colour": "red"},
                None,
            ),
            ("POST", "/api/secrets/user-secrets", {"name": "", "value": CANARY}, None),
            ("POST", "/api/secrets/user-secrets", {"name": "big", "value": CANARY * 3000}, None),
            (
                "POST",
                "/api/secrets/user-secrets",
                {"name": "z", "value": CANARY, "expires": "not a date"},
                None,
            ),
            ("POST", "/api/secrets/user-secrets", {"name": "Token-dup", "value": [CANARY]}, None),
            (
                "POST",
                "/api/secrets/user-secrets",
                None,
                json.dumps({"name": "huge", "value": CANARY * 40000}).encode(),
            ),
            ("PUT", f"{base}/slots/{sid}/value", {"value": CANARY, "secret_id": secret_id}, None),
            ("PUT", f"{base}/slots/{sid}/value", {"value": CANARY, "extra": CANARY}, None),
            ("PUT", f"{base}/slots/nosuchslot/value", {"value": CANARY}, None),
            ("PUT", "/api/secrets/projects/nosuchproject/slots/x/value", {"value": CANARY}, None),
            ("PUT", f"{base}/slots/{sid}/value", None, b'[{"value": "' + CANARY.encode() + b'"}]'),
            ("PATCH", f"/api/secrets/user-secrets/{secret_id}", {"value": CANARY + "\ud800"}, None),
            ("PATCH", f"/api/secrets/user-secrets/{secret_id}", {"value": CANARY, "id": "x"}, None),
            ("PATCH", "/api/secrets/user-secrets/nosuch", {"value": CANARY}, None),
            ("PATCH", f"/api/secrets/user-secrets/{secret_id}", {"value": 7, "name": None}, None),
            (
                "POST",
                f"{base}/slots",
                {"name": "Bad", "filename": "../x", "description": CANARY},
                None,
            ),
        ]
        for method, path, body, raw in bad:
            status, text = server.call(method, path, body, raw=raw)
            replies.append(text)
            assert 400 <= status < 500, (method, path, status, text)
        call("DELETE", f"{base}/slots/{sid}/value", expect=204)
        call("DELETE", f"/api/secrets/user-secrets/{secret_id}", expect=204)
        call("DELETE", f"{base}/slots/{other['id']}", expect=204)
    finally:
        server.stop(signal.SIGTERM)
    log = server.log()
    assert "[D " in log, "the server did not log at DEBUG level"
    assert "/api/secrets/user-secrets" in log
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    assert {e["action"] for e in events} >= {
        "project.created",
        "slot.filled",
        "secret.updated",
        "secret.deleted",
    }
    for where, text in [
        ("server log", log),
        ("events", events_file.read_text()),
        *(("response", r) for r in replies),
    ]:
        assert CANARY not in text, f"a value reached the {where}"
    # Nor the project (slot files), the store (encrypted), the config or data dirs.
    assert files_containing(server.workdir, CANARY.encode(), exclude=(server.secrets_base,)) == []
