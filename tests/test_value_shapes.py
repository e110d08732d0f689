"""Values of every shape (issue 13): text with newlines kept exactly, and binary values.

Layers tested here, each against the real thing (a real SQLite file, a real server through
``jp_fetch``, real kernels, the real CLI in a subprocess):

- the store keeps the plaintext as bytes plus whether it is binary (``SecretMeta.binary``),
  gives back ``str`` for text and ``bytes`` for binary, migrates stores of schema 1, and
  notices a flipped ``is_binary`` column;
- the REST API takes ``value`` (text) or ``value_base64`` (bytes), both under
  ``max_value_bytes``, and answers 400 naming the field otherwise;
- the files hold the exact bytes, the kernel helper reads them (``get_secret_bytes``,
  ``secret_path``), and ``<ENV>_FILE``-style variables hold the file's path;
- the leak guards redact multi-line and binary values (their base64 form) without crashing
  on bytes that are not UTF-8.
"""

from __future__ import annotations

import base64
import os
import sqlite3
from pathlib import Path

import pytest

from jupyter_secrets.errors import InvalidInput, SecretUnreadable
from jupyter_secrets.store.base import value_bytes
from jupyter_secrets.store.crypto import Keyring
from jupyter_secrets.store.sqlite import SCHEMA_VERSION, SQLiteSecretStore

USER = "alice"
#: max_value_bytes of this module's servers (small, so that the limit tests stay small)
LIMIT = 4096


def pem_text() -> str:
    """A made-up PEM-shaped private key (built from pieces: no real key, no scanner alarm)."""
    label = " ".join(["PRIVATE", "KEY"])
    body = base64.encodebytes(bytes(range(256)) * 3).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n"


def binary_blob() -> bytes:
    """Bytes that are not UTF-8: NULs, 0xff, a lone continuation byte, CR LF, every byte."""
    return b"\x00\xff\xfe\x80binary\r\n\x00" + bytes(range(256)) + b"\xc3"


# ---------------------------------------------------------------------------- the store


@pytest.fixture
def keyring() -> Keyring:
    return Keyring([os.urandom(32)])


@pytest.fixture
def store_file(tmp_path) -> Path:
    return tmp_path / "store" / "secrets.sqlite3"


@pytest.fixture
def store(store_file, keyring):
    s = SQLiteSecretStore(store_file, keyring)
    yield s
    s.close()


def test_text_and_binary_values_round_trip_exactly(store):
    text = "line one\r\nline two\n\n  indented\ttab\rcarriage\n"
    blob = binary_blob()
    t = store.create_secret(USER, "text", text)
    b = store.create_secret(USER, "blob", blob)
    assert (t.binary, b.binary) == (False, True)
    assert store.read_value(USER, t.id) == text
    got = store.read_value(USER, b.id)
    assert isinstance(got, bytes) and got == blob
    assert {m.name: m.binary for m in store.list_secrets(USER)} == {"text": False, "blob": True}
    assert store.get_secret(USER, b.id).binary is True
    batch = store.read_values(USER, [t.id, b.id])
    assert batch.values == {t.id: text, b.id: blob} and not batch.errors
    # bytes that happen to be UTF-8 stay bytes: the kind is what was given
    u = store.create_secret(USER, "utf8 bytes", pem_text().encode())
    assert store.read_value(USER, u.id) == pem_text().encode()


def test_kind_follows_the_latest_value_and_bindings_report_it(store):
    meta = store.create_secret(USER, "k", "text first")
    store.bind(USER, "p1", "s1", meta.id)
    meta = store.update_secret(USER, meta.id, value=b"\x00\x01\x02binary")
    assert meta.binary and store.read_value(USER, meta.id) == b"\x00\x01\x02binary"
    assert store.bound_secrets(USER, "p1")["s1"].binary is True
    meta = store.update_secret(USER, meta.id, value="text again")
    assert not meta.binary and store.read_value(USER, meta.id) == "text again"
    created = store.create_and_bind(USER, "p1", "s2", "cab", b"\xffbytes")
    assert created.binary and store.bound_secrets(USER, "p1")["s2"].binary
    assert store.read_value(USER, created.id) == b"\xffbytes"


