"""Keys and authenticated encryption of secret values (AES-256-GCM).

Where keys come from, in order:

1. ``JUPYTER_SECRETS_KEY``: one or more base64 (standard or URL-safe) 32-byte keys separated
   by ``;`` (whitespace ignored).  The first encrypts; all decrypt, so a rotation can list
   ``"new;old"`` until every value is re-encrypted (as JupyterHub's ``JUPYTERHUB_CRYPT_KEY``).
2. Otherwise a key file, by default ``secrets.key`` beside the store file
   (``<jupyter data dir>/jupyter_secrets/secrets.key``; the store module picks the path).  Same
   format as the variable.  It is created on first use only, atomically and with mode 0600,
   and refused when group or others can read it, or when it is a dangling symbolic link.

Blob format (what the store keeps per value)::

    version (1 byte, 0x01) | key id (8 bytes) | nonce (12 bytes) | AES-GCM ciphertext + tag

The key id is a truncated SHA-256 of the key, so decryption picks the right key without trial
and a rotation can tell which rows still need re-encrypting.  The caller passes associated
data (the store binds each value to its user and secret id), so a ciphertext copied to another
row fails authentication.

Errors: ``KeyringError`` (a ``StoreLocked`` and a ``ValueError``) for unusable keys or key
files; its message names the source and the rule, never key material.  ``DecryptError`` when a
blob cannot be decrypted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from operator import getitem
from pathlib import Path
from typing import cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jupyter_secrets.errors import StoreLocked
from jupyter_secrets.fileio import _fsync_dir

ENV_VAR = "JUPYTER_SECRETS_KEY"
KEY_BYTES = 32
KEY_ID_BYTES = 8
NONCE_BYTES = 12
VERSION = 1
HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES
HEADER_NONCE = 1 + KEY_ID_BYTES  # where the nonce starts
_NONCE = slice(HEADER_NONCE, HEADER_BYTES)  # of a blob
_SEALED = slice(HEADER_BYTES, None)
_FAILED_AUTHENTICATION = "its encrypted value failed authentication (altered or moved)"

_GENERATE_HINT = (
    "generate one with "
    '`python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"`'
)


class KeyringError(StoreLocked, ValueError):
    """The keys cannot be used: malformed, unsafe key file, or missing.

    A ``StoreLocked`` because a store given no usable key stays locked (it reports this message
    as its ``lock_reason``); a ``ValueError`` because it is bad configuration input.
    """


class MissingKeyError(KeyringError):
    """No key is configured and creating one is not allowed (the store already holds data)."""


class DecryptError(Exception):
    """A blob cannot be decrypted: unknown key, bad format, or failed authentication."""


def key_id(key: bytes) -> bytes:
    """Short public fingerprint of a key (domain-separated so it is not a plain key hash)."""
    return hashlib.sha256(b"jupyter_secrets key id\0" + key).digest()[:KEY_ID_BYTES]


def blob_key_id(blob: bytes) -> bytes | None:
    """The key id a blob was written under, or None when it is not one of our blobs."""
    if len(blob) < HEADER_BYTES or blob[0] != VERSION:
        return None
    return bytes(blob[1 : 1 + KEY_ID_BYTES])


def parse_keys(text: str, source: str) -> list[bytes]:
    """Decode ``;``-separated base64 keys; errors name the source and position, not the key."""
    parts = [part for part in ("".join(text.split())).split(";") if part]
    if not parts:
        raise KeyringError(f"{source} holds no key; {_GENERATE_HINT}")
    keys = []
    for n, part in enumerate(parts, 1):
        where = f"{source}: key {n} of {len(parts)}"
        # Accept URL-safe and standard alphabets, with or without padding.
        normalised = part.replace("-", "+").replace("_", "/").rstrip("=")
        normalised += "=" * (-len(normalised) % 4)
        try:
            key = base64.b64decode(normalised, validate=True)
        except (binascii.Error, ValueError):
            raise KeyringError(f"{where} is not valid base64; {_GENERATE_HINT}") from None
        if len(key) != KEY_BYTES:
            raise KeyringError(
                f"{where} decodes to {len(key)} bytes, but keys must be {KEY_BYTES} bytes; "
                f"{_GENERATE_HINT}"
            )
        keys.append(key)
    return keys


def format_keys(keys: Iterable[bytes]) -> str:
    return ";".join(base64.urlsafe_b64encode(key).decode() for key in keys)


class Keyring:
    """An ordered set of AES-256 keys: the first encrypts, every one decrypts."""

    def __init__(self, keys: Sequence[bytes], source: str = "the keyring"):
        if not keys:
            raise KeyringError(f"{source} holds no key")
        for n, key in enumerate(keys, 1):
            if not isinstance(key, bytes) or len(key) != KEY_BYTES:
                raise KeyringError(f"{source}: key {n} is not {KEY_BYTES} bytes")
        self.source = source
        self._keys = list(keys)
        # First occurrence wins so that the primary key is always found under its own id.
        self._by_id: dict[bytes, AESGCM] = {}
        for key in self._keys:
            self._by_id.setdefault(key_id(key), AESGCM(key))
        self._primary_id = key_id(self._keys[0])
        self._primary_header = bytes([VERSION]) + self._primary_id

    # ---------------------------------------------------------------- constructors

    @staticmethod
    def generate_key() -> str:
        """A new random key, URL-safe base64 (fit for JUPYTER_SECRETS_KEY or a key file)."""
        return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()

    @classmethod
    def from_string(cls, text: str, source: str = ENV_VAR) -> Keyring:
        return cls(parse_keys(text, source), source)

    @classmethod
    def from_env_or_file(
        cls, key_file: Path | str, env: Mapping[str, str] = os.environ, *, create: bool = True
    ) -> Keyring:
        """Keys from ``JUPYTER_SECRETS_KEY`` if set (non-blank), else from ``key_file``.

        A missing key file is created (with a new key) only when ``create`` is true: the store
        passes ``create=False`` when it already holds data, since a fresh key could never
        decrypt it.  Raises ``MissingKeyError`` then, ``KeyringError`` for unusable keys.
        """
        text = env.get(ENV_VAR, "")
        if text.strip():
            return cls.from_string(text, ENV_VAR)
        path = Path(key_file)
        try:
            try:
                return cls.from_file(path)
            except FileNotFoundError:
                if path.is_symlink():  # dangling: a key made now would land where it points
                    raise KeyringError(
                        f"key file {path} is a symbolic link to {os.readlink(path)}, which does "
                        "not exist: refusing to create a key where a link points (remove the "
                        f"link, or restore the file it points to, or set {ENV_VAR})"
                    ) from None
                if not create:
                    raise MissingKeyError(
                        f"the key that encrypted this store is missing: restore {path} "
                        f"or set {ENV_VAR}"
                    ) from None
            try:
                write_key_file(path, [cls.generate_key()])
            except FileExistsError:
                pass  # another process created it first: use theirs
            return cls.from_file(path)
        except KeyringError:
            raise
        except OSError as err:  # unreadable, a directory, read-only file system, ...
            raise KeyringError(f"key file {path} cannot be used: {err.strerror}") from None

    @classmethod
    def from_file(cls, path: Path | str) -> Keyring:
        """Keys from a key file; ``FileNotFoundError`` if absent, ``KeyringError`` if unsafe."""
        path = Path(path)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise KeyringError(f"key file {path} cannot be used: it is not a regular file")
            if mode & 0o077:
                raise KeyringError(
                    f"key file {path} is open to other users (mode "
                    f"{stat.S_IMODE(mode):04o}); refusing to use it: run `chmod 600 {path}`"
                )
            with os.fdopen(os.dup(fd), "r", encoding="ascii", errors="replace") as handle:
                text = handle.read()
        finally:
            os.close(fd)
        return cls.from_string(text, f"key file {path}")

    # ---------------------------------------------------------------- use

    @property
    def primary_id(self) -> bytes:
        return self._primary_id

    @property
    def key_ids(self) -> list[bytes]:
        """The ids of the keys, encrypting key first (what rotation and doctor report)."""
        return list(self._by_id)

    @property
    def keys(self) -> tuple[bytes, ...]:
        """The raw keys, first (encrypting) key first: for writing a key file during rotation."""
        return tuple(self._keys)

    def merged(self, fallback: Keyring) -> Keyring:
        """This keyring (its first key still encrypts), also decrypting with ``fallback``'s."""
        return Keyring(self._keys + fallback._keys, self.source)

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._by_id[self._primary_id].encrypt(nonce, plaintext, aad)
        return bytes([VERSION]) + self._primary_id + nonce + sealed

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        kid = blob_key_id(blob)
        if kid is None:
            raise DecryptError("not an encrypted value of a known format")
        aead = self._by_id.get(kid)
        if aead is None:
            raise DecryptError(
                f"it was encrypted with a key not in {self.source} (key id {kid.hex()[:8]})"
            )
        nonce = blob[1 + KEY_ID_BYTES : HEADER_BYTES]
        try:
            return aead.decrypt(nonce, bytes(blob[HEADER_BYTES:]), aad)
        except InvalidTag:
            raise DecryptError(_FAILED_AUTHENTICATION) from None

    def decrypt_all(self, blobs: Sequence[bytes], aads: Iterable[bytes]) -> list[bytes] | None:
        """The plaintexts of ``blobs`` (each with the item of ``aads`` at its place), when every
        one is sealed by the primary key; else None, as soon as one is not (another key of the
        ring, not a blob of ours, altered): the caller then decrypts them one by one with
        ``decrypt``, which says which and why.

        The bulk path of ``read_values``.  Why it is all ``map``: the header check, the nonce
        and ciphertext slices and ``AESGCM.decrypt`` then run in C, one AESGCM object for all;
        a Python loop doing the same steps cost about as much per value as the decryption
        itself (issue 16).
        """
        header, aead = self._primary_header, self._by_id[self._primary_id]
        try:
            if not all(map(bytes.startswith, blobs, repeat(header))):
                return None
            # operator.getitem: half the cost of bytes.__getitem__ (a slot wrapper) in map
            nonces = cast("Iterator[bytes]", map(getitem, blobs, repeat(_NONCE)))
            sealed = cast("Iterator[bytes]", map(getitem, blobs, repeat(_SEALED)))
            return list(map(aead.decrypt, nonces, sealed, aads))
        except (InvalidTag, ValueError, TypeError):  # altered; too short for a nonce; not bytes
            return None

    def __repr__(self) -> str:
        # Key ids are public fingerprints; key bytes never appear here.
        primary = self._primary_id.hex()[:8]
        return f"<Keyring {len(self._keys)} key(s), primary id {primary}, from {self.source}>"


