"""Helpers of the hardening tests (test_security, test_fuzz, test_faults, test_load, test_events).

Not a test module.  A lean real server process (only jupyter_secrets and jupyter_server's own
services, so that it starts in about two seconds), plain HTTP calls with any headers and raw
bodies, and snapshots of directory trees to prove that nothing was written where it must not be.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .server_process import ServerProcess

OWNER = "hardening"

# Extensions installed in the environment that these tests do not need: leaving them out
# makes a server start in ~2 s instead of ~5-9 s.
LEAN_ARGS = [
    "--ServerApp.jpserver_extensions=jupyterlab=False",
    "--ServerApp.jpserver_extensions=jupyter_lsp=False",
    "--ServerApp.jpserver_extensions=notebook_shim=False",
    "--ServerApp.jpserver_extensions=jupyter_server_terminals=False",
    "--SecretsExtension.prompt_on_start=never",
    f"--SecretsExtension.owner={OWNER}",
]


@dataclass
class Server(ServerProcess):
    """A lean ServerProcess; ``wrap`` prefixes the command (e.g. ``unshare -m ...``)."""

    wrap: list[str] = field(default_factory=list)

    def command(self) -> list[str]:
        return [*self.wrap, *super().command()]

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        token: bool = True,
        timeout: float = 60,
    ) -> tuple[int, str]:
        """One request; returns (status, body text).  Never raises on a 4xx/5xx."""
        return request(
            self.port,
            method,
            path,
            body,
            raw=raw,
            headers={
                **({"Authorization": f"token {self.token}"} if token else {}),
                **(headers or {}),
            },
            timeout=timeout,
        )

    def json(self, method: str, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        status, text = self.call(method, path, body, **kwargs)
        return status, (json.loads(text) if text else None)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


def lean_server(
    workdir: Path, *args: str, env: dict[str, str] | None = None, **kwargs: Any
) -> Server:
    server = Server(Path(workdir), extra_args=[*LEAN_ARGS, *args], **kwargs)
    server.env.update(env or {})
    return server


def request(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    *,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, str]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = dict(headers or {})
        if data is not None:
            all_headers.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        conn.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


# ---------------------------------------------------------------------- trees


def snapshot(top: Path, exclude: tuple[str, ...] = ()) -> dict[str, tuple]:
    """{relative path: (kind, mode, content digest or link target)} of everything under ``top``.

    ``exclude`` lists relative paths (files or whole directories) left out.
    """
    top = Path(top)
    result: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        rel_dir = os.path.relpath(dirpath, top)
        for name in sorted(dirnames + filenames):
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if any(rel == e or rel.startswith(e + os.sep) for e in exclude):
                continue
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                result[rel] = ("link", mode, os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                result[rel] = ("dir", mode, None)
            elif stat.S_ISREG(st.st_mode):
                result[rel] = ("file", mode, hashlib.sha256(Path(path).read_bytes()).hexdigest())
            else:
                result[rel] = ("other", mode, None)
        dirnames[:] = [
            d
            for d in dirnames
            if not any(os.path.normpath(os.path.join(rel_dir, d)) == e for e in exclude)
        ]
    return result


def diff(before: dict[str, tuple], after: dict[str, tuple]) -> dict[str, list[str]]:
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(k for k in set(before) & set(after) if before[k] != after[k]),
    }


def files_containing(top: Path, needle: bytes, exclude: tuple[Path, ...] = ()) -> list[Path]:
    """Regular files under ``top`` (not following links) whose bytes contain ``needle``."""
    found = []
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        if any(Path(dirpath).is_relative_to(e) for e in exclude):
            dirnames[:] = []
            continue
        for name in filenames:
            path = Path(dirpath) / name
            try:
                if path.is_symlink() or not path.is_file():
                    continue
                if needle in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
    return found


def mount_namespace_available() -> str | None:
    """None if this process may make private mounts (``unshare -m`` + tmpfs), else why not."""
    if shutil.which("unshare") is None:
        return "no unshare(1) on this machine"
    probe = subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            "mount -t tmpfs -o size=16k tmpfs /mnt 2>&1 || mount -t tmpfs -o size=16k tmpfs /tmp 2>&1",
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return f"cannot make private mounts here (unshare -m + mount): {probe.stdout.strip() or probe.stderr.strip()}"
    return None


class ListHandler(logging.Handler):
    """Keeps the events jupyter_events formats as JSON."""

    def __init__(self, sink: list):
        super().__init__()
        self.sink = sink

    def emit(self, record):
        self.sink.append(json.loads(self.format(record)))