def test_both_shapes_share_the_byte_limit(store_file, keyring):
    store = SQLiteSecretStore(store_file, keyring, max_value_bytes=16)
    try:
        assert (
            store.read_value(USER, store.create_secret(USER, "a", b"\x00" * 16).id) == b"\x00" * 16
        )
        with pytest.raises(InvalidInput, match="at most 16 bytes; it is 17 bytes"):
            store.create_secret(USER, "b", b"\x00" * 17)
        with pytest.raises(InvalidInput, match="at most 16 bytes"):
            store.create_secret(USER, "c", "é" * 9)  # 18 bytes of UTF-8
        with pytest.raises(InvalidInput, match="must be a string"):
            store.create_secret(USER, "d", 12)
    finally:
        store.close()


def test_a_flipped_kind_column_makes_the_value_unreadable_not_another_type(store, store_file):
    b = store.create_secret(USER, "blob", binary_blob())
    t = store.create_secret(USER, "text", "plain text value")
    with sqlite3.connect(store_file) as db:
        db.execute("UPDATE secrets SET is_binary = 1 - is_binary")
    with pytest.raises(SecretUnreadable):
        store.read_value(USER, b.id)
    with pytest.raises(SecretUnreadable):
        store.read_value(USER, t.id)
    batch = store.read_values(USER, [b.id, t.id])
    assert not batch.values and set(batch.errors) == {b.id, t.id}


def _make_schema_1(store_file: Path) -> None:
    """Turn a store file back into what 0.1/schema 1 wrote: no is_binary column."""
    with sqlite3.connect(store_file) as db:
        db.execute("ALTER TABLE secrets DROP COLUMN is_binary")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")


def test_a_schema_1_store_is_migrated_and_its_values_stay_text(store_file, keyring):
    old = SQLiteSecretStore(store_file, keyring)
    meta = old.create_secret(USER, "old", "multi\nline\n")
    old.bind(USER, "p1", "s1", meta.id)
    old.close()
    _make_schema_1(store_file)

    store = SQLiteSecretStore(store_file, keyring)
    try:
        assert store.read_value(USER, meta.id) == "multi\nline\n"
        assert store.get_secret(USER, meta.id).binary is False
        blob = store.create_secret(USER, "new", binary_blob())
        assert store.read_value(USER, blob.id) == binary_blob()
    finally:
        store.close()
    with sqlite3.connect(store_file) as db:
        (version,) = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert int(version) == SCHEMA_VERSION >= 2


def test_a_locked_schema_1_store_still_lists_its_secrets(store_file, keyring):
    old = SQLiteSecretStore(store_file, keyring)
    meta = old.create_secret(USER, "old", "value")
    old.bind(USER, "p1", "s1", meta.id)
    old.close()
    _make_schema_1(store_file)
    locked = SQLiteSecretStore(store_file, Keyring([os.urandom(32)]))
    try:
        assert locked.locked
        assert [(m.name, m.binary) for m in locked.list_secrets(USER)] == [("old", False)]
        assert locked.bound_secrets(USER, "p1")["s1"].name == "old"
    finally:
        locked.close()
    with sqlite3.connect(store_file) as db:  # nothing was written: still schema 1
        columns = {row[1] for row in db.execute("PRAGMA table_info(secrets)")}
        assert "is_binary" not in columns


def test_rotate_key_keeps_binary_values(store_file, keyring):
    store = SQLiteSecretStore(store_file, keyring)
    b = store.create_secret(USER, "blob", binary_blob())
    t = store.create_secret(USER, "text", "text\r\n")
    new = Keyring([os.urandom(32)])
    assert store.rotate_key(new) == 2
    store.close()
    again = SQLiteSecretStore(store_file, new)
    try:
        assert again.read_value(USER, b.id) == binary_blob()
        assert again.read_value(USER, t.id) == "text\r\n"
    finally:
        again.close()


def test_value_bytes_is_what_the_file_holds():
    assert value_bytes("é\r\n") == "é\r\n".encode()
    assert value_bytes(b"\xff") == b"\xff"


# ---------------------------------------------------------------------------- the REST API


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def slot_in(api, project):
    """A project with one slot (file ``key``, env ``KEY_VALUE``); returns (project id, slot id)."""

    async def make(filename: str = "key", env: str | None = "KEY_VALUE") -> tuple[str, str]:
        pid = (await project())["id"]
        body = {"name": "Key", "filename": filename, **({"env": env} if env else {})}
        status, slot = await api("POST", "projects", pid, "slots", body=body)
        assert status == 201, slot
        return pid, slot["id"]

    return make


