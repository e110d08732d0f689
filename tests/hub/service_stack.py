"""The hub secrets service under test: a real PostgreSQL, the service process, a real hub.

``SecretsServiceProcess`` runs ``python -m jupyter_secrets.hub`` with exactly the environment
JupyterHub gives a service (``JUPYTERHUB_API_TOKEN``, ``JUPYTERHUB_API_URL``,
``JUPYTERHUB_SERVICE_*``) plus the database URL and the service keys, so that a test can kill
it, restart it, or start it with other keys.  ``HubStack`` is the three together and the
requests the tests make: to the service directly (with a user's token) and to single-user
servers, default or named, through the proxy.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .hub_process import HubProcess, Reply, free_ports, new_key
from .postgres import Postgres

HERE = Path(__file__).resolve().parent
SERVICE_NAME = "jupyter-secrets"
PREFIX = f"/services/{SERVICE_NAME}/"


class SecretsServiceProcess:
    def __init__(self, workdir: Path, db_url: str, marker: str):
        (self.port,) = free_ports(1)
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = os.urandom(16).hex()
        self.db_url = db_url
        self.marker = marker
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.keys = new_key()
        self.starts = 0

    def start(self, hub_api: str, keys: str | None = None, timeout: float = 60) -> None:
        self.starts += 1
        log = open(self.workdir / f"service-{self.starts}.log", "wb")
        env = {
            **os.environ,
            "JUPYTERHUB_API_TOKEN": self.token,
            "JUPYTERHUB_API_URL": hub_api,
            "JUPYTERHUB_SERVICE_NAME": SERVICE_NAME,
            "JUPYTERHUB_SERVICE_URL": self.url,
            "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
            "JUPYTER_SECRETS_HUB_DB_URL": self.db_url,
            "JUPYTER_SECRETS_HUB_KEYS": self.keys if keys is None else keys,
            "JS_HUB_MARKER": self.marker,
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_secrets.hub", "--log-level=INFO"],
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service exited with {self.proc.returncode}:\n{self.log()}")
            try:
                urllib.request.urlopen(self.url + PREFIX + "api/health", timeout=2).close()
                return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"the service did not answer in {timeout}s:\n{self.log()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(30)

    def log(self) -> str:
        return (self.workdir / f"service-{self.starts}.log").read_text(errors="replace")

    def run(self, *args: str, keys: str | None = None) -> subprocess.CompletedProcess:
        """A one-off command of the service (upgrade-db, rotate-keys) on the same database."""
        env = {
            **os.environ,
            "JUPYTER_SECRETS_HUB_DB_URL": self.db_url,
            "JUPYTER_SECRETS_HUB_KEYS": self.keys if keys is None else keys,
        }
        return subprocess.run(
            [sys.executable, "-m", "jupyter_secrets.hub", *args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )


@dataclass
class HubStack:
    hub: HubProcess
    pg: Postgres
    service: SecretsServiceProcess

    @classmethod
    def create(cls, workdir: Path, pg: Postgres) -> HubStack:
        workdir.mkdir(parents=True, exist_ok=True)
        marker = os.urandom(8).hex()
        service = SecretsServiceProcess(workdir, pg.url, marker)
        spec = {"name": SERVICE_NAME, "url": service.url, "token": service.token}
        hub = HubProcess(
            workdir / "hub",
            marker=marker,
            config=HERE / "service_hub_config.py",
            extra_env={"JS_HUB_SECRETS_SERVICE": json.dumps(spec)},
        )
        return cls(hub, pg, service)

    @property
    def hub_api(self) -> str:
        return f"http://127.0.0.1:{self.hub.ports['hub']}/hub/api"

    def start(self) -> HubStack:
        # The service first: at start the hub waits for every external service it routes to
        # (a minute when it is not up), and the service needs the hub only to check tokens.
        self.service.start(self.hub_api)
        self.hub.start()
        return self

    def restart_service(self, keys: str | None = None, sig: int = signal.SIGTERM) -> None:
        self.service.kill(sig)
        self.service.start(self.hub_api, keys)

    # ------------------------------------------------------------------ requests
    def call(self, token: str | None, method: str, path: str, body=None, headers=None) -> Reply:
        """A request to the service itself (what a server's HubSecretStore sends)."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.service.url + PREFIX + path, data=data, method=method)
        if token:
            req.add_header("Authorization", f"token {token}")
        if body is not None:
            req.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            req.add_header(name, value)
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

    def token(self, user: str, scopes: list[str] | None = None) -> str:
        body: dict = {"note": "hub service test", "expires_in": 3600}
        if scopes is not None:
            body["scopes"] = scopes
        reply = self.hub.admin("POST", f"/users/{quote(user)}/tokens", body)
        assert reply.status == 201, (reply.status, reply.text)
        return reply.body["token"]

    def start_server(self, user: str, name: str = "", timeout: float = 120) -> None:
        path = (
            f"/users/{quote(user)}/servers/{quote(name)}"
            if name
            else f"/users/{quote(user)}/server"
        )
        reply = self.hub.admin("POST", path)
        assert reply.status in (201, 202), (reply.status, reply.text, self.hub.log()[-4000:])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.hub.admin("GET", f"/users/{quote(user)}").body or {}
            server = model.get("servers", {}).get(name)
            if server and server.get("ready"):
                return
            if not server:
                raise RuntimeError(f"{user}/{name} failed to start:\n{self.hub.log()[-6000:]}")
            time.sleep(0.5)
        raise TimeoutError(f"{user}/{name} not ready after {timeout}s:\n{self.hub.log()[-6000:]}")

    def stop_server(self, user: str, name: str = "", timeout: float = 60) -> None:
        path = (
            f"/users/{quote(user)}/servers/{quote(name)}"
            if name
            else f"/users/{quote(user)}/server"
        )
        self.hub.admin("DELETE", path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.hub.admin("GET", f"/users/{quote(user)}").body or {}
            if not model.get("servers", {}).get(name):
                return
            time.sleep(0.3)

    def on_server(
        self, user: str, name: str, token: str, method: str, path: str, body=None
    ) -> Reply:
        base = f"/user/{quote(user)}/" + (f"{quote(name)}/" if name else "")
        return self.hub.request(method, base.rstrip("/") + path, token, body)

    def stop(self) -> list[str]:
        self.service.kill(signal.SIGTERM)
        return self.hub.stop()


def files_holding(directory: Path, value: str) -> list[Path]:
    """The files under ``directory`` whose content is exactly ``value``."""
    found = []
    for path in directory.rglob("*"):
        try:
            if path.is_file() and path.read_bytes() == value.encode():
                found.append(path)
        except OSError:
            continue
    return found


def wait_for(predicate, timeout: float = 30, every: float = 0.3, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"{what}: not true after {timeout}s")


def run_in_kernel(stack: HubStack, user: str, token: str, code: str, timeout: float = 60) -> str:
    """Start a real kernel on ``user``'s default server, run ``code``, return its stdout."""
    import asyncio
    import uuid

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    reply = stack.on_server(user, "", token, "POST", "/api/kernels", {"name": "python3"})
    assert reply.status == 201, reply.text
    kernel_id = reply.body["id"]

    async def go() -> str:
        url = stack.hub.url.replace("http", "ws") + f"/user/{user}/api/kernels/{kernel_id}/channels"
        request = HTTPRequest(url, headers={"Authorization": f"token {token}"})
        ws = await websocket_connect(request)
        msg_id = uuid.uuid4().hex
        ws.write_message(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "username": user,
                        "session": uuid.uuid4().hex,
                        "msg_type": "execute_request",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {"code": code, "silent": False, "store_history": False},
                    "channel": "shell",
                }
            )
        )
        out: list[str] = []
        while True:
            raw = await asyncio.wait_for(ws.read_message(), timeout)
            assert raw is not None, "the kernel's channels closed"
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                out.append("\n".join(msg["content"]["traceback"]))
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                ws.close()
                return "".join(out)

    try:
        return asyncio.run(go())
    finally:
        stack.on_server(user, "", token, "DELETE", f"/api/kernels/{kernel_id}")
