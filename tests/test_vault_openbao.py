"""Vault references against a real OpenBao dev server (``bao server -dev`` on a loopback port).

The fetcher level: a field read with the user's own token (``VAULT_TOKEN`` or
``~/.vault-token``), a value rotated in the vault reaching the fetcher after its time to live,
a revoked token, a missing path or field, an unreachable address; and a command reference
running the real ``bao`` CLI.  The server level (a running kernel reading the rotated value)
is in ``test_references_server.py``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from jupyter_secrets.core.references import CommandReference, ReferenceFetcher, VaultReference
from tests.vault_server import Bao, bao_server, free_port

__all__ = ["bao_server"]  # the fixture `bao`


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fresh_value() -> str:
    return "pw-" + secrets.token_hex(8)


def test_reads_a_kv2_field_with_the_users_token(bao: Bao, tmp_path):
    value = fresh_value()
    bao.put("team/db", password=value, user="reader")
    token = bao.token()
    fetcher = ReferenceFetcher(
        environ={"VAULT_ADDR": bao.addr, "VAULT_TOKEN": token}, home=tmp_path
    )
    ref = VaultReference("secret", "team/db", "password")
    assert fetcher.fetch_all({"s": ref}).values == {"s": value.encode()}


def test_token_from_the_vault_token_file_and_addr_from_the_reference(bao: Bao, tmp_path):
    value = fresh_value()
    bao.put("team/file", password=value)
    (tmp_path / ".vault-token").write_text(bao.token() + "\n")
    fetcher = ReferenceFetcher(environ={}, home=tmp_path)
    ref = VaultReference("secret", "team/file", "password", addr=bao.addr)
    assert fetcher.fetch_all({"s": ref}).values == {"s": value.encode()}


def test_a_rotated_value_is_fetched_after_the_ttl(bao: Bao, tmp_path):
    first, second = fresh_value(), fresh_value()
    bao.put("team/rotating", password=first)
    clock = Clock()
    env = {"VAULT_ADDR": bao.addr, "VAULT_TOKEN": bao.token()}
    fetcher = ReferenceFetcher(environ=env, home=tmp_path, clock=clock)
    ref = VaultReference("secret", "team/rotating", "password", ttl_seconds=60)
    assert fetcher.fetch_all({"s": ref}).values["s"] == first.encode()
    bao.put("team/rotating", password=second)
    clock.now += 30
    assert fetcher.fetch_all({"s": ref}).values["s"] == first.encode()  # still within its TTL
    clock.now += 31
    assert fetcher.fetch_all({"s": ref}).values["s"] == second.encode()


def test_a_revoked_token_fails_after_the_ttl_and_says_why(bao: Bao, tmp_path):
    value = fresh_value()
    bao.put("team/revoked", password=value)
    token = bao.token()
    clock = Clock()
    fetcher = ReferenceFetcher(
        environ={"VAULT_ADDR": bao.addr, "VAULT_TOKEN": token}, home=tmp_path, clock=clock
    )
    ref = VaultReference("secret", "team/revoked", "password", ttl_seconds=10)
    assert fetcher.fetch_all({"s": ref}).values == {"s": value.encode()}
    bao.run("token", "revoke", token)
    clock.now += 11
    batch = fetcher.fetch_all({"s": ref})
    assert batch.values == {}
    reason = batch.errors["s"].reason
    assert "permission denied" in reason and "revoked" in reason
    assert value not in reason and token not in reason
    assert fetcher.failure("s") == reason


def test_no_access_missing_path_missing_field_and_no_token(bao: Bao, tmp_path):
    bao.put("team/fields", password=fresh_value(), user="reader")
    bao.put("other/x", password=fresh_value())
    env = {"VAULT_ADDR": bao.addr, "VAULT_TOKEN": bao.token()}
    fetcher = ReferenceFetcher(environ=env, home=tmp_path)
    batch = fetcher.fetch_all(
        {
            "policy": VaultReference("secret", "other/x", "password"),
            "path": VaultReference("secret", "team/absent", "password"),
            "field": VaultReference("secret", "team/fields", "pasword"),
        }
    )
    assert batch.values == {}
    assert "permission denied reading secret/other/x" in batch.errors["policy"].reason
    # A path the policy allows but that does not exist.
    assert "no secret at secret/team/absent" in batch.errors["path"].reason
    assert batch.errors["field"].reason == (
        "secret/team/fields has no field 'pasword' (fields: password, user)"
    )
    no_token = ReferenceFetcher(environ={"VAULT_ADDR": bao.addr}, home=tmp_path)
    reason = no_token.fetch_all({"s": VaultReference("secret", "team/fields", "user")}).errors
    assert "no vault token" in reason["s"].reason
    no_addr = ReferenceFetcher(environ={"VAULT_TOKEN": "x"}, home=tmp_path)
    reason = no_addr.fetch_all({"s": VaultReference("secret", "team/fields", "user")}).errors
    assert "no vault address" in reason["s"].reason


def test_an_unreachable_vault(tmp_path):
    fetcher = ReferenceFetcher(environ={"VAULT_TOKEN": "t"}, home=tmp_path)
    ref = VaultReference("secret", "db", "pw", addr=f"http://127.0.0.1:{free_port()}")
    reason = fetcher.fetch_all({"s": ref}).errors["s"].reason
    assert reason.startswith("cannot reach the vault at http://127.0.0.1:")


def test_a_command_reference_running_the_real_bao_cli(bao: Bao, tmp_path):
    value = fresh_value()
    bao.put("team/cli", password=value)
    env = {**bao.env(bao.token()), "HOME": str(tmp_path)}
    fetcher = ReferenceFetcher(environ=env)
    ok = CommandReference((bao.binary, "kv", "get", "-field=password", "secret/team/cli"))
    denied = CommandReference((bao.binary, "kv", "get", "-field=password", "secret/other/x"))
    batch = fetcher.fetch_all({"ok": ok, "denied": denied})
    assert batch.values == {"ok": value.encode()}
    assert "exited with status 2" in batch.errors["denied"].reason
    assert "permission denied" in batch.errors["denied"].reason
    assert Path(bao.binary).exists()