def materialized(serverapp, project_id: str, filename: str) -> bytes:
    ext = serverapp.web_app.settings["jupyter_secrets"]
    return (ext.service.materializer.project_dir(project_id) / filename).read_bytes()


async def test_text_with_newlines_and_bytes_reach_the_files_exactly(api, slot_in, jp_serverapp):
    pid, sid = await slot_in()
    pem = pem_text().replace("\n", "\r\n")  # CRLF kept as CRLF
    status, result = await api("PUT", "projects", pid, "slots", sid, "value", body={"value": pem})
    assert status == 200, result
    assert result["secret"]["binary"] is False
    assert materialized(jp_serverapp, pid, "key") == pem.encode()
    # the same slot, now a binary value: the file holds the exact bytes, the secret says binary
    body = {"value_base64": b64(binary_blob())}
    status, result = await api("PUT", "projects", pid, "slots", sid, "value", body=body)
    assert status == 200, result
    assert result["secret"]["binary"] is True
    assert materialized(jp_serverapp, pid, "key") == binary_blob()
    assert b64(binary_blob()) not in json_text(result)
    _, listing = await api("GET", "user-secrets")
    assert [s["binary"] for s in listing["secrets"]] == [True]


def json_text(obj) -> str:
    import json

    return json.dumps(obj)


async def test_user_secrets_take_value_base64_on_create_and_replace(api):
    status, created = await api(
        "POST", "user-secrets", body={"name": "keystore", "value_base64": b64(b"\x00\xffks")}
    )
    assert status == 201 and created["binary"] is True, created
    # url-safe alphabet, line breaks and missing padding are tolerated (base64 tools wrap)
    data = bytes(range(200))
    wrapped = base64.urlsafe_b64encode(data).decode().rstrip("=")
    wrapped = "\n".join(wrapped[i : i + 76] for i in range(0, len(wrapped), 76))
    status, patched = await api(
        "PATCH", "user-secrets", created["id"], body={"value_base64": wrapped}
    )
    assert status == 200 and patched["binary"] is True, patched
    status, patched = await api("PATCH", "user-secrets", created["id"], body={"value": "text\n"})
    assert status == 200 and patched["binary"] is False, patched


@pytest.mark.parametrize(
    ("path", "method"),
    [(("user-secrets",), "POST"), (None, "PUT")],
    ids=["create", "fill"],
)
@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"value_base64": "not base64!"}, "value_base64", "must be base64"),
        ({"value_base64": "QUJD="}, "value_base64", "must be base64"),  # padding mid-way
        ({"value_base64": "QUJDR"}, "value_base64", "must be base64"),  # 5 characters
        ({"value_base64": "QUJDRA==", "value": "x"}, "value_base64", "not both"),
        ({"value_base64": 12}, "value_base64", "must be a string"),
        ({"value_base64": "é"}, "value_base64", "must be base64"),
        ({"value": 12}, "value", "must be a string"),
    ],
)
async def test_bad_values_are_400_naming_the_field(api, slot_in, path, method, body, field, rule):
    if path is None:
        pid, sid = await slot_in()
        path = ("projects", pid, "slots", sid, "value")
    else:
        body = {"name": "n", **body}
    status, error = await api(method, *path, body=body)
    assert status == 400, error
    assert error["message"].startswith(f"{field}: ") and rule in error["message"], error
    assert "not base64!" not in error["message"]


@pytest.fixture
def jp_server_config(store_path, secrets_base, secrets_key):
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_secrets": True}},
        "SecretsExtension": {
            "store_path": str(store_path),
            "secrets_dir": str(secrets_base),
            "prompt_on_start": "never",
            "refresh_interval": 0,
            "max_value_bytes": LIMIT,
        },
    }


