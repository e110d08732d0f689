"""The security review's findings on references, each a test that failed before its fix.

- A fetch under way for a secret is never handed to a caller of another reference (the
  secret switched command or vault path), nor kept once the secret is forgotten.
- A fetch-failed slot stops being fetch-failed once its secret holds a value again: filled in
  place, saved by an extension, or set by another process (``jupyter secrets set``).
- Every fetch has an overall deadline (a vault that trickles its answer, a command pool that is
  busy); a command's process group is killed after a successful read too.
- ``allow_command_references = False`` refuses to save a command reference and never runs a
  stored one.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jupyter_secrets.core import references as refs
from jupyter_secrets.core.references import (
    CommandReference,
    ReferenceFetcher,
    VaultReference,
)
from jupyter_secrets.errors import InvalidInput

from .test_references import file_of, project_with_slot, script


@pytest.fixture
def store_env(tmp_path):
    return {"JUPYTER_SECRETS_KEY": base64.b64encode(os.urandom(32)).decode()}


@pytest.fixture
def service(tmp_path, store_env):
    from jupyter_secrets.core.service import SecretsService
    from jupyter_secrets.files import Materializer
    from jupyter_secrets.store.sqlite import SQLiteSecretStore

    store = SQLiteSecretStore.open(tmp_path / "store" / "s.sqlite3", env=store_env)
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


def state(service) -> str:
    return service.project_for_path("proj").slots[0].state


# ---------------------------------------------------------------------- #2 running fetches


def test_a_fetch_of_the_old_reference_under_way_is_never_the_new_ones_value(tmp_path):
    fetcher = ReferenceFetcher()
    old = CommandReference(("sh", "-c", "sleep 1; echo OLD-VALUE"))
    new = CommandReference(("sh", "-c", "echo NEW-VALUE"))
    first: dict = {}
    waiter = threading.Thread(target=lambda: first.update(fetcher.fetch_all({"s1": old}).values))
    waiter.start()
    time.sleep(0.3)  # the old fetch is running
    # Without forget (an in-place change): the fingerprint tells them apart.
    assert fetcher.fetch_all({"s1": new}).values == {"s1": b"NEW-VALUE"}
    waiter.join()
    assert first == {"s1": b"OLD-VALUE"}  # its own caller gets what it asked for
    # The old fetch, ending last, did not replace the new reference's value.
    assert fetcher.fetch_all({"s1": new}).values == {"s1": b"NEW-VALUE"}
    fetcher.close()


def test_forget_drops_a_running_fetch(tmp_path):
    counter = tmp_path / "runs"
    cli = script(
        tmp_path,
        "counting",
        f"open({str(counter)!r}, 'a').write('x'); time.sleep(0.8); print('counted-value')",
    )
    fetcher = ReferenceFetcher()
    ref = CommandReference((cli,))
    waiter = threading.Thread(target=lambda: fetcher.fetch_all({"s1": ref}))
    waiter.start()
    time.sleep(0.3)
    fetcher.forget("s1")  # the secret was replaced (by the same reference, saved again)
    assert fetcher.fetch_all({"s1": ref}).values == {"s1": b"counted-value"}
    waiter.join()
    assert counter.read_text() == "xx"  # fetched again, not the forgotten run's output


def test_switching_a_secret_to_another_command_mid_fetch_writes_the_new_output(service, tmp_path):
    slow = script(tmp_path, "slow-op", "time.sleep(1.5); print('old-output-31')")
    fast = script(tmp_path, "fast-op", "print('new-output-32')")
    pid, sid = project_with_slot(service)
    secret_id = service.fill_slot(
        pid, sid, reference={"type": "command", "argv": [fast], "ttl_seconds": 1}
    ).secret.id
    service.update_user_secret(secret_id, {"reference": {"type": "command", "argv": [slow]}})
    # A kernel starting meanwhile (no service lock) fetches the slow reference...
    kernel = threading.Thread(target=lambda: service.kernel_env(str(service.root_dir / "proj")))
    service.sync.fetcher.forget(secret_id)
    kernel.start()
    time.sleep(0.4)
    # ...while the user switches back to the fast command.
    service.update_user_secret(secret_id, {"reference": {"type": "command", "argv": [fast]}})
    assert file_of(service, pid).read_text() == "new-output-32"
    kernel.join()
    service.refresh()
    assert file_of(service, pid).read_text() == "new-output-32"


# ---------------------------------------------------------------------- #3 stale failures


def test_a_failed_reference_replaced_in_place_by_a_value_is_provided(service, tmp_path):
    pid, sid = project_with_slot(service)
    service.fill_slot(pid, sid, reference={"type": "command", "argv": ["false"]})
    assert state(service) == "fetch-failed"
    service.fill_slot(pid, sid, value="a-plain-value-123")  # in place: the same secret
    assert state(service) == "provided"
    assert file_of(service, pid).read_text() == "a-plain-value-123"
    service.refresh()
    assert state(service) == "provided"


def test_a_failed_reference_saved_again_by_its_extension_is_provided(service):
    from jupyter_secrets.core.extension_secrets import ExtensionSecrets

    ext = ExtensionSecrets(service)
    saved = ext.save("demo:k", "demo", "k", "ext-value-1").secret
    pid, sid = project_with_slot(service)
    service.fill_slot(pid, sid, secret_id=saved.secret_id)  # the user bound it to a slot
    service.update_user_secret(
        saved.secret_id, {"reference": {"type": "command", "argv": ["false"]}}
    )
    assert state(service) == "fetch-failed"
    ext.save("demo:k", "demo", "k", "ext-value-2")  # the extension saves a value again
    assert state(service) == "provided"
    assert file_of(service, pid).read_text() == "ext-value-2"


def test_a_failed_reference_set_to_a_value_by_the_cli_is_provided(service, tmp_path, store_env):
    pid, sid = project_with_slot(service)
    meta = service.fill_slot(pid, sid, reference={"type": "command", "argv": ["false"]}).secret
    assert state(service) == "fetch-failed"
    assert service.get_user_secret(meta.id).reference.fetch_error is not None
    env = {
        **os.environ,
        **store_env,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("JUPYTER_SECRETS_DIR", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter_secrets.cli.main",
            "set",
            meta.name,
            "--store",
            str(tmp_path / "store" / "s.sqlite3"),
            "--SecretsExtension.owner=alice",
        ],
        input="value-from-the-cli-44\n",
        text=True,
        capture_output=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # No refresh yet: the state already follows the store (no longer a reference).
    assert state(service) == "provided"
    assert service.get_user_secret(meta.id).reference is None
    service.refresh()
    assert file_of(service, pid).read_text() == "value-from-the-cli-44"


def test_a_failure_describes_the_version_of_the_secret_it_was_fetched_for(service):
    from dataclasses import replace

    pid, sid = project_with_slot(service)
    secret_id = service.fill_slot(
        pid, sid, reference={"type": "command", "argv": ["false"]}
    ).secret.id
    meta = service.store.get_secret("alice", secret_id)
    assert service.sync.fetch_failure(meta) is not None
    later = replace(meta, modified="2999-01-01T00:00:00Z")  # changed by another process
    assert service.sync.fetch_failure(later) is None
    assert service.sync.fetch_failure(replace(meta, binary=False)) is None  # text now


# ---------------------------------------------------------------------- #5 deadlines


def test_a_vault_that_trickles_its_answer_fails_within_the_deadline(tmp_path):
    """A server that sends one byte a second never trips hvac's per-read timeout."""
    pytest.importorskip("hvac")
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def trickle() -> None:
        while not stop.is_set():
            listener.settimeout(0.5)
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b" ")
                except OSError:
                    break
                time.sleep(0.5)
            conn.close()

    server = threading.Thread(target=trickle, daemon=True)
    server.start()
    port = listener.getsockname()[1]
    fetcher = ReferenceFetcher(environ={"VAULT_TOKEN": "t" * 10}, home=tmp_path)
    ref = VaultReference(
        "secret", "db", "password", addr=f"http://127.0.0.1:{port}", timeout_seconds=2
    )
    start = time.monotonic()
    batch = fetcher.fetch_all({"v": ref})
    took = time.monotonic() - start
    stop.set()
    assert took < 6, took
    assert "within 2 s" in batch.errors["v"].reason
    assert fetcher.failure("v") is not None  # the slot shows fetch-failed, the pool is free
    fetcher.close()
    listener.close()


