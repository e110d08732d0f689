"""The kernel-side helper, against real files written by the real materializer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_secrets import SecretNotFoundError, get_secret, list_secrets, secret_path
from jupyter_secrets.files import Materializer
from jupyter_secrets.helper import INDEX_FILENAME

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def materializer(tmp_path) -> Materializer:
    return Materializer(tmp_path / "base" / "server")


@pytest.fixture
def kernel_dir(materializer, monkeypatch) -> Path:
    """A project written with two secrets; JUPYTER_SECRETS_DIR points at it, as for a kernel."""
    materializer.write_project(
        "proj1",
        [("api-token", "token.txt", "tok-1"), ("DB password / prod", "db-password", "pw\n")],
    )
    directory = materializer.project_dir("proj1")
    monkeypatch.setenv("JUPYTER_SECRETS_DIR", str(directory))
    return directory


def test_by_slot_name_and_by_filename(kernel_dir):
    assert get_secret("api-token") == "tok-1"
    assert get_secret("token.txt") == "tok-1"
    # Slot names are free text (SPEC: 1-99 chars); a "/" in one is matched, never used as a path.
    assert get_secret("DB password / prod") == "pw\n"
    assert get_secret("db-password") == "pw\n"


def test_value_returned_exactly(materializer, kernel_dir):
    value = "  spaces, CRLF\r\nünïcode ✓, trailing newline\n\n"
    materializer.write_project(
        "proj1", [("api-token", "token.txt", value), ("DB password / prod", "db-password", "pw\n")]
    )
    assert get_secret("api-token") == value


def test_replaced_value_seen_on_next_read(materializer, kernel_dir):
    assert get_secret("api-token") == "tok-1"
    materializer.write_project(
        "proj1",
        [("api-token", "token.txt", "tok-2"), ("DB password / prod", "db-password", "pw\n")],
    )
    assert get_secret("api-token") == "tok-2"
    materializer.write_project("proj1", [("api-token", "token.txt", "tok-3")])
    assert get_secret("token.txt") == "tok-3"


def test_secret_path_and_list_secrets(kernel_dir):
    assert secret_path("api-token") == kernel_dir / "token.txt"
    assert secret_path("token.txt") == kernel_dir / "token.txt"
    assert list_secrets() == {
        "DB password / prod": kernel_dir / "db-password",
        "api-token": kernel_dir / "token.txt",
    }
    assert all(isinstance(p, Path) and p.is_file() for p in list_secrets().values())


def test_slot_name_wins_over_another_slots_filename(materializer, kernel_dir):
    materializer.write_project("proj1", [("a.txt", "b.txt", "B"), ("other", "a.txt", "A")])
    assert get_secret("a.txt") == "B"  # the slot called a.txt, not the file a.txt
    assert get_secret("other") == "A"


def test_environment_read_at_call_time(kernel_dir, monkeypatch, tmp_path):
    monkeypatch.delenv("JUPYTER_SECRETS_DIR")
    assert list_secrets() == {}
    monkeypatch.setenv("JUPYTER_SECRETS_DIR", str(kernel_dir))
    assert get_secret("api-token") == "tok-1"


def test_unbound_value_is_gone(materializer, kernel_dir):
    materializer.write_project("proj1", [("DB password / prod", "db-password", "pw\n")])
    with pytest.raises(SecretNotFoundError):
        get_secret("api-token")
    assert list(list_secrets()) == ["DB password / prod"]


def test_not_found_message(kernel_dir):
    with pytest.raises(KeyError) as info:  # a KeyError, as for a dict
        get_secret("missing-one")
    err = info.value
    assert isinstance(err, SecretNotFoundError)
    message = str(err)
    assert message.startswith("No secret 'missing-one'")  # not wrapped in quotes by KeyError
    assert "'api-token'" in message and "'DB password / prod'" in message
    assert "Secrets panel" in message and "jupyter secrets set" in message
    assert "jupyter secrets bind" in message
    assert err.name == "missing-one"
    assert err.available == ["DB password / prod", "api-token"]
    assert "tok-1" not in message and "pw" not in message  # names, never values


def test_not_found_when_nothing_provided(materializer, monkeypatch):
    materializer.write_project("empty", [])
    monkeypatch.setenv("JUPYTER_SECRETS_DIR", str(materializer.project_dir("empty")))
    assert list_secrets() == {}
    with pytest.raises(SecretNotFoundError, match="No secret is available to this kernel yet"):
        get_secret("api-token")


def test_not_found_without_environment(monkeypatch):
    monkeypatch.delenv("JUPYTER_SECRETS_DIR", raising=False)
    with pytest.raises(SecretNotFoundError) as info:
        secret_path("api-token")
    message = str(info.value)
    assert "JUPYTER_SECRETS_DIR is not set" in message
    assert "not started by a Jupyter server with jupyter_secrets" in message
    assert "jupyter secrets run" in message
    assert "Secrets panel" in message
    assert list_secrets() == {}


def test_not_found_when_directory_is_gone(monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_SECRETS_DIR", str(tmp_path / "gone"))
    with pytest.raises(SecretNotFoundError, match="does not exist"):
        get_secret("api-token")


def test_long_name_is_cut_in_message(kernel_dir):
    with pytest.raises(SecretNotFoundError) as info:
        get_secret("x" * 5000)
    assert len(str(info.value)) < 1000


def test_non_string_name(kernel_dir):
    with pytest.raises(TypeError):
        get_secret(b"api-token")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    ["..", ".", "../token.txt", "/etc/passwd", "proj1/token.txt", "", INDEX_FILENAME, ".owner"],
)
def test_names_never_become_paths(kernel_dir, name):
    with pytest.raises(SecretNotFoundError):
        get_secret(name)


def test_hostile_index_entries_are_ignored(tmp_path, monkeypatch):
    directory = tmp_path / "kernel"
    directory.mkdir()
    (tmp_path / "outside.txt").write_text("outside")
    (directory / "ok.txt").write_text("ok")
    index = {"slots": {"up": "../outside.txt", "abs": "/etc/passwd", "dots": "..", "ok": "ok.txt"}}
    (directory / INDEX_FILENAME).write_text(json.dumps(index))
    monkeypatch.setenv("JUPYTER_SECRETS_DIR", str(directory))
    assert list_secrets() == {"ok": directory / "ok.txt"}
    for name in ("up", "abs", "dots", "../outside.txt", "/etc/passwd"):
        with pytest.raises(SecretNotFoundError):
            get_secret(name)


def test_directory_without_index(tmp_path, monkeypatch):
    """A directory filled by hand (or a mounted Kubernetes secret): visible files by filename."""
    directory = tmp_path / "plain"
    directory.mkdir()
    (directory / "token").write_text("t")
    (directory / ".hidden").write_text("h")
    (directory / "sub").mkdir()
    (directory / "bad name").write_text("b")
    monkeypatch.setenv("JUPYTER_SECRETS_DIR", str(directory))
    assert list_secrets() == {"token": directory / "token"}
    assert get_secret("token") == "t"
    for name in (".hidden", "sub", "bad name"):
        with pytest.raises(SecretNotFoundError):
            get_secret(name)


def test_import_stays_light():
    """Kernels import the helper: no jupyter_server, tornado or cryptography may come with it."""
    code = (
        "import jupyter_secrets, jupyter_secrets.helper, sys\n"
        "heavy = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] in ('jupyter_server', 'tornado', 'cryptography',\n"
        "                                      'jupyter_client', 'traitlets', 'zmq'))\n"
        "assert not heavy, heavy\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------- the fast path


def _age(path: Path, seconds: float = 60) -> None:
    """Make ``path`` look written long ago: the helper then trusts its cached index by stat."""
    when = path.stat().st_mtime - seconds
    os.utime(path, (when, when))


def test_cached_index_follows_a_rewritten_index(materializer, kernel_dir):
    assert get_secret("api-token") == "tok-1"
    _age(kernel_dir / INDEX_FILENAME)
    assert get_secret("api-token") == "tok-1"  # cached and trusted now
    # Same slot names, files swapped: a new index (a new inode) must be read.
    materializer.write_project(
        "proj1", [("api-token", "db-password", "tok-2"), ("DB password / prod", "token.txt", "pw2")]
    )
    assert get_secret("api-token") == "tok-2"
    assert get_secret("DB password / prod") == "pw2"
    assert secret_path("api-token") == kernel_dir / "db-password"


def test_recent_index_rewritten_in_place_is_seen(kernel_dir):
    """An index changed within the timestamp granularity, same size, same mtime: still seen."""
    index_path = kernel_dir / INDEX_FILENAME
    assert get_secret("api-token") == "tok-1"
    st = index_path.stat()
    index = json.loads(index_path.read_text())
    index["slots"] = {"api-token": "db-password", "DB password / prod": "token.txt"}
    text = json.dumps(index)
    text += " " * (st.st_size - len(text))
    assert len(text) == st.st_size
    index_path.write_text(text)  # in place: same inode, same size
    os.utime(index_path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime
    assert get_secret("api-token") == "pw\n"


def test_cache_never_outlives_a_change_of_directory(materializer, monkeypatch):
    materializer.write_project("one", [("token", "token", "from-one"), ("only-one", "a", "A")])
    materializer.write_project("two", [("token", "token", "from-two")])
    one, two = materializer.project_dir("one"), materializer.project_dir("two")
    for directory in (one, two):
        _age(directory / INDEX_FILENAME)
    for _ in range(2):
        monkeypatch.setenv("JUPYTER_SECRETS_DIR", str(one))
        assert get_secret("token") == "from-one"
        assert get_secret("only-one") == "A"
        monkeypatch.setenv("JUPYTER_SECRETS_DIR", str(two))
        assert get_secret("token") == "from-two"
        assert secret_path("token") == two / "token"
        with pytest.raises(SecretNotFoundError):
            get_secret("only-one")
        with pytest.raises(SecretNotFoundError):
            get_secret("a")


def test_index_removed_falls_back_to_listing(kernel_dir):
    assert get_secret("api-token") == "tok-1"
    (kernel_dir / INDEX_FILENAME).unlink()
    assert get_secret("token.txt") == "tok-1"
    with pytest.raises(SecretNotFoundError):
        get_secret("api-token")  # slot names come from the index only


def test_value_that_is_not_a_regular_file(kernel_dir):
    (kernel_dir / "token.txt").unlink()
    os.mkfifo(kernel_dir / "token.txt")  # a FIFO must not hang the kernel
    with pytest.raises(SecretNotFoundError):
        get_secret("api-token")
    with pytest.raises(SecretNotFoundError):
        secret_path("api-token")
    os.unlink(kernel_dir / "token.txt")
    (kernel_dir / "token.txt").mkdir()
    with pytest.raises(SecretNotFoundError):
        get_secret("token.txt")
    assert list(list_secrets()) == ["DB password / prod"]


def test_large_value_read_whole(materializer, kernel_dir):
    value = "x" * 70_000 + "é" * 1000
    materializer.write_project("proj1", [("api-token", "token.txt", value)])
    assert get_secret("api-token") == value


@pytest.mark.parametrize(
    "filename",
    [
        "a",
        "A-z_0.9",
        "x" * 200,
        "x" * 201,
        "",
        ".",
        "..",
        "...",
        ".a",
        "a.",
        "a b",
        "a/b",
        "a\n",
        "\na",
        "é",
        "١",
        "a\x00",
        "~",
        INDEX_FILENAME,
        "ａ",
        "K",
    ],  # ａ: fullwidth; K: Kelvin
)
def test_filename_rule_is_the_regex_rule(filename):
    import re

    from jupyter_secrets.helper import is_valid_filename

    expected = bool(re.fullmatch(r"[A-Za-z0-9_.-]{1,200}", filename)) and filename.strip(".") != ""
    assert is_valid_filename(filename) is expected


def test_import_loads_no_json_re_or_pathlib():
    """A kernel that only imports the helper pays for nothing it does not call."""
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import jupyter_secrets\n"
        "loaded = sorted(m for m in set(sys.modules) - before if m in ('json', 're', 'pathlib'))\n"
        "assert not loaded, loaded\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
