"""A terminal gets the project of the folder it is opened in (issue 13): real server, real
terminals (their processes' environments read from /proc), real store."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import pytest

from .test_trust import environ_of

ROOT_VALUE = "root-value-" + "7f3a9c"
NESTED_VALUE = "nested-value-" + "b41e02"


@pytest.fixture
def make_two_projects(jp_root_dir, jp_serverapp, api):
    """The server root is a project (as in the demo) and ``team/app`` is a project inside it,
    each with one filled env slot of its own name (an async factory: the fixtures run on
    pytest-jupyter's loop)."""
    return lambda: _make_two_projects(jp_root_dir, jp_serverapp, api)


async def _make_two_projects(jp_root_dir, jp_serverapp, api) -> dict[str, str]:
    await jp_serverapp.extension_manager.start_all_extensions()  # terminals' manager exists now
    (jp_root_dir / "team" / "app" / "src").mkdir(parents=True)
    (jp_root_dir / "team" / "docs").mkdir(parents=True)
    made = {}
    for path, name, env, value in [
        ("", "Root", "ROOT_TOKEN", ROOT_VALUE),
        ("team/app", "App", "APP_TOKEN", NESTED_VALUE),
    ]:
        status, project = await api("POST", "projects", body={"path": path, "name": name})
        assert status == 201, project
        status, slot = await api(
            "POST",
            "projects",
            project["id"],
            "slots",
            body={"name": f"{name} token", "filename": "token", "env": env},
        )
        assert status == 201, slot
        status, _ = await api(
            "PUT", "projects", project["id"], "slots", slot["id"], "value", body={"value": value}
        )
        assert status == 200
        made[path] = project["id"]
    return made


async def terminal_env(jp_fetch, serverapp, body: dict) -> dict[str, str]:
    response = await jp_fetch("api", "terminals", method="POST", body=json.dumps(body))
    name = json.loads(response.body)["name"]
    manager = serverapp.web_app.settings["terminal_manager"]
    try:
        return environ_of(manager.get_terminal(name).ptyproc.pid)
    finally:
        await jp_fetch("api", "terminals", name, method="DELETE")


def project_of(env: dict[str, str]) -> str:
    return Path(env["JUPYTER_SECRETS_DIR"]).name


async def test_a_terminal_opened_in_a_nested_project_gets_its_secrets(
    make_two_projects, jp_root_dir, jp_fetch, jp_serverapp
):
    two_projects = await make_two_projects()
    # JupyterLab sends the file browser's folder, relative to the root.
    env = await terminal_env(jp_fetch, jp_serverapp, {"cwd": "team/app"})
    assert project_of(env) == two_projects["team/app"]
    assert env["APP_TOKEN"] == NESTED_VALUE
    assert "ROOT_TOKEN" not in env  # the root project's env slots are not the nested one's
    assert (Path(env["JUPYTER_SECRETS_DIR"]) / "token").read_text() == NESTED_VALUE
    # A subfolder of the nested project belongs to it too; an absolute cwd works the same.
    env = await terminal_env(jp_fetch, jp_serverapp, {"cwd": str(jp_root_dir / "team/app/src")})
    assert project_of(env) == two_projects["team/app"]


async def test_a_terminal_elsewhere_gets_the_root_project(
    make_two_projects, jp_fetch, jp_serverapp
):
    two_projects = await make_two_projects()
    for body in [{}, {"cwd": ""}, {"cwd": "team/docs"}, {"cwd": "no/such/folder"}]:
        env = await terminal_env(jp_fetch, jp_serverapp, body)
        assert project_of(env) == two_projects[""], body
        assert env["ROOT_TOKEN"] == ROOT_VALUE, body
        assert "APP_TOKEN" not in env, body


async def test_terminals_never_get_the_store_key_and_keep_the_servers_variables(
    make_two_projects, jp_fetch, jp_serverapp, secrets_key
):
    await make_two_projects()
    env = await terminal_env(jp_fetch, jp_serverapp, {"cwd": "team/app"})
    assert "JUPYTER_SECRETS_KEY" not in env
    assert secrets_key not in "\0".join(env.values())
    assert env["JUPYTER_SERVER_ROOT"]  # what jupyter_server_terminals sets stays


async def test_a_new_terminal_sees_a_replaced_value_of_its_folder(
    make_two_projects, jp_fetch, jp_serverapp, api
):
    two_projects = await make_two_projects()
    status, reply = await api("GET", "user-secrets")
    app_secret = next(
        s for s in reply["secrets"] if s["usage"][0]["project_id"] == two_projects["team/app"]
    )
    replaced = "replaced-" + "c0ffee42"
    status, _ = await api("PATCH", "user-secrets", app_secret["id"], body={"value": replaced})
    assert status == 200
    env = await terminal_env(jp_fetch, jp_serverapp, {"cwd": "team/app"})
    assert env["APP_TOKEN"] == replaced


class TestAStoreThatFailsOrStallsNeverFailsATerminal:
    """Security review #6: terminal start computes the secrets off the event loop, and a store
    that is down or slow gives a terminal with the files already written, never an error."""

    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        config = json.loads(json.dumps(jp_server_config))
        config["SecretsExtension"]["store_class"] = "tests.terminal_store.TerminalTestStore"
        return config

    @pytest.fixture(autouse=True)
    def store_behaviour(self):
        from . import terminal_store

        terminal_store.reset()
        yield terminal_store
        terminal_store.release.set()  # never leave a worker waiting
        terminal_store.reset()

    async def test_a_store_that_is_down_still_gives_a_terminal_with_the_written_files(
        self, make_two_projects, jp_fetch, jp_serverapp, store_behaviour, caplog
    ):
        two_projects = await make_two_projects()
        store_behaviour.failing.set()
        caplog.set_level(logging.WARNING)
        env = await terminal_env(jp_fetch, jp_serverapp, {"cwd": "team/app"})
        assert project_of(env) == two_projects["team/app"]
        assert env["APP_TOKEN"] == NESTED_VALUE  # from the file written before the outage
        assert (Path(env["JUPYTER_SECRETS_DIR"]) / "token").read_text() == NESTED_VALUE
        env = await terminal_env(jp_fetch, jp_serverapp, {})
        assert env["ROOT_TOKEN"] == ROOT_VALUE
        warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert any("StoreUnavailable" in w for w in warnings), warnings
        assert not any(NESTED_VALUE in w or ROOT_VALUE in w for w in warnings)
        assert NESTED_VALUE not in caplog.text and ROOT_VALUE not in caplog.text

    async def test_a_slow_store_does_not_stall_the_server_while_a_terminal_starts(
        self, make_two_projects, jp_fetch, jp_serverapp, store_behaviour
    ):
        await make_two_projects()
        store_behaviour.blocking.set()
        started = time.monotonic()
        # Were the store read on the loop, this would wait the store's 60 s (and time out).
        env = await asyncio.wait_for(terminal_env(jp_fetch, jp_serverapp, {"cwd": "team/app"}), 30)
        assert time.monotonic() - started < 15
        assert store_behaviour.entered.is_set() and not store_behaviour.release.is_set()
        assert env["APP_TOKEN"] == NESTED_VALUE  # the files already written
        # The store call is still in flight: other requests are answered meanwhile.
        response = await asyncio.wait_for(jp_fetch("api", "status"), 10)
        assert response.code == 200
        response = await asyncio.wait_for(jp_fetch("api", "secrets", "status"), 10)
        assert response.code == 200
        assert not store_behaviour.release.is_set()
        # Once the store answers again, terminals get its values as before.
        store_behaviour.blocking.clear()
        store_behaviour.release.set()
        env = await terminal_env(jp_fetch, jp_serverapp, {"cwd": "team/app"})
        assert env["APP_TOKEN"] == NESTED_VALUE

    async def test_a_kernel_started_while_the_store_is_down_gets_the_written_files(
        self, make_two_projects, jp_fetch, jp_serverapp, store_behaviour
    ):
        from .test_kernels import digest, run_code

        await make_two_projects()
        store_behaviour.failing.set()
        response = await jp_fetch(
            "api",
            "kernels",
            method="POST",
            body=json.dumps({"name": "python3", "path": "team/app"}),
        )
        kernel_id = json.loads(response.body)["id"]
        try:
            out, error = await run_code(
                jp_serverapp,
                kernel_id,
                "import hashlib, os\n"
                "print(hashlib.sha256(os.environ['APP_TOKEN'].encode()).hexdigest())",
            )
            assert error is None and out.strip() == digest(
                NESTED_VALUE
            )  # printed as a digest: the value itself is redacted
        finally:
            await jp_fetch("api", "kernels", kernel_id, method="DELETE")
