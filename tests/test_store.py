"""SQLiteSecretStore against real SQLite files: behaviour, encryption at rest, locking, keys,
several processes, and crashes.  No mocks; no timing assertions."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from jupyter_secrets.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    SecretUnreadable,
    StoreLocked,
    StoreUnavailable,
)
from jupyter_secrets.store import sqlite as sqlite_module
from jupyter_secrets.store.base import UNSET, Binding, ProjectRecord, SecretStore
from jupyter_secrets.store.crypto import Keyring, blob_key_id, key_id, write_key_file
from jupyter_secrets.store.sqlite import SQLiteSecretStore, default_key_file

REPO = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("store_worker.py")
CANARY = "canary-VALUE-7f3a9c1e-never-leak"
USER = "alice"


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture
def path(tmp_path) -> Path:
    return tmp_path / "store" / "secrets.sqlite3"


@pytest.fixture
def keyring() -> Keyring:
    return Keyring([os.urandom(32)])


@pytest.fixture
def store(path, keyring):
    s = SQLiteSecretStore(path, keyring)
    yield s
    s.close()


def snapshot(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def assert_unchanged(before: dict[str, str], after: dict[str, str]) -> None:
    """Same files with the same bytes; a read-only SQLite reader may add an empty WAL and
    its shared-memory index (-shm holds no rows), nothing else."""
    empty = hashlib.sha256(b"").hexdigest()
    for name, digest in after.items():
        if name in before:
            assert before[name] == digest, f"{name} changed"
        else:
            assert name.endswith("-shm") or (name.endswith("-wal") and digest == empty), (
                f"{name} appeared"
            )
    assert set(before) <= set(after)


def raw(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Direct SQLite access, as an attacker or a broken disk would change the file."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------------- CRUD


def test_create_get_list_read(store):
    meta = store.create_secret(USER, "  db password ", "s3cret")
    assert meta.name == "db password"  # stripped
    assert len(meta.id) == 32 and meta.created == meta.modified and meta.expires is None
    assert store.get_secret(USER, meta.id) == meta
    assert store.list_secrets(USER) == [meta]
    assert store.read_value(USER, meta.id) == "s3cret"


def test_users_are_separate(store):
    meta = store.create_secret(USER, "token", "a")
    store.create_secret("bob", "token", "b")  # same name, other user: fine
    assert [m.name for m in store.list_secrets("bob")] == ["token"]
    with pytest.raises(NotFound):
        store.get_secret("bob", meta.id)
    with pytest.raises(NotFound):
        store.read_value("bob", meta.id)


def test_missing_secret_is_not_found(store):
    for call in (store.get_secret, store.read_value, store.delete_secret):
        with pytest.raises(NotFound):
            call(USER, "0" * 32)
    with pytest.raises(NotFound):
        store.update_secret(USER, "0" * 32, name="x")


def test_duplicate_name_conflicts(store):
    store.create_secret(USER, "token", "a")
    with pytest.raises(Conflict) as info:
        store.create_secret(USER, " token", "b")
    assert info.value.field == "name"
    other = store.create_secret(USER, "other", "c")
    with pytest.raises(Conflict):
        store.update_secret(USER, other.id, name="token")
    assert store.read_value(USER, other.id) == "c"
    assert len(store.list_secrets(USER)) == 2


def test_rename_replace_and_expiry_partial_updates(store):
    meta = store.create_secret(USER, "token", "old", expires="2030-01-01T00:00:00Z")
    renamed = store.update_secret(USER, meta.id, name="api token")
    assert (renamed.name, renamed.expires) == ("api token", "2030-01-01T00:00:00Z")
    assert store.read_value(USER, meta.id) == "old"
    store.update_secret(USER, meta.id, name="api token")  # its own name is no conflict
    replaced = store.update_secret(USER, meta.id, value="new")
    assert replaced.name == "api token" and replaced.expires == "2030-01-01T00:00:00Z"
    assert store.read_value(USER, meta.id) == "new"
    cleared = store.update_secret(USER, meta.id, expires=None)
    assert cleared.expires is None
    assert store.update_secret(USER, meta.id) == cleared  # nothing to change
    assert store.update_secret(USER, meta.id, name=UNSET, value=UNSET, expires=UNSET) == cleared


@pytest.mark.parametrize(
    "given, stored",
    [
        ("2026-11-22T06:40:00Z", "2026-11-22T06:40:00Z"),
        ("2026-11-22T08:40:00+02:00", "2026-11-22T06:40:00Z"),
        ("2026-11-22T06:40:00.987654z", "2026-11-22T06:40:00Z"),
        ("2026-11-22T06:40", "2026-11-22T06:40:00Z"),  # no offset: UTC
        ("2026-11-22", "2026-11-22T00:00:00Z"),
        (None, None),
    ],
)
def test_expiry_normalised_to_utc(store, given, stored):
    assert store.create_secret(USER, "t", "v", expires=given).expires == stored


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01", "", 1700000000])
def test_bad_expiry_refused(store, bad):
    with pytest.raises(InvalidInput) as info:
        store.create_secret(USER, "t", "v", expires=bad)
    assert info.value.field == "expires"
    assert store.list_secrets(USER) == []


@pytest.mark.parametrize("bad", ["", "   ", "x" * 100, "line\nbreak", None, 5])
def test_bad_names_refused(store, bad):
    with pytest.raises(InvalidInput) as info:
        store.create_secret(USER, bad, "v")
    assert info.value.field == "name"


def test_name_of_99_characters_is_fine(store):
    assert store.create_secret(USER, "n" * 99, "v").name == "n" * 99


def test_value_size_limit_and_any_utf8(store):
    limit = 64 * 1024
    at_limit = store.create_secret(USER, "max", "a" * limit)
    assert store.read_value(USER, at_limit.id) == "a" * limit
    with pytest.raises(InvalidInput) as info:
        store.create_secret(USER, "too big", "a" * (limit + 1))
    assert info.value.field == "value" and "65536 bytes (UTF-8)" in str(info.value)
    # The limit counts UTF-8 bytes, not characters: 16384 four-byte emoji fill it exactly.
    emoji = store.create_secret(USER, "emoji", "🔑" * (limit // 4))
    assert store.read_value(USER, emoji.id) == "🔑" * (limit // 4)
    with pytest.raises(InvalidInput):
        store.create_secret(USER, "emoji+1", "🔑" * (limit // 4) + "a")
    with pytest.raises(InvalidInput):
        store.update_secret(USER, at_limit.id, value="a" * (limit + 1))
    odd = "nul\x00inside, é, 中文, \U0001f600, trailing newline\n"
    meta = store.create_secret(USER, "odd", odd)
    assert store.read_value(USER, meta.id) == odd
    assert store.read_value(USER, at_limit.id) == "a" * limit  # refused update left it alone


def test_configured_limit_and_messages_without_values(path, keyring):
    store = SQLiteSecretStore(path, keyring, max_value_bytes=10)
    with pytest.raises(InvalidInput) as info:
        store.create_secret(USER, "t", CANARY)
    assert "at most 10 bytes" in str(info.value) and CANARY not in str(info.value)
    with pytest.raises(InvalidInput):
        store.create_secret(USER, "t", "\ud800")  # lone surrogate: not encodable
    meta = store.create_secret(USER, "t", "short")
    assert CANARY not in repr(meta) and "short" not in repr(meta)
    store.close()


# ---------------------------------------------------------------------- bindings and projects


def test_bindings_bind_replace_unbind_filter(store):
    a = store.create_secret(USER, "a", "1")
    b = store.create_secret(USER, "b", "2")
    store.bind(USER, "p1", "s1", a.id)
    store.bind(USER, "p1", "s2", a.id)
    store.bind(USER, "p2", "s1", a.id)
    store.bind(USER, "p1", "s1", b.id)  # replaces
    assert store.bindings(USER) == [
        Binding("p1", "s1", b.id),
        Binding("p1", "s2", a.id),
        Binding("p2", "s1", a.id),
    ]
    assert store.bindings(USER, project_id="p1") == [
        Binding("p1", "s1", b.id),
        Binding("p1", "s2", a.id),
    ]
    assert store.bindings(USER, secret_id=a.id) == [
        Binding("p1", "s2", a.id),
        Binding("p2", "s1", a.id),
    ]
    assert store.bindings(USER, project_id="p2", secret_id=b.id) == []
    assert store.bindings("bob") == []
    assert store.unbind(USER, "p1", "s2") is True
    assert store.unbind(USER, "p1", "s2") is False
    with pytest.raises(NotFound):
        store.bind(USER, "p1", "s3", "f" * 32)
    with pytest.raises(NotFound):
        store.bind("bob", "p1", "s3", a.id)  # another user's secret
    with pytest.raises(InvalidInput):
        store.bind(USER, "", "s3", a.id)


def test_delete_unlinks_everywhere_and_returns_bindings(store, path):
    a = store.create_secret(USER, "a", "1")
    b = store.create_secret(USER, "b", "2")
    store.bind(USER, "p1", "s1", a.id)
    store.bind(USER, "p2", "s9", a.id)
    store.bind(USER, "p1", "s2", b.id)
    assert store.delete_secret(USER, a.id) == [Binding("p1", "s1", a.id), Binding("p2", "s9", a.id)]
    assert store.bindings(USER) == [Binding("p1", "s2", b.id)]
    assert [m.name for m in store.list_secrets(USER)] == ["b"]
    assert raw(path, "SELECT count(*) FROM bindings WHERE secret_id = ?", (a.id,)) == [(0,)]
    with pytest.raises(NotFound):
        store.delete_secret(USER, a.id)


def test_remember_project(store):
    store.remember_project(USER, "p1", "Proj", "work/proj")
    store.remember_project(USER, "p1", "Proj", "work/proj")  # unchanged: no-op
    store.remember_project(USER, "p1", "Renamed", "work/moved")
    store.remember_project(USER, "p2", "Other", "other")
    store.remember_project("bob", "p3", "Bob's", "b")
    assert store.projects(USER) == {
        "p1": ProjectRecord("p1", "Renamed", "work/moved"),
        "p2": ProjectRecord("p2", "Other", "other"),
    }


def test_data_survives_reopen(path, keyring):
    store = SQLiteSecretStore(path, keyring)
    meta = store.create_secret(USER, "a", "value")
    store.bind(USER, "p", "s", meta.id)
    store.close()
    again = SQLiteSecretStore(path, keyring)
    assert not again.locked
    assert again.read_value(USER, meta.id) == "value"
    assert again.bindings(USER) == [Binding("p", "s", meta.id)]
    again.close()


# ---------------------------------------------------------------------- at rest


def test_files_private_and_no_plaintext_in_any_file(tmp_path, monkeypatch):
    path = tmp_path / "data" / "jupyter_secrets" / "secrets.sqlite3"
    monkeypatch.delenv("JUPYTER_SECRETS_KEY", raising=False)
    store = SQLiteSecretStore.open(path)
    metas = [store.create_secret(USER, f"s{n}", f"{CANARY}-{n}") for n in range(20)]
    store.update_secret(USER, metas[0].id, value=CANARY + "-replaced")
    # While open, the data sits in the WAL: check the database, -wal and -shm files now...
    files = list(path.parent.iterdir())
    assert {p.name for p in files} >= {"secrets.sqlite3", "secrets.sqlite3-wal", "secrets.key"}
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        assert CANARY.encode() not in file.read_bytes(), file
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert default_key_file(path) == path.with_name("secrets.key")
    # ...and after the checkpoint on close.
    store.close()
    for file in path.parent.iterdir():
        data = file.read_bytes()
        assert CANARY.encode() not in data and CANARY.encode("utf-16-le") not in data, file


def test_unwritable_store_is_unavailable_without_value(store):
    store.create_secret(USER, "first", "v")
    # A database that cannot grow behaves like a full disk (SQLITE_FULL).
    pages = store._connection().execute("PRAGMA page_count").fetchone()[0]
    store._connection().execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreUnavailable) as info:
        for n in range(50):
            store.create_secret(USER, f"big{n}", CANARY * 1000)
    assert CANARY not in str(info.value) and "full" in str(info.value)
    (first,) = [meta for meta in store.list_secrets(USER) if meta.name == "first"]
    assert store.read_value(USER, first.id) == "v"


# ---------------------------------------------------------------------- locked stores


def _assert_every_write_refused(store, secret_id: str) -> None:
    writes = [
        lambda: store.create_secret(USER, "new", "v"),
        lambda: store.update_secret(USER, secret_id, value="v"),
        lambda: store.update_secret(USER, secret_id, name="renamed"),
        lambda: store.delete_secret(USER, secret_id),
        lambda: store.bind(USER, "p", "s2", secret_id),
        lambda: store.unbind(USER, "p", "s"),
        lambda: store.remember_project(USER, "p9", "n", "x"),
        lambda: store.rotate_key(Keyring([os.urandom(32)])),
        lambda: store.read_value(USER, secret_id),
    ]
    for write in writes:
        with pytest.raises(StoreLocked):
            write()


def _filled_store(path: Path, env: dict[str, str]) -> str:
    store = SQLiteSecretStore.open(path, env=env)
    assert not store.locked
    meta = store.create_secret(USER, "a", CANARY)
    store.bind(USER, "p", "s", meta.id)
    store.remember_project(USER, "p", "Proj", "proj")
    store.close()
    return meta.id


def test_wrong_key_locks_and_writes_nothing(path):
    secret_id = _filled_store(path, {"JUPYTER_SECRETS_KEY": b64(os.urandom(32))})
    before = snapshot(path.parent)
    store = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": b64(os.urandom(32))})
    assert store.locked
    assert "JUPYTER_SECRETS_KEY cannot decrypt" in store.lock_reason
    # Metadata stays readable, so the user sees what is there.
    assert [m.name for m in store.list_secrets(USER)] == ["a"]
    assert store.bindings(USER) == [Binding("p", "s", secret_id)]
    _assert_every_write_refused(store, secret_id)
    store.close()
    assert_unchanged(before, snapshot(path.parent))


def test_missing_key_file_with_data_locks_instead_of_making_a_key(path):
    secret_id = _filled_store(path, {})
    key_file = default_key_file(path)
    original_key = key_file.read_bytes()
    key_file.unlink()
    before = snapshot(path.parent)
    store = SQLiteSecretStore.open(path, env={})
    assert store.locked
    assert f"restore {key_file}" in store.lock_reason and "JUPYTER_SECRETS_KEY" in store.lock_reason
    assert not key_file.exists()  # no fresh key that would lock the data out for good
    _assert_every_write_refused(store, secret_id)
    store.close()
    assert_unchanged(before, snapshot(path.parent))
    # Restoring the key brings everything back.
    write_key_file(key_file, [original_key.decode().strip()])
    store = SQLiteSecretStore.open(path, env={})
    assert not store.locked and store.read_value(USER, secret_id) == CANARY
    store.close()


def test_open_key_file_locks_with_chmod_advice(path):
    secret_id = _filled_store(path, {})
    key_file = default_key_file(path)
    os.chmod(key_file, 0o644)
    store = SQLiteSecretStore.open(path, env={})
    assert store.locked and f"chmod 600 {key_file}" in store.lock_reason
    _assert_every_write_refused(store, secret_id)
    store.close()
    os.chmod(key_file, 0o600)
    store = SQLiteSecretStore.open(path, env={})
    assert not store.locked
    store.close()


def test_malformed_env_key_locks_new_store_without_creating_files(tmp_path):
    path = tmp_path / "store" / "secrets.sqlite3"
    store = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": "not-a-key"})
    assert store.locked and "not-a-key" not in store.lock_reason
    assert store.list_secrets(USER) == [] and store.projects(USER) == {}
    with pytest.raises(StoreLocked):
        store.create_secret(USER, "a", "v")
    store.close()
    assert not path.parent.exists()


def test_unreadable_store_file_is_locked_not_overwritten(path):
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    store = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": b64(os.urandom(32))})
    assert store.locked and "cannot be read" in store.lock_reason
    store.close()
    assert path.read_bytes() == b"this is not a database" * 100


# ---------------------------------------------------------------------- integrity


def test_tampered_value_only_that_secret_is_unreadable(path, store):
    a = store.create_secret(USER, "a", "alpha")
    b = store.create_secret(USER, "b", "beta")
    [(blob,)] = raw(path, "SELECT ciphertext FROM secrets WHERE id = ?", (a.id,))
    tampered = bytearray(blob)
    tampered[-5] ^= 0x40
    raw(path, "UPDATE secrets SET ciphertext = ? WHERE id = ?", (bytes(tampered), a.id))
    with pytest.raises(SecretUnreadable) as info:
        store.read_value(USER, a.id)
    assert info.value.secret_id == a.id
    assert store.read_value(USER, b.id) == "beta"
    assert not store.locked
    store.create_secret(USER, "c", "still writable")
    # A fresh open agrees: the store is fine, one value is not.
    again = SQLiteSecretStore(path, store._keyring)
    assert not again.locked and again.read_value(USER, b.id) == "beta"
    again.close()


def test_swapped_ciphertexts_are_both_unreadable(path, store):
    a = store.create_secret(USER, "a", "alpha")
    b = store.create_secret(USER, "b", "beta")
    rows = dict(raw(path, "SELECT id, ciphertext FROM secrets"))
    raw(path, "UPDATE secrets SET ciphertext = ? WHERE id = ?", (rows[b.id], a.id))
    raw(path, "UPDATE secrets SET ciphertext = ? WHERE id = ?", (rows[a.id], b.id))
    for meta in (a, b):
        with pytest.raises(SecretUnreadable):
            store.read_value(USER, meta.id)


def test_ciphertext_moved_to_another_user_is_unreadable(path, store):
    mine = store.create_secret(USER, "a", "alpha")
    theirs = store.create_secret("bob", "a", "bravo")
    [(blob,)] = raw(path, "SELECT ciphertext FROM secrets WHERE id = ?", (mine.id,))
    raw(path, "UPDATE secrets SET ciphertext = ? WHERE id = ?", (blob, theirs.id))
    with pytest.raises(SecretUnreadable):
        store.read_value("bob", theirs.id)


# ---------------------------------------------------------------------- keys and rotation


def _key_ids_in_rows(path: Path) -> set[bytes]:
    return {blob_key_id(blob) for (blob,) in raw(path, "SELECT ciphertext FROM secrets")}


def test_several_keys_then_rotation(path):
    old, new = os.urandom(32), os.urandom(32)
    store = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": b64(old)})
    ids = {store.create_secret(USER, f"s{n}", f"value {n}").id: f"value {n}" for n in range(7)}
    store.close()

    both = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": f"{b64(new)}; {b64(old)}"})
    assert not both.locked
    assert {i: both.read_value(USER, i) for i in ids} == ids
    added = both.create_secret(USER, "added", "under new")  # the first key encrypts
    ids[added.id] = "under new"
    assert _key_ids_in_rows(path) == {key_id(old), key_id(new)}
    assert both.rotate_key(Keyring([new]), batch_size=3) == 7
    assert _key_ids_in_rows(path) == {key_id(new)}
    assert both.rotate_key(Keyring([new])) == 0  # nothing left to do
    both.close()

    only_new = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": b64(new)})
    assert not only_new.locked
    assert {i: only_new.read_value(USER, i) for i in ids} == ids
    only_new.close()
    only_old = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": b64(old)})
    assert only_old.locked
    only_old.close()


class Interrupted(Exception):
    pass


def test_interrupted_rotation_stays_readable_and_resumes(path):
    old, new = os.urandom(32), os.urandom(32)
    store = SQLiteSecretStore(path, Keyring([old]))
    ids = {store.create_secret(USER, f"s{n:02d}", f"value {n}").id: f"value {n}" for n in range(10)}

    def stop_after_first_batch(done: int) -> None:
        raise Interrupted(done)

    with pytest.raises(Interrupted) as info:
        store.rotate_key(Keyring([new]), batch_size=4, on_batch=stop_after_first_batch)
    assert info.value.args == (4,)
    store.close()
    assert _key_ids_in_rows(path) == {key_id(old), key_id(new)}  # really half done

    # Half-rotated: readable with both keys; the new key alone reports locked, not broken.
    only_new = SQLiteSecretStore(path, Keyring([new]))
    assert only_new.locked
    only_new.close()
    both = SQLiteSecretStore(path, Keyring([new, old]))
    assert not both.locked
    assert {i: both.read_value(USER, i) for i in ids} == ids
    assert both.rotate_key(Keyring([new]), batch_size=4) == 6  # resumes: only the rest
    both.close()

    done = SQLiteSecretStore(path, Keyring([new]))
    assert not done.locked
    assert {i: done.read_value(USER, i) for i in ids} == ids
    done.close()


def test_rotation_leaves_a_tampered_value_alone(path, store, keyring):
    good = store.create_secret(USER, "good", "fine")
    bad = store.create_secret(USER, "bad", "broken")
    [(blob,)] = raw(path, "SELECT ciphertext FROM secrets WHERE id = ?", (bad.id,))
    raw(
        path,
        "UPDATE secrets SET ciphertext = ? WHERE id = ?",
        (blob[:-1] + bytes([blob[-1] ^ 1]), bad.id),
    )
    new = Keyring([os.urandom(32)])
    assert store.rotate_key(new) == 1
    rotated = SQLiteSecretStore(path, new)
    assert rotated.read_value(USER, good.id) == "fine"
    with pytest.raises(SecretUnreadable):
        rotated.read_value(USER, bad.id)
    rotated.close()


# ---------------------------------------------------------------------- several processes, crashes


def _worker(path: Path, prefix: str, count: int, key: str) -> subprocess.Popen:
    env = {**os.environ, "JUPYTER_SECRETS_KEY": key, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(path), prefix, str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _start(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        line = worker.stdout.readline()
        assert line == "ready\n", line + worker.stderr.read()
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()


def test_threads_share_one_store(store):
    """Tornado's executor threads use one store object at once."""
    errors: list[BaseException] = []

    def write(prefix: str) -> None:
        try:
            for n in range(50):
                meta = store.create_secret(USER, f"{prefix}-{n}", f"v-{prefix}-{n}")
                assert store.read_value(USER, meta.id) == f"v-{prefix}-{n}"
                store.bind(USER, prefix, str(n), meta.id)
        except BaseException as err:  # reported below: a thread's failure must fail the test
            errors.append(err)

    threads = [threading.Thread(target=write, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.list_secrets(USER)) == 200 and len(store.bindings(USER)) == 200


def test_two_processes_write_at_once(path):
    key = b64(os.urandom(32))
    workers = [_worker(path, prefix, 200, key) for prefix in ("one", "two")]
    _start(workers)
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert len(out.split()) == 200
    store = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": key})
    names = {m.name for m in store.list_secrets("worker")}
    assert names == {f"{p}-{n:05d}" for p in ("one", "two") for n in range(200)}
    store.close()


@pytest.mark.parametrize("round_", range(5))
def test_sigkill_mid_burst_keeps_every_acknowledged_write(path, round_):
    key = b64(os.urandom(32))
    env = {"JUPYTER_SECRETS_KEY": key}
    if round_ % 2:  # odd rounds: the store already holds data and an open reader
        seed = SQLiteSecretStore.open(path, env=env)
        seed.create_secret("worker", "seed", "value-seed")
        seed.close()
    worker = _worker(path, "w", 100_000, key)
    _start([worker])
    acknowledged = []
    for _ in range(10 + 15 * round_):
        line = worker.stdout.readline()
        assert line, worker.stderr.read()
        acknowledged.append(line.strip())
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    acknowledged += [line.strip() for line in worker.stdout.read().splitlines() if line.strip()]
    worker.stdout.close()
    worker.stdin.close()
    worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL

    assert raw(path, "PRAGMA integrity_check") == [("ok",)]
    store = SQLiteSecretStore.open(path, env=env)
    assert not store.locked
    present = {m.name: m.id for m in store.list_secrets("worker")}
    missing = [name for name in acknowledged if name not in present]
    assert not missing
    for name in acknowledged:
        assert store.read_value("worker", present[name]) == f"value-{name}"
    store.create_secret("worker", "after-crash", "fine")  # still writable
    store.close()


# ---------------------------------------------------------------------- bulk reads


AAD_PARTS = [
    "alice",
    "0123456789abcdef0123456789abcdef",
    "",
    'quote " and backslash \\ and slash /',
    "control \n\t\r\x00\x1f\x7f",
    "non-ASCII: é ü ß 中文 ✓",
    "astral: 😀 𝔘",
    "line separators \u2028\u2029",
    "lone surrogate \ud800 end",
]


@pytest.mark.parametrize("user", AAD_PARTS)
@pytest.mark.parametrize("secret_id", AAD_PARTS)
def test_aad_is_byte_identical_to_json_dumps(user, secret_id):
    """Every stored value was sealed with json.dumps(...): the faster _aad must not differ."""
    from jupyter_secrets.store.sqlite import _aad

    expected = json.dumps(["secret", user, secret_id]).encode("utf-8")
    assert _aad(user, secret_id) == expected


def test_values_sealed_with_the_json_dumps_aad_still_read(path, store, keyring):
    """A row written as before (associated data from json.dumps) reads through both paths."""
    user = 'Zoë "admin" \\ 管理'
    secret_id = uuid.uuid4().hex
    blob = keyring.encrypt("old-value ✓".encode(), json.dumps(["secret", user, secret_id]).encode())
    raw(
        path,
        "INSERT INTO secrets (id, user, name, ciphertext, created, modified, expires) "
        "VALUES (?, ?, 'old', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', NULL)",
        (secret_id, user, blob),
    )
    assert store.read_value(user, secret_id) == "old-value ✓"
    assert store.read_values(user, [secret_id]) == ({secret_id: "old-value ✓"}, {})


@pytest.mark.parametrize("others", [0, 20], ids=["most-of-the-user's", "a-few-of-many"])
def test_read_values_reads_what_it_can_and_says_why_not(path, store, monkeypatch, others):
    # 2 ids per query: the 6 ids below take several queries, or one pass over the user's rows
    # when they are most of them.
    monkeypatch.setattr(sqlite_module, "_IDS_PER_QUERY", 2)
    metas = [store.create_secret(USER, f"s{i}", f"value-{i}") for i in range(4)]
    for i in range(others):
        store.create_secret(USER, f"other-{i}", "not asked for")
    theirs = store.create_secret("bob", "s0", "bob's")
    [(blob,)] = raw(path, "SELECT ciphertext FROM secrets WHERE id = ?", (metas[2].id,))
    raw(
        path,
        "UPDATE secrets SET ciphertext = ? WHERE id = ?",
        (blob[:-1] + bytes([blob[-1] ^ 1]), metas[2].id),
    )
    missing = "f" * 32
    ids = [metas[3].id, missing, metas[0].id, metas[2].id, theirs.id, metas[0].id, metas[1].id]
    values, errors = store.read_values(USER, ids)
    assert values == {metas[3].id: "value-3", metas[0].id: "value-0", metas[1].id: "value-1"}
    assert list(values) == [metas[3].id, metas[0].id, metas[1].id]  # in the order asked
    assert set(errors) == {missing, metas[2].id, theirs.id}
    assert isinstance(errors[missing], NotFound) and isinstance(errors[theirs.id], NotFound)
    assert isinstance(errors[metas[2].id], SecretUnreadable)
    assert errors[metas[2].id].secret_id == metas[2].id
    # The same answers, and messages, as read_value one by one.
    for secret_id, err in errors.items():
        with pytest.raises(type(err)) as info:
            store.read_value(USER, secret_id)
        assert str(info.value) == str(err)
    assert "value-" not in " ".join(str(e) for e in errors.values())
    assert store.read_values(USER, []) == ({}, {})
    assert store.read_values(USER, iter([metas[1].id])).values == {metas[1].id: "value-1"}


def test_bound_secrets(store):
    a = store.create_secret(USER, "a", "1")
    b = store.create_secret(USER, "b", "2", expires="2020-01-01")
    theirs = store.create_secret("bob", "c", "3")
    store.bind(USER, "p1", "s1", a.id)
    store.bind(USER, "p1", "s2", b.id)
    store.bind(USER, "p1", "s3", a.id)
    store.bind(USER, "p2", "s1", b.id)
    store.bind("bob", "p1", "s1", theirs.id)
    assert store.bound_secrets(USER, "p1") == {"s1": a, "s2": b, "s3": a}
    assert store.bound_secrets(USER, "p2") == {"s1": b}
    assert store.bound_secrets("bob", "p1") == {"s1": theirs}
    assert store.bound_secrets(USER, "p9") == {}


def test_bulk_defaults_of_the_interface_agree_with_sqlite(path, store):
    """Another backend without its own bound_secrets/read_values gets the same answers."""

    class PlainStore(SQLiteSecretStore):
        bound_secrets = SecretStore.bound_secrets
        read_values = SecretStore.read_values

    a = store.create_secret(USER, "a", "alpha")
    b = store.create_secret(USER, "b", "beta")
    store.bind(USER, "p", "s1", a.id)
    store.bind(USER, "p", "s2", b.id)
    [(blob,)] = raw(path, "SELECT ciphertext FROM secrets WHERE id = ?", (b.id,))
    raw(
        path,
        "UPDATE secrets SET ciphertext = ? WHERE id = ?",
        (blob[:-1] + bytes([blob[-1] ^ 1]), b.id),
    )
    plain = PlainStore(path, store._keyring)
    try:
        assert (
            plain.bound_secrets(USER, "p") == store.bound_secrets(USER, "p") == {"s1": a, "s2": b}
        )
        ids = [a.id, b.id, "f" * 32, a.id]
        got, expected = plain.read_values(USER, ids), store.read_values(USER, ids)
        assert got.values == expected.values == {a.id: "alpha"}
        assert {k: (type(e), str(e)) for k, e in got.errors.items()} == {
            k: (type(e), str(e)) for k, e in expected.errors.items()
        }
    finally:
        plain.close()


def test_locked_store_bulk_reads(path):
    secret_id = _filled_store(path, {"JUPYTER_SECRETS_KEY": b64(os.urandom(32))})
    store = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": b64(os.urandom(32))})
    try:
        assert store.locked
        assert list(store.bound_secrets(USER, "p")) == ["s"]  # metadata stays readable
        for ids in ([secret_id], []):
            with pytest.raises(StoreLocked):
                store.read_values(USER, ids)
    finally:
        store.close()


def test_remember_project_reads_one_row_and_skips_unchanged_writes(store):
    store.remember_project(USER, "p1", "Proj", "work/proj")
    store.remember_project(USER, "p2", "Other", "other")
    conn = store._conn
    before = conn.total_changes
    store.remember_project(USER, "p1", "Proj", "work/proj")
    assert conn.total_changes == before  # nothing written
    store.remember_project(USER, "p1", "Proj", "work/moved")
    assert conn.total_changes == before + 1
    store.remember_project("bob", "p1", "Proj", "work/moved")  # another user's row
    assert store.projects("bob") == {"p1": ProjectRecord("p1", "Proj", "work/moved")}
    assert store.projects(USER)["p1"] == ProjectRecord("p1", "Proj", "work/moved")


# ---------------------------------------------------------------------- links at the store's path


def test_dangling_symlink_at_store_path_is_refused_and_nothing_created(tmp_path):
    """Issue 11.14: the database used to be created at the link's target."""
    directory = tmp_path / "store"
    directory.mkdir(mode=0o700)
    target = tmp_path / "elsewhere" / "planted.sqlite3"
    target.parent.mkdir()
    path = directory / "secrets.sqlite3"
    path.symlink_to(target)
    store = SQLiteSecretStore.open(path, env={"JUPYTER_SECRETS_KEY": b64(os.urandom(32))})
    try:
        assert store.locked
        assert "symbolic link" in store.lock_reason and str(target) in store.lock_reason
        with pytest.raises(StoreLocked):
            store.create_secret(USER, "a", CANARY)
    finally:
        store.close()
    assert os.listdir(target.parent) == []
    assert path.is_symlink() and sorted(os.listdir(directory)) == ["secrets.sqlite3"]


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_symlinked_companion_file_is_refused(path, suffix):
    key = {"JUPYTER_SECRETS_KEY": b64(os.urandom(32))}
    secret_id = _filled_store(path, key)
    target = path.parent.parent / f"planted{suffix}"
    companion = path.with_name(path.name + suffix)
    companion.unlink(missing_ok=True)
    companion.symlink_to(target)
    store = SQLiteSecretStore.open(path, env=key)
    try:
        assert store.locked and f"{companion} is a symbolic link" in store.lock_reason
        _assert_every_write_refused(store, secret_id)
    finally:
        store.close()
    assert not target.exists()


def test_symlink_to_an_existing_store_is_followed(path, tmp_path):
    """A link to a real store file (a user moving the store) keeps working, as for the key."""
    key = {"JUPYTER_SECRETS_KEY": b64(os.urandom(32))}
    secret_id = _filled_store(path, key)
    link = tmp_path / "link" / "secrets.sqlite3"
    link.parent.mkdir()
    link.symlink_to(path)
    store = SQLiteSecretStore.open(link, env=key)
    try:
        assert not store.locked and store.read_value(USER, secret_id) == CANARY
    finally:
        store.close()


# ---------------------------------------------------------------------- a new store is announced


def test_new_store_says_it_was_created_now_and_when(path, keyring):
    store = SQLiteSecretStore(path, keyring)
    assert store.created_now is True
    created_at = store.created_at
    assert created_at is not None and created_at.endswith("Z")
    store.close()
    again = SQLiteSecretStore(path, keyring)
    try:
        assert again.created_now is False and again.created_at == created_at
    finally:
        again.close()
    locked = SQLiteSecretStore(path, Keyring([os.urandom(32)]))
    try:
        assert locked.locked and locked.created_now is False and locked.created_at == created_at
    finally:
        locked.close()


def test_store_of_an_older_version_has_no_creation_time(path, keyring):
    SQLiteSecretStore(path, keyring).close()
    raw(path, "DELETE FROM meta WHERE key = 'created_at'")  # as an older version left it
    store = SQLiteSecretStore(path, keyring)
    try:
        assert store.created_now is False and store.created_at is None
    finally:
        store.close()
    assert raw(path, "SELECT value FROM meta WHERE key = 'created_at'") == []  # no invented date


def test_store_that_cannot_be_created_was_not_created_now(tmp_path):
    store = SQLiteSecretStore.open(tmp_path / "s" / "x.sqlite3", env={"JUPYTER_SECRETS_KEY": "bad"})
    try:
        assert store.locked and store.created_now is False and store.created_at is None
    finally:
        store.close()


def test_look_alike_names_clash_and_an_old_store_gets_its_name_keys(tmp_path):
    """Names are compared by their Unicode TS #39 skeleton, also in a store written before the
    name_key column existed (it is added and filled at the next writable open)."""
    import sqlite3

    from jupyter_secrets.errors import Conflict

    env = {"JUPYTER_SECRETS_KEY": __import__("base64").b64encode(os.urandom(32)).decode()}
    path = tmp_path / "s.sqlite3"
    store = SQLiteSecretStore.open(path, env=env)
    store.create_secret("u", "db-password", "value-one")
    with pytest.raises(Conflict) as caught:
        store.create_secret("u", "db-pаssword", "value-two")  # Cyrillic а
    assert "'db-password'" in caught.value.message and "look the same" in caught.value.message
    store.create_secret("other-user", "db-pаssword", "value-two")  # another user's names are apart
    store.close()
    # An old store: no name_key values (as 0.1.0 wrote it).
    with sqlite3.connect(path) as db:
        db.execute("UPDATE secrets SET name_key = NULL")
    store = SQLiteSecretStore.open(path, env=env)
    with pytest.raises(Conflict):
        store.create_secret("u", "ԁb-password", "value-three")  # Cyrillic ԁ
    store.close()
