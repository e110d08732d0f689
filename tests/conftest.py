"""Shared fixtures: a real Jupyter server with the extension, a real store, real files.

Server tests use pytest-jupyter's ``jp_fetch`` against a real ServerApp; the store is a real
SQLite file in a temporary directory, keyed by a test key (generated per run, not a secret).
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# A distinctive value: tests grep logs, files and responses for it.
CANARY = "canary-VALUE-7f3a9c1e-never-leak"


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False, help="run long variants")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    # Long variants are deselected, not skipped: a default run reports them as "deselected"
    # (they are not part of it), and every test it does report as collected really runs.
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if "slow" not in item.keywords]


@pytest.fixture
def secrets_key(monkeypatch) -> str:
    key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("JUPYTER_SECRETS_KEY", key)
    return key


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "store" / "secrets.sqlite3"


@pytest.fixture
def secrets_base(tmp_path) -> Path:
    path = tmp_path / "run"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def jp_server_config(store_path, secrets_base, secrets_key):
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_secrets": True}},
        "SecretsExtension": {
            "store_path": str(store_path),
            "secrets_dir": str(secrets_base),
            "prompt_on_start": "never",
            "refresh_interval": 0,
        },
    }


@pytest.fixture
def api(jp_fetch):
    """Call the secrets API: ``await api("GET", "projects", params={...})`` -> (status, json)."""

    async def call(method: str, *parts: str, body=None, params=None, raw: bytes | None = None):
        kwargs = {"method": method, "raise_error": False}
        if params:
            kwargs["params"] = params
        if raw is not None:
            kwargs["body"] = raw
        elif body is not None:
            kwargs["body"] = json.dumps(body)
        elif method in ("POST", "PUT", "PATCH"):
            kwargs["body"] = b""
            kwargs["allow_nonstandard_methods"] = True
        response = await jp_fetch("api", "secrets", *parts, **kwargs)
        text = response.body.decode() if response.body else ""
        return response.code, (json.loads(text) if text else None)

    return call


@pytest.fixture
def project(jp_root_dir, api):
    """Make the server root's ``proj`` directory a project; returns an async factory."""

    async def make(path: str = "proj", name: str = "Test project") -> dict:
        (jp_root_dir / path).mkdir(parents=True, exist_ok=True)
        status, model = await api("POST", "projects", body={"path": path, "name": name})
        assert status == 201, model
        return model

    return make
