"""Trust on a shared server (issue 10): only the owner reaches the secrets, and neither a
value nor the store key leaves by a side door.  Each test reproduces one finding."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from tornado.httpclient import AsyncHTTPClient

from .conftest import CANARY
from .test_kernels import run_code, start_session
from .two_users import GUEST_TOKEN, OWNER_TOKEN

OLD_VALUE = "retired-value-9b2e51d0"


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    return dict(item.split("=", 1) for item in raw.split("\0") if "=" in item)


def listen(serverapp, events: list) -> None:
    async def listener(logger, schema_id, data):
        events.append(data)

    serverapp.event_logger.add_listener(
        schema_id="https://events.jupyter.org/jupyter_secrets/change/v1", listener=listener
    )


def extension(serverapp):
    return serverapp.extension_manager.extension_points["jupyter_secrets"].app


async def fill(api, project, value: str = CANARY, env: str | None = "API_TOKEN") -> dict:
    pid = (await project())["id"]
    body = {"name": "Token", "filename": "token", **({"env": env} if env else {})}
    _, slot = await api("POST", "projects", pid, "slots", body=body)
    status, result = await api(
        "PUT", "projects", pid, "slots", slot["id"], "value", body={"value": value}
    )
    assert status == 200, result
    return {"project_id": pid, "slot_id": slot["id"], "secret_id": result["secret"]["id"]}


# ============================================================ 1. the key reaches no child


async def test_the_key_reaches_no_kernel_terminal_or_saved_file(
    jp_fetch, jp_serverapp, api, project, secrets_key, jp_root_dir
):
    await fill(api, project)
    # The server process itself no longer carries it (children inherit from it).
    assert os.environ.get("JUPYTER_SECRETS_KEY") is None
    kernel_id = await start_session(jp_fetch, "proj/nb.ipynb")
    out, error = await run_code(jp_serverapp, kernel_id, "import os; print(sorted(os.environ))")
    assert error is None and "JUPYTER_SECRETS_DIR" in out  # the env was looked at for real
    assert "JUPYTER_SECRETS_KEY" not in out and secrets_key not in out

    await jp_serverapp.extension_manager.start_all_extensions()
    response = await jp_fetch("api", "terminals", method="POST", body="{}")
    name = json.loads(response.body)["name"]
    manager = jp_serverapp.web_app.settings["terminal_manager"]
    environ = environ_of(manager.get_terminal(name).ptyproc.pid)
    await jp_fetch("api", "terminals", name, method="DELETE")
    assert "JUPYTER_SECRETS_DIR" in environ and "JUPYTER_SECRETS_KEY" not in environ

    # A key printed anyway (read from /proc, pasted) is scrubbed from saves like a value.
    response = await jp_fetch(
        "api",
        "contents",
        "notes.txt",
        method="PUT",
        body=json.dumps({"type": "file", "format": "text", "content": f"key={secrets_key}\n"}),
    )
    assert response.code in (200, 201)
    saved = (jp_root_dir / "notes.txt").read_text()
    assert secrets_key not in saved and "[REDACTED:store key]" in saved


def test_secrets_run_does_not_pass_the_key_on(tmp_path, secrets_key):
    root = tmp_path / "proj"
    root.mkdir()
    store = tmp_path / "store" / "secrets.sqlite3"
    env = {**os.environ, "JUPYTER_SECRETS_KEY": secrets_key}
    base = [sys.executable, "-m", "jupyter_secrets.cli.main", "--store", str(store)]
    subprocess.run(
        [*base, "slots", "init", "--project", str(root), "--name", "P"],
        env=env,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [
            *base,
            "run",
            "--secrets-dir",
            str(tmp_path / "run"),
            "--project",
            str(root),
            "--",
            sys.executable,
            "-c",
            "import os, json; print(json.dumps(dict(os.environ)))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    child_env = json.loads(result.stdout)
    assert "JUPYTER_SECRETS_DIR" in child_env
    assert "JUPYTER_SECRETS_KEY" not in child_env and secrets_key not in result.stdout


# ============================================================ 2. only the owner


@pytest.fixture
def two_users_config(jp_server_config):
    config = json.loads(json.dumps(jp_server_config))
    config["ServerApp"]["identity_provider_class"] = "tests.two_users.TwoUsersIdentityProvider"
    config["SecretsExtension"]["owner"] = "alice"
    return config


ROUTES = [
    ("GET", ("status",), None),
    ("GET", ("projects",), None),
    ("POST", ("projects",), {"path": "", "name": "Mine now"}),
    ("GET", ("projects", "p1"), None),
    ("POST", ("projects", "p1", "slots"), {"name": "x", "filename": "x"}),
    ("PATCH", ("projects", "p1", "slots", "s1"), {"name": "y"}),
    ("DELETE", ("projects", "p1", "slots", "s1"), None),
    ("PUT", ("projects", "p1", "slots", "s1", "value"), {"value": "planted-value"}),
    ("DELETE", ("projects", "p1", "slots", "s1", "value"), None),
    ("GET", ("user-secrets",), None),
    ("POST", ("user-secrets",), {"name": "planted", "value": "planted-value"}),
    ("GET", ("user-secrets", "s1"), None),
    ("PATCH", ("user-secrets", "s1"), {"value": "planted-value"}),
    ("DELETE", ("user-secrets", "s1"), None),
]


class TestOnlyTheOwner:
    @pytest.fixture
    def jp_server_config(self, two_users_config):
        return two_users_config

    async def call(self, jp_fetch, token, method, parts, body=None):
        kwargs = {
            "method": method,
            "raise_error": False,
            "headers": {"Authorization": f"token {token}"},
        }
        if body is not None:
            kwargs["body"] = json.dumps(body)
        elif method in ("POST", "PUT", "PATCH"):
            kwargs.update(body=b"", allow_nonstandard_methods=True)
        response = await jp_fetch("api", "secrets", *parts, **kwargs)
        return response.code, json.loads(response.body) if response.body else None

    async def test_a_guest_gets_403_on_every_route_and_changes_nothing(self, jp_fetch, jp_root_dir):
        (jp_root_dir / "proj").mkdir()
        status, model = await self.call(
            jp_fetch, OWNER_TOKEN, "POST", ("projects",), {"path": "proj", "name": "P"}
        )
        assert status == 201
        pid = model["id"]
        status, slot = await self.call(
            jp_fetch,
            OWNER_TOKEN,
            "POST",
            ("projects", pid, "slots"),
            {"name": "Token", "filename": "token"},
        )
        status, filled = await self.call(
            jp_fetch,
            OWNER_TOKEN,
            "PUT",
            ("projects", pid, "slots", slot["id"], "value"),
            {"value": CANARY},
        )
        assert status == 200
        sid = filled["secret"]["id"]
        ids = {"p1": pid, "s1": sid}
        for method, parts, body in ROUTES:
            parts = tuple(ids.get(part, part) for part in parts)
            if parts[:3] == ("projects", pid, "slots") and len(parts) > 3:
                parts = (*parts[:3], slot["id"], *parts[4:])
            status, reply = await self.call(jp_fetch, GUEST_TOKEN, method, parts, body)
            assert status == 403, (method, parts, status, reply)
            assert reply["reason"] == "not-owner" and reply["owner"] == "alice", reply
            assert "alice" in reply["message"] and CANARY not in json.dumps(reply)
        # Nothing the guest tried reached the owner's store or files.
        status, listing = await self.call(jp_fetch, OWNER_TOKEN, "GET", ("user-secrets",))
        assert status == 200 and [s["name"] for s in listing["secrets"]] == [
            filled["secret"]["name"]
        ]
        status, model = await self.call(jp_fetch, OWNER_TOKEN, "GET", ("projects",), None)

    async def test_the_owner_is_served_and_unknown_logins_are_refused(self, jp_fetch):
        status, reply = await self.call(jp_fetch, OWNER_TOKEN, "GET", ("status",))
        assert status == 200 and reply["locked"] is False
        status, _ = await self.call(jp_fetch, "no-such-token", "GET", ("status",))
        assert status == 403

    async def test_the_audit_trail_names_the_actor(self, jp_fetch, jp_serverapp):
        events = []
        listen(jp_serverapp, events)
        status, _ = await self.call(
            jp_fetch, OWNER_TOKEN, "POST", ("user-secrets",), {"name": "db", "value": CANARY}
        )
        assert status == 201
        await asyncio.sleep(0.1)  # listeners run as tasks
        assert events and events[-1]["action"] == "secret.created"
        assert events[-1]["actor"] == "alice" and events[-1]["owner"] == "alice"


async def test_per_token_logins_all_act_as_the_owner(jp_fetch, api):
    """jupyter_server's own provider gives each token login a random name: no one to refuse."""
    status, _ = await api("GET", "status")
    assert status == 200


