"""Domain errors of jupyter_secrets.

The domain layer raises these; the HTTP layer (``handlers.py``) and the CLI turn them into
replies and exit codes.  A message is shown to users as is, so it must never contain a
secret value: name the field, the rule, the id, never the data.
"""

from __future__ import annotations


class SecretsError(Exception):
    """Base class of every error the domain layer raises on purpose."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(SecretsError):
    """A field breaks a rule.  ``field`` names it; the message says which rule."""

    def __init__(self, field: str, rule: str):
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class NotFound(SecretsError):
    """The project, slot, secret or binding named does not exist (for this user)."""


class Conflict(SecretsError):
    """The change would clash with what exists (a duplicate name or filename, ...)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StoreLocked(SecretsError):
    """The store cannot be decrypted with the keys given; it is read-only and writes nothing."""


class StoreUnavailable(SecretsError):
    """The store cannot be written (read-only file system, full disk, ...)."""


class SecretUnreadable(SecretsError):
    """One secret's ciphertext fails authentication (tampered, or written under another key)."""

    def __init__(self, secret_id: str, reason: str = "its encrypted value failed authentication"):
        super().__init__(f"secret {secret_id} cannot be decrypted: {reason}")
        self.secret_id = secret_id


class SlotFileError(SecretsError):
    """A project's slot file cannot be read or is invalid; only that project is affected."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
