"""A SQLite store whose read_values fails or waits when a test says so: a stand-in for a store
(or a hub service) that is down or slow while a terminal starts."""

from __future__ import annotations

import threading

from jupyter_secrets.errors import StoreUnavailable
from jupyter_secrets.store.sqlite import SQLiteSecretStore

failing = threading.Event()  # set: read_values raises StoreUnavailable
blocking = threading.Event()  # set: read_values waits for ``release``
entered = threading.Event()  # set by read_values when it starts waiting
release = threading.Event()


def reset() -> None:
    for event in (failing, blocking, entered, release):
        event.clear()


class TerminalTestStore(SQLiteSecretStore):
    def read_values(self, user, secret_ids):
        if failing.is_set():
            raise StoreUnavailable("the secrets service is down (test)")
        if blocking.is_set():
            entered.set()
            release.wait(60)
        return super().read_values(user, secret_ids)
