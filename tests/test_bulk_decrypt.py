"""The bulk decryption path (``Keyring.decrypt_all`` and ``SQLiteSecretStore.read_values``)
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


def test_decrypt_all_is_decrypt_of_each_or_none():
    """Blobs all under the primary key come back decrypted; any other blob (another key of
    the ring, unknown key, altered, not of our format, not bytes) makes it answer None, and
    the caller then asks ``decrypt`` one by one, which says why."""
    old, new = Keyring([os.urandom(32)]), Keyring([os.urandom(32)])
    ring = new.merged(old)
    aad = b"aad"
    good = [new.encrypt(f"by the primary key {i}".encode(), aad) for i in range(3)]
    assert ring.decrypt_all(good, [aad] * 3) == [ring.decrypt(b, aad) for b in good]
    assert ring.decrypt_all([], []) == []
    rotated = old.encrypt(b"by the old key", aad)
    foreign = Keyring([os.urandom(32)]).encrypt(b"by a key not in the ring", aad)
    tampered = good[0][:-1] + bytes([good[0][-1] ^ 1])
    # the header is not authenticated: a blob of the primary key with another version byte
    # still decrypts under that key, and must be refused as decrypt refuses it
    other_version = b"\x02" + good[0][1:]
    short = good[0][:15]  # the header, and a nonce too short
    for odd, data in [
        (rotated, aad),
        (foreign, aad),
        (tampered, aad),
        (other_version, aad),
        (short, aad),
        (b"", aad),
        (good[0], b"other aad"),
        ("not bytes", aad),
    ]:
        assert ring.decrypt_all([good[1], odd, good[2]], [aad, data, aad]) is None, odd
        if isinstance(odd, bytes) and odd is not rotated:
            with pytest.raises(DecryptError):
                ring.decrypt(odd, data)
    assert ring.decrypt(rotated, aad) == b"by the old key"  # one by one, the ring reads it


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
    # A row whose id is not plain hex (as an old or hand-made store may hold): its associated
    # data is not built by concatenation but by _aad, one by one.
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


@pytest.mark.parametrize("others", [0, 20], ids=["one-pass", "by-id"])
def test_read_values_when_the_bulk_path_refuses_one(store, monkeypatch, others):
    """Every asked value text under a plain id (the bulk path), but one was sealed by an older
    key of the ring, and one's plaintext is not UTF-8: the batch is read one by one, with
    read_value's answers, in the order asked."""
    monkeypatch.setattr(sqlite_module, "_IDS_PER_QUERY", 2)
    user = "alice"
    metas = [store.create_secret(user, f"s{i}", f"value-{i}") for i in range(4)]
    for i in range(others):
        store.create_secret(user, f"other-{i}", "not asked")
    old = Keyring([os.urandom(32)])
    store._keyring = store._keyring.merged(old)  # the store reads the old key too
    rotated, not_text = metas[1].id, metas[2].id
    with sqlite3.connect(store.path) as db:
        db.execute(
            "UPDATE secrets SET ciphertext = ? WHERE id = ?",
            (old.encrypt(b"by the old key", sqlite_module._aad(user, rotated)), rotated),
        )
        db.execute(
            "UPDATE secrets SET ciphertext = ? WHERE id = ?",
            (
                store._keyring.encrypt(b"\xff\xfe not UTF-8", sqlite_module._aad(user, not_text)),
                not_text,
            ),
        )
    asked = [metas[3].id, not_text, rotated, metas[0].id]
    values, errors = store.read_values(user, asked)
    assert values == {metas[3].id: "value-3", rotated: "by the old key", metas[0].id: "value-0"}
    assert list(values) == [metas[3].id, rotated, metas[0].id]
    assert list(errors) == [not_text] and isinstance(errors[not_text], SecretUnreadable)
    with pytest.raises(SecretUnreadable) as info:
        store.read_value(user, not_text)
    assert str(info.value) == str(errors[not_text])
    # all readable: the bulk path, the same values
    good = [metas[3].id, metas[0].id]
    assert store.read_values(user, good) == ({good[0]: "value-3", good[1]: "value-0"}, {})


def test_text_aads_are_aad_of_plain_ids():
    ids = [uuid.uuid4().hex for _ in range(3)] + ["ABCxyz019", ""]
    for user in ("alice", 'Zoë "admin" \\ 管理'):
        assert sqlite_module._text_aads(user, ids) == [sqlite_module._aad(user, i) for i in ids]
    assert sqlite_module._plain_ids(ids)
    for odd in ('a"b', "a\\b", "é", "a b", "a\nb", "a-b", "a_b"):
        assert not sqlite_module._plain_ids([*ids, odd]), odd