def write_key_file(path: Path | str, keys: Sequence[str], *, replace: bool = False) -> None:
    """Write a key file with mode 0600 atomically: readers see the old file or the whole new one.

    The content goes to a private temporary file first (``O_EXCL``, mode 0600, fsynced), which
    is then linked into place (fails with ``FileExistsError`` if the file exists, so two
    processes creating the key at once agree on one) or, with ``replace``, renamed over it.
    During a rotation, write ``[new, old]`` first, rotate, then ``[new]``.
    """
    path = Path(path)
    parse_keys(";".join(keys), f"the keys for {path}")  # never write an unusable file
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask may have removed bits, never added: make it exact
        os.write(fd, (";".join(keys) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    finally:
        if not replace or tmp.exists():
            tmp.unlink(missing_ok=True)
    _fsync_dir_at(path.parent)


def ensure_private_dir(directory: Path) -> None:
    """Create ``directory`` (mode 0700) if missing; existing directories are left as they are."""
    if directory.is_dir():
        return
    directory.parent.mkdir(parents=True, exist_ok=True)
    try:
        directory.mkdir(mode=0o700)
        os.chmod(directory, 0o700)  # umask-proof
    except FileExistsError:
        pass


def _fsync_dir_at(directory: Path) -> None:
    """Make a rename in ``directory`` survive a crash (best effort, as for every directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        _fsync_dir(fd)
    finally:
        os.close(fd)
