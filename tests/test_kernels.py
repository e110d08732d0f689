"""Secrets reach real kernels and terminals started by a real server."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from .conftest import CANARY

NEW_VALUE = "second-value-4c1d"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def run_code(serverapp, kernel_id: str, code: str) -> tuple[str, dict | None]:
    """Execute ``code`` in a running kernel; return (stdout, error content or None)."""
    client = serverapp.kernel_manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        out: list[str] = []
        errors: list[dict] = []

        def on_output(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                errors.append(msg["content"])

        await client.execute_interactive(code, output_hook=on_output, timeout=60)
        return "".join(out), (errors[0] if errors else None)
    finally:
        client.stop_channels()


@pytest.fixture
def make_filled(api, project):
    """Make a project with a slot 'Token' (file token, env API_TOKEN) filled with CANARY."""

    async def make() -> dict:
        pid = (await project())["id"]
        body = {"name": "Token", "filename": "token", "env": "API_TOKEN"}
        _, slot = await api("POST", "projects", pid, "slots", body=body)
        _, result = await api(
            "PUT", "projects", pid, "slots", slot["id"], "value", body={"value": CANARY}
        )
        return {"project_id": pid, "slot": slot, "secret_id": result["secret"]["id"]}

    return make


async def start_session(jp_fetch, path: str) -> str:
    body = json.dumps(
        {"path": path, "type": "notebook", "name": Path(path).name, "kernel": {"name": "python3"}}
    )
    response = await jp_fetch("api", "sessions", method="POST", body=body)
    return json.loads(response.body)["kernel"]["id"]


READ = "from jupyter_secrets import get_secret; import hashlib; print(hashlib.sha256(get_secret('Token').encode()).hexdigest())"


async def test_session_kernel_reads_follows_and_loses_the_secret(
    jp_fetch, jp_serverapp, api, make_filled
):
    filled = await make_filled()
    kernel_id = await start_session(jp_fetch, "proj/analysis.ipynb")
    out, error = await run_code(jp_serverapp, kernel_id, READ)
    assert error is None and out.strip() == digest(CANARY)

    # by filename too, and through the env slot
    out, _ = await run_code(
        jp_serverapp,
        kernel_id,
        "import os; from jupyter_secrets import get_secret; "
        "print(get_secret('token') == os.environ['API_TOKEN'])",
    )
    assert out.strip() == "True"

    # replacing the value: the same running kernel reads the new one
    status, _ = await api("PATCH", "user-secrets", filled["secret_id"], body={"value": NEW_VALUE})
    assert status == 200
    out, error = await run_code(jp_serverapp, kernel_id, READ)
    assert error is None and out.strip() == digest(NEW_VALUE)

    # unlinking: the kernel gets SecretNotFoundError naming the slot
    status, _ = await api(
        "DELETE", "projects", filled["project_id"], "slots", filled["slot"]["id"], "value"
    )
    assert status == 204
    out, error = await run_code(jp_serverapp, kernel_id, READ)
    assert error is not None and error["ename"] == "SecretNotFoundError"
    assert "Token" in error["evalue"]


async def test_kernel_started_directly_gets_the_directory(jp_fetch, jp_serverapp, make_filled):
    filled = await make_filled()
    response = await jp_fetch(
        "api", "kernels", method="POST", body=json.dumps({"name": "python3", "path": "proj"})
    )
    kernel_id = json.loads(response.body)["id"]
    out, error = await run_code(
        jp_serverapp, kernel_id, "import os; print(os.environ['JUPYTER_SECRETS_DIR'])\n" + READ
    )
    assert error is None
    directory, digest_line = out.split()
    assert Path(directory).name == filled["project_id"]
    assert digest_line == digest(CANARY)


async def test_restarted_kernel_keeps_its_environment(jp_fetch, jp_serverapp, make_filled):
    await make_filled()
    kernel_id = await start_session(jp_fetch, "proj/nb.ipynb")
    await jp_fetch("api", "kernels", kernel_id, "restart", method="POST", body="")
    out, error = await run_code(
        jp_serverapp,
        kernel_id,
        "import os; print(os.environ['API_TOKEN'] == os.environ['API_TOKEN'].strip() and 'JUPYTER_SECRETS_DIR' in os.environ)",
    )
    assert error is None and out.strip() == "True"


async def test_dollar_signs_in_values_are_not_substituted(jp_fetch, jp_serverapp, api, make_filled):
    filled = await make_filled()
    tricky = "pa$$word-${HOME}-$PATH"
    await api("PATCH", "user-secrets", filled["secret_id"], body={"value": tricky})
    kernel_id = await start_session(jp_fetch, "proj/nb.ipynb")
    out, _ = await run_code(
        jp_serverapp,
        kernel_id,
        "import os, hashlib; print(hashlib.sha256(os.environ['API_TOKEN'].encode()).hexdigest())",
    )
    assert out.strip() == digest(tricky)


@pytest.fixture
def root_project(jp_root_dir):
    """Make the server root a project before the server starts (terminals get its directory)."""
    slots = {"version": 1, "project": {"id": "rootproject01", "name": "Root"}, "slots": []}
    (jp_root_dir / ".jupyter").mkdir()
    (jp_root_dir / ".jupyter" / "secret-slots.json").write_text(json.dumps(slots))
    return "rootproject01"


async def test_terminal_gets_the_directory(root_project, jp_fetch, jp_serverapp):
    # What the server does once its loop runs; terminals' manager exists only then.
    await jp_serverapp.extension_manager.start_all_extensions()
    response = await jp_fetch("api", "terminals", method="POST", body="{}")
    name = json.loads(response.body)["name"]
    manager = jp_serverapp.web_app.settings["terminal_manager"]
    pid = manager.get_terminal(name).ptyproc.pid
    environ = dict(
        item.split("=", 1)
        for item in Path(f"/proc/{pid}/environ").read_text().split("\0")
        if "=" in item
    )
    assert Path(environ["JUPYTER_SECRETS_DIR"]).name == root_project
    await jp_fetch("api", "terminals", name, method="DELETE")


async def test_files_and_directories_are_private(jp_serverapp, make_filled):
    filled = await make_filled()
    app = jp_serverapp.extension_manager.extension_points["jupyter_secrets"].app
    directory = app.materializer.project_dir(filled["project_id"])
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(app.materializer.root).st_mode) == 0o700
    value_file = directory / "token"
    assert stat.S_IMODE(os.stat(value_file).st_mode) & 0o077 == 0
    assert value_file.read_text() == CANARY


async def test_kernels_outside_the_server_still_start(jp_serverapp, monkeypatch):
    """The provisioner is the process-wide default while a server runs: a kernel manager made
    by other code in the same process (no server parent) must launch plainly."""
    from jupyter_client.manager import AsyncKernelManager

    monkeypatch.delenv("JUPYTER_SECRETS_DIR", raising=False)
    manager = AsyncKernelManager(kernel_name="python3")
    await manager.start_kernel()
    try:
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        out = []
        await client.execute_interactive(
            "import os; print('JUPYTER_SECRETS_DIR' in os.environ)",
            output_hook=lambda m: (
                out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
            ),
            timeout=60,
        )
        client.stop_channels()
        assert "".join(out).strip() == "False"
    finally:
        await manager.shutdown_kernel(now=True)
