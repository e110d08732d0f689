"""What the attack suite found in the server's state handling (issue 11, items 6, 7, 10, 11,
13, 15, 16); each test reproduces one finding against a real server."""

from __future__ import annotations

import json
import signal
import sqlite3
import time

import pytest

from .conftest import CANARY
from .server_process import ServerProcess
from .test_kernels import run_code, start_session
from .test_trust import environ_of, extension, fill

NEW_VALUE = "replacement-value-51c0"


# ------------------------------------------------------------ 6. terminals follow the store


@pytest.fixture
def root_is_a_project(jp_root_dir):
    slots = {
        "version": 1,
        "project": {"id": "rootproject01", "name": "Root"},
        "slots": [
            {
                "id": "slottok",
                "name": "Token",
                "description": "",
                "filename": "token",
                "env": "API_TOKEN",
            }
        ],
    }
    (jp_root_dir / ".jupyter").mkdir()
    (jp_root_dir / ".jupyter" / "secret-slots.json").write_text(json.dumps(slots))
    return "rootproject01"


async def new_terminal_env(jp_fetch, serverapp) -> dict[str, str]:
    response = await jp_fetch("api", "terminals", method="POST", body="{}")
    name = json.loads(response.body)["name"]
    manager = serverapp.web_app.settings["terminal_manager"]
    try:
        return environ_of(manager.get_terminal(name).ptyproc.pid)
    finally:
        await jp_fetch("api", "terminals", name, method="DELETE")


async def test_a_new_terminal_gets_the_value_as_it_is_now(
    root_is_a_project, jp_fetch, jp_serverapp, api
):
    await jp_serverapp.extension_manager.start_all_extensions()
    status, result = await api(
        "PUT", "projects", root_is_a_project, "slots", "slottok", "value", body={"value": CANARY}
    )
    assert status == 200
    assert (await new_terminal_env(jp_fetch, jp_serverapp)).get("API_TOKEN") == CANARY
    await api("PATCH", "user-secrets", result["secret"]["id"], body={"value": NEW_VALUE})
    assert (await new_terminal_env(jp_fetch, jp_serverapp)).get("API_TOKEN") == NEW_VALUE
    await api("DELETE", "user-secrets", result["secret"]["id"])
    assert "API_TOKEN" not in await new_terminal_env(jp_fetch, jp_serverapp)


# ------------------------------------------------------------ 7. a NUL in an env-slot value


async def test_a_nul_in_an_env_value_does_not_break_kernel_starts(
    jp_fetch, jp_serverapp, api, project
):
    await fill(api, project, "before\0after-value")
    kernel_id = await start_session(jp_fetch, "proj/nb.ipynb")  # raised a 500 before
    out, error = await run_code(
        jp_serverapp,
        kernel_id,
        "import os; from jupyter_secrets import get_secret; print('API_TOKEN' in os.environ, get_secret('Token') == 'before\\0after-value')",
    )
    assert error is None and out.split() == ["False", "True"]


# ------------------------------------------------------------ 10. project ids that collide


async def test_a_project_named_no_project_keeps_its_files(jp_fetch, jp_serverapp, api, jp_root_dir):
    slots = {
        "version": 1,
        "project": {"id": "no-project", "name": "Unlucky"},
        "slots": [{"id": "s1", "name": "Token", "description": "", "filename": "token"}],
    }
    (jp_root_dir / "unlucky" / ".jupyter").mkdir(parents=True)
    (jp_root_dir / "unlucky" / ".jupyter" / "secret-slots.json").write_text(json.dumps(slots))
    status, _ = await api(
        "PUT", "projects", "no-project", "slots", "s1", "value", body={"value": CANARY}
    )
    # The project is known only once its folder was looked at.
    status, model = await api("GET", "projects", params={"path": "unlucky"})
    assert model["id"] == "no-project"
    status, reply = await api(
        "PUT", "projects", "no-project", "slots", "s1", "value", body={"value": CANARY}
    )
    assert status == 200, reply
    files = extension(jp_serverapp).materializer.project_dir("no-project") / "token"
    assert files.read_text() == CANARY
    (jp_root_dir / "elsewhere").mkdir()
    await start_session(jp_fetch, "elsewhere/nb.ipynb")  # a kernel outside every project
    assert files.read_text() == CANARY


async def test_a_copied_project_id_is_a_clash_on_both_folders(api, project, jp_root_dir):
    original = await project("original", "Original")
    _, slot = await api(
        "POST", "projects", original["id"], "slots", body={"name": "Token", "filename": "token"}
    )
    copy = jp_root_dir / "copy"
    (copy / ".jupyter").mkdir(parents=True)
    (copy / ".jupyter" / "secret-slots.json").write_bytes(
        (jp_root_dir / "original" / ".jupyter" / "secret-slots.json").read_bytes()
    )
    before = (jp_root_dir / "original" / ".jupyter" / "secret-slots.json").read_bytes()
    for path in ("copy", "original"):
        status, model = await api("GET", "projects", params={"path": path})
        assert status == 200 and model["id"] is None and model["path"] == path
        assert (
            "more than one folder" in model["error"]
            and "'copy'" in model["error"]
            and "'original'" in model["error"]
        )
    status, reply = await api(
        "POST", "projects", original["id"], "slots", body={"name": "Other", "filename": "other"}
    )
    assert status == 409 and "more than one folder" in reply["message"]
    assert (jp_root_dir / "original" / ".jupyter" / "secret-slots.json").read_bytes() == before
    # Giving the copy its own id ends the clash for both.
    data = json.loads((copy / ".jupyter" / "secret-slots.json").read_text())
    data["project"]["id"] = "copyofproject"
    (copy / ".jupyter" / "secret-slots.json").write_text(json.dumps(data))
    status, model = await api("GET", "projects", params={"path": "original"})
    assert (
        model["id"] == original["id"]
        and model["error"] is None
        and model["slots"][0]["id"] == slot["id"]
    )


