"""A minimal Jupyter kernel client over the server's REST API and websocket, for benchmarks.

``start_session`` is what JupyterLab does when a notebook opens (``POST /api/sessions``);
``KernelChannel`` speaks the JSON websocket protocol of ``/api/kernels/<id>/channels`` and runs
code until its ``execute_reply`` (and, with ``wait_idle``, until the kernel is idle again, so
that every output was received).  Loopback only, bounded by timeouts.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from tests.server_process import ServerProcess


async def api(sp: ServerProcess, method: str, path: str, body: Any = None) -> Any:
    request = HTTPRequest(
        sp.url + path,
        method=method,
        body=None if body is None else json.dumps(body),
        headers={"Authorization": f"token {sp.token}", "Content-Type": "application/json"},
        allow_nonstandard_methods=True,
        request_timeout=120,
    )
    response = await AsyncHTTPClient().fetch(request)
    return json.loads(response.body) if response.body else None


async def start_session(sp: ServerProcess, path: str = "bench.ipynb") -> tuple[str, str]:
    """``POST /api/sessions`` for a notebook at ``path``: (session id, kernel id)."""
    model = await api(
        sp,
        "POST",
        "/api/sessions",
        {"path": path, "type": "notebook", "name": path, "kernel": {"name": "python3"}},
    )
    return model["id"], model["kernel"]["id"]


async def stop_session(sp: ServerProcess, session_id: str) -> None:
    await api(sp, "DELETE", f"/api/sessions/{session_id}")


class KernelChannel:
    """The websocket of one kernel."""

    def __init__(self, sp: ServerProcess, kernel_id: str):
        self.sp, self.kernel_id = sp, kernel_id
        self.session = uuid.uuid4().hex
        self.ws: Any = None
        self.output_bytes = 0

    async def connect(self) -> None:
        url = (
            f"ws://127.0.0.1:{self.sp.port}/api/kernels/{self.kernel_id}/channels"
            f"?session_id={self.session}&token={self.sp.token}"
        )
        self.ws = await websocket_connect(url, max_message_size=256 * 1024 * 1024)

    async def execute(self, code: str, *, wait_idle: bool = False, timeout: float = 300) -> float:
        """Run ``code``; seconds until its execute_reply (and idle, with ``wait_idle``)."""
        msg_id = uuid.uuid4().hex
        message = {
            "header": {
                "msg_id": msg_id,
                "msg_type": "execute_request",
                "session": self.session,
                "username": "bench",
                "version": "5.3",
                "date": "",
            },
            "parent_header": {},
            "metadata": {},
            "content": {"code": code, "silent": False, "store_history": False},
            "channel": "shell",
            "buffers": [],
        }
        start = time.perf_counter()
        await self.ws.write_message(json.dumps(message))
        replied = idle = False
        deadline = start + timeout
        while not (replied and (idle or not wait_idle)):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no execute_reply within {timeout} s")
            raw = await self.ws.read_message()
            if raw is None:
                raise RuntimeError("the kernel's websocket closed")
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "execute_reply":
                replied = True
                if msg["content"].get("status") != "ok":
                    raise RuntimeError(f"execution failed: {msg['content'].get('ename')}")
            elif kind == "stream":
                self.output_bytes += len(msg["content"].get("text", ""))
            elif kind == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
        return time.perf_counter() - start

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
