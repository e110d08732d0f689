"""References through a real server: the REST API, a real kernel reading a value rotated in a
real OpenBao after its time to live (the periodic refresh rewrites the file), a revoked token
(state fetch-failed, the file removed), and the save guard redacting fetched values."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import stat
import sys
import time

import pytest

from tests.test_kernels import run_code, start_session
from tests.vault_server import Bao, bao_server

__all__ = ["bao_server"]  # the fixture `bao`


@pytest.fixture
def jp_server_config(jp_server_config):
    # Refresh every second, so that a reference's TTL of two seconds is seen in the test.
    jp_server_config["SecretsExtension"]["refresh_interval"] = 1
    return jp_server_config


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


READ = (
    "from jupyter_secrets import get_secret; import hashlib\n"
    "try:\n"
    "    print(hashlib.sha256(get_secret('DB password').encode()).hexdigest())\n"
    "except KeyError as err:\n"
    "    print('missing', type(err).__name__)"
)


async def slot_in(api, project) -> tuple[str, str]:
    pid = (await project())["id"]
    body = {"name": "DB password", "filename": "db-password"}
    status, slot = await api("POST", "projects", pid, "slots", body=body)
    assert status == 201, slot
    return pid, slot["id"]


async def eventually(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.3)


async def test_api_accepts_command_references_and_refuses_bad_ones(api, project, tmp_path):
    cli = tmp_path / "fake-op"
    cli.write_text(f"#!{sys.executable}\nprint('api-fetched-value-31')\n")
    cli.chmod(cli.stat().st_mode | stat.S_IXUSR)
    pid, sid = await slot_in(api, project)
    reference = {"type": "command", "argv": [str(cli), "read", "op://v/db/pw"], "ttl_seconds": 60}
    status, result = await api(
        "PUT", "projects", pid, "slots", sid, "value", body={"reference": reference}
    )
    assert status == 200, result
    assert result["slot"]["state"] == "provided"
    ref = result["secret"]["reference"]
    assert ref["type"] == "command" and ref["argv"] == reference["argv"]
    assert ref["description"] == f"{cli} read op://v/db/pw"
    assert ref["fetch_error"] is None and result["secret"]["binary"] is False
    status, listing = await api("GET", "user-secrets")
    assert "api-fetched-value-31" not in json.dumps(listing)
    assert listing["secrets"][0]["reference"]["ttl_seconds"] == 60

    for body, field in [
        ({"reference": {"type": "command", "argv": "op read x"}}, "reference.argv"),
        ({"reference": {"type": "nope"}}, "reference.type"),
        ({"reference": reference, "value": "v"}, "reference"),
        ({"reference": {"type": "vault", "mount": "secret", "path": "db"}}, "reference.field"),
    ]:
        status, error = await api("POST", "user-secrets", body={"name": "bad", **body})
        assert status == 400, (body, error)
        assert error["message"].startswith(field + ":"), error
    status, created = await api(
        "POST",
        "user-secrets",
        body={
            "name": "vault one",
            "reference": {"type": "vault", "mount": "secret", "path": "a/b", "field": "pw"},
        },
    )
    assert status == 201 and created["reference"]["description"] == "secret/a/b#pw at $VAULT_ADDR"


async def test_a_rotated_vault_value_reaches_a_running_kernel_and_a_revoked_token_stops_it(
    jp_fetch, jp_serverapp, jp_root_dir, api, project, bao: Bao, monkeypatch
):
    first = "bao-first-" + secrets.token_hex(6)
    second = "bao-second-" + secrets.token_hex(6)
    bao.put("team/kernel", password=first)
    token = bao.token()
    monkeypatch.setenv("VAULT_ADDR", bao.addr)
    monkeypatch.setenv("VAULT_TOKEN", token)
    # As a running server does after start-up: starts the periodic refresh (every second).
    await jp_serverapp.extension_manager.start_extension("jupyter_secrets")
    pid, sid = await slot_in(api, project)
    reference = {
        "type": "vault",
        "mount": "secret",
        "path": "team/kernel",
        "field": "password",
        "ttl_seconds": 2,
    }
    status, result = await api(
        "PUT", "projects", pid, "slots", sid, "value", body={"reference": reference}
    )
    assert status == 200, result
    secret_id = result["secret"]["id"]
    kernel_id = await start_session(jp_fetch, "proj/analysis.ipynb")
    out, error = await run_code(jp_serverapp, kernel_id, READ)
    assert error is None and out.strip() == digest(first)

    # Rotated in the vault: after the TTL the refresh fetches it and rewrites the file live.
    bao.put("team/kernel", password=second)

    async def kernel_sees(expected: str):
        out, error = await run_code(jp_serverapp, kernel_id, READ)
        assert error is None
        return out.strip() == expected

    await eventually(lambda: kernel_sees(digest(second)))

    # The save guard knows the fetched values, the old one too.
    body = json.dumps({"type": "file", "format": "text", "content": f"a={first} b={second}"})
    await jp_fetch("api", "contents", "proj", "leak.txt", method="PUT", body=body)
    saved = (jp_root_dir / "proj" / "leak.txt").read_text()
    assert first not in saved and second not in saved and "[REDACTED:DB password]" in saved

    # A revoked token: the next fetch fails, the file goes, the slot says why.
    bao.run("token", "revoke", token)

    async def failed():
        _, model = await api("GET", "projects", params={"path": "proj"})
        return model["slots"][0]["state"] == "fetch-failed" and model

    await eventually(failed)
    out, error = await run_code(jp_serverapp, kernel_id, READ)
    assert error is None and out.strip() == "missing SecretNotFoundError"
    status, view = await api("GET", "user-secrets", secret_id)
    assert status == 200
    reason = view["reference"]["fetch_error"]
    assert "permission denied reading secret/team/kernel" in reason
    assert token not in json.dumps(view) and second not in json.dumps(view)

    # A new token (VAULT_TOKEN of the server) and the value is back at the next fetch.
    monkeypatch.setenv("VAULT_TOKEN", bao.token())
    await eventually(lambda: kernel_sees(digest(second)), timeout=45)
    _, model = await api("GET", "projects", params={"path": "proj"})
    assert model["slots"][0]["state"] == "provided"