# ------------------------------------------------------------ 13. a read never writes


async def test_reading_a_project_writes_nothing_to_the_store(api, jp_root_dir, store_path):
    slots = {"version": 1, "project": {"id": "readonlyproj", "name": "R"}, "slots": []}
    (jp_root_dir / "r" / ".jupyter").mkdir(parents=True)
    (jp_root_dir / "r" / ".jupyter" / "secret-slots.json").write_text(json.dumps(slots))

    def projects_rows():
        with sqlite3.connect(f"file:{store_path}?mode=ro", uri=True) as db:
            tables = [
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return {
                table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in tables
            }

    await api("GET", "status")
    before = projects_rows()
    for _ in range(2):
        status, model = await api("GET", "projects", params={"path": "r"})
        assert status == 200 and model["id"] == "readonlyproj"
        status, _ = await api("GET", "projects", "readonlyproj")
        assert status == 200
    assert projects_rows() == before


# ------------------------------------------------------------ 16. kernels started without a path


async def test_a_kernel_started_without_a_path_gets_the_root_project(
    root_is_a_project, jp_fetch, jp_serverapp, api
):
    await api(
        "PUT", "projects", root_is_a_project, "slots", "slottok", "value", body={"value": CANARY}
    )
    response = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "python3"}))
    kernel_id = json.loads(response.body)["id"]
    out, error = await run_code(
        jp_serverapp,
        kernel_id,
        "import os; print(os.path.basename(os.environ['JUPYTER_SECRETS_DIR']))",
    )
    assert error is None and out.strip() == root_is_a_project


# ------------------------------------------------------------ 11. SIGHUP, 15. a half-started extension


SLOTS = {
    "version": 1,
    "project": {"id": "hupproject", "name": "Hup"},
    "slots": [
        {"id": "slotdb", "name": "Database password", "description": "", "filename": "db-password"}
    ],
}


def test_sighup_removes_the_values_like_sigterm(tmp_path):
    server = ServerProcess(tmp_path)
    (server.root / ".jupyter").mkdir()
    (server.root / ".jupyter" / "secret-slots.json").write_text(json.dumps(SLOTS))
    server.start()
    try:
        status, reply = server.request(
            "PUT", "/api/secrets/projects/hupproject/slots/slotdb/value", {"value": CANARY}
        )
        assert status == 200, reply
        (tree,) = server.server_trees()
        assert (tree / "hupproject" / "db-password").read_text() == CANARY
        server.stop(signal.SIGHUP)
        assert not tree.exists(), server.log()
    finally:
        server.stop(signal.SIGKILL)


@pytest.mark.parametrize("how", ["api", "sigterm"])
def test_a_server_whose_extension_failed_to_start_still_stops(tmp_path, how):
    unsafe = tmp_path / "shared"
    unsafe.mkdir()
    unsafe.chmod(0o777)  # refused as a secrets_dir: the extension's start fails half-way
    server = ServerProcess(tmp_path, extra_args=[f"--SecretsExtension.secrets_dir={unsafe}"])
    server.start()
    try:
        assert "refusing" in server.log() or "jupyter_secrets" in server.log()
        if how == "api":
            status, _ = server.request("POST", "/api/shutdown")
            assert status < 500, server.log()[-3000:]
        else:
            server.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while server.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.proc.poll() is not None, "the server did not stop: " + server.log()[-3000:]
    finally:
        server.stop(signal.SIGKILL)


# ------------------------------------------------------------ 12. two servers fill one slot at once


def test_two_servers_filling_one_empty_slot_at_once(tmp_path):
    """Each round: a new empty slot, both servers PUT a value at the same moment.  Before, half
    the rounds answered a spurious 409 and a run could leave an orphan secret holding a value."""
    from concurrent.futures import ThreadPoolExecutor

    first = ServerProcess(tmp_path / "a")
    slots = {"version": 1, "project": {"id": "raceproject", "name": "Race"}, "slots": []}
    (first.root / ".jupyter").mkdir()
    (first.root / ".jupyter" / "secret-slots.json").write_text(json.dumps(slots))
    second = ServerProcess(
        tmp_path / "b", env={"JUPYTER_SECRETS_KEY": first.env["JUPYTER_SECRETS_KEY"]}
    )
    second.root, second.store_path = first.root, first.store_path
    servers = [first.start(), second.start()]
    try:
        rounds = 10
        for n in range(rounds):
            status, slot = first.request(
                "POST",
                "/api/secrets/projects/raceproject/slots",
                {"name": f"Slot {n}", "filename": f"slot-{n}"},
            )
            assert status == 201, slot
            path = f"/api/secrets/projects/raceproject/slots/{slot['id']}/value"
            with ThreadPoolExecutor(2) as pool:
                replies = list(
                    pool.map(
                        lambda s, path=path, n=n: s[0].request(
                            "PUT", path, {"value": f"value-{n}-{s[1]}"}
                        ),
                        [(servers[0], "a"), (servers[1], "b")],
                    )
                )
            assert [status for status, _ in replies] == [200, 200], replies
        status, listing = first.request("GET", "/api/secrets/user-secrets")
        assert status == 200
        assert len(listing["secrets"]) == rounds, [s["name"] for s in listing["secrets"]]
        assert all(len(secret["usage"]) == 1 for secret in listing["secrets"]), (
            "an orphan secret was left"
        )
    finally:
        for server in servers:
            server.stop(signal.SIGKILL)