class TestAlwaysOwnerOnly:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        config = json.loads(json.dumps(jp_server_config))
        config["SecretsExtension"]["owner_only"] = "always"
        config["SecretsExtension"]["owner"] = "somebody-else"
        return config

    async def test_always_refuses_a_login_whose_name_is_not_the_owner(self, api):
        status, reply = await api("GET", "status")
        assert status == 403 and reply["reason"] == "not-owner"


# ============================================================ 3. actor on every change


async def test_every_change_event_names_the_actor(jp_fetch, jp_serverapp, api, project):
    """With jupyter_server's own provider each token request is a fresh anonymous login: the
    actor is that login's name (a random hex id), which is what /api/me reports too."""
    events = []
    listen(jp_serverapp, events)
    await fill(api, project)
    await asyncio.sleep(0.1)  # listeners run as tasks
    assert {e["action"] for e in events} >= {"project.created", "slot.added", "slot.filled"}
    owner = extension(jp_serverapp).owner
    assert all(re.fullmatch("[0-9a-f]{32}", e["actor"]) and e["owner"] == owner for e in events), (
        events
    )
    response = await jp_fetch("api", "me")
    assert re.fullmatch("[0-9a-f]{32}", json.loads(response.body)["identity"]["username"])


def test_changes_outside_a_request_are_made_by_the_os_user():
    import getpass

    from jupyter_secrets.core.audit import acting_as, current_actor

    assert current_actor() == getpass.getuser()
    with acting_as("bob"):
        assert current_actor() == "bob"
    assert current_actor() == getpass.getuser()


