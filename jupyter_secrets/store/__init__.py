"""User-secret stores: the interface (``base``) and the embedded SQLite default (``sqlite``)."""

from jupyter_secrets.store.base import UNSET, Binding, ProjectRecord, SecretMeta, SecretStore
from jupyter_secrets.store.sqlite import SQLiteSecretStore, default_key_file, default_store_path

__all__ = [
    "UNSET",
    "Binding",
    "ProjectRecord",
    "SQLiteSecretStore",
    "SecretMeta",
    "SecretStore",
    "default_key_file",
    "default_store_path",
]
