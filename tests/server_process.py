"""Start a real ``jupyter server`` / ``jupyter lab`` process on a free loopback port.

Used by the tests that need a whole process (signals, terminal prompts, browsers) and by the
benchmarks.  Everything it creates lives under one temporary directory.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def _default_sigint() -> None:
    # A shell's background job inherits SIGINT ignored (and Python keeps it ignored): give the
    # server Ctrl-C as a terminal user has it, whatever started the tests.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@dataclass
class ServerProcess:
    """A Jupyter server in a subprocess, with its own store, key, root and secrets dir."""

    workdir: Path
    app: str = "server"  # "server" or "lab"
    extension: bool = True
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: os.urandom(12).hex())
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    def __post_init__(self):
        self.workdir = Path(self.workdir)
        self.root = self.workdir / "root"
        self.secrets_base = self.workdir / "run"
        self.store_path = self.workdir / "store" / "secrets.sqlite3"
        self.log_path = self.workdir / "server.log"
        for path in (
            self.root,
            self.workdir / "config",
            self.workdir / "data",
            self.workdir / "runtime",
        ):
            path.mkdir(parents=True, exist_ok=True)
        self.secrets_base.mkdir(mode=0o700, exist_ok=True)
        self.env.setdefault("JUPYTER_SECRETS_KEY", new_key())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        args = [
            sys.executable,
            "-m",
            "jupyter",
            self.app,
            "--no-browser",
            f"--port={self.port}",
            "--ip=127.0.0.1",
            f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.port_retries=0",
            f"--SecretsExtension.store_path={self.store_path}",
            f"--SecretsExtension.secrets_dir={self.secrets_base}",
        ]
        if not self.extension:
            args.append("--ServerApp.jpserver_extensions=jupyter_secrets=False")
        if os.geteuid() == 0:
            args.append("--allow-root")
        return args + self.extra_args

    def process_env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(self.workdir / "config"),
            "JUPYTER_DATA_DIR": str(self.workdir / "data"),
            "JUPYTER_RUNTIME_DIR": str(self.workdir / "runtime"),
            "JUPYTER_PLATFORM_DIRS": "1",
            **self.env,
        }
        env.pop("XDG_RUNTIME_DIR", None)
        return env

    def start(self, wait: bool = True, stdin=subprocess.DEVNULL) -> ServerProcess:
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.command(),
            env=self.process_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=stdin,
            cwd=self.root,
            start_new_session=True,
            preexec_fn=_default_sigint,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                self.request("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        raise TimeoutError(f"server not ready after {timeout}s:\n{self.log()}")

    def request(self, method: str, path: str, body=None) -> tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as err:
            text = err.read().decode()
            return err.code, (json.loads(text) if text else None)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def server_trees(self) -> list[Path]:
        return sorted(p for p in self.secrets_base.iterdir() if p.name.startswith("server-"))