async def test_both_shapes_share_max_value_bytes(api, slot_in):
    pid, sid = await slot_in()
    path = ("projects", pid, "slots", sid, "value")
    assert (await api("PUT", *path, body={"value_base64": b64(b"\x01" * LIMIT)}))[0] == 200
    assert (await api("PUT", *path, body={"value": "a" * LIMIT}))[0] == 200
    status, error = await api("PUT", *path, body={"value_base64": b64(b"\x01" * (LIMIT + 1))})
    assert status == 400, error
    assert error["message"].startswith(f"value_base64: must be at most {LIMIT} bytes"), error
    status, error = await api("PUT", *path, body={"value": "é" * (LIMIT // 2 + 1)})
    assert status == 400 and error["message"].startswith(f"value: must be at most {LIMIT} bytes")
    status, error = await api(
        "POST", "user-secrets", body={"name": "big", "value_base64": b64(b"\x01" * (LIMIT + 1))}
    )
    assert status == 400 and error["message"].startswith("value_base64: must be at most")


# ---------------------------------------------------------------------------- real kernels

READ_BACK = """
import hashlib, os
from jupyter_secrets import get_secret, get_secret_bytes, secret_path, SecretNotTextError
data = get_secret_bytes('Key')
print('sha', hashlib.sha256(data).hexdigest())
print('path', secret_path('Key').read_bytes() == data, secret_path('Key').name)
print('env', os.environ.get('KEY_VALUE') is not None)
try:
    text = get_secret('Key')
    print('text', hashlib.sha256(text.encode()).hexdigest())
except SecretNotTextError as err:
    print('not text:', err)
"""


async def test_a_kernel_reads_both_shapes_back_byte_for_byte(api, slot_in, jp_fetch, jp_serverapp):
    import hashlib

    from .test_kernels import run_code, start_session

    pid, sid = await slot_in()
    path = ("projects", pid, "slots", sid, "value")
    pem = pem_text()
    assert (await api("PUT", *path, body={"value": pem}))[0] == 200
    kernel_id = await start_session(jp_fetch, "proj/nb.ipynb")
    out, error = await run_code(jp_serverapp, kernel_id, READ_BACK)
    assert error is None, error
    digest = hashlib.sha256(pem.encode()).hexdigest()
    assert f"sha {digest}" in out and f"text {digest}" in out, out
    assert "path True key" in out and "env True" in out, out

    # binary: the same running kernel reads the new bytes; get_secret explains, never shows
    assert (await api("PUT", *path, body={"value_base64": b64(binary_blob())}))[0] == 200
    out, error = await run_code(jp_serverapp, kernel_id, READ_BACK)
    assert error is None, error
    assert f"sha {hashlib.sha256(binary_blob()).hexdigest()}" in out, out
    assert "path True key" in out, out
    assert (
        "not text: The secret 'Key' holds binary data" in out and "get_secret_bytes('Key')" in out
    )
    # a binary value that is not UTF-8 is not given as an env variable (a restart re-reads env)
    await jp_fetch("api", "kernels", kernel_id, "restart", method="POST", body="")
    out, error = await run_code(jp_serverapp, kernel_id, READ_BACK)
    assert error is None and "env False" in out, (out, error)


async def test_kernel_output_redacts_multi_line_and_binary_values(
    api, slot_in, jp_fetch, jp_serverapp
):
    from .test_kernels import run_code, start_session

    pid, sid = await slot_in(env=None)
    path = ("projects", pid, "slots", sid, "value")
    blob = binary_blob()
    assert (await api("PUT", *path, body={"value_base64": b64(blob)}))[0] == 200
    kernel_id = await start_session(jp_fetch, "proj/nb.ipynb")
    code = (
        "import base64\nfrom jupyter_secrets import get_secret_bytes\n"
        "data = get_secret_bytes('Key')\n"
        "print(base64.b64encode(data).decode())\nprint(data)\nprint(data.hex())\n"
    )
    out, error = await run_code(jp_serverapp, kernel_id, code)
    assert error is None, error
    assert b64(blob) not in out and blob.hex() not in out and repr(blob)[2:-1] not in out
    assert out.count("[REDACTED:Key]") == 3, out

    pem = pem_text()
    assert (await api("PUT", *path, body={"value": pem}))[0] == 200
    out, error = await run_code(jp_serverapp, kernel_id, '!cat "$JUPYTER_SECRETS_DIR/key"')
    assert error is None, error
    lines = [line for line in pem.splitlines() if len(line) > 20]
    assert not any(line in out for line in lines) and "[REDACTED:Key]" in out, out


async def test_save_guard_redacts_a_binary_value_in_a_notebook(api, slot_in, jp_fetch, jp_root_dir):
    import json

    import nbformat

    pid, sid = await slot_in(env=None)
    blob = binary_blob()
    path = ("projects", pid, "slots", sid, "value")
    assert (await api("PUT", *path, body={"value_base64": b64(blob)}))[0] == 200
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show(key)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": b64(blob), "text/plain": "x"}),
        nbformat.v4.new_output("stream", name="stdout", text=repr(blob) + "\n"),
    ]
    notebook.cells.append(cell)
    body = {"type": "notebook", "content": json.loads(nbformat.writes(notebook))}
    response = await jp_fetch(
        "api", "contents", "proj", "out.ipynb", method="PUT", body=json.dumps(body)
    )
    assert response.code in (200, 201)
    saved = json.loads((jp_root_dir / "proj" / "out.ipynb").read_text())
    outputs = saved["cells"][0]["outputs"]
    assert outputs[0]["data"]["image/png"] == "[REDACTED:Key]"
    assert "[REDACTED:Key]" in "".join(outputs[1]["text"])
    assert b64(blob) not in json.dumps(saved) and repr(blob)[2:-1] not in "".join(
        outputs[1]["text"]
    )


def test_redaction_forms_of_bytes_never_fail_and_cover_text():
    from jupyter_secrets.core.exposed import redaction_forms
    from jupyter_secrets.guards.redact import Redactor

    blob = binary_blob()
    forms = redaction_forms(blob)
    assert b64(blob) in forms and blob.hex() in forms and repr(blob)[2:-1] in forms
    assert all(isinstance(form, str) for form in forms)
    pem = pem_text()
    assert pem in redaction_forms(pem.encode())  # bytes that are UTF-8: the text too
    redactor = Redactor(dict.fromkeys([*redaction_forms(blob), pem], "k"))
    text, names = redactor.redact(f"a {b64(blob)} b {pem.replace(chr(10), chr(13) + chr(10))} c")
    assert names == {"k"} and b64(blob) not in text and "BEGIN" not in text


# ---------------------------------------------------------------------------- the CLI


def test_cli_sets_values_from_a_file_and_exact_stdin(tmp_path):
    import hashlib
    import subprocess
    import sys

    from .server_process import new_key

    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_SECRETS_KEY": new_key(),
    }
    env.pop("JUPYTER_SECRETS_DIR", None)
    project = tmp_path / "project"
    project.mkdir()

    def cli(*args: str, stdin: bytes | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "jupyter_secrets.cli.main", *args],
            input=stdin,
            capture_output=True,
            env=env,
            cwd=project,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.decode()

    pem_file = tmp_path / "key.pem"
    pem_file.write_bytes(pem_text().encode())
    blob_file = tmp_path / "blob.bin"
    blob_file.write_bytes(binary_blob())
    netrc = b"machine example.org\n  login me\n  password pw-7f3a\n\n"
    cli("set", "pem", "--from-file", str(pem_file))
    cli("set", "blob", "--from-file", str(blob_file))
    cli("set", "netrc", "--exact", stdin=netrc)
    cli("set", "piped", stdin=b"echoed-value\n")  # without --exact: one newline dropped
    cli("set", "piped-bin", stdin=binary_blob() + b"\n")  # bytes: kept exactly, newline too
    cli("slots", "init", "--name", "Shapes")
    expected = {
        "pem": pem_text().encode(),
        "blob": binary_blob(),
        "netrc": netrc,
        "piped": b"echoed-value",
        "piped-bin": binary_blob() + b"\n",
    }
    for name in expected:
        cli("slots", "add", "--name", name, "--filename", name)
        cli("bind", name, name)
    out = cli(
        "run",
        "--",
        sys.executable,
        "-c",
        "import hashlib; from jupyter_secrets import get_secret_bytes\n"
        f"for n in {list(expected)!r}: print(n, hashlib.sha256(get_secret_bytes(n)).hexdigest())",
    )
    for name, data in expected.items():
        assert f"{name} {hashlib.sha256(data).hexdigest()}" in out, (name, out)
    # bind from a file fills a slot with a new value, exact bytes
    cli("slots", "add", "--name", "direct", "--filename", "direct")
    cli("bind", "direct", "--from-file", str(blob_file))
    out = cli(
        "run",
        "--",
        sys.executable,
        "-c",
        "from jupyter_secrets import get_secret_bytes; "
        f"print(get_secret_bytes('direct') == {binary_blob()!r})",
    )
    assert out.strip() == "True"
    listing = cli("list")
    assert "pw-7f3a" not in listing and "BEGIN" not in listing


# ---------------------------------------------------------------------------- <ENV>_FILE


@pytest.mark.parametrize(
    "name",
    [
        "PGPASSFILE",
        "KUBECONFIG",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "DB_PASSWORD_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "NETRC",
        "DOCKER_CONFIG_FILE",
    ],
)
def test_env_file_allows_names_of_a_file_to_read(name):
    from jupyter_secrets.rules import validate_env, validate_env_file

    assert validate_env_file(name) == name
    with pytest.raises(InvalidInput, match="would become a path"):
        validate_env(name)  # as env (the value itself) they stay refused


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("PYTHONSTARTUP", "runtime"),
        ("BASH_ENV", "ENV"),
        ("LD_PRELOAD", "linker"),
        ("SSL_CERT_FILE", "certificates"),
        ("REQUESTS_CA_BUNDLE", "certificates"),
        ("CARGO_HOME", "directory"),
        ("TMPDIR", "directory"),
        ("APP_LOG", "write"),
        ("PIP_CONFIG_FILE", "PIP_"),
        ("https_proxy", "uppercase"),
        ("HTTPS_PROXY", "PROXY"),
    ],
)
def test_env_file_refuses_names_that_choose_code_trust_or_a_written_path(name, why):
    from jupyter_secrets.rules import validate_env_file

    with pytest.raises(InvalidInput) as caught:
        validate_env_file(name)
    assert caught.value.field == "env_file" and why in caught.value.rule


