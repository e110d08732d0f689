"""Decrypting 10 000 values from the store: ``SQLiteSecretStore.read_values`` of the 10 000 ids.

``read_values`` is the fastest public path (one query, then a decryption per value; the
service materializes a project with one call).  Baseline: the raw AES-GCM primitive of
``cryptography`` (``AESGCM.decrypt``) on the same 10 000 blobs with the same associated data,
everything else (query, slicing, AAD) prepared beforehand.  The note gives the one-by-one path
(``read_value`` for each id) against the same baseline.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jupyter_secrets.store.crypto import HEADER_BYTES, KEY_ID_BYTES, Keyring
from jupyter_secrets.store.sqlite import SQLiteSecretStore

from .fixtures import OWNER, memory_dir, new_key, populate_store
from .timing import Row, median, paired, ratio_row

N = 10_000


def run(quick: bool = False) -> list[Row]:
    repeats = 3 if quick else 7
    n = 2_000 if quick else N
    key = new_key()
    with memory_dir("decrypt") as base:
        path = base / "store.sqlite3"
        ids = populate_store(path, key, n)
        with sqlite3.connect(path) as raw:
            blobs = dict(raw.execute("SELECT id, ciphertext FROM secrets"))
        aead = AESGCM(base64.b64decode(key))
        prepared = [
            (
                bytes(blobs[i][1 + KEY_ID_BYTES : HEADER_BYTES]),
                bytes(blobs[i][HEADER_BYTES:]),
                json.dumps(["secret", OWNER, i]).encode(),
            )
            for i in ids
        ]
        store = SQLiteSecretStore(path, Keyring.from_string(key))
        try:
            assert store.read_value(OWNER, ids[0]) == aead.decrypt(*prepared[0]).decode()
            read = store.read_values(OWNER, ids)
            assert len(read.values) == n and not read.errors
            assert read.values[ids[-1]] == aead.decrypt(*prepared[-1]).decode()

            def through_store() -> float:
                start = time.perf_counter()
                store.read_values(OWNER, ids)
                return time.perf_counter() - start

            def one_by_one() -> float:
                start = time.perf_counter()
                for secret_id in ids:
                    store.read_value(OWNER, secret_id)
                return time.perf_counter() - start

            def primitive() -> float:
                start = time.perf_counter()
                for nonce, sealed, aad in prepared:
                    aead.decrypt(nonce, sealed, aad)
                return time.perf_counter() - start

            db = store._connection()

            def fetch_only() -> float:
                # The floor: the rows read_values decrypts, fetched from SQLite by the same query
                # (the fastest found: one pass over the table) and nothing else.
                start = time.perf_counter()
                store._text_rows(db, OWNER, ids)
                return time.perf_counter() - start

            through_store(), primitive()  # warm-up
            values, bases = paired(through_store, primitive, repeats)
            fetches, fetch_bases = paired(fetch_only, primitive, repeats)
            singles, single_bases = paired(one_by_one, primitive, max(3, repeats // 2))
        finally:
            store.close()
    single_ratio = median([v / b for v, b in zip(singles, single_bases)])
    fetch_ratio = median([v / b for v, b in zip(fetches, fetch_bases)])
    return [
        ratio_row(
            "decrypt_10k",
            f"SQLiteSecretStore.read_values of {n:,} ids",
            f"raw AESGCM.decrypt of the same {n:,} blobs",
            values,
            bases,
            unit="s",
            target="≤ 3×",
            limit=3.0,
            note=("" if n == N else f"--quick: {n:,} values; ")
            + f"read_value × {n:,} one by one: {median(singles) * 1e3:.1f} ms, "
            f"{single_ratio:.2f}× the same baseline; the floor, fetching the same rows from "
            f"SQLite alone (no decryption): {median(fetches) * 1e3:.1f} ms, {fetch_ratio:.2f}× "
            "(so read_values ≥ that + 1×)",
        )
    ]