# ============================================================ 4. retired values stay redacted


@pytest.mark.parametrize("retire", ["replace", "unlink", "delete"])
async def test_a_retired_value_is_still_redacted_in_saves(
    jp_fetch, api, project, jp_root_dir, retire
):
    filled = await fill(api, project, OLD_VALUE, env=None)
    if retire == "replace":
        status, _ = await api("PATCH", "user-secrets", filled["secret_id"], body={"value": CANARY})
    elif retire == "unlink":
        status, _ = await api(
            "DELETE", "projects", filled["project_id"], "slots", filled["slot_id"], "value"
        )
    else:
        status, _ = await api("DELETE", "user-secrets", filled["secret_id"])
    assert status in (200, 204)
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(old)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=OLD_VALUE + "\n")]
    notebook.cells.append(cell)
    response = await jp_fetch(
        "api",
        "contents",
        "proj/out.ipynb",
        method="PUT",
        body=json.dumps({"type": "notebook", "content": json.loads(nbformat.writes(notebook))}),
    )
    assert response.code in (200, 201)
    saved = (jp_root_dir / "proj" / "out.ipynb").read_text()
    assert OLD_VALUE not in saved and "[REDACTED:Token]" in saved


async def test_a_kernel_holding_a_replaced_value_prints_it_redacted(
    jp_fetch, jp_serverapp, api, project
):
    filled = await fill(api, project, OLD_VALUE, env=None)
    kernel_id = await start_session(jp_fetch, "proj/nb.ipynb")
    out, error = await run_code(
        jp_serverapp,
        kernel_id,
        "from jupyter_secrets import get_secret; old = get_secret('Token'); print('ok')",
    )
    assert error is None and out.strip() == "ok"
    status, _ = await api("PATCH", "user-secrets", filled["secret_id"], body={"value": CANARY})
    assert status == 200
    out, error = await run_code(
        jp_serverapp, kernel_id, "print(old); print(get_secret('Token') == old)"
    )
    assert error is None
    assert OLD_VALUE not in out and "[REDACTED:Token]" in out and "False" in out


async def test_the_redaction_set_is_private_and_holds_every_value(jp_serverapp, api, project):
    filled = await fill(api, project, OLD_VALUE, env=None)
    await api("PATCH", "user-secrets", filled["secret_id"], body={"value": CANARY})
    root = extension(jp_serverapp).materializer.root
    path = root / ".~redaction.json"
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    values = json.loads(path.read_text())["values"]
    assert set(values) == {OLD_VALUE, CANARY}


# ============================================================ 7. no route serves the store


