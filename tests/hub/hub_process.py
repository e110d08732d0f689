"""Start a real JupyterHub (hub, configurable-http-proxy, single-user servers) on loopback.

Everything lives under one temporary directory; ``stop()`` stops the servers through the hub,
then the hub (which stops its proxy), then ends anything of this hub still alive, found by a
marker variable in the environment of every process it started.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "jupyterhub_config.py"
LOCAL_CHP = HERE / "node_modules" / ".bin" / "configurable-http-proxy"

INSTALL_HINT = (
    "The real-JupyterHub tests need JupyterHub >= 5.3 (pip install -e '.[test]', or "
    "`make install`) and configurable-http-proxy (`cd tests/hub && npm ci`, which "
    "`make install` runs)."
)


def missing_tools() -> str | None:
    """What is missing to run a real hub here, said so that a developer can install it."""
    problems = []
    try:
        import jupyterhub
    except ImportError:
        problems.append("jupyterhub is not installed in this Python")
    else:
        version = tuple(int(p) for p in jupyterhub.__version__.split(".")[:2] if p.isdigit())
        if version < (5, 3):
            problems.append(
                f"jupyterhub {jupyterhub.__version__} is too old "
                "(need >= 5.3: server sharing, shared-password login)"
            )
    if not (Path(sys.executable).parent / "jupyterhub-singleuser").exists():
        problems.append(f"no jupyterhub-singleuser beside {sys.executable}")
    if chp_command() is None:
        problems.append(f"no configurable-http-proxy ({LOCAL_CHP} nor on PATH)")
    if shutil.which("node") is None:
        problems.append("no node on PATH (configurable-http-proxy runs on Node.js)")
    return "; ".join(problems) + ". " + INSTALL_HINT if problems else None


def chp_command() -> str | None:
    if LOCAL_CHP.exists():
        return str(LOCAL_CHP)
    return shutil.which("configurable-http-proxy")


def free_ports(count: int) -> list[int]:
    import socket

    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@dataclass
class Reply:
    status: int
    body: object
    text: str


@dataclass
class HubProcess:
    workdir: Path
    users: tuple[str, ...] = ("alice", "bob")
    admin_token: str = field(default_factory=lambda: os.urandom(16).hex())
    marker: str = field(default_factory=lambda: os.urandom(8).hex())
    proc: subprocess.Popen | None = None
    # Another configuration file (which may load this one) and variables for it: the hub
    # secrets service's tests (tests/hub/service_stack.py) use both.
    config: Path = CONFIG
    extra_env: dict = field(default_factory=dict)

    def __post_init__(self):
        self.workdir = Path(self.workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        hub, proxy_api, public = free_ports(3)
        self.ports = {"hub": hub, "proxy_api": proxy_api, "public": public}
        self.keys = {user: new_key() for user in self.users}
        self.log_path = self.workdir / "hub.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['public']}"

    def user_dir(self, user: str) -> Path:
        return self.workdir / "users" / user

    # ------------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 60) -> HubProcess:
        chp = chp_command()
        env = {
            **os.environ,
            "JS_HUB_WORKDIR": str(self.workdir),
            "JS_HUB_PORTS": json.dumps(self.ports),
            "JS_HUB_SECRETS_KEYS": json.dumps(self.keys),
            "JS_HUB_ADMIN_TOKEN": self.admin_token,
            "JS_HUB_PASSWORD": os.urandom(12).hex(),
            "JS_HUB_MARKER": self.marker,
            "JS_HUB_CHP": str(chp),
            # The proxy is found on PATH by anything else that looks for it.
            "PATH": f"{Path(chp).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            **self.extra_env,
        }
        # A key in the test runner's environment must not reach the hub.
        env.pop("JUPYTER_SECRETS_KEY", None)
        env.pop("JUPYTERHUB_API_TOKEN", None)
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(self.config)],
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.proc.returncode}:\n{self.log()}")
            try:
                # The hub's own port first (asking the proxy earlier only fills its log with
                # 404s), then the public one, through the proxy's route to the hub.
                hub_api = f"http://127.0.0.1:{self.ports['hub']}/hub/api/"
                urllib.request.urlopen(hub_api, timeout=5).close()
                if self.request("GET", "/hub/api/").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"jupyterhub not answering after {timeout}s:\n{self.log()}")

    def stop(self, timeout: float = 30) -> list[str]:
        """Stop everything; returns the command lines of processes that had to be killed."""
        if self.proc is not None and self.proc.poll() is None:
            for user in self.users:
                try:
                    self.stop_server(user, timeout=timeout)
                except Exception:
                    pass
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.sweep()

    def processes(self) -> dict[int, str]:
        """Every live process started by this hub (the marker is in its environment)."""
        found = {}
        needle = f"JS_HUB_MARKER={self.marker}".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                    cmdline = cmdline.decode(errors="replace")
                    state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                    if state != "Z":
                        found[int(entry.name)] = cmdline.strip()
            except OSError:
                continue
        return found

    def sweep(self, timeout: float = 10) -> list[str]:
        strays = self.processes()
        for pid in strays:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in self.processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return sorted(strays.values())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # ------------------------------------------------------------------ HTTP
    def request(self, method: str, path: str, token: str | None = None, body=None) -> Reply:
        """One request through the proxy (``path`` starts with /hub/ or /user/)."""
        data = json.dumps(body).encode() if body is not None else None
        if data is None and method in ("POST", "PUT", "PATCH"):
            data = b""
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if token:
            req.add_header("Authorization", f"token {token}")
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        text = raw.decode(errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except json.JSONDecodeError:
            parsed = None
        return Reply(status, parsed, text)

    def admin(self, method: str, path: str, body=None) -> Reply:
        return self.request(method, "/hub/api" + path, self.admin_token, body)

    def user_token(self, user: str, note: str = "jupyter_secrets hub test") -> str:
        body = {"note": note, "expires_in": 3600}
        reply = self.admin("POST", f"/users/{quote(user)}/tokens", body)
        assert reply.status == 201, (reply.status, reply.text)
        return reply.body["token"]

    def start_server(self, user: str, timeout: float = 90) -> None:
        reply = self.admin("POST", f"/users/{quote(user)}/server")
        assert reply.status in (201, 202), (reply.status, reply.text, self.log()[-4000:])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.admin("GET", f"/users/{quote(user)}").body
            server = (model or {}).get("servers", {}).get("")
            if server and server.get("ready"):
                return
            if not server:  # the spawn was registered above: gone means it failed
                raise RuntimeError(f"{user}'s server failed to start:\n{self.log()[-6000:]}")
            time.sleep(0.5)
        raise TimeoutError(f"{user}'s server not ready after {timeout}s:\n{self.log()[-6000:]}")

    def stop_server(self, user: str, timeout: float = 30) -> None:
        reply = self.admin("DELETE", f"/users/{quote(user)}/server")
        if reply.status not in (202, 204):
            return  # not running (400) or not known
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.admin("GET", f"/users/{quote(user)}").body or {}
            if not model.get("servers", {}).get(""):
                return
            time.sleep(0.3)
        raise TimeoutError(f"{user}'s server still running after {timeout}s")
