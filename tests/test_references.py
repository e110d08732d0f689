"""References fetched by running a command: a local script stands in for `op`, `pass`, ...

Real processes, no mocks: each test writes a small Python script and makes a reference run
it, then checks what the fetcher answers (value, failure reason) and what the script saw.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jupyter_secrets.core import references as refs
from jupyter_secrets.core.references import (
    CommandReference,
    FetchFailed,
    ReferenceFetcher,
    VaultReference,
    load_reference,
    parse_reference,
    parse_vault_spec,
    reference_json,
)
from jupyter_secrets.errors import InvalidInput
from jupyter_secrets.store.crypto import ENV_VAR as KEY_ENV_VAR


def script(tmp_path: Path, name: str, body: str) -> str:
    """An executable Python script standing in for a vault CLI."""
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport os, sys, time, json\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------------- the model


def test_parse_command_reference_defaults_and_round_trip():
    ref = parse_reference({"type": "command", "argv": ["op", "read", "op://v/i/f"]})
    assert ref == CommandReference(("op", "read", "op://v/i/f"), 300, 30)
    assert load_reference(reference_json(ref)) == ref
    assert ref.describe() == "op read op://v/i/f"
    assert CommandReference(("sh", "-c", "pass show x | head -1")).describe() == (
        "sh -c 'pass show x | head -1'"
    )


def test_parse_vault_reference_round_trip():
    ref = parse_reference(
        {
            "type": "vault",
            "addr": "http://127.0.0.1:8200/",
            "mount": "secret",
            "path": "/team/db/",
            "field": "password",
            "ttl_seconds": 60,
        }
    )
    assert ref == VaultReference("secret", "team/db", "password", "http://127.0.0.1:8200", 60, 30)
    assert load_reference(reference_json(ref)) == ref
    assert ref.describe() == "secret/team/db#password at http://127.0.0.1:8200"
    assert parse_vault_spec("secret/team/db#password") == ("secret", "team/db", "password")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ("op read x", "reference"),
        ({"type": "shell", "argv": ["x"]}, "reference.type"),
        ({"type": "command", "argv": "op read x"}, "reference.argv"),
        ({"type": "command", "argv": []}, "reference.argv"),
        ({"type": "command", "argv": ["op", 3]}, "reference.argv[1]"),
        ({"type": "command", "argv": [" "]}, "reference.argv[0]"),
        ({"type": "command", "argv": ["op\0"]}, "reference.argv[0]"),
        ({"type": "command", "argv": ["op"], "ttl_seconds": 0}, "reference.ttl_seconds"),
        ({"type": "command", "argv": ["op"], "ttl_seconds": True}, "reference.ttl_seconds"),
        ({"type": "command", "argv": ["op"], "timeout_seconds": 601}, "reference.timeout_seconds"),
        ({"type": "command", "argv": ["op"], "value": "x"}, "reference.value"),
        ({"type": "vault", "path": "db", "field": "f"}, "reference.mount"),
        ({"type": "vault", "mount": "secret", "path": "../x", "field": "f"}, "reference.path"),
        ({"type": "vault", "mount": "secret", "path": "db", "field": ""}, "reference.field"),
        (
            {"type": "vault", "mount": "s", "path": "d", "field": "f", "addr": "file:///etc"},
            "reference.addr",
        ),
        (
            {"type": "vault", "mount": "s", "path": "d", "field": "f", "addr": "http://u:p@h"},
            "reference.addr",
        ),
    ],
)
def test_bad_references_are_refused_naming_the_field(payload, field):
    with pytest.raises(InvalidInput) as err:
        parse_reference(payload)
    assert err.value.field == field


@pytest.mark.parametrize("spec", ["secret/db", "secret#f", "/db#f", "secret/#f", "secret/db#"])
def test_bad_vault_specs(spec):
    with pytest.raises(InvalidInput):
        parse_vault_spec(spec)


# ---------------------------------------------------------------------- commands


def test_command_output_is_the_value_without_one_trailing_newline(tmp_path):
    cli = script(tmp_path, "fake-op", "sys.stdout.write('s3cr3t-value\\n\\n')")
    fetcher = ReferenceFetcher()
    batch = fetcher.fetch_all({"a": CommandReference((cli,))})
    assert batch.values == {"a": b"s3cr3t-value\n"}
    assert batch.errors == {}


def test_command_runs_without_a_shell_without_the_key_and_with_stdin_closed(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV_VAR, "a-store-key-for-the-test")
    seen = tmp_path / "seen.json"
    cli = script(
        tmp_path,
        "fake-pass",
        f"json.dump({{'argv': sys.argv[1:], 'key': os.environ.get({KEY_ENV_VAR!r}),"
        f" 'stdin': sys.stdin.read(), 'pgid_is_own': os.getpgid(0) == os.getpid()}},"
        f" open({str(seen)!r}, 'w'))\nprint('v')",
    )
    argv = (cli, "$HOME", "a b; rm -rf /", "`id`")
    assert ReferenceFetcher().fetch_all({"a": CommandReference(argv)}).values == {"a": b"v"}
    report = json.loads(seen.read_text())
    assert report["argv"] == ["$HOME", "a b; rm -rf /", "`id`"]  # as given, no shell expansion
    assert report["key"] is None
    assert report["stdin"] == ""
    assert report["pgid_is_own"] is True


def test_failure_shows_the_status_and_a_redacted_stderr_line(tmp_path):
    cli = script(
        tmp_path,
        "fake-vault",
        "print('partial-value-1234')\n"
        "sys.stderr.write('debug line\\nerror: token expired near partial-value-1234\\n')\n"
        "sys.exit(2)",
    )
    batch = ReferenceFetcher().fetch_all({"a": CommandReference((cli,))})
    reason = batch.errors["a"].reason
    assert "exited with status 2" in reason
    assert "token expired near [REDACTED]" in reason
    assert "partial-value-1234" not in reason
    assert "partial-value-1234" not in str(batch.errors["a"])


def test_stderr_holding_a_short_output_is_not_shown(tmp_path):
    cli = script(tmp_path, "t", "print('ab')\nsys.stderr.write('oops ab oops\\n')\nsys.exit(1)")
    reason = ReferenceFetcher().fetch_all({"a": CommandReference((cli,))}).errors["a"].reason
    assert reason.endswith("exited with status 1")


def test_stderr_never_shows_the_last_good_value(tmp_path):
    state = tmp_path / "state"
    cli = script(
        tmp_path,
        "flaky",
        f"p = {str(state)!r}\n"
        "if not os.path.exists(p):\n"
        "    open(p, 'w').close(); print('the-good-value-42'); sys.exit(0)\n"
        "sys.stderr.write('cannot refresh the-good-value-42\\n'); sys.exit(1)",
    )
    clock = Clock()
    fetcher = ReferenceFetcher(clock=clock)
    ref = CommandReference((cli,), ttl_seconds=10)
    assert fetcher.fetch_all({"a": ref}).values == {"a": b"the-good-value-42"}
    clock.now += 11
    batch = fetcher.fetch_all({"a": ref})
    assert batch.values == {}  # a failed fetch after the TTL never serves the old value
    assert batch.errors["a"].reason.endswith(": cannot refresh [REDACTED]")
    assert fetcher.failure("a") == batch.errors["a"].reason


def test_missing_program_empty_output_and_too_much_output(tmp_path):
    fetcher = ReferenceFetcher(max_value_bytes=1000)
    empty = script(tmp_path, "empty", "print()")
    big = script(tmp_path, "big", "sys.stdout.write('x' * 100000); time.sleep(30)")
    start = time.monotonic()
    batch = fetcher.fetch_all(
        {
            "missing": CommandReference((str(tmp_path / "no-such-cli"),)),
            "empty": CommandReference((empty,)),
            "big": CommandReference((big,)),
        }
    )
    assert time.monotonic() - start < 10  # the big one was killed, not waited for
    assert batch.values == {}
    assert "command not found" in batch.errors["missing"].reason
    assert batch.errors["empty"].reason.endswith("printed nothing")
    assert "more than 1000 bytes" in batch.errors["big"].reason


def test_timeout_kills_the_command_and_its_children(tmp_path):
    pidfile = tmp_path / "child.pid"
    cli = script(
        tmp_path,
        "slow",
        "import subprocess\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)",
    )
    start = time.monotonic()
    batch = ReferenceFetcher().fetch_all({"a": CommandReference((cli,), timeout_seconds=1)})
    assert time.monotonic() - start < 10
    assert "did not finish within 1 s" in batch.errors["a"].reason
    child = int(pidfile.read_text())
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        # a zombie until init reaps it counts as stopped
        if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail("the command's child outlived the timeout")


def test_value_is_kept_for_its_ttl_then_fetched_again(tmp_path):
    counter = tmp_path / "count"
    counter.write_text("0")
    cli = script(
        tmp_path,
        "rotating",
        f"p = {str(counter)!r}\nn = int(open(p).read()) + 1\nopen(p, 'w').write(str(n))\n"
        "print(f'value-{n}')",
    )
    clock = Clock()
    fetcher = ReferenceFetcher(clock=clock)
    ref = CommandReference((cli,), ttl_seconds=60)
    assert fetcher.fetch_all({"a": ref}).values["a"] == b"value-1"
    clock.now += 59
    assert fetcher.fetch_all({"a": ref}).values["a"] == b"value-1"
    assert counter.read_text() == "1"
    clock.now += 2
    assert fetcher.fetch_all({"a": ref}).values["a"] == b"value-2"
    # A changed reference is fetched at once, whatever the TTL.
    changed = CommandReference((cli, "--other"), ttl_seconds=60)
    assert fetcher.fetch_all({"a": changed}).values["a"] == b"value-3"
    fetcher.forget("a")
    assert fetcher.fetch_all({"a": changed}).values["a"] == b"value-4"


def test_fetches_run_concurrently_but_bounded(tmp_path):
    log = tmp_path / "log"
    cli = script(
        tmp_path,
        "sleepy",
        f"open({str(log)!r}, 'a').write(f'start {{time.time()}}\\n')\ntime.sleep(0.6)\n"
        f"open({str(log)!r}, 'a').write(f'end {{time.time()}}\\n')\nprint(sys.argv[1])",
    )
    fetcher = ReferenceFetcher(max_workers=2)
    start = time.monotonic()
    batch = fetcher.fetch_all({str(i): CommandReference((cli, f"v{i}")) for i in range(4)})
    elapsed = time.monotonic() - start
    assert batch.values == {str(i): f"v{i}".encode() for i in range(4)}
    assert elapsed < 2.3  # not one after the other (4 x 0.6 s plus start-up)
    events = sorted(
        (float(t), kind) for kind, t in (line.split() for line in log.read_text().splitlines())
    )
    running = peak = 0
    for _, kind in events:
        running += 1 if kind == "start" else -1
        peak = max(peak, running)
    assert peak == 2
    fetcher.close()


def test_on_an_event_loop_nothing_runs_there_and_the_fetch_goes_on_in_the_background(tmp_path):
    cli = script(tmp_path, "slowish", "time.sleep(0.5)\nprint('bg-value')")
    fetcher = ReferenceFetcher()
    ref = CommandReference((cli,))

    async def on_loop():
        start = time.monotonic()
        batch = fetcher.fetch_all({"a": ref})
        return batch, time.monotonic() - start

    batch, elapsed = asyncio.run(on_loop())
    assert elapsed < 0.3
    assert batch.values == {}
    assert "being fetched" in batch.errors["a"].reason
    deadline = time.monotonic() + 10
    while fetcher.failure("a") is None and not fetcher._entries.get("a"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert asyncio.run(on_loop())[0].values == {"a": b"bg-value"}


def test_one_secret_is_fetched_once_when_asked_from_two_threads(tmp_path):
    counter = tmp_path / "count"
    cli = script(
        tmp_path,
        "once",
        f"open({str(counter)!r}, 'a').write('x')\ntime.sleep(0.5)\nprint('v')",
    )
    fetcher = ReferenceFetcher()
    ref = CommandReference((cli,))
    results: list[dict[str, bytes]] = []
    threads = [
        threading.Thread(target=lambda: results.append(fetcher.fetch_all({"a": ref}).values))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{"a": b"v"}] * 3
    assert counter.read_text() == "x"


def test_fetch_failed_message_never_has_the_output(tmp_path):
    # stdout is the value even on failure: it never reaches the message, whatever its length.
    cli = script(tmp_path, "leaky", "print('x7')\nsys.exit(3)")
    err = ReferenceFetcher().fetch_all({"a": CommandReference((cli,))}).errors["a"]
    assert isinstance(err, FetchFailed)
    assert "x7" not in str(err)
    assert refs.DEFAULT_TTL == 300


# ---------------------------------------------------------------------- the service


@pytest.fixture
def service(tmp_path):
    import base64

    from jupyter_secrets.core.service import SecretsService
    from jupyter_secrets.files import Materializer
    from jupyter_secrets.store.sqlite import SQLiteSecretStore

    env = {"JUPYTER_SECRETS_KEY": base64.b64encode(os.urandom(32)).decode()}
    store = SQLiteSecretStore.open(tmp_path / "store" / "s.sqlite3", env=env)
    root = tmp_path / "root"
    (root / "proj").mkdir(parents=True)
    base = tmp_path / "run"
    base.mkdir(mode=0o700)
    materializer = Materializer(base / "server-1-00000000")
    service = SecretsService(store, root, "alice", materializer)
    yield service
    materializer.remove_all()
    service.sync.fetcher.close()
    store.close()


def project_with_slot(service):
    pid = service.create_project("proj", "P").id
    slot = service.add_slot(pid, {"name": "DB password", "filename": "db-password"})
    return pid, slot.id


def file_of(service, pid) -> Path:
    return service.materializer.project_dir(pid) / "db-password"


def test_a_reference_is_stored_encrypted_and_its_value_materialized(service, tmp_path):
    cli = script(tmp_path, "fake-op", "print('fetched-db-password-77')")
    pid, sid = project_with_slot(service)
    reference = {"type": "command", "argv": [cli, "read", "op://team/db/password"]}
    result = service.fill_slot(pid, sid, reference=reference)
    assert result.slot.state == "provided"
    assert file_of(service, pid).read_text() == "fetched-db-password-77"
    view = service.get_user_secret(result.secret.id)
    assert view.reference is not None
    assert view.reference.type == "command"
    assert view.reference.argv == (cli, "read", "op://team/db/password")
    assert view.reference.fetch_error is None
    assert view.binary is False
    # The store holds the reference, encrypted; the fetched value is nowhere on disk but the file.
    raw = b"".join(p.read_bytes() for p in (tmp_path / "store").iterdir() if p.is_file())
    assert b"op://team/db/password" not in raw and b"fetched-db-password-77" not in raw
    assert b"db-password" in raw  # the secret's row is there (its name is not encrypted)
    assert "fetched-db-password-77" in service.materialized_values()


def test_a_failing_reference_shows_fetch_failed_and_writes_no_file(service, tmp_path):
    flag = tmp_path / "fail"
    cli = script(
        tmp_path,
        "flaky-op",
        f"if os.path.exists({str(flag)!r}):\n"
        "    sys.stderr.write('[ERROR] not signed in\\n'); sys.exit(1)\nprint('good-value-55')",
    )
    pid, sid = project_with_slot(service)
    reference = {"type": "command", "argv": [cli], "ttl_seconds": 1}
    secret_id = service.fill_slot(pid, sid, reference=reference).secret.id
    assert file_of(service, pid).read_text() == "good-value-55"
    flag.touch()
    time.sleep(1.1)
    service.refresh()
    assert not file_of(service, pid).exists()
    slot = service.project_for_path("proj").slots[0]
    assert slot.state == "fetch-failed"
    reason = service.get_user_secret(secret_id).reference.fetch_error
    assert reason.endswith("exited with status 1: [ERROR] not signed in")
    # Replacing the reference fetches again at once and clears the state.
    ok = script(tmp_path, "ok-op", "print('new-value-56')")
    service.update_user_secret(secret_id, {"reference": {"type": "command", "argv": [ok]}})
    assert file_of(service, pid).read_text() == "new-value-56"
    assert service.project_for_path("proj").slots[0].state == "provided"
    assert service.get_user_secret(secret_id).reference.fetch_error is None


def test_a_reference_becomes_a_value_and_back(service, tmp_path):
    cli = script(tmp_path, "fake-op", "print('from-the-vault-88')")
    pid, sid = project_with_slot(service)
    secret_id = service.fill_slot(pid, sid, value="typed-value-88").secret.id
    service.update_user_secret(secret_id, {"reference": {"type": "command", "argv": [cli]}})
    assert file_of(service, pid).read_text() == "from-the-vault-88"
    service.update_user_secret(secret_id, {"value": "typed-again-88"})
    assert file_of(service, pid).read_text() == "typed-again-88"
    assert service.get_user_secret(secret_id).reference is None


def test_bad_reference_inputs_are_clear_errors(service, tmp_path):
    pid, sid = project_with_slot(service)
    with pytest.raises(InvalidInput) as err:
        service.fill_slot(pid, sid, value="v", reference={"type": "command", "argv": ["x"]})
    assert err.value.field == "reference"
    with pytest.raises(InvalidInput) as err:
        service.create_user_secret("r", None, reference={"type": "command", "argv": "op read"})
    assert err.value.field == "reference.argv"
    # A binary value can never pass for a stored reference (it would run a command).
    forged = refs.STORED_MARKER + b'{"type":"command","argv":["id"]}'
    with pytest.raises(InvalidInput) as err:
        service.create_user_secret("forged", forged)
    assert err.value.field == "value_base64"
    with pytest.raises(InvalidInput):
        service.fill_slot(pid, sid, value=forged)
    assert service.list_user_secrets() == []


# ---------------------------------------------------------------------- the CLI


def test_cli_set_command_and_vault_references_then_status_and_run(tmp_path):
    from tests.server_process import new_key

    (tmp_path / "config").mkdir()
    project = tmp_path / "project"
    project.mkdir()
    flag = tmp_path / "broken"
    cli = script(
        tmp_path,
        "fake-op",
        f"if os.path.exists({str(flag)!r}):\n"
        "    sys.stderr.write('[ERROR] You are not currently signed in.\\n'); sys.exit(1)\n"
        "print('cli-fetched-value-61')",
    )
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_SECRETS_KEY": new_key(),
        "VAULT_ADDR": "http://127.0.0.1:9",  # nothing listens there
        "VAULT_TOKEN": "not-a-real-token",
    }
    env.pop("JUPYTER_SECRETS_DIR", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "jupyter_secrets.cli.main", *args],
            text=True,
            capture_output=True,
            env=env,
            cwd=project,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    done = run("set", "db", "--command", f"{cli} read 'op://team/db/pass word'", "--ttl", "60")
    assert done.returncode == 0, done.stderr
    assert "Saved 'db' as a reference (reference: command" in done.stdout
    assert "it works" in done.stdout and "cli-fetched-value-61" not in done.stdout + done.stderr
    done = run("set", "vaulted", "--vault", "secret/team/db#password")
    assert done.returncode == 0, done.stderr
    assert "reference: vault secret/team/db#password at $VAULT_ADDR" in done.stdout
    assert "warning: the first fetch failed: cannot reach the vault at http://127.0.0.1:9" in (
        done.stderr
    )
    listing = run("list").stdout
    assert f"(reference: command {cli} read 'op://team/db/pass word', TTL 60 s)" in listing

    assert run("slots", "init", "--name", "P").returncode == 0
    assert run("slots", "add", "--name", "DB", "--filename", "db").returncode == 0
    assert run("bind", "DB", "db").returncode == 0
    status = run("status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "provided  DB (file db) - reference, fetched" in status.stdout
    done = run(
        "run",
        "--",
        sys.executable,
        "-c",
        "import os; print(open(os.environ['JUPYTER_SECRETS_DIR'] + '/db').read())",
    )
    assert done.returncode == 0 and done.stdout.strip() == "cli-fetched-value-61"

    flag.touch()
    status = run("status")
    assert status.returncode == 3
    assert (
        "fetch-failed DB (file db) - reference: "
        f"'{cli}' exited with status 1: [ERROR] You are not currently signed in."
    ) in status.stdout

    bad = run("set", "x", "--command", "op read", "--vault", "secret/db#pw")
    assert bad.returncode == 2 and "give --command or --vault, not both" in bad.stderr
    bad = run("set", "x", "--vault", "secret#pw")
    assert bad.returncode == 1 and "vault: must be MOUNT/PATH#FIELD" in bad.stderr
    bad = run("set", "x", "--command", "op 'unterminated")
    assert bad.returncode == 1 and "command: cannot be split into words" in bad.stderr


def test_stderr_never_shows_a_token_of_the_environment(tmp_path):
    token = "hvs." + "Q" * 12 + "token-of-the-user"
    cli = script(
        tmp_path,
        "chatty",
        "sys.stderr.write('auth failed for token ' + os.environ['VAULT_TOKEN'] + '\\n')\n"
        "sys.exit(2)",
    )
    fetcher = ReferenceFetcher(environ={**os.environ, "VAULT_TOKEN": token})
    reason = fetcher.fetch_all({"a": CommandReference((cli,))}).errors["a"].reason
    assert reason.endswith("exited with status 2: auth failed for token [REDACTED]")
    assert token not in reason


def test_a_reference_fills_an_env_slot_and_a_damaged_one_is_unreadable(service, tmp_path):
    cli = script(tmp_path, "fake-op", "print('env-fetched-value-90')")
    pid = service.create_project("proj", "P").id
    env_slot = service.add_slot(pid, {"name": "Key", "filename": "key", "env": "API_KEY"})
    service.fill_slot(pid, env_slot.id, reference={"type": "command", "argv": [cli]})
    env = service.kernel_env(str(service.root_dir / "proj"))
    assert env["API_KEY"] == "env-fetched-value-90"

    # A stored reference whose JSON is damaged (written past the service): unreadable, not run.
    damaged_slot = service.add_slot(pid, {"name": "Damaged", "filename": "damaged"})
    meta = service.store.create_secret("alice", "damaged", refs.STORED_MARKER + b"{not json")
    service.store.bind("alice", pid, damaged_slot.id, meta.id)
    service.refresh()
    states = {slot.name: slot.state for slot in service.project_for_path("proj").slots}
    assert states == {"Key": "provided", "Damaged": "unreadable"}
    assert not (service.materializer.project_dir(pid) / "damaged").exists()
