"""Expiry that warns before it bites: ``expires_soon`` in the API, ``jupyter secrets status``
and ``list``, and the server's log at start — names only, never a value.

The rule is ``core/states.py`` ``expires_soon``: a value not yet expired that stops being
written within ``c.SecretsExtension.expiry_warning_days`` (default 7; 0 turns it off).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from jupyter_secrets.core.states import DEFAULT_EXPIRY_WARNING_DAYS, expires_soon
from jupyter_secrets.rules import TIME_FORMAT
from jupyter_secrets.store.base import SecretMeta

from .conftest import CANARY
from .server_process import ServerProcess, new_key

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def in_days(days: float, now: datetime | None = None) -> str:
    return ((now or datetime.now(timezone.utc)) + timedelta(days=days)).strftime(TIME_FORMAT)


def meta(expires: str | None) -> SecretMeta:
    return SecretMeta("0" * 32, "s", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", expires)


def test_the_rule():
    assert DEFAULT_EXPIRY_WARNING_DAYS == 7
    assert expires_soon(meta(in_days(3, NOW)), 7, NOW)
    assert expires_soon(meta(in_days(7, NOW)), 7, NOW)  # the last day counts
    assert not expires_soon(meta(in_days(7.01, NOW)), 7, NOW)
    assert not expires_soon(meta(in_days(-1, NOW)), 7, NOW)  # expired: another state
    assert not expires_soon(meta(None), 7, NOW)
    assert not expires_soon(None, 7, NOW)
    assert not expires_soon(meta(in_days(1, NOW)), 0, NOW)  # off
    assert expires_soon(meta(in_days(30, NOW)), 40, NOW)


# ---------------------------------------------------------------------- the REST API


async def fill(api, project, expires_in_days: float | None, name: str) -> tuple[dict, str]:
    model = await project(f"p-{name}", f"Project {name}")
    status, slot = await api(
        "POST", "projects", model["id"], "slots", body={"name": "Key", "filename": "key"}
    )
    assert status == 201, slot
    body = {"name": name, "value": CANARY + name}
    if expires_in_days is not None:
        body["expires"] = in_days(expires_in_days)
    status, secret = await api("POST", "user-secrets", body=body)
    assert status == 201, secret
    status, _ = await api(
        "PUT",
        "projects",
        model["id"],
        "slots",
        slot["id"],
        "value",
        body={"secret_id": secret["id"]},
    )
    assert status == 200
    return model, secret["id"]


async def states(api, model) -> dict:
    status, got = await api("GET", "projects", model["id"])
    assert status == 200
    (slot,) = got["slots"]
    return slot


async def test_slots_and_user_secrets_say_expires_soon(api, project):
    soon, soon_id = await fill(api, project, 3, "soon")
    later, _ = await fill(api, project, 30, "later")
    never, _ = await fill(api, project, None, "never")
    slot = await states(api, soon)
    assert (slot["state"], slot["expires_soon"]) == ("provided", True)
    assert slot["secret"]["expires"].startswith(in_days(3)[:10])
    for model in (later, never):
        slot = await states(api, model)
        assert (slot["state"], slot["expires_soon"]) == ("provided", False)
    assert (await states(api, never))["secret"]["expires"] is None
    status, listed = await api("GET", "user-secrets")
    assert status == 200
    flags = {s["name"]: (s["expires_soon"], s["expired"]) for s in listed["secrets"]}
    assert flags == {"soon": (True, False), "later": (False, False), "never": (False, False)}
    status, one = await api("GET", "user-secrets", soon_id)
    assert status == 200 and one["expires_soon"] is True
    # Moved further away, it stops warning; every reply stays free of the value.
    status, patched = await api("PATCH", "user-secrets", soon_id, body={"expires": in_days(60)})
    assert status == 200 and patched["expires_soon"] is False
    assert not (await states(api, soon))["expires_soon"]
    assert CANARY not in str(listed) + str(one) + str(patched)


class TestConfigured:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        jp_server_config["SecretsExtension"]["expiry_warning_days"] = 45
        return jp_server_config

    async def test_the_setting_widens_the_window(self, api, project):
        later, _ = await fill(api, project, 30, "later")
        assert (await states(api, later))["expires_soon"] is True


# ---------------------------------------------------------------------- the CLI and the log


@pytest.fixture
def shell(tmp_path):
    (tmp_path / "config").mkdir()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_SECRETS_KEY": new_key(),
    }
    env.pop("JUPYTER_SECRETS_DIR", None)
    project = tmp_path / "project"
    project.mkdir()

    def call(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "jupyter_secrets.cli.main", *args],
            input=stdin,
            text=True,
            capture_output=True,
            env=env,
            cwd=project,
            timeout=120,
        )

    call.env, call.config = env, tmp_path / "config"
    return call


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_status_and_list_warn_before_the_value_stops_being_written(shell):
    ok(shell("slots", "init", "--name", "Reports"))
    ok(shell("slots", "add", "--name", "Warehouse", "--filename", "warehouse"))
    ok(shell("slots", "add", "--name", "Mail", "--filename", "mail"))
    ok(shell("set", "warehouse", "--expires", in_days(3.4), stdin=CANARY))
    ok(shell("set", "mail", "--expires", in_days(100), stdin=CANARY + "-mail"))
    ok(shell("bind", "Warehouse", "warehouse"))
    ok(shell("bind", "Mail", "mail"))
    result = shell("status")
    assert result.returncode == 0  # every slot still has a value
    lines = result.stdout.splitlines()
    assert lines[0].startswith("provided  Warehouse (file warehouse) - expires soon: ")
    assert lines[0].endswith("(in 3 days)")
    assert lines[1] == "provided  Mail (file mail)"
    assert "1 slot(s) of 'Reports' expire within 7 day(s)" in result.stderr
    assert "'Warehouse'" in result.stderr and "'Mail'" not in result.stderr
    assert CANARY not in result.stdout + result.stderr
    assert "(expires soon: " in ok(shell("list"))
    # The option, and the server's setting in its config file, move the window (0: off).
    result = shell("status", "--expiry-warning-days", "0")
    assert result.returncode == 0 and "expire" not in result.stdout + result.stderr
    (shell.config / "jupyter_server_config.py").write_text(
        "c.SecretsExtension.expiry_warning_days = 200\n"
    )
    result = shell("status")
    assert "2 slot(s) of 'Reports' expire within 200 day(s)" in result.stderr
    result = shell("status", "--expiry-warning-days=-1")
    assert result.returncode == 2 and "expiry_warning_days" in result.stderr


def test_the_server_logs_the_names_at_start(tmp_path):
    server = ServerProcess(tmp_path / "server")
    env = {**server.process_env(), "JUPYTER_SECRETS_KEY": server.env["JUPYTER_SECRETS_KEY"]}
    for name, days in (("deploy token", 2), ("far away", 90)):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "jupyter_secrets.cli.main",
                "--store",
                str(server.store_path),
                "set",
                name,
                "--expires",
                in_days(days),
            ],
            input=CANARY + name,
            text=True,
            capture_output=True,
            env=env,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    server.start()
    try:
        log = server.log()
    finally:
        server.stop()
    line = next(line for line in log.splitlines() if "expire within 7 day(s)" in line)
    assert "'deploy token'" in line and "far away" not in line
    assert CANARY not in log
