"""No kernel output reaches the server's log in clear: a real server process, its log read.

ipykernel copies what is written to the kernel's file descriptors 1 and 2 (``os.system``,
subprocesses, C code) to its original stdout/stderr, which is the server's terminal or log;
``subprocess.run(..., stdout=sys.stdout)`` writes there directly.
"""

from __future__ import annotations

import time

import pytest
from jupyter_client import BlockingKernelClient

from .conftest import CANARY
from .server_process import ServerProcess

ORDINARY = "ordinary-LOG-line-4d21"
# Longer than the 1000-byte pieces ipykernel reads the pipe in: it reaches the log in parts.
LONG_KEY = (
    "-----BEGIN KEY-----\n"
    + "".join(f"line-{i:03d}-" + "Zq8x" * 15 + "\n" for i in range(40))
    + "-----END KEY-----\n"
)


@pytest.fixture
def server(tmp_path, monkeypatch):
    # ipykernel does not capture file descriptors under pytest (it looks for this variable):
    # the kernels of this server must run as they do outside tests.
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    proc = ServerProcess(tmp_path)
    (proc.root / "proj").mkdir()
    proc.start()
    yield proc
    proc.stop()


def fill_slots(server: ServerProcess) -> None:
    status, project = server.request("POST", "/api/secrets/projects", {"path": "proj", "name": "P"})
    assert status == 201, project
    pid = project["id"]
    for name, filename, value in (("Token", "token", CANARY), ("Key", "key.pem", LONG_KEY)):
        status, slot = server.request(
            "POST", f"/api/secrets/projects/{pid}/slots", {"name": name, "filename": filename}
        )
        assert status == 201, slot
        status, _ = server.request(
            "PUT", f"/api/secrets/projects/{pid}/slots/{slot['id']}/value", {"value": value}
        )
        assert status == 200


def kernel_client(server: ServerProcess) -> BlockingKernelClient:
    body = {
        "path": "proj/nb.ipynb",
        "type": "notebook",
        "name": "nb.ipynb",
        "kernel": {"name": "python3"},
    }
    status, session = server.request("POST", "/api/sessions", body)
    assert status == 201, session
    client = BlockingKernelClient(
        connection_file=str(server.workdir / "runtime" / f"kernel-{session['kernel']['id']}.json")
    )
    client.load_connection_file()
    # No heartbeat channel: on a busy machine a late first heartbeat reads as a dead kernel.
    client.start_channels(hb=False)
    client.wait_for_ready(timeout=60)
    return client


def run_and_wait_for_log(
    server: ServerProcess, client: BlockingKernelClient, code: str, marker: str
) -> None:
    """Run ``code``, which ends by echoing ``marker`` at the file-descriptor level; wait for
    the marker in the log (what the kernel echoes comes in order: the rest is there too)."""
    reply = client.execute_interactive(code + f"\nos.system('echo {marker}')", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    deadline = time.monotonic() + 60
    while marker not in server.log() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_fd_level_output_reaches_the_log_redacted(server):
    fill_slots(server)
    client = kernel_client(server)
    try:
        run_and_wait_for_log(
            server,
            client,
            "import os, subprocess, sys\n"
            'os.system(\'cat "$JUPYTER_SECRETS_DIR/token"; echo; cat "$JUPYTER_SECRETS_DIR/key.pem"\')',
            ORDINARY + "-1",
        )
        # written straight to the descriptor sys.stdout.fileno() gives, which is the log's
        run_and_wait_for_log(
            server,
            client,
            "subprocess.run(['cat', os.environ['JUPYTER_SECRETS_DIR'] + '/token'], "
            "stdout=sys.stdout); print(flush=True)",
            ORDINARY + "-2",
        )
    finally:
        client.stop_channels()
    log = server.log()
    assert ORDINARY + "-1" in log and ORDINARY + "-2" in log, log[-2000:]
    assert CANARY not in log
    assert "Zq8xZq8x" not in log
    assert log.count("[REDACTED:Token]") == 2 and log.count("[REDACTED:Key]") == 1
