"""The bulk decryption path (``Keyring.decrypt_many`` and ``SQLiteSecretStore.read_values``)
answers exactly as ``decrypt`` and ``read_value`` do, for every kind of row."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid

import pytest

import jupyter_secrets.store.sqlite as sqlite_module
from jupyter_secrets.errors import NotFound, SecretUnreadable
from jupyter_secrets.store.crypto import DecryptError, Keyring
from jupyter_secrets.store.sqlite import SQLiteSecretStore


def test_decrypt_many_equals_decrypt_one_by_one():
    old, new = Keyring([os.urandom(32)]), Keyring([os.urandom(32)])
    ring = new.merged(old)
    aad = b"aad"
    good = new.encrypt(b"by the primary key", aad)
    rotated = old.encrypt(b"by the old key", aad)
    foreign = Keyring([os.urandom(32)]).encrypt(b"by a key not in the ring", aad)
    tampered = good[:-1] + bytes([good[-1] ^ 1])
    items = [
        (good, aad),
        (rotated, aad),
        (foreign, aad),
        (tampered, aad),
        (b"\x01short", aad),
        (b"\x02" + good[1:], aad),
        (good, b"other aad"),
        (b"", aad),
    ]
    got = ring.decrypt_many(items)
    assert len(got) == len(items)
    for (blob, data), result in zip(items, got):
        try:
            expected = ring.decrypt(blob, data)
        except DecryptError as err:
            assert isinstance(result, DecryptError) and str(result) == str(err)
        else:
            assert result == expected
    assert got[:2] == [b"by the primary key", b"by the old key"]
    # extra items of a row are ignored
    assert ring.decrypt_many([(good, aad, "id", 0)]) == [b"by the primary key"]


@pytest.fixture
def store(tmp_path):
    s = SQLiteSecretStore(tmp_path / "s.sqlite3", Keyring([os.urandom(32)]))
    yield s
    s.close()


@pytest.mark.parametrize("others", [0, 20], ids=["one-pass", "by-id"])
def test_read_values_of_every_kind_of_row(store, monkeypatch, others):
    # 2 ids per query: the 5 ids asked take one pass over the user's rows when they are most
    # of them, else several queries by id.
    monkeypatch.setattr(sqlite_module, "_IDS_PER_QUERY", 2)
    user = 'Zoë "admin" \\ 管理'  # escaped in the associated data
    text = store.create_secret(user, "text", "text value ✓")
    binary = store.create_secret(user, "binary", b"\x00\xffbytes")
    for i in range(others):
        store.create_secret(user, f"other-{i}", "not asked")
    # A row whose id is not plain hex (as an old or hand-made store may hold): the associated
    # data built by the query differs from _aad's, read_values falls back to _aad.
    odd_id = 'odd "id" é'
    blob = store._keyring.encrypt(b"odd value", json.dumps(["secret", user, odd_id]).encode())
    with sqlite3.connect(store.path) as db:
        db.execute(
            "INSERT INTO secrets (id, user, name, name_key, ciphertext, created, modified) "
            "VALUES (?, ?, 'odd', 'odd', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            (odd_id, user, blob),
        )
    broken = store.create_secret(user, "broken", "will be altered")
    with sqlite3.connect(store.path) as db:
        (sealed,) = db.execute(
            "SELECT ciphertext FROM secrets WHERE id = ?", (broken.id,)
        ).fetchone()
        db.execute(
            "UPDATE secrets SET ciphertext = ? WHERE id = ?",
            (sealed[:-1] + bytes([sealed[-1] ^ 1]), broken.id),
        )
    missing = uuid.uuid4().hex
    asked = [broken.id, odd_id, missing, binary.id, text.id]
    values, errors = store.read_values(user, asked)
    assert values == {odd_id: "odd value", binary.id: b"\x00\xffbytes", text.id: "text value ✓"}
    assert list(values) == [odd_id, binary.id, text.id]  # in the order asked
    assert isinstance(errors[broken.id], SecretUnreadable) and isinstance(errors[missing], NotFound)
    for secret_id in asked:
        try:
            expected = store.read_value(user, secret_id)
        except (SecretUnreadable, NotFound) as err:
            assert str(errors[secret_id]) == str(err)
        else:
            assert values[secret_id] == expected
