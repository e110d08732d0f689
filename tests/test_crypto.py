"""Keyring: key sources, key file safety, AES-GCM blob format, and errors that never leak keys."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from jupyter_secrets.errors import SecretsError, StoreLocked
from jupyter_secrets.store.crypto import (
    HEADER_BYTES,
    DecryptError,
    Keyring,
    KeyringError,
    MissingKeyError,
    blob_key_id,
    key_id,
    write_key_file,
)


def _key() -> bytes:
    return os.urandom(32)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------------- encryption


def test_round_trip_and_blob_format():
    key = _key()
    ring = Keyring([key])
    blob = ring.encrypt(b"payload", b"aad")
    assert blob[0] == 1
    assert blob_key_id(blob) == key_id(key) == ring.primary_id
    assert len(blob) == HEADER_BYTES + len(b"payload") + 16  # GCM tag
    assert b"payload" not in blob
    assert ring.decrypt(blob, b"aad") == b"payload"


def test_nonce_is_random():
    ring = Keyring([_key()])
    assert ring.encrypt(b"same", b"a") != ring.encrypt(b"same", b"a")


def test_other_associated_data_fails():
    ring = Keyring([_key()])
    blob = ring.encrypt(b"payload", b"row-1")
    with pytest.raises(DecryptError):
        ring.decrypt(blob, b"row-2")


@pytest.mark.parametrize("offset", [0, 1, HEADER_BYTES - 1, HEADER_BYTES, -1])
def test_any_altered_byte_fails(offset):
    ring = Keyring([_key()])
    blob = bytearray(ring.encrypt(b"payload", b"aad"))
    blob[offset] ^= 0x01
    with pytest.raises(DecryptError):
        ring.decrypt(bytes(blob), b"aad")


def test_unknown_key_fails_without_showing_keys():
    key, other = _key(), _key()
    blob = Keyring([other]).encrypt(b"payload", b"aad")
    with pytest.raises(DecryptError) as info:
        Keyring([key]).decrypt(blob, b"aad")
    text = str(info.value)
    assert "not in" in text
    for material in (key, other):
        assert base64.b64encode(material).decode() not in text
        assert base64.urlsafe_b64encode(material).decode() not in text


def test_first_key_encrypts_all_decrypt():
    new, old = _key(), _key()
    old_blob = Keyring([old]).encrypt(b"old", b"a")
    ring = Keyring([new, old])
    assert ring.decrypt(old_blob, b"a") == b"old"
    assert blob_key_id(ring.encrypt(b"x", b"a")) == key_id(new)


def test_merged_keeps_own_primary():
    new, old = _key(), _key()
    merged = Keyring([new]).merged(Keyring([old]))
    assert merged.primary_id == key_id(new)
    assert merged.decrypt(Keyring([old]).encrypt(b"v", b"a"), b"a") == b"v"


def test_repr_holds_no_key_material():
    key = _key()
    text = repr(Keyring([key]))
    assert base64.b64encode(key).decode() not in text
    assert base64.urlsafe_b64encode(key).decode() not in text
    assert key.hex() not in text


# ---------------------------------------------------------------------- key strings


def test_generate_key_is_32_bytes_of_base64():
    assert len(base64.urlsafe_b64decode(Keyring.generate_key())) == 32


def test_env_string_several_keys_both_alphabets_whitespace():
    # Keys chosen so the two alphabets differ: 0xfb 0xff encodes to "+/" vs "-_".
    new, old = bytes([0xFB, 0xFF] * 16), _key()
    unpadded_urlsafe = base64.urlsafe_b64encode(new).decode().rstrip("=")
    text = f"  {unpadded_urlsafe} ;\n {base64.b64encode(old).decode()} ;"
    ring = Keyring.from_string(text)
    assert ring.key_ids == [key_id(new), key_id(old)]


@pytest.mark.parametrize(
    "bad",
    [
        "not base64 at all!!",
        base64.b64encode(b"x" * 16).decode(),  # 16 bytes
        base64.b64encode(b"x" * 33).decode(),  # 33 bytes
        "",
        " ; ",
    ],
)
def test_bad_key_string_is_a_clear_error_without_the_key(bad):
    with pytest.raises(KeyringError) as info:
        Keyring.from_string(bad, "JUPYTER_SECRETS_KEY")
    err = info.value
    # One error for every caller: a locked store, bad input, a domain error for the CLI.
    assert (
        isinstance(err, StoreLocked)
        and isinstance(err, ValueError)
        and isinstance(err, SecretsError)
    )
    assert "JUPYTER_SECRETS_KEY" in str(err)
    if bad.strip(" ;"):
        assert bad not in str(err)


def test_error_names_which_key_is_bad():
    good = base64.b64encode(_key()).decode()
    with pytest.raises(KeyringError, match="key 2 of 2 decodes to 3 bytes"):
        Keyring.from_string(f"{good};{base64.b64encode(b'abc').decode()}")


# ---------------------------------------------------------------------- key files and env


def test_env_wins_and_no_key_file_is_created(tmp_path):
    key = _key()
    key_file = tmp_path / "secrets.key"
    ring = Keyring.from_env_or_file(
        key_file, {"JUPYTER_SECRETS_KEY": base64.b64encode(key).decode()}
    )
    assert ring.primary_id == key_id(key)
    assert ring.source == "JUPYTER_SECRETS_KEY"
    assert not key_file.exists()


def test_key_file_created_private_on_first_use_and_reused(tmp_path):
    key_file = tmp_path / "new-dir" / "secrets.key"
    old_umask = os.umask(0)  # the most permissive umask: modes must still be private
    try:
        first = Keyring.from_env_or_file(key_file, {"JUPYTER_SECRETS_KEY": "  "})
    finally:
        os.umask(old_umask)
    assert _mode(key_file) == 0o600
    assert _mode(key_file.parent) == 0o700
    assert [p.name for p in key_file.parent.iterdir()] == ["secrets.key"]  # no temp file left
    second = Keyring.from_env_or_file(key_file, {})
    assert first.primary_id == second.primary_id


def test_missing_key_file_not_created_when_creation_is_refused(tmp_path):
    key_file = tmp_path / "secrets.key"
    with pytest.raises(MissingKeyError) as info:
        Keyring.from_env_or_file(key_file, {}, create=False)
    assert str(key_file) in str(info.value) and "JUPYTER_SECRETS_KEY" in str(info.value)
    assert not key_file.exists()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_readable_key_file_is_refused(tmp_path, mode):
    key_file = tmp_path / "secrets.key"
    write_key_file(key_file, [Keyring.generate_key()])
    os.chmod(key_file, mode)
    with pytest.raises(KeyringError) as info:
        Keyring.from_env_or_file(key_file, {})
    assert f"chmod 600 {key_file}" in str(info.value)
    assert key_file.read_text().strip() not in str(info.value)


def test_key_file_may_hold_several_keys(tmp_path):
    new, old = Keyring.generate_key(), Keyring.generate_key()
    key_file = tmp_path / "secrets.key"
    write_key_file(key_file, [new, old])
    ring = Keyring.from_file(key_file)
    assert ring.key_ids == [key_id(base64.urlsafe_b64decode(k)) for k in (new, old)]
    assert ring.source == f"key file {key_file}"


def test_write_key_file_never_clobbers_unless_asked(tmp_path):
    key_file = tmp_path / "secrets.key"
    first, second = Keyring.generate_key(), Keyring.generate_key()
    write_key_file(key_file, [first])
    with pytest.raises(FileExistsError):
        write_key_file(key_file, [second])
    assert key_file.read_text().strip() == first
    write_key_file(key_file, [second], replace=True)
    assert key_file.read_text().strip() == second
    assert _mode(key_file) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secrets.key"]


def test_write_key_file_refuses_unusable_keys(tmp_path):
    with pytest.raises(KeyringError):
        write_key_file(tmp_path / "secrets.key", ["short"])
    assert not (tmp_path / "secrets.key").exists()


def test_unusable_key_file_path_is_a_keyring_error(tmp_path):
    (tmp_path / "secrets.key").mkdir()  # a directory where the key file should be
    with pytest.raises(KeyringError, match="cannot be used"):
        Keyring.from_env_or_file(tmp_path / "secrets.key", {})


def test_dangling_symlink_at_the_key_file_is_refused_with_a_clear_reason(tmp_path):
    """Issue 11.14, the key's side: never create a key where a link points, and say why."""
    target = tmp_path / "elsewhere" / "planted.key"
    target.parent.mkdir()
    key_file = tmp_path / "secrets.key"
    key_file.symlink_to(target)
    with pytest.raises(KeyringError) as info:
        Keyring.from_env_or_file(key_file, {})
    assert "symbolic link" in str(info.value) and str(target) in str(info.value)
    assert os.listdir(target.parent) == [] and key_file.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "secrets.key"]
