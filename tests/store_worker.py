"""Subprocess writer for the store's multi-process tests (run as a script, not collected).

    python store_worker.py STORE PREFIX COUNT

Opens the store (keys from JUPYTER_SECRETS_KEY), prints "ready", waits for a line on stdin
(so that several workers start writing together), then creates COUNT secrets named
``PREFIX-00000``... with value ``value-<name>``, printing each name only after
``create_secret`` returned: a printed name is an acknowledged write.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jupyter_secrets.store.sqlite import SQLiteSecretStore


def main() -> int:
    store_path, prefix, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = SQLiteSecretStore.open(store_path)
    if store.locked:
        print(f"locked: {store.lock_reason}", flush=True)
        return 1
    print("ready", flush=True)
    sys.stdin.readline()
    for n in range(count):
        name = f"{prefix}-{n:05d}"
        store.create_secret("worker", name, f"value-{name}")
        print(name, flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