def test_a_caller_never_waits_past_the_deadline_even_when_the_pool_is_busy(tmp_path):
    fetcher = ReferenceFetcher(max_workers=1)
    busy = CommandReference(("sleep", "5"), timeout_seconds=5)
    quick = CommandReference(("echo", "quick-value"), timeout_seconds=1)
    blocker = threading.Thread(target=lambda: fetcher.fetch_all({"busy": busy}), daemon=True)
    blocker.start()
    time.sleep(0.3)
    start = time.monotonic()
    batch = fetcher.fetch_all({"quick": quick})  # queued behind the 5 s one
    assert time.monotonic() - start < 1 + refs._DEADLINE_GRACE + 1
    assert "not fetched within 1 s" in batch.errors["quick"].reason
    fetcher.close()


def test_a_successful_command_leaves_nothing_running(tmp_path):
    pidfile = tmp_path / "child.pid"
    argv = ("sh", "-c", f"sleep 1000 & echo $! > {pidfile}; echo the-value")
    start = time.monotonic()
    batch = ReferenceFetcher().fetch_all({"a": CommandReference(argv)})
    assert batch.values == {"a": b"the-value"}
    assert time.monotonic() - start < 1.5  # the readers did not wait for the child's pipe
    child = int(pidfile.read_text())
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail("the command's background child outlived the fetch")


def test_close_stops_the_worker_threads():
    def fetch_threads() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name.startswith("jupyter-secrets-fetch")}

    # Only this fetcher's threads: other fetchers of the same run (earlier tests' services)
    # may still have theirs.
    before = fetch_threads()
    fetcher = ReferenceFetcher()
    assert fetcher.fetch_all({"a": CommandReference(("echo", "x1"))}).values == {"a": b"x1"}
    mine = fetch_threads() - before
    assert mine
    fetcher.close()
    for _ in range(50):
        if not any(t.is_alive() for t in mine):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the fetch threads outlived close()")


