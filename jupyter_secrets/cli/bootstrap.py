"""Building the domain objects outside the server: the CLI's service, key rotation, doctor.

The server builds the same objects from its traits (``app.py``); the CLI passes the same
settings, read from the server's config (``settings.py``), so that both use one store.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from jupyter_secrets.core.identity import default_owner
from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.files import (
    Materializer,
    choose_base_dir,
    cleanup_all_stale,
    default_base_dir,
    new_server_dir,
)
from jupyter_secrets.store.base import DEFAULT_MAX_VALUE_BYTES, SecretStore
from jupyter_secrets.store.crypto import ENV_VAR, Keyring, KeyringError, format_keys, write_key_file
from jupyter_secrets.store.sqlite import SQLiteSecretStore, default_key_file, default_store_path

__all__ = ["default_owner", "default_store_path", "diagnose", "open_service", "rotate_key"]


def open_service(
    store_path: str | Path,
    key_file: str | Path | None,
    root_dir: Path,
    secrets_base: str | Path | None = None,
    with_files: bool = False,
    owner: str | None = None,
    *,
    store_class: type[SecretStore] = SQLiteSecretStore,
    max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
) -> SecretsService:
    """A service over the store; ``with_files`` gives it a fresh tree under ``secrets_base``."""
    store = store_class.open(store_path, key_file=key_file, max_value_bytes=max_value_bytes)  # type: ignore[arg-type]
    materializer = None
    if with_files:
        base = Path(secrets_base) if secrets_base else default_base_dir()
        cleanup_all_stale(base)  # every base ever used, not only this one
        materializer = Materializer(new_server_dir(base))
    return SecretsService(store, root_dir, owner or default_owner(), materializer)


def rotate_key(store_path: str | Path, key_file: str | Path | None) -> int:
    """Re-encrypt everything under a new key; returns how many values were re-encrypted.

    With ``JUPYTER_SECRETS_KEY`` set, its first key is the new one (prepend a new key, rotate,
    then drop the old ones, as with JupyterHub).  With a key file, a new key is generated and
    the file goes through ``new;old`` (rotate) then ``new``: an interruption at any point
    leaves a file that still decrypts everything, and running again resumes.
    """
    key_path = Path(key_file) if key_file else default_key_file(store_path)
    if os.environ.get(ENV_VAR, "").strip():
        keyring = Keyring.from_string(os.environ[ENV_VAR])
        store = SQLiteSecretStore.open(store_path, key_file=key_path)
        try:
            return store.rotate_key(keyring)
        finally:
            store.close()
    old = Keyring.from_file(key_path)
    new_key = Keyring.generate_key()
    both = f"{new_key};{format_keys(old.keys)}"
    write_key_file(key_path, [both], replace=True)
    store = SQLiteSecretStore.open(store_path, key_file=key_path, env={})
    try:
        if store.locked:
            raise KeyringError(store.lock_reason)
        count = store.rotate_key(Keyring.from_string(new_key, "the new key"))
    finally:
        store.close()
    write_key_file(key_path, [new_key], replace=True)
    return count


def diagnose(
    store_path: str | Path, key_file: str | Path | None, *, secrets_dir: str | Path | None = None
) -> Iterator[tuple[bool, str]]:
    """(ok, what) lines for ``jupyter secrets doctor``: each problem says what to do.

    The secrets directory is looked at as a server would choose it (``secrets_dir``, else the
    memory-backed default), creating nothing: a squatted location, or values going to disk,
    is a problem line.
    """
    store_path = Path(store_path)
    key_path = Path(key_file) if key_file else default_key_file(store_path)
    if os.environ.get(ENV_VAR, "").strip():
        yield True, f"keys come from {ENV_VAR} (the key file {key_path} is not used)"
    elif not key_path.exists():
        yield (
            (not store_path.exists()),
            (
                f"key file {key_path} does not exist yet: it is created on first use"
                if not store_path.exists()
                else f"key file {key_path} is missing but the store holds data: restore it or set {ENV_VAR}"
            ),
        )
    else:
        mode = stat.S_IMODE(key_path.stat().st_mode)
        if mode & 0o077:
            yield False, f"key file {key_path} has mode {mode:04o}: run `chmod 600 {key_path}`"
        else:
            yield True, f"key file {key_path} (mode {mode:04o})"
    if store_path.exists():
        mode = stat.S_IMODE(store_path.stat().st_mode)
        yield (
            (not mode & 0o077),
            f"store {store_path} (mode {mode:04o})"
            + (f": run `chmod 600 {store_path}`" if mode & 0o077 else ""),
        )
        directory_mode = stat.S_IMODE(store_path.parent.stat().st_mode)
        yield (
            (not directory_mode & 0o077),
            f"store directory {store_path.parent} (mode {directory_mode:04o})"
            + (f": run `chmod 700 {store_path.parent}`" if directory_mode & 0o077 else ""),
        )
        store = SQLiteSecretStore.open(store_path, key_file=key_path)
        try:
            if store.locked:
                yield False, f"the store is locked: {store.lock_reason}"
            else:
                yield True, "the store opens with the configured keys"
        finally:
            store.close()
    else:
        yield True, f"no store yet at {store_path}: it is created on first use"
    try:
        base = choose_base_dir(secrets_dir, create=False)
    except OSError as err:
        yield False, f"no usable directory for materialized secrets: {err}"
        return
    for path in base.squatted:
        yield (
            False,
            (
                f"{path} is squatted: it is not this user's private directory, so servers refuse "
                f"it (see `ls -ld {path}`; remove it if it is yours, else tell the administrator)"
            ),
        )
    for warning in base.warnings:
        if not warning.startswith("refusing "):  # said just above, with what to do
            yield False, warning
    where = f"a fresh private directory in {base.path}" if base.temporary else str(base.path)
    if base.memory_backed:
        yield True, f"secrets are materialized under {where} (memory-backed)"
    elif not base.warnings:  # a configured directory on disk: the one thing to say about it
        yield (
            False,
            (
                f"secrets would be materialized under {where}, which is "
                + ("not memory-backed" if base.memory_backed is False else "of unknown type")
                + ": set XDG_RUNTIME_DIR or c.SecretsExtension.secrets_dir to a tmpfs directory"
            ),
        )
