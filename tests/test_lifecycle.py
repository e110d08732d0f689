"""A whole server process: materialized tree removed at stop, stale trees cleaned, launch prompt."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time

import pexpect
import pytest

from .conftest import CANARY
from .server_process import ServerProcess

SLOTS = {
    "version": 1,
    "project": {"id": "lifecycleproject", "name": "Lifecycle"},
    "slots": [
        {
            "id": "slotdb",
            "name": "Database password",
            "description": "read-only",
            "filename": "db-password",
        },
        {"id": "slottoken", "name": "API token", "description": "", "filename": "api-token"},
    ],
}


@pytest.fixture
def server(tmp_path):
    process = ServerProcess(tmp_path, extra_args=["--SecretsExtension.prompt_on_start=auto"])
    (process.root / ".jupyter").mkdir()
    (process.root / ".jupyter" / "secret-slots.json").write_text(json.dumps(SLOTS))
    yield process
    process.stop(signal.SIGKILL)


def wait_for_api(server: ServerProcess, child: pexpect.spawn, timeout: float = 60):
    """GET the default project, draining the terminal meanwhile (a full pty would block the server)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return server.request("GET", "/api/secrets/projects?path=")
        except OSError:
            if time.monotonic() > deadline:
                raise
            try:
                child.read_nonblocking(65536, timeout=0.2)
            except (pexpect.TIMEOUT, pexpect.EOF):
                pass


def fill(server: ServerProcess, slot_id: str, value: str) -> None:
    status, reply = server.request(
        "PUT", f"/api/secrets/projects/lifecycleproject/slots/{slot_id}/value", {"value": value}
    )
    assert status == 200, reply


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_tree_is_removed_when_the_server_stops(server, sig):
    server.start()
    fill(server, "slotdb", CANARY)
    (tree,) = server.server_trees()
    assert (tree / "lifecycleproject" / "db-password").read_text() == CANARY
    server.stop(sig)
    assert not tree.exists(), server.log()


def test_stale_tree_of_a_dead_server_is_removed_at_start(server):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = server.secrets_base / f"server-{dead.pid}-0badc0de"
    (stale / "someproject").mkdir(parents=True, mode=0o700)
    (stale / "someproject" / "token").write_text("left behind")
    (stale / ".owner").write_text(json.dumps({"pid": dead.pid}))
    server.start()
    assert not stale.exists(), server.log()
    assert len(server.server_trees()) == 1


def test_non_interactive_start_never_blocks_and_logs_missing_slots(tmp_path):
    server = ServerProcess(tmp_path, extra_args=["--SecretsExtension.prompt_on_start=always"])
    (server.root / ".jupyter").mkdir()
    (server.root / ".jupyter" / "secret-slots.json").write_text(json.dumps(SLOTS))
    try:
        server.start()  # stdin is /dev/null: it must come up without an answer
        log = server.log()
        assert "'Database password'" in log and "'API token'" in log
    finally:
        server.stop()


def test_interactive_prompt_fills_new_and_existing_secrets(server):
    # a saved secret to reuse, made through a first run of the server
    server.start()
    status, _ = server.request(
        "POST", "/api/secrets/user-secrets", {"name": "saved-token", "value": "saved-value-123"}
    )
    assert status == 201
    server.stop()

    child = pexpect.spawn(
        server.command()[0],
        server.command()[1:],
        env=server.process_env(),
        cwd=str(server.root),
        encoding="utf-8",
        timeout=60,
    )
    child.logfile_read = transcript = io.StringIO()
    try:
        # The server listens (its URL printed) before the prompt asks.
        child.expect("is running at", timeout=90)
        child.expect("needs 2 secret")
        child.expect(r"\[1/2\] Database password")
        child.expect(r"\[n\]: ")
        child.sendline("n")
        child.expect("Value \\(hidden")
        child.sendline(CANARY)
        child.expect(r"\[2/2\] API token")
        child.expect(r"\[n\]: ")
        child.sendline("e")
        child.expect("saved-token")
        child.expect("Number or name")
        child.sendline("saved-token")
        child.expect("now uses the saved secret")
        status, project = wait_for_api(server, child)
        assert status == 200
        assert [slot["state"] for slot in project["slots"]] == ["provided", "provided"]
        assert project["slots"][1]["secret"]["name"] == "saved-token"
    finally:
        child.kill(signal.SIGTERM)
        child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=30)  # a loaded machine stops slowly
        child.close(force=True)
    # the hidden input was never echoed to the terminal
    assert "Database password" in transcript.getvalue()
    assert CANARY not in transcript.getvalue()
