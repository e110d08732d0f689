"""A SQLite store whose list_secrets waits for the test's go-ahead: a stand-in for a slow
network backend, to show that the server keeps answering while a store call is in flight."""

from __future__ import annotations

import threading

from jupyter_secrets.store.sqlite import SQLiteSecretStore

entered = threading.Event()
release = threading.Event()


class BlockingStore(SQLiteSecretStore):
    def list_secrets(self, user):
        entered.set()
        release.wait(60)
        return super().list_secrets(user)
