"""Faults: what a crash, a read-only or full disk, a lost key, a second writer, a broken slot
file or an interrupted key rotation do to the user's secrets.

Real server processes, a real SQLite store, real signals and real mounts (a private mount
namespace, ``unshare -m``, makes read-only and full file systems without touching the machine;
those tests skip, saying why, where that is not allowed).  No timing assertions.
"""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jupyter_secrets.cli import bootstrap
from jupyter_secrets.store.crypto import Keyring, blob_key_id
from jupyter_secrets.store.sqlite import SQLiteSecretStore

from .conftest import CANARY
from .hardening import OWNER, lean_server, mount_namespace_available, snapshot
from .server_process import new_key

NO_MOUNTS = mount_namespace_available()


def reps(config, short: int, slow: int) -> int:
    return slow if config.getoption("--run-slow") else short


def integrity(path: Path) -> list:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()


def open_store(path: Path, key: str) -> SQLiteSecretStore:
    store = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": key})
    assert not store.locked, store.lock_reason
    return store


def cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_secrets.cli.main", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


# ====================================================================== SIGKILL mid-burst


class Writer(threading.Thread):
    """Creates secrets, then replaces their values, until told to stop or the server dies.

    ``acked[name]`` is the last value the server acknowledged (2xx); ``in_flight[name]`` a value
    sent without a reply yet (it may or may not have been committed when the server died).
    """

    def __init__(self, server, prefix: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.server, self.prefix, self.stop = server, prefix, stop
        self.acked: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.in_flight: dict[str, str] = {}
        self.requests = 0

    def run(self):
        n = 0
        try:
            while not self.stop.is_set():
                name = f"{self.prefix}-{n:05d}"
                value = f"{CANARY}-{name}-v0"
                self.in_flight[name] = value
                status, text = self.server.call(
                    "POST", "/api/secrets/user-secrets", {"name": name, "value": value}, timeout=30
                )
                self.requests += 1
                assert status == 201, (status, text)
                self.ids[name] = json.loads(text)["id"]
                self.acked[name] = self.in_flight.pop(name)
                for version in (1, 2):  # and replace it, twice
                    value = f"{CANARY}-{name}-v{version}"
                    self.in_flight[name] = value
                    status, text = self.server.call(
                        "PATCH",
                        f"/api/secrets/user-secrets/{self.ids[name]}",
                        {"value": value},
                        timeout=30,
                    )
                    self.requests += 1
                    assert status == 200, (status, text)
                    self.acked[name] = self.in_flight.pop(name)
                n += 1
        except (ConnectionError, OSError):
            return  # the server was killed


def test_sigkill_during_a_burst_of_api_writes_keeps_every_acknowledged_write(tmp_path, request):
    server = lean_server(tmp_path)
    key = server.env["JUPYTER_SECRETS_KEY"]
    total_acked = killed_requests = 0
    rounds = reps(request.config, 3, 25)
    for round_ in range(rounds):
        server.start()
        assert len(server.server_trees()) == 1  # the killed server's tree was cleaned up
        stop = threading.Event()
        writers = [Writer(server, f"r{round_:02d}w{i}", stop) for i in range(4)]
        for writer in writers:
            writer.start()
        target = 10 + random.randrange(40)
        while sum(len(w.acked) for w in writers) < target and all(w.is_alive() for w in writers):
            time.sleep(0.005)
        os.kill(server.pid, signal.SIGKILL)
        server.proc.wait(timeout=30)
        stop.set()
        for writer in writers:
            writer.join(timeout=60)
            assert not writer.is_alive()
        assert integrity(server.store_path) == [("ok",)]
        store = open_store(server.store_path, key)
        present = {meta.name: meta.id for meta in store.list_secrets(OWNER)}
        for writer in writers:
            for name, value in writer.acked.items():
                assert name in present, f"acknowledged {name} lost"
                stored = store.read_value(OWNER, present[name])
                assert stored in (value, writer.in_flight.get(name)), (name, value, stored)
            total_acked += len(writer.acked)
            killed_requests += writer.requests
        store.close()
    print(
        f"\nSIGKILL x{rounds}: {killed_requests} acknowledged writes checked ({total_acked} secrets)"
    )


# ====================================================================== read-only and full disks


def in_namespace(
    pid: int, *command: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run a command in the mount namespace of process ``pid`` (where its private mounts are)."""
    return subprocess.run(
        ["nsenter", "-t", str(pid), "-m", *command],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


CHECK_STORE = """
import json, sqlite3, sys
from jupyter_secrets.store.sqlite import SQLiteSecretStore
path, owner = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(path)
ok = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
conn.close()
store = SQLiteSecretStore.open(path)
print(json.dumps({"ok": ok, "locked": store.locked,
                  "values": {m.name: store.read_value(owner, m.id) for m in store.list_secrets(owner)}}))
"""


@pytest.mark.skipif(NO_MOUNTS is not None, reason=f"a full disk needs a private tmpfs: {NO_MOUNTS}")
def test_store_disk_filling_up_answers_503_and_recovers(tmp_path):
    """The store's file system fills up under a running server (a small private tmpfs)."""
    server = lean_server(tmp_path)
    store_dir = server.store_path.parent
    store_dir.mkdir(parents=True)
    server.wrap = [
        "unshare",
        "-m",
        "sh",
        "-c",
        'mount -t tmpfs -o size=2m,mode=0700 tmpfs "$0" && exec "$@"',
        str(store_dir),
    ]
    server.start()
    big = "B" * 60_000
    try:
        status, before = server.json(
            "POST", "/api/secrets/user-secrets", {"name": "before", "value": "before-value"}
        )
        assert status == 201, before
        fill = in_namespace(
            server.pid, "sh", "-c", f"dd if=/dev/zero of={store_dir}/filler bs=4k 2>&1; sync"
        )
        assert "No space left" in fill.stdout, fill.stdout
        refused = []
        for n in range(5):
            status, reply = server.json(
                "POST", "/api/secrets/user-secrets", {"name": f"during-{n}", "value": big + CANARY}
            )
            assert status in (201, 503), (status, reply)  # a write may still fit in free pages
            assert CANARY not in json.dumps(reply)
            if status == 503:
                refused.append(reply["message"])
        assert refused, "nothing was refused on a full disk"
        assert all(
            "full" in message and str(server.store_path) in message for message in refused
        ), refused
        status, listing = server.json("GET", "/api/secrets/user-secrets")  # reads keep working
        assert status == 200 and "before" in {s["name"] for s in listing["secrets"]}
        in_namespace(server.pid, "rm", "-f", str(store_dir / "filler"))
        status, reply = server.json(
            "POST", "/api/secrets/user-secrets", {"name": "after", "value": big}
        )
        assert status == 201, reply  # recovers without a restart
        check = in_namespace(
            server.pid,
            sys.executable,
            "-c",
            CHECK_STORE,
            str(server.store_path),
            OWNER,
            env={"JUPYTER_SECRETS_KEY": server.env["JUPYTER_SECRETS_KEY"]},
        )
        assert check.returncode == 0, check.stderr
        result = json.loads(check.stdout)
        assert result["ok"] and not result["locked"]
        assert result["values"]["before"] == "before-value" and result["values"]["after"] == big
        assert all(v == big + CANARY for k, v in result["values"].items() if k.startswith("during"))
    finally:
        server.stop()
    assert CANARY not in server.log()


def start_on_read_only_store(tmp_path):
    server = lean_server(tmp_path)
    key = server.env["JUPYTER_SECRETS_KEY"]
    store = SQLiteSecretStore.open(server.store_path, env={"JUPYTER_SECRETS_KEY": key})
    store.create_secret(OWNER, "kept", "kept-value")
    store.close()
    store_dir = server.store_path.parent
    before = snapshot(store_dir)
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    server.wrap = ["unshare", "-m", "sh", "-c", script, str(store_dir)]
    server.start()
    return server, key, before


@pytest.mark.skipif(
    NO_MOUNTS is not None, reason=f"read-only store needs a private mount: {NO_MOUNTS}"
)
def test_server_started_on_a_read_only_store_refuses_writes_and_writes_nothing(tmp_path):
    server, key, before = start_on_read_only_store(tmp_path)
    try:
        status, model = server.json("GET", "/api/secrets/status")
        assert (
            status == 200
            and model["locked"] is True
            and str(server.store_path) in model["lock_reason"]
        )
        for method, path, body in [
            ("POST", "/api/secrets/user-secrets", {"name": "new", "value": CANARY}),
            ("POST", "/api/secrets/projects", {"path": "", "name": "P"}),
        ]:
            status, reply = server.json(method, path, body)
            assert (status == 503 and str(server.store_path) in reply["message"]) or (
                method == "POST" and "projects" in path
            ), reply
        status, listing = server.json("GET", "/api/secrets/user-secrets")
        assert status == 200
    finally:
        server.stop()
    assert snapshot(server.store_path.parent) == before
    store = open_store(server.store_path, key)
    assert [store.read_value(OWNER, m.id) for m in store.list_secrets(OWNER)] == ["kept-value"]
    store.close()


@pytest.mark.skipif(
    NO_MOUNTS is not None, reason=f"read-only store needs a private mount: {NO_MOUNTS}"
)
def test_read_only_store_is_reported_as_read_only_and_still_listed(tmp_path):
    server, key, before = start_on_read_only_store(tmp_path)
    try:
        status, model = server.json("GET", "/api/secrets/status")
        assert "read-only" in model["lock_reason"], model
        status, listing = server.json("GET", "/api/secrets/user-secrets")
        assert [s["name"] for s in listing["secrets"]] == ["kept"], listing
    finally:
        server.stop()


@pytest.mark.skipif(
    NO_MOUNTS is not None, reason=f"a full secrets dir needs a private tmpfs: {NO_MOUNTS}"
)
def test_full_secrets_dir_is_reported_not_a_500(tmp_path):
    """The store takes the change; the reply says so (2xx) and the status says why kernels
    do not see it yet."""
    server = lean_server(tmp_path)
    script = 'mount -t tmpfs -o size=96k,mode=0700 tmpfs "$0" && exec "$@"'
    server.wrap = ["unshare", "-m", "sh", "-c", script, str(server.secrets_base)]
    (server.root / "proj").mkdir()
    server.start()
    try:
        status, project = server.json(
            "POST", "/api/secrets/projects", {"path": "proj", "name": "P"}
        )
        pid = project["id"]
        statuses = []
        for n in range(4):
            status, slot = server.json(
                "POST", f"/api/secrets/projects/{pid}/slots", {"name": f"S{n}", "filename": f"s{n}"}
            )
            status, reply = server.json(
                "PUT",
                f"/api/secrets/projects/{pid}/slots/{slot['id']}/value",
                {"value": f"{n}" * 60_000},
            )
            statuses.append((status, reply.get("message")))
        assert all(200 <= status < 300 for status, _ in statuses), statuses
        status, model = server.json("GET", "/api/secrets/status")
        assert "space" in (model["files_error"] or ""), model
    finally:
        server.stop()


# ====================================================================== keys


@pytest.fixture
def keyfile_server(tmp_path):
    """A server whose store is the default one under JUPYTER_DATA_DIR, keyed by a key file."""
    server = lean_server(tmp_path, env={"JUPYTER_SECRETS_KEY": ""})
    server.store_path = server.workdir / "data" / "jupyter_secrets" / "secrets.sqlite3"
    server.start()
    status, made = server.json(
        "POST", "/api/secrets/user-secrets", {"name": "precious", "value": CANARY}
    )
    assert status == 201, made
    server.stop()
    server.made = made
    yield server
    server.stop()


def doctor(server) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_SECRETS_KEY"}
    env["JUPYTER_DATA_DIR"] = str(server.workdir / "data")
    return subprocess.run(
        [sys.executable, "-m", "jupyter_secrets.cli.main", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("fault", ["key file open to others", "key file missing"])
def test_key_file_problem_locks_the_store_says_what_to_do_and_writes_nothing(keyfile_server, fault):
    server = keyfile_server
    key_file = server.store_path.with_name("secrets.key")
    assert key_file.exists()
    healthy = doctor(server)
    assert not [
        line
        for line in healthy.stdout.splitlines()
        if line.startswith("FIX") and ("key" in line or "store" in line)
    ], healthy.stdout
    original = key_file.read_bytes()
    if fault == "key file open to others":
        os.chmod(key_file, 0o644)
        advice = f"chmod 600 {key_file}"
    else:
        key_file.unlink()
        advice = f"restore {key_file}"
    before = snapshot(server.store_path.parent)

    server.start()  # still starts
    status, model = server.json("GET", "/api/secrets/status")
    assert status == 200 and model["locked"] is True, model
    assert advice in model["lock_reason"], model
    status, reply = server.json(
        "POST", "/api/secrets/user-secrets", {"name": "new", "value": "new-value"}
    )
    assert status == 503 and advice in reply["message"], reply
    status, listing = server.json("GET", "/api/secrets/user-secrets")  # what is there stays visible
    assert status == 200 and [s["name"] for s in listing["secrets"]] == ["precious"]
    server.stop()
    after = snapshot(server.store_path.parent)
    # A read-only SQLite reader may leave an empty WAL / its index; nothing else may change.
    extra = {k: v for k, v in after.items() if k not in before}
    assert all(k.endswith(("-shm", "-wal")) for k in extra), extra
    assert {k: after[k] for k in before} == before

    result = doctor(server)
    assert result.returncode != 0
    assert advice in result.stdout and "FIX" in result.stdout, result.stdout

    # Put it right: everything is there.
    if fault == "key file open to others":
        os.chmod(key_file, 0o600)
    else:
        key_file.write_bytes(original)
        os.chmod(key_file, 0o600)
    server.start()
    status, model = server.json("GET", "/api/secrets/status")
    assert model["locked"] is False
    server.stop()
    store = SQLiteSecretStore.open(server.store_path, key_file=key_file, env={})
    assert store.read_value(OWNER, server.made["id"]) == CANARY
    store.close()


# ====================================================================== several writers


def test_two_servers_and_the_cli_on_one_store_lose_no_update(tmp_path):
    key = new_key()
    first = lean_server(tmp_path / "first", env={"JUPYTER_SECRETS_KEY": key})
    second = lean_server(tmp_path / "second", env={"JUPYTER_SECRETS_KEY": key})
    second.store_path = first.store_path
    first.start()
    second.start()
    try:
        stop = threading.Event()
        writers = [Writer(first, "first", stop), Writer(second, "second", stop)]
        for writer in writers:
            writer.start()
        cli_names = []
        for n in range(4):  # meanwhile, the CLI saves secrets into the same file
            name = f"cli-{n}"
            result = cli(
                "--store",
                str(first.store_path),
                "set",
                name,
                stdin=f"{CANARY}-{name}\n",
                env={"JUPYTER_SECRETS_KEY": key, "JUPYTERHUB_USER": OWNER},
            )
            assert result.returncode == 0, result.stderr
            cli_names.append(name)
        # Both servers race for the same names: exactly one wins each.
        for n in range(10):
            results = {}

            def claim(server, label, results=results, n=n):
                results[label] = server.call(
                    "POST", "/api/secrets/user-secrets", {"name": f"contested-{n}", "value": label}
                )[0]

            threads = [
                threading.Thread(target=claim, args=(server, label))
                for server, label in ((first, "first"), (second, "second"))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(results.values()) == [201, 409], results
        stop.set()
        for writer in writers:
            writer.join(timeout=120)
            assert not writer.is_alive()
        expected = {name: value for w in writers for name, value in w.acked.items()}
        expected.update({name: f"{CANARY}-{name}" for name in cli_names})
        for server in (first, second):
            status, listing = server.json("GET", "/api/secrets/user-secrets")
            assert status == 200
            names = {s["name"] for s in listing["secrets"]}
            assert set(expected) <= names and {f"contested-{n}" for n in range(10)} <= names
    finally:
        first.stop()
        second.stop()
    store = open_store(first.store_path, key)
    stored = {m.name: store.read_value(OWNER, m.id) for m in store.list_secrets(OWNER)}
    store.close()
    assert {name: stored.get(name) for name in expected} == expected
    assert len(expected) > len(cli_names)
    assert integrity(first.store_path) == [("ok",)]


# ====================================================================== broken slot files


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


CORRUPTIONS = {
    "truncated": lambda p: p.write_text(p.read_text()[:25]),
    "merge conflict": lambda p: p.write_text(
        "<<<<<<< HEAD\n" + p.read_text() + "=======\n{}\n>>>>>>> other\n"
    ),
    "empty": lambda p: p.write_text(""),
    "binary": lambda p: p.write_bytes(os.urandom(512) + b"\xff\xfe"),
    "not an object": lambda p: p.write_text("[1, 2, 3]"),
    "newer version": lambda p: p.write_text(
        json.dumps({**json.loads(p.read_text()), "version": 2})
    ),
    "huge": lambda p: p.write_text(" " * (1024 * 1024 + 10) + "{}"),
    "deeply nested": lambda p: p.write_text("[" * 100_000 + "]" * 100_000),
    "a directory": _directory,
    "a fifo": _fifo,
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
async def test_corrupted_slot_file_breaks_only_its_project(api, project, jp_root_dir, corruption):
    broken = await project("broken")
    fine = await project("fine")
    _, slot = await api(
        "POST", "projects", broken["id"], "slots", body={"name": "S", "filename": "s"}
    )
    await api(
        "PUT",
        "projects",
        broken["id"],
        "slots",
        slot["id"],
        "value",
        body={"value": "broken-value"},
    )
    CORRUPTIONS[corruption](jp_root_dir / "broken" / ".jupyter" / "secret-slots.json")

    status, model = await api("GET", "projects", params={"path": "broken/nb.ipynb"})
    assert status == 200 and model["exists"] and model["id"] is None, model
    assert model["error"] and len(model["error"]) < 300, model  # a reason, not a dump
    # By id: 422 with the reason (a directory or FIFO in the file's place is "not found": 404).
    expected = (404, 422) if corruption in ("a directory", "a fifo") else (422,)
    status, reply = await api("GET", "projects", broken["id"])
    assert status in expected and reply["message"], reply
    status, reply = await api(
        "POST", "projects", broken["id"], "slots", body={"name": "T", "filename": "t"}
    )
    assert status in expected, reply

    _, other = await api(
        "POST", "projects", fine["id"], "slots", body={"name": "F", "filename": "f"}
    )
    status, reply = await api(
        "PUT", "projects", fine["id"], "slots", other["id"], "value", body={"value": "fine-value"}
    )
    assert status == 200, reply
    status, listing = await api("GET", "user-secrets")
    assert status == 200 and len(listing["secrets"]) == 2, listing


# ====================================================================== interrupted key rotation


class Interrupted(Exception):
    pass


def test_rotate_key_interrupted_halfway_stays_readable_and_completes(tmp_path, monkeypatch):
    store_path = tmp_path / "store" / "secrets.sqlite3"
    key_file = store_path.with_name("secrets.key")
    monkeypatch.delenv("JUPYTER_SECRETS_KEY", raising=False)
    store = SQLiteSecretStore.open(store_path, env={})
    store._connection().execute("PRAGMA synchronous=OFF")
    values = {
        store.create_secret(OWNER, f"s{n:04d}", f"value {n} {CANARY}").id: f"value {n} {CANARY}"
        for n in range(250)
    }
    store.close()
    old_keys = Keyring.from_file(key_file).key_ids

    def raise_after_first(count):
        raise Interrupted(count)

    original = SQLiteSecretStore.rotate_key
    monkeypatch.setattr(
        SQLiteSecretStore,
        "rotate_key",
        functools.partialmethod(original, batch_size=100, on_batch=raise_after_first),
    )
    with pytest.raises(Interrupted) as info:
        bootstrap.rotate_key(store_path, key_file)  # what `jupyter secrets rotate-key` runs
    assert info.value.args == (100,)
    monkeypatch.setattr(SQLiteSecretStore, "rotate_key", original)

    # Half done: the key file holds new and old keys; the rows really are under both.
    keyring = Keyring.from_file(key_file)
    assert len(keyring.key_ids) == 2 and keyring.key_ids[1] in old_keys
    conn = sqlite3.connect(store_path)
    kids = {blob_key_id(blob) for (blob,) in conn.execute("SELECT ciphertext FROM secrets")}
    conn.close()
    assert kids == set(keyring.key_ids)
    store = SQLiteSecretStore.open(store_path, env={})
    assert not store.locked and {i: store.read_value(OWNER, i) for i in values} == values
    store.close()

    assert bootstrap.rotate_key(store_path, key_file) == 250  # run again: completes
    keyring = Keyring.from_file(key_file)
    assert len(keyring.key_ids) == 1 and not set(keyring.key_ids) & set(old_keys)
    store = SQLiteSecretStore.open(store_path, env={})
    assert not store.locked and {i: store.read_value(OWNER, i) for i in values} == values
    store.close()


def test_rotate_key_cli_killed_at_a_random_moment_loses_nothing(tmp_path, request):
    """SIGKILL `jupyter secrets rotate-key` anywhere: the key file and the store still agree."""
    store_path = tmp_path / "store" / "secrets.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_SECRETS_KEY"}
    store = SQLiteSecretStore.open(store_path, env={})
    store._connection().execute("PRAGMA synchronous=OFF")
    values = {
        store.create_secret(OWNER, f"s{n:04d}", f"value {n}").id: f"value {n}" for n in range(6000)
    }
    store.close()
    key_file = store_path.with_name("secrets.key")
    rounds = reps(request.config, 3, 15)
    outcomes = []
    for _ in range(rounds):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_secrets.cli.main",
                "--store",
                str(store_path),
                "rotate-key",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # Wait until the rotation has begun (the key file holds "new;old"), then kill it soon after.
        while ";" not in key_file.read_text() and proc.poll() is None:
            time.sleep(0.001)
        time.sleep(random.uniform(0, 0.08))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        keys = len(Keyring.from_file(key_file).key_ids)
        outcomes.append(
            "finished" if proc.returncode == 0 else f"killed with {keys} key(s) in the file"
        )
        assert integrity(store_path) == [("ok",)]
        store = SQLiteSecretStore.open(store_path, env={})
        assert not store.locked, store.lock_reason
        assert {i: store.read_value(OWNER, i) for i in values} == values
        store.close()
    result = cli("--store", str(store_path), "rotate-key", env={"JUPYTER_SECRETS_KEY": ""})
    assert result.returncode == 0, result.stderr
    assert len(Keyring.from_file(store_path.with_name("secrets.key")).key_ids) == 1
    store = SQLiteSecretStore.open(store_path, env={})
    assert {i: store.read_value(OWNER, i) for i in values} == values
    store.close()
    print(f"\nrotate-key SIGKILL: {outcomes}")
