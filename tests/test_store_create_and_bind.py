"""``SecretStore.create_and_bind``: a new secret and its binding in one transaction.

Issue 11.12: two servers filling one empty slot at once gave a spurious 409 (both picked the
same free name, one create failed) and once left an orphan secret holding a value (both
created, one binding replaced the other).  Here two real processes race on one real SQLite
file; the assertions hold whatever the interleaving, no timing is measured.

Run as a script, this file is the racing worker (see ``worker``).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_secrets.errors import Conflict, InvalidInput, NotFound, StoreLocked
from jupyter_secrets.store.base import UNSET, Binding, SecretStore
from jupyter_secrets.store.crypto import Keyring
from jupyter_secrets.store.sqlite import SQLiteSecretStore

REPO = Path(__file__).resolve().parents[1]
CANARY = "canary-VALUE-7f3a9c1e-never-leak"
USER = "alice"
ROUNDS = 15


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


# ---------------------------------------------------------------------- one process


def test_creates_and_binds(store):
    meta = store.create_and_bind(USER, "p", "s", "db-password", CANARY)
    assert meta.name == "db-password"
    assert store.bindings(USER) == [Binding("p", "s", meta.id)]
    assert store.bound_secret_id(USER, "p", "s") == meta.id
    assert store.bound_secret_id(USER, "p", "other") is None
    assert store.read_value(USER, meta.id) == CANARY


def test_unique_name_takes_the_first_free_suffix(store):
    store.create_secret(USER, "db-password", "a")
    store.create_secret(USER, "db-password-3", "b")
    second = store.create_and_bind(USER, "p", "s1", "db-password", "c", unique_name=True)
    third = store.create_and_bind(USER, "p", "s2", " db-password ", "d", unique_name=True)
    fourth = store.create_and_bind(USER, "p", "s3", "db-password", "e", unique_name=True)
    names = [second.name, third.name, fourth.name]
    assert names == ["db-password-2", "db-password-4", "db-password-5"]


def test_unique_name_stays_within_the_length_limit(store):
    base = "n" * 99
    store.create_secret(USER, base, "a")
    meta = store.create_and_bind(USER, "p", "s", base, "b", unique_name=True)
    assert meta.name == "n" * 97 + "-2"


def test_taken_name_conflicts_without_unique_name_and_writes_nothing(store):
    store.create_secret(USER, "token", "a")
    with pytest.raises(Conflict) as info:
        store.create_and_bind(USER, "p", "s", "token", CANARY)
    assert info.value.field == "name" and CANARY not in str(info.value)
    assert len(store.list_secrets(USER)) == 1 and store.bindings(USER) == []


def test_expected_binding_is_checked_in_the_same_transaction(store):
    first = store.create_and_bind(USER, "p", "s", "a", "1", expected_secret_id=None)
    # The slot is no longer empty: a caller that saw it empty learns so, and nothing is written.
    with pytest.raises(Conflict) as info:
        store.create_and_bind(USER, "p", "s", "b", CANARY, expected_secret_id=None)
    assert "changed" in str(info.value) and CANARY not in str(info.value)
    assert [m.name for m in store.list_secrets(USER)] == ["a"]
    # Seen bound to the first secret: a new secret replaces that binding.
    second = store.create_and_bind(USER, "p", "s", "b", "2", expected_secret_id=first.id)
    assert store.bound_secret_id(USER, "p", "s") == second.id
    with pytest.raises(Conflict):
        store.create_and_bind(USER, "p", "s", "c", CANARY, expected_secret_id=first.id)
    store.unbind(USER, "p", "s")
    with pytest.raises(Conflict):
        store.create_and_bind(USER, "p", "s", "c", CANARY, expected_secret_id=second.id)
    assert sorted(m.name for m in store.list_secrets(USER)) == ["a", "b"]
    # UNSET: no check, the binding is replaced whatever it was.
    store.bind(USER, "p", "s", first.id)
    third = store.create_and_bind(USER, "p", "s", "c", "3", expected_secret_id=UNSET)
    assert store.bound_secret_id(USER, "p", "s") == third.id


def test_bad_input_is_refused_before_anything_is_written(store):
    for call in (
        lambda: store.create_and_bind(USER, "", "s", "a", "v"),
        lambda: store.create_and_bind(USER, "p", "", "a", "v"),
        lambda: store.create_and_bind(USER, "p", "s", "", "v"),
        lambda: store.create_and_bind(USER, "p", "s", "a", "v", expires="soon"),
        lambda: store.create_and_bind(USER, "p", "s", "a", "x" * (store.max_value_bytes + 1)),
    ):
        with pytest.raises(InvalidInput):
            call()
    assert store.list_secrets(USER) == [] and store.bindings(USER) == []


def test_locked_store_refuses(path, store):
    store.create_secret(USER, "a", "v")
    locked = SQLiteSecretStore(path, Keyring([os.urandom(32)]))
    try:
        assert locked.locked
        with pytest.raises(StoreLocked):
            locked.create_and_bind(USER, "p", "s", "b", CANARY)
        assert locked.bound_secret_id(USER, "p", "s") is None  # reads still answer
    finally:
        locked.close()


def test_default_of_the_interface_agrees_with_sqlite(path, store):
    """A backend without its own create_and_bind gets the same answers (not the atomicity)."""

    class PlainStore(SQLiteSecretStore):
        create_and_bind = SecretStore.create_and_bind
        bound_secret_id = SecretStore.bound_secret_id

    plain = PlainStore(path, store._keyring)
    try:
        for s in (store, plain):
            slot = f"s-{type(s).__name__}"
            meta = s.create_and_bind(
                USER, "p", slot, "name", "v", unique_name=True, expected_secret_id=None
            )
            assert s.bound_secret_id(USER, "p", slot) == meta.id
            with pytest.raises(Conflict):
                s.create_and_bind(USER, "p", slot, "x", CANARY, expected_secret_id=None)
            with pytest.raises(NotFound):
                s.get_secret(USER, "0" * 32)
        assert sorted(m.name for m in store.list_secrets(USER)) == ["name", "name-2"]
    finally:
        plain.close()


# ---------------------------------------------------------------------- two processes


def worker() -> int:
    """``python test_store_create_and_bind.py STORE WHO``: for each line ``<slot> <mode>`` on
    stdin, call create_and_bind once and print one JSON line saying what happened.

    Mode ``empty``: fill ``<slot>``, which this caller saw empty (``expected_secret_id=None``).
    Mode ``own``: fill this worker's own slot ``<slot>-<WHO>``, no expectation.
    """
    store = SQLiteSecretStore.open(Path(sys.argv[1]))
    who = sys.argv[2]
    print("ready", flush=True)
    for line in sys.stdin:
        slot, mode = line.split()
        if mode == "own":
            slot, expected = f"{slot}-{who}", UNSET
        else:
            expected = None
        try:
            meta = store.create_and_bind(
                USER,
                "proj",
                slot,
                "db-password",
                f"value-{who}-{slot}",
                unique_name=True,
                expected_secret_id=expected,
            )
            print(json.dumps({"ok": meta.id}), flush=True)
        except Conflict as err:
            print(json.dumps({"conflict": str(err)}), flush=True)
    store.close()
    return 0


class Race:
    """Two worker processes on one store, given each round's line together."""

    def __init__(self, path: Path):
        self.path = path
        self.key = base64.b64encode(os.urandom(32)).decode()
        env = {**os.environ, "JUPYTER_SECRETS_KEY": self.key, "PYTHONPATH": str(REPO)}
        self.workers = [
            subprocess.Popen(
                [sys.executable, __file__, str(path), f"w{n}"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for n in range(2)
        ]
        for w in self.workers:
            line = w.stdout.readline()
            assert line == "ready\n", line + w.stderr.read()

    def round(self, slot: str, mode: str) -> list[dict]:
        for w in self.workers:  # both have their line before either answers
            w.stdin.write(f"{slot} {mode}\n")
            w.stdin.flush()
        return [json.loads(w.stdout.readline()) for w in self.workers]

    def finish(self) -> None:
        for w in self.workers:
            w.stdin.close()
            assert w.wait(timeout=60) == 0, w.stderr.read()

    def open(self) -> SQLiteSecretStore:
        return SQLiteSecretStore.open(self.path, env={"JUPYTER_SECRETS_KEY": self.key})


def assert_every_secret_bound(store: SQLiteSecretStore, bound: int) -> None:
    secrets = {m.id for m in store.list_secrets(USER)}
    bindings = store.bindings(USER)
    assert len(bindings) == bound
    assert secrets == {b.secret_id for b in bindings}  # no orphan secret holding a value


def test_two_processes_filling_one_empty_slot(path):
    """Each round both saw the slot empty: one fills it, the other is told that the slot
    changed meanwhile (never "name taken"), and no secret is left unbound."""
    race = Race(path)
    try:
        for n in range(ROUNDS):
            results = race.round(f"slot{n}", "empty")
            assert sum("ok" in r for r in results) == 1, results
            [conflict] = [r["conflict"] for r in results if "conflict" in r]
            assert "changed" in conflict and "already exists" not in conflict
            assert "value-" not in conflict
    finally:
        race.finish()
    store = race.open()
    try:
        assert_every_secret_bound(store, ROUNDS)
        names = {m.name for m in store.list_secrets(USER)}
        assert names == {"db-password"} | {f"db-password-{k}" for k in range(2, ROUNDS + 1)}
    finally:
        store.close()


def test_two_processes_asking_for_one_free_name(path):
    """Both want the free name "db-password" for their own slot at once: both succeed."""
    race = Race(path)
    try:
        for n in range(ROUNDS):
            results = race.round(f"slot{n}", "own")
            assert all("ok" in r for r in results), results
    finally:
        race.finish()
    store = race.open()
    try:
        names = {m.name for m in store.list_secrets(USER)}
        assert names == {"db-password"} | {f"db-password-{k}" for k in range(2, 2 * ROUNDS + 1)}
        assert_every_secret_bound(store, 2 * ROUNDS)
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(worker())
