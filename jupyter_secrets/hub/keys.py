"""The keys of the hub service: service keys wrap per-user data keys, data keys seal values.

Every user gets a random 256-bit data key the first time they write.  It is stored only
wrapped (AES-256-GCM) by the service's primary key, with the user's name as associated data, so
a wrapped key copied to another user's row fails.  Values are sealed with the data key, bound
to owner, secret id and kind (text or binary) as the local store does.  Rotating the service
key re-wraps the data keys (one small row per user), never the values.  The service keys are a
``;``-separated list (first encrypts, all decrypt) from ``JUPYTER_SECRETS_HUB_KEYS`` or a
mounted file; they never reach a log line, a reply or the database.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from jupyter_secrets.errors import SecretUnreadable, StoreLocked
from jupyter_secrets.store.crypto import DecryptError, Keyring, KeyringError, parse_keys

KEYS_ENV = "JUPYTER_SECRETS_HUB_KEYS"
KEY_FILE_ENV = "JUPYTER_SECRETS_HUB_KEY_FILE"
DATA_KEY_BYTES = 32
# What the key check row seals: a wrong service key cannot open it, so the service locks.
_CHECK_PLAINTEXT = b"jupyter-secrets-hub key check v1"
_CHECK_AAD = b'["hub-key-check"]'


def load_service_keyring(keys_text: str = "", key_file: str = "") -> Keyring:
    """The service keyring from the text given (the environment), else from ``key_file``.

    Raises ``KeyringError`` (a ``StoreLocked``) with a message naming the source, never a key.
    """
    if keys_text.strip():
        return Keyring(parse_keys(keys_text, KEYS_ENV), KEYS_ENV)
    if key_file:
        path = Path(key_file)
        try:
            text = path.read_text(encoding="ascii", errors="replace")
        except OSError as err:
            raise KeyringError(f"service key file {path} cannot be read: {err.strerror}") from None
        return Keyring(parse_keys(text, f"service key file {path}"), f"service key file {path}")
    raise KeyringError(
        f"no service key: set {KEYS_ENV} (`;`-separated base64 keys of 32 bytes, the first "
        f"encrypts) or {KEY_FILE_ENV} / c.SecretsHub.key_file; make one with "
        '`python -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"`'
    )


def _wrap_aad(user: str) -> bytes:
    return json.dumps(["hub-data-key", user]).encode("utf-8")


def value_aad(user: str, secret_id: str, binary: bool) -> bytes:
    parts = ["hub-secret", user, secret_id, *(["binary"] if binary else [])]
    return json.dumps(parts).encode("utf-8")


class ServiceKeys:
    """The service keyring and what it does: wrap, unwrap, check; and the data keys' sealing."""

    def __init__(self, keyring: Keyring):
        self.keyring = keyring
        self._unwrapped: dict[tuple[str, bytes], Keyring] = {}

    # ---- the key check: is this the keyring that wrote the database?
    def check_blob(self) -> bytes:
        return self.keyring.encrypt(_CHECK_PLAINTEXT, _CHECK_AAD)

    def opens_check(self, blob: bytes) -> bool:
        try:
            return self.keyring.decrypt(blob, _CHECK_AAD) == _CHECK_PLAINTEXT
        except DecryptError:
            return False

    # ---- data keys
    def new_wrapped_data_key(self, user: str) -> bytes:
        return self.keyring.encrypt(os.urandom(DATA_KEY_BYTES), _wrap_aad(user))

    def rewrap(self, user: str, wrapped: bytes) -> bytes:
        """The same data key wrapped by the primary service key (rotation)."""
        try:
            key = self.keyring.decrypt(wrapped, _wrap_aad(user))
        except DecryptError as err:
            raise StoreLocked(f"the data key of user {user!r} cannot be unwrapped: {err}") from None
        return self.keyring.encrypt(key, _wrap_aad(user))

    def data_keyring(self, user: str, wrapped: bytes) -> Keyring:
        cached = self._unwrapped.get((user, wrapped))
        if cached is not None:
            return cached
        try:
            key = self.keyring.decrypt(wrapped, _wrap_aad(user))
        except DecryptError as err:
            raise StoreLocked(
                f"this user's data key cannot be unwrapped with the service keys ({err})"
            ) from None
        data = Keyring([key], f"the data key of {user}")
        if len(self._unwrapped) > 10_000:
            self._unwrapped.clear()
        self._unwrapped[(user, wrapped)] = data
        return data

    def seal(
        self, user: str, wrapped: bytes, secret_id: str, plaintext: bytes, binary: bool
    ) -> bytes:
        return self.data_keyring(user, wrapped).encrypt(
            plaintext, value_aad(user, secret_id, binary)
        )

    def open(self, user: str, wrapped: bytes, secret_id: str, blob: bytes, binary: bool) -> bytes:
        try:
            return self.data_keyring(user, wrapped).decrypt(
                blob, value_aad(user, secret_id, binary)
            )
        except DecryptError as err:
            raise SecretUnreadable(secret_id, str(err)) from None