# ---------------------------------------------------------------------- command references off


def test_command_references_turned_off_are_refused_and_never_run(service, tmp_path):
    ran = tmp_path / "ran"
    cli = script(tmp_path, "op", f"open({str(ran)!r}, 'w').write('x'); print('v-77')")
    pid, sid = project_with_slot(service)
    secret_id = service.fill_slot(
        pid, sid, reference={"type": "command", "argv": [cli], "ttl_seconds": 1}
    ).secret.id
    ran.unlink()
    service.allow_command_references = False
    with pytest.raises(InvalidInput) as refused:
        service.create_user_secret("other", None, reference={"type": "command", "argv": [cli]})
    assert refused.value.field == "reference.type"
    with pytest.raises(InvalidInput):
        service.update_user_secret(secret_id, {"reference": {"type": "command", "argv": [cli]}})
    time.sleep(1.1)  # the fetched value's TTL ran out
    service.refresh()
    assert not ran.exists()  # the stored reference was not run
    assert state(service) == "fetch-failed"
    assert "turned off" in service.get_user_secret(secret_id).reference.fetch_error
    # Vault references are still accepted.
    service.create_user_secret(
        "vaulted", None, reference={"type": "vault", "mount": "secret", "path": "a", "field": "b"}
    )


# ---------------------------------------------------------------------- #4 references as metadata


def test_listing_user_secrets_reads_no_value_but_the_references(service, tmp_path):
    cli = script(tmp_path, "op", "print('listed-ref-value-12')")
    pem_like = b"\x00\x01binary-file-" + os.urandom(64)
    service.create_user_secret("a-file", pem_like)
    service.create_user_secret("a-text", "text-value-13")
    ref = service.create_user_secret("a-ref", None, reference={"type": "command", "argv": [cli]})
    store = service.store
    assert store.get_secret("alice", ref.id).reference is True
    read: list[str] = []
    real = store.read_value

    def spy(user, secret_id):
        read.append(secret_id)
        return real(user, secret_id)

    store.read_value = spy  # type: ignore[method-assign]
    views = {v.name: v for v in service.list_user_secrets()}
    assert read == [ref.id]  # the binary file was not decrypted to know it is no reference
    assert views["a-file"].binary is True and views["a-file"].reference is None
    assert views["a-ref"].reference is not None and views["a-ref"].binary is False
    assert views["a-text"].reference is None


def test_a_store_of_schema_3_flags_its_references_when_opened(tmp_path, store_env):
    import sqlite3

    from jupyter_secrets.core.references import stored_form
    from jupyter_secrets.store.sqlite import SCHEMA_VERSION, SQLiteSecretStore

    path = tmp_path / "old" / "s.sqlite3"
    store = SQLiteSecretStore.open(path, env=store_env)
    ref_id = store.create_secret("alice", "r", stored_form(CommandReference(("echo", "x")))).id
    file_id = store.create_secret("alice", "f", b"\x00plain-bytes").id
    store.close()
    with sqlite3.connect(path) as db:  # as version 3 left it: no is_reference column
        db.execute("ALTER TABLE secrets DROP COLUMN is_reference")
        db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    store = SQLiteSecretStore.open(path, env=store_env)
    try:
        assert store.get_secret("alice", ref_id).reference is True
        assert store.get_secret("alice", file_id).reference is False
        with sqlite3.connect(path) as db:
            version = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        assert int(version[0]) == SCHEMA_VERSION == 4
        # A value replacing the reference clears the flag (and the bound listing has it).
        store.update_secret("alice", ref_id, value="now-text")
        assert store.get_secret("alice", ref_id).reference is False
    finally:
        store.close()


def test_bulk_reads_never_take_a_rows_id_as_associated_data(tmp_path, store_env):
    """A row whose id holds quotes cannot pass for another's (binary) associated data."""
    import sqlite3

    from jupyter_secrets.store.sqlite import SQLiteSecretStore

    path = tmp_path / "aad" / "s.sqlite3"
    store = SQLiteSecretStore.open(path, env=store_env)
    sealed = store.create_secret("alice", "file", b"\x00bytes-of-a-file-91").id
    store.close()
    forged = sealed + '", "binary'  # its SQL-built associated data was the sealed row's
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO secrets (id, user, name, name_key, ciphertext, created, modified, "
            "is_binary) SELECT ?, user, 'forged', 'forged', ciphertext, created, modified, 0 "
            "FROM secrets WHERE id = ?",
            (forged, sealed),
        )
    store = SQLiteSecretStore.open(path, env=store_env)
    try:
        batch = store.read_values("alice", [forged, sealed])
        assert forged not in batch.values and "cannot be decrypted" in str(batch.errors[forged])
        assert batch.values[sealed] == b"\x00bytes-of-a-file-91"
    finally:
        store.close()
