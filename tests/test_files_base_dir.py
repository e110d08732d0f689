"""Where materialized values go, and that every place a server used is cleaned after a crash.

Issue 10.6: another local user pre-creating ``/dev/shm/jupyter-secrets-<uid>`` sent the values
silently to a disk-backed temp dir (logged at INFO), and each start picked a new random name
there that no later start cleaned.  These tests use real tmpfs directories (a private stand-in
for ``/dev/shm``, made inside it, shared mode 1777 like it), real ownership changes (as root),
and real server processes killed with SIGKILL.  Run as a script, this file is such a server.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from jupyter_secrets.cli.bootstrap import diagnose
from jupyter_secrets.errors import SecretsError
from jupyter_secrets.files import (
    BaseDir,
    Materializer,
    choose_base_dir,
    cleanup_all_stale,
    is_memory_backed,
    new_server_dir,
)

REPO = Path(__file__).resolve().parents[1]
CANARY = "canary-VALUE-7f3a9c1e-never-leak"
UID = os.geteuid()
as_root = pytest.mark.skipif(UID != 0, reason="needs root to chown to another user")
needs_shm = pytest.mark.skipif(
    is_memory_backed(Path("/dev/shm")) is not True, reason="needs a tmpfs at /dev/shm"
)
pytestmark = needs_shm


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def shm():
    """A directory on tmpfs shared like /dev/shm (1777), so that no real name there is used."""
    path = Path(tempfile.mkdtemp(prefix="pytest-shm-", dir="/dev/shm"))
    os.chmod(path, 0o1777)
    yield path
    subprocess.run(["rm", "-rf", "--one-file-system", str(path)], check=True)


@pytest.fixture
def registry(tmp_path) -> Path:
    return tmp_path / "runtime" / "jupyter-secrets-bases.json"


@pytest.fixture(autouse=True)
def no_xdg_runtime_dir(monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)


def choose(shm: Path, registry: Path, tmp_path: Path, **kwargs) -> BaseDir:
    return choose_base_dir(shm_dir=shm, temp_dir=tmp_path / "disk-tmp", registry=registry, **kwargs)


# ---------------------------------------------------------------------- squatted locations


def squat(kind: str, where: Path, tmp_path: Path) -> None:
    if kind == "other user":
        where.mkdir(mode=0o700)
        os.chown(where, 12345, -1)
    elif kind == "open mode":
        where.mkdir()
        os.chmod(where, 0o777)
    elif kind == "symlink to disk":
        (tmp_path / "on-disk").mkdir(mode=0o700)
        where.symlink_to(tmp_path / "on-disk")
    elif kind == "file":
        where.write_text("planted")


SQUATS = [
    pytest.param("other user", marks=as_root),
    "open mode",
    "symlink to disk",
    "file",
]


@pytest.mark.parametrize("kind", SQUATS)
def test_squatted_shm_location_is_refused_and_a_private_memory_dir_used(
    shm, registry, tmp_path, kind
):
    squatted = shm / f"jupyter-secrets-{UID}"
    squat(kind, squatted, tmp_path)
    before = os.lstat(squatted)

    base = choose(shm, registry, tmp_path)

    assert base.path.parent == shm and base.path != squatted
    assert base.path.name.startswith("jupyter-secrets-") and base.temporary
    assert base.memory_backed is True
    assert os.lstat(base.path).st_uid == UID and mode(base.path) == 0o700
    assert base.squatted == [squatted]
    [warning] = base.warnings
    assert f"refusing {squatted}" in warning and "another user" in warning
    after = os.lstat(squatted)  # left exactly as found
    assert [after.st_ino, after.st_mode, after.st_uid] == [
        before.st_ino,
        before.st_mode,
        before.st_uid,
    ]
    if kind == "symlink to disk":
        assert os.listdir(tmp_path / "on-disk") == []
    # A tree made there works, and the fresh directory is in the registry for later cleanup.
    Materializer(new_server_dir(base.path)).write_project("p", [("a", "a", CANARY)])
    assert str(base.path) in json.loads(registry.read_text())["bases"]
    assert mode(registry) == 0o600
    # Each start gets a directory of its own, with a name nobody can guess.
    assert choose(shm, registry, tmp_path).path != base.path


def test_free_shm_location_is_used_and_made_private(shm, registry, tmp_path):
    base = choose(shm, registry, tmp_path)
    assert base == BaseDir(shm / f"jupyter-secrets-{UID}", True, [], [], temporary=False)
    assert mode(base.path) == 0o700
    assert choose(shm, registry, tmp_path) == base  # stable: found again at the next start
    assert not registry.exists()  # nothing to remember until cleanup_all_stale is told


def test_squatted_xdg_runtime_location_is_refused(shm, registry, tmp_path, monkeypatch):
    runtime = Path(tempfile.mkdtemp(prefix="runtime-", dir=shm))  # tmpfs, 0700, ours
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    (tmp_path / "on-disk").mkdir()
    (runtime / "jupyter-secrets").symlink_to(tmp_path / "on-disk")
    base = choose(shm, registry, tmp_path)
    assert base.squatted == [runtime / "jupyter-secrets"]
    assert f"refusing {runtime / 'jupyter-secrets'}" in base.warnings[0]
    # The next memory-backed location, free, is made ours (mkdir, then checked on its fd).
    assert base.path == shm / f"jupyter-secrets-{UID}" and base.memory_backed is True
    os.chmod(base.path, 0o777)  # now someone else can write there: refused too
    base = choose(shm, registry, tmp_path)
    assert len(base.squatted) == 2 and base.temporary
    assert base.path.parent == runtime and base.memory_backed is True  # the first place
    assert os.listdir(tmp_path / "on-disk") == []


def test_xdg_runtime_dir_on_disk_is_passed_over_for_memory(shm, registry, tmp_path, monkeypatch):
    runtime = tmp_path / "runtime-on-disk"
    runtime.mkdir(mode=0o700)
    assert is_memory_backed(runtime) is False
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    base = choose(shm, registry, tmp_path)
    assert base.path == shm / f"jupyter-secrets-{UID}" and base.warnings == []


@as_root
def test_xdg_runtime_dir_of_another_user_is_not_used_and_said(shm, registry, tmp_path, monkeypatch):
    runtime = Path(tempfile.mkdtemp(prefix="runtime-", dir=shm))
    os.chown(runtime, 12345, -1)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    base = choose(shm, registry, tmp_path)
    assert base.path == shm / f"jupyter-secrets-{UID}"
    assert base.warnings == [
        f"XDG_RUNTIME_DIR={runtime} belongs to uid 12345, not to this user: not used for secrets"
    ]


def test_no_memory_backed_place_falls_back_to_disk_and_says_so(registry, tmp_path):
    base = choose(tmp_path / "no-shm", registry, tmp_path)
    assert base.path == tmp_path / "disk-tmp" / f"jupyter-secrets-{UID}"
    assert base.memory_backed is False and base.squatted == []
    [warning] = base.warnings
    assert "no memory-backed place" in warning and "disk" in warning and str(base.path) in warning


def test_squatted_disk_fallback_gets_a_fresh_private_dir(registry, tmp_path):
    (tmp_path / "disk-tmp").mkdir()
    squat("open mode", tmp_path / "disk-tmp" / f"jupyter-secrets-{UID}", tmp_path)
    base = choose(tmp_path / "no-shm", registry, tmp_path)
    assert base.path.parent == tmp_path / "disk-tmp" and base.temporary
    assert len(base.warnings) == 2 and "disk" in base.warnings[1]


def test_looking_creates_nothing(shm, registry, tmp_path):
    squatted = shm / f"jupyter-secrets-{UID}"
    squat("open mode", squatted, tmp_path)
    base = choose(shm, registry, tmp_path, create=False)
    assert base.path == shm and base.temporary and base.squatted == [squatted]
    assert os.listdir(shm) == [squatted.name] and not registry.parent.exists()
    free = choose(tmp_path / "no-shm", registry, tmp_path, create=False)
    assert not free.path.exists() and "disk" in free.warnings[0]


def test_configured_directory(tmp_path, registry):
    configured = tmp_path / "mine"
    base = choose_base_dir(configured, registry=registry)
    assert base.path == configured and base.memory_backed is False and configured.is_dir()
    assert base.squatted == [] and not base.temporary
    # The admin's choice is used, and said: values on disk outlive a crash.
    assert len(base.warnings) == 1 and "is not memory-backed" in base.warnings[0]
    (tmp_path / "open").mkdir()
    os.chmod(tmp_path / "open", 0o777)
    with pytest.raises(SecretsError, match="written by other users"):
        choose_base_dir(tmp_path / "open", registry=registry)
    looked = choose_base_dir(tmp_path / "open", create=False, registry=registry)
    assert "written by other users" in looked.warnings[0]


# ---------------------------------------------------------------------- cleaned after a crash


def server() -> int:
    """``python test_files_base_dir.py SHM REGISTRY TMP``: start as the server does, write a
    value, print the tree's path, then wait to be killed."""
    shm, registry, tmp = (Path(arg) for arg in sys.argv[1:4])
    base = choose_base_dir(shm_dir=shm, temp_dir=tmp, registry=registry)
    cleanup_all_stale(base.path, registry=registry)
    tree = new_server_dir(base.path)
    Materializer(tree).write_project("p", [("a", "a", CANARY)])
    print(tree, flush=True)
    sys.stdin.readline()  # until killed (or told to stop)
    return 0