class TestStoreIsNeverServed:
    """On JupyterHub the root is the home, which holds the default store."""

    @pytest.fixture
    def jp_server_config(self, jp_server_config, jp_root_dir):
        config = json.loads(json.dumps(jp_server_config))
        store = jp_root_dir / ".local" / "share" / "jupyter" / "jupyter_secrets" / "secrets.sqlite3"
        config["SecretsExtension"]["store_path"] = str(store)
        config["SecretsExtension"]["secrets_dir"] = str(jp_root_dir / "run")
        config["ContentsManager"] = {"allow_hidden": True}
        return config

    @pytest.fixture
    def secrets_key(self, monkeypatch):
        # The key file case: no JUPYTER_SECRETS_KEY, a key file beside the store.
        monkeypatch.delenv("JUPYTER_SECRETS_KEY", raising=False)

    async def test_store_key_and_values_are_refused_on_every_route(
        self, jp_fetch, jp_http_port, jp_base_url, jp_auth_header, api, project, jp_root_dir
    ):
        await fill(api, project)
        (jp_root_dir / "run").chmod(0o700)
        store_dir = ".local/share/jupyter/jupyter_secrets"
        assert (jp_root_dir / store_dir / "secrets.key").is_file()
        (jp_root_dir / ".visible-hidden.txt").write_text("an ordinary hidden file")
        (jp_root_dir / "link-to-key").symlink_to(jp_root_dir / store_dir / "secrets.key")
        key = (jp_root_dir / store_dir / "secrets.key").read_text().strip()
        tree = next((jp_root_dir / "run").iterdir()).name
        targets = [
            f"{store_dir}/secrets.key",
            f"{store_dir}/secrets.sqlite3",
            f"{store_dir}/secrets.sqlite3-wal",
            f"{store_dir}/../jupyter_secrets/secrets.key",
            "link-to-key",
            f"run/{tree}",
        ]
        for target in targets:
            for route in (("files",), ("api", "contents"), ("nbconvert", "script")):
                response = await jp_fetch(
                    *route, *target.split("/"), method="GET", raise_error=False
                )
                assert response.code == 403, (route, target, response.code)
                assert key.encode() not in response.body and CANARY.encode() not in response.body
        # Percent-encoded and doubled slashes resolve the same way.
        for raw in (
            "files/%2Elocal/share/jupyter/jupyter_secrets/secrets%2Ekey",
            "files//.local//share/jupyter/jupyter_secrets/./secrets.key",
        ):
            response = await AsyncHTTPClient().fetch(
                f"http://localhost:{jp_http_port}{jp_base_url}{raw}",
                headers=jp_auth_header,
                raise_error=False,
            )
            assert response.code == 403, raw
        # Writes are refused too: the key file cannot be overwritten or renamed through HTTP.
        response = await jp_fetch(
            "api",
            "contents",
            *f"{store_dir}/secrets.key".split("/"),
            method="PUT",
            body=json.dumps({"type": "file", "format": "text", "content": "x"}),
            raise_error=False,
        )
        assert response.code == 403
        assert (jp_root_dir / store_dir / "secrets.key").read_text().strip() == key
        # Control: other hidden files are still served (allow_hidden is honoured elsewhere).
        response = await jp_fetch("files", ".visible-hidden.txt", method="GET", raise_error=False)
        assert response.code == 200 and response.body == b"an ordinary hidden file"


# ============================================================ 6. where the files live, said


async def test_the_status_says_where_the_files_are_and_whether_in_memory(
    api, jp_serverapp, secrets_base
):
    from jupyter_secrets.files import is_memory_backed

    status, reply = await api("GET", "status")
    assert status == 200
    expected = is_memory_backed(secrets_base)
    assert reply["secrets_dir_memory_backed"] is expected
    assert isinstance(reply["secrets_dir_warnings"], list)
    assert reply["secrets_dir"].startswith(str(secrets_base))


# ============================================================ 8. a new empty store is announced


async def test_a_new_store_is_announced_in_the_status(api):
    status, reply = await api("GET", "status")
    assert status == 200
    assert reply["store_created_now"] is True
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", reply["store_created"])


def test_an_existing_store_is_not_announced_again(tmp_path):
    from .server_process import ServerProcess

    server = ServerProcess(tmp_path)
    server.start()
    status, first = server.request("GET", "/api/secrets/status")
    server.stop()
    assert f"created a new, empty secret store at {server.store_path}" in server.log()
    server.start()
    try:
        status, again = server.request("GET", "/api/secrets/status")
        assert status == 200 and again["store_created_now"] is False
        assert again["store_created"] == first["store_created"]
        assert (
            server.log().count("created a new, empty secret store") == 0
        )  # the log file was reopened
    finally:
        server.stop()