async def test_env_file_holds_the_path_of_the_slot_file_in_kernels(
    api, project, jp_fetch, jp_serverapp, jp_root_dir
):
    import json

    from .test_kernels import run_code, start_session

    pid = (await project())["id"]
    body = {"name": "PG", "filename": "pgpass", "env_file": "PGPASSFILE"}
    status, slot = await api("POST", "projects", pid, "slots", body=body)
    assert status == 201 and slot["env_file"] == "PGPASSFILE", slot
    status, error = await api(
        "POST",
        "projects",
        pid,
        "slots",
        body={"name": "X", "filename": "x", "env": "X_TOKEN", "env_file": "X_TOKEN"},
    )
    assert status == 400 and error["message"].startswith("env_file: must differ from env")
    status, error = await api(
        "PATCH", "projects", pid, "slots", slot["id"], body={"env_file": "CARGO_HOME"}
    )
    assert status == 400 and error["message"].startswith("env_file: 'CARGO_HOME' is refused")
    saved = json.loads((jp_root_dir / "proj" / ".jupyter" / "secret-slots.json").read_text())
    assert saved["slots"][0]["env_file"] == "PGPASSFILE"

    pgpass = "db.example.org:5432:*:reader:pw-9c2e\n"
    body = {"value": pgpass}
    assert (await api("PUT", "projects", pid, "slots", slot["id"], "value", body=body))[0] == 200
    kernel_id = await start_session(jp_fetch, "proj/nb.ipynb")
    code = (
        "import os\nfrom jupyter_secrets import secret_path\n"
        "p = os.environ['PGPASSFILE']\n"
        "print(p == str(secret_path('PG')), open(p).read() == "
        f"{pgpass!r}, 'PG' in os.environ)"
    )
    out, error = await run_code(jp_serverapp, kernel_id, code)
    assert error is None, error
    assert out.strip() == "True True False", out
    # unlinked: no variable after a restart (the file is gone too)
    assert (await api("DELETE", "projects", pid, "slots", slot["id"], "value"))[0] == 204
    await jp_fetch("api", "kernels", kernel_id, "restart", method="POST", body="")
    out, error = await run_code(
        jp_serverapp, kernel_id, "import os; print('PGPASSFILE' in os.environ)"
    )
    assert error is None and out.strip() == "False", (out, error)