def start_server(shm: Path, registry: Path, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    process = subprocess.Popen(
        [sys.executable, __file__, str(shm), str(registry), str(tmp_path / "disk-tmp")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    line = process.stdout.readline().strip()
    assert line, process.stderr.read()
    return process, Path(line)


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


@pytest.mark.parametrize("kind", ["symlink to disk", pytest.param("other user", marks=as_root)])
def test_every_fresh_directory_of_killed_servers_is_cleaned_at_the_next_start(
    shm, registry, tmp_path, kind
):
    squat(kind, shm / f"jupyter-secrets-{UID}", tmp_path)
    trees = []
    for _ in range(3):  # three starts, each killed: three fresh directories, each holding a value
        process, tree = start_server(shm, registry, tmp_path)
        kill(process)
        assert (tree / "p" / "a").read_text() == CANARY
        trees.append(tree)
    assert len({tree.parent for tree in trees}) == 3
    live, live_tree = start_server(shm, registry, tmp_path)  # cleans the first three
    try:
        for tree in trees:
            assert not tree.parent.exists()  # tree and its empty fresh directory gone
        assert (live_tree / "p" / "a").read_text() == CANARY
        current = choose(shm, registry, tmp_path)
        assert cleanup_all_stale(current.path, registry=registry) == 0  # a live server's stays
        assert (live_tree / "p" / "a").read_text() == CANARY
    finally:
        kill(live)
    assert cleanup_all_stale(current.path, registry=registry) == 1
    assert not live_tree.parent.exists()
    assert set(json.loads(registry.read_text())["bases"]) == {str(current.path)}
    assert sorted(os.listdir(shm)) == sorted([f"jupyter-secrets-{UID}", current.path.name])


def test_bases_of_earlier_runs_are_visited_wherever_they_were(tmp_path, registry):
    """A base used once (say an old secrets_dir) is still cleaned when the server moved on."""
    old = tmp_path / "old-secrets-dir"
    cleanup_all_stale(old, registry=registry)
    tree = new_server_dir(old)
    Materializer(tree).write_project("p", [("a", "a", CANARY)])
    record = json.loads((tree / ".owner").read_text())
    record["boot_id"] = "00000000-0000-0000-0000-000000000000"  # a server of another boot
    (tree / ".owner").write_text(json.dumps(record))
    assert cleanup_all_stale(tmp_path / "new-secrets-dir", registry=registry) == 1
    assert old.is_dir() and os.listdir(old) == []  # not ours to remove: only its stale tree
    old.rmdir()
    cleanup_all_stale(tmp_path / "new-secrets-dir", registry=registry)
    assert set(json.loads(registry.read_text())["bases"]) == {str(tmp_path / "new-secrets-dir")}


def test_registry_that_is_a_symlink_is_not_followed(tmp_path, registry):
    registry.parent.mkdir()
    target = tmp_path / "elsewhere.json"
    target.write_text("keep")
    registry.symlink_to(target)
    cleanup_all_stale(tmp_path / "base", registry=registry)
    assert target.read_text() == "keep"
    assert not registry.is_symlink() and mode(registry) == 0o600
    assert set(json.loads(registry.read_text())["bases"]) == {str(tmp_path / "base")}


# ---------------------------------------------------------------------- jupyter secrets doctor


def test_doctor_says_the_location_is_squatted_and_creates_nothing(tmp_path, monkeypatch, shm):
    runtime = Path(tempfile.mkdtemp(prefix="runtime-", dir=shm))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    (tmp_path / "on-disk").mkdir()
    squatted = runtime / "jupyter-secrets"
    squatted.symlink_to(tmp_path / "on-disk")
    lines = list(diagnose(tmp_path / "store" / "secrets.sqlite3", None))
    problems = [text for ok, text in lines if not ok]
    assert any(f"{squatted} is squatted" in text for text in problems), lines
    assert os.listdir(runtime) == ["jupyter-secrets"] and os.listdir(tmp_path / "on-disk") == []


def test_doctor_says_when_values_would_go_to_disk(tmp_path):
    lines = list(diagnose(tmp_path / "store" / "secrets.sqlite3", None, secrets_dir=tmp_path / "d"))
    assert (
        False,
        (
            f"c.SecretsExtension.secrets_dir {tmp_path / 'd'} is not memory-backed: secret "
            "values are written to disk there; point it to a directory on tmpfs to keep them in "
            "memory"
        ),
    ) in lines
    assert not (tmp_path / "d").exists()


if __name__ == "__main__":
    sys.exit(server())
