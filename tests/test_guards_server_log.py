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


def fill_token(server: ServerProcess) -> None:
    status, project = server.request("POST", "/api/secrets/projects", {"path": "proj", "name": "P"})
    assert status == 201, project
    pid = project["id"]
    status, slot = server.request("POST", f"/api/secrets/projects/{pid}/slots", {"name": "Token", "filename": "token"})
    assert status == 201, slot
    status, _ = server.request("PUT", f"/api/secrets/projects/{pid}/slots/{slot['id']}/value", {"value": CANARY})
    assert status == 200


def kernel_client(server: ServerProcess) -> BlockingKernelClient:
    body = {"path": "proj/nb.ipynb", "type": "notebook", "name": "nb.ipynb", "kernel": {"name": "python3"}}
    status, session = server.request("POST", "/api/sessions", body)
    assert status == 201, session
    client = BlockingKernelClient(connection_file=str(server.workdir / "runtime" / f"kernel-{session['kernel']['id']}.json"))
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return client


def test_fd_level_output_reaches_the_log_redacted(server):
    fill_token(server)
    client = kernel_client(server)
    try:
        code = (
            "import os, subprocess, sys\n"
            "os.system('cat \"$JUPYTER_SECRETS_DIR/token\"; echo')\n"
            "subprocess.run(['cat', os.environ['JUPYTER_SECRETS_DIR'] + '/token'], stdout=sys.stdout)\n"
            "sys.stdout.flush()\n"
            f"os.system('echo {ORDINARY}')\n"
        )
        reply = client.execute_interactive(code, timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        # What the kernel echoes comes in order: once the last line is in the log, so is the rest.
        deadline = time.monotonic() + 60
        while ORDINARY not in server.log() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        client.stop_channels()
    log = server.log()
    assert ORDINARY in log, log[-2000:]
    assert CANARY not in log
    assert log.count("[REDACTED:Token]") >= 2
