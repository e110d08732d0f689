"""The materializer on real files: modes, atomicity, removal, hostile input, stale trees."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from jupyter_secrets.errors import InvalidInput, SecretsError
from jupyter_secrets.files import (
    INDEX_FILENAME,
    OWNER_FILENAME,
    Materializer,
    cleanup_stale,
    default_base_dir,
    ensure_base_dir,
    is_memory_backed,
    new_server_dir,
)

CANARY = "canary-VALUE-7f3a9c1e-never-leak"
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown to another user")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def snapshot(top: Path, skip: Path | None = None) -> dict[str, object]:
    """Every entry under ``top`` (not following links) with its content or target."""
    seen: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = here / name
            if skip is not None and path == skip:
                continue
            rel = str(path.relative_to(top))
            if path.is_symlink():
                seen[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                seen[rel] = ("dir", mode(path))
            else:
                seen[rel] = ("file", path.read_bytes(), mode(path))
    return seen


@pytest.fixture
def base(tmp_path) -> Path:
    return tmp_path / "base"


@pytest.fixture
def root(base) -> Path:
    return base / "server"


@pytest.fixture
def mat(root) -> Materializer:
    return Materializer(root)


@pytest.fixture
def outside(tmp_path) -> Path:
    """A directory outside the secrets tree that must never change."""
    path = tmp_path / "outside"
    path.mkdir()
    (path / "target.txt").write_text("outside content")
    return path


# ---------------------------------------------------------------------------- layout and modes


def test_layout_and_modes(mat, root):
    mat.write_project("proj-1", [("API token", "token.txt", CANARY), ("db", ".env", "x=1\n")])
    project = root / "proj-1"
    assert mat.project_dir("proj-1") == project
    assert mode(root) == 0o700
    assert mode(project) == 0o700
    assert (project / "token.txt").read_text() == CANARY
    assert (project / ".env").read_text() == "x=1\n"
    for name in ("token.txt", ".env", INDEX_FILENAME):
        assert mode(project / name) == 0o600
    assert mode(root / OWNER_FILENAME) == 0o600
    index = json.loads((project / INDEX_FILENAME).read_text())
    assert index == {"version": 1, "slots": {"API token": "token.txt", "db": ".env"}}
    assert CANARY not in (project / INDEX_FILENAME).read_text()
    owner = json.loads((root / OWNER_FILENAME).read_text())
    assert owner["pid"] == os.getpid()


def test_modes_whatever_the_umask(root):
    previous = os.umask(0)
    try:
        mat = Materializer(root)
        mat.write_project("p", [("a", "a", "1")])
    finally:
        os.umask(previous)
    assert mode(root) == mode(root / "p") == 0o700
    assert mode(root / "p" / "a") == 0o600


def test_loose_modes_are_tightened(root):
    root.mkdir(parents=True, mode=0o755)
    os.chmod(root, 0o755)
    mat = Materializer(root)
    assert mode(root) == 0o700
    (root / "p").mkdir(mode=0o777)
    os.chmod(root / "p", 0o777)
    mat.write_project("p", [("a", "a", "1")])
    assert mode(root / "p") == 0o700


def test_no_temporary_files_left(mat, root):
    for i in range(5):
        mat.write_project("p", [("a", "a.txt", f"v{i}"), ("b", "b.txt", "w")])
        mat.write_project("p", [("a", "a.txt", f"again {i}"), ("b", "b.txt", "w")])
    assert sorted(os.listdir(root / "p")) == sorted(["a.txt", "b.txt", INDEX_FILENAME])
    assert sorted(os.listdir(root)) == sorted([OWNER_FILENAME, "p"])


def test_readers_see_old_or_new_never_partial(mat, root):
    old, new = "A" * 200_000, "B" * 300_000
    mat.write_project("p", [("s", "s", old)])
    stop = threading.Event()
    bad: list[int] = []

    def read() -> None:
        while not stop.is_set():
            data = (root / "p" / "s").read_text()
            if data not in (old, new):
                bad.append(len(data))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(100):
            mat.write_project("p", [("s", "s", new if i % 2 else old)])
    finally:
        stop.set()
        reader.join()
    assert bad == []


def test_unchanged_value_keeps_its_file(mat, root):
    mat.write_project("p", [("a", "a", "1")])
    inode = os.lstat(root / "p" / "a").st_ino
    mat.write_project("p", [("a", "a", "1")])
    assert os.lstat(root / "p" / "a").st_ino == inode
    os.chmod(root / "p" / "a", 0o644)  # loosened by hand: rewritten, 0600 again
    mat.write_project("p", [("a", "a", "1")])
    assert mode(root / "p" / "a") == 0o600
    before = os.lstat(root / "p" / "a")
    mat.write_project("p", [("a", "a", "2")])
    assert (root / "p" / "a").read_text() == "2"
    assert os.lstat(root / "p" / "a").st_mtime_ns >= before.st_mtime_ns


def test_fifo_and_hard_link_planted_as_value_files(mat, root, outside):
    mat.write_project("p", [])
    os.mkfifo(root / "p" / "fifo")
    os.link(outside / "target.txt", root / "p" / "linked")
    before = snapshot(outside)
    mat.write_project("p", [("f", "fifo", "1"), ("l", "linked", "outside content")])
    assert (root / "p" / "fifo").read_text() == "1"
    assert os.lstat(root / "p" / "linked").st_nlink == 1  # its own inode now
    assert snapshot(outside) == before


def test_empty_project_still_gets_a_directory(mat, root):
    mat.write_project("empty", [])
    assert (root / "empty").is_dir()
    assert json.loads((root / "empty" / INDEX_FILENAME).read_text())["slots"] == {}


# ---------------------------------------------------------------------------- updates and removal


def test_write_project_removes_what_is_no_longer_listed(mat, root):
    mat.write_project("p", [("a", "a", "1"), ("b", "b", "2")])
    (root / "p" / ".~tmp-deadbeef").write_text("debris of a crash")
    mat.write_project("p", [("b", "b", "3")])
    assert sorted(os.listdir(root / "p")) == sorted(["b", INDEX_FILENAME])
    assert (root / "p" / "b").read_text() == "3"


def test_a_renamed_file_replaces_the_old_one(mat, root):
    mat.write_project("p", [("a", "a", "1"), ("b", "b", "2")])
    mat.write_project(
        "p", [("a", "a-renamed", "1"), ("b", "b", "2")]
    )  # the slot's filename changed
    assert sorted(os.listdir(root / "p")) == sorted(["a-renamed", "b", INDEX_FILENAME])
    index = json.loads((root / "p" / INDEX_FILENAME).read_text())["slots"]
    assert index == {"a": "a-renamed", "b": "b"}


def test_remove_all(mat, root, base):
    mat.write_project("p", [("a", "a", "1")])
    mat.write_project("q", [("a", "a", "1")])
    mat.remove_all()
    assert not root.exists()
    assert base.is_dir()  # the base belongs to every server
    with pytest.raises(SecretsError):
        mat.write_project("q", [("a", "a", "1")])
    assert not root.exists()
    mat.remove_all()  # idempotent


def test_root_recreated_if_removed_by_hand(mat, root):
    mat.write_project("p", [("a", "a", "1")])
    shutil.rmtree(root)
    mat.write_project("p", [("a", "a", "2")])
    assert (root / "p" / "a").read_text() == "2"
    assert mode(root) == 0o700 and (root / OWNER_FILENAME).is_file()


def test_duplicate_filenames_refused(mat, root):
    with pytest.raises(InvalidInput) as info:
        mat.write_project("p", [("a", "same", "1"), ("b", "same", "2")])
    assert info.value.field == "filename"
    assert not (root / "p").exists()


def test_non_string_value_refused_without_showing_it(mat):
    with pytest.raises(InvalidInput) as info:
        mat.write_project("p", [("a", "a", 12345)])  # type: ignore[list-item]
    assert "12345" not in str(info.value)


# ---------------------------------------------------------------------------- hostile input

BAD_FILENAMES = [
    "../x",
    "..",
    ".",
    "...",
    "a/b",
    "/etc/passwd",
    "a\x00b",
    "x" * 201,
    "",
    "a b",
    "ü",
    "a\n",
]
BAD_PROJECT_IDS = [
    "../../etc",
    "..",
    ".",
    "",
    "a/b",
    "a.b",
    ".hidden",
    "x" * 65,
    "a\x00",
    "a\n",
    None,
    7,
]


@pytest.mark.parametrize("filename", BAD_FILENAMES)
def test_bad_filenames_refused_and_nothing_written(mat, tmp_path, root, filename):
    before = snapshot(tmp_path)
    calls = [
        lambda: mat.write_project("p", [("a", filename, CANARY)]),
        lambda: mat.write_project("p", [("a", "fine", CANARY), ("b", filename, CANARY)]),
    ]
    for call in calls:
        with pytest.raises(InvalidInput) as info:
            call()
        assert info.value.field == "filename"
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("project_id", BAD_PROJECT_IDS)
def test_bad_project_ids_refused_and_nothing_written(mat, tmp_path, project_id):
    before = snapshot(tmp_path)
    calls = [
        lambda: mat.write_project(project_id, [("a", "a", CANARY)]),
        lambda: mat.project_dir(project_id),
    ]
    for call in calls:
        with pytest.raises(InvalidInput) as info:
            call()
        assert info.value.field == "project id"
    assert snapshot(tmp_path) == before


def test_symlink_planted_as_project_dir(mat, root, outside, tmp_path):
    before = snapshot(outside)
    (root / "p").symlink_to(outside)
    mat.write_project("p", [("a", "target.txt", CANARY)])
    assert not (root / "p").is_symlink() and (root / "p").is_dir()
    assert (root / "p" / "target.txt").read_text() == CANARY
    assert snapshot(outside) == before

    for call in (
        lambda: mat.write_project("p", [("a", "target.txt", CANARY)]),
        lambda: mat.write_project("p", []),
    ):
        if (root / "p").is_dir():
            shutil.rmtree(root / "p")
        (root / "p").symlink_to(outside)  # a fresh plant each time
        call()
        assert not (root / "p").is_symlink()
        assert snapshot(outside) == before
    assert (outside / "target.txt").read_text() == "outside content"


def test_file_planted_as_project_dir(mat, root):
    (root / "p").write_text("not a directory")
    mat.write_project("p", [("a", "a", "1")])
    assert (root / "p" / "a").read_text() == "1"


def test_symlink_planted_as_value_file(mat, root, outside):
    before = snapshot(outside)
    mat.write_project("p", [("a", "a", "1")])
    target = outside / "target.txt"
    for name in ("a", "b", INDEX_FILENAME):
        (root / "p" / name).unlink(missing_ok=True)
        (root / "p" / name).symlink_to(target)
    mat.write_project("p", [("a", "a", CANARY)])  # replaces the link "a" and the index link
    assert not (root / "p" / "a").is_symlink() and (root / "p" / "a").read_text() == CANARY
    assert not (root / "p" / INDEX_FILENAME).is_symlink()
    assert snapshot(outside) == before
    mat.write_project("p", [("a", "a", CANARY)])  # "b" is not listed: the link goes, not its target
    assert not os.path.lexists(root / "p" / "b")
    (root / "p" / "c").symlink_to(target)
    mat.write_project("p", [("a", "a", "2")])  # "c" is not listed: the link goes
    assert not os.path.lexists(root / "p" / "c")
    assert snapshot(outside) == before


def test_directory_planted_as_value_file(mat, root, outside):
    (root / "p" / "a" / "deep").mkdir(parents=True)
    (root / "p" / "a" / "link").symlink_to(outside)
    before = snapshot(outside)
    mat.write_project("p", [("a", "a", "1")])
    assert (root / "p" / "a").read_text() == "1"
    assert snapshot(outside) == before


def test_removal_never_follows_links_inside(mat, root, outside):
    mat.write_project("p", [("a", "a", "1")])
    (root / "p" / "to-dir").symlink_to(outside)
    (root / "p" / "sub").mkdir()
    (root / "p" / "sub" / "to-file").symlink_to(outside / "target.txt")
    before = snapshot(outside)
    mat.write_project("p", [("a", "a", "1")])  # removes what it does not list
    assert sorted(os.listdir(root / "p")) == sorted(["a", INDEX_FILENAME])
    assert snapshot(outside) == before
    mat.write_project("p", [("a", "a", "1")])
    (root / "p" / "to-dir").symlink_to(outside)
    mat.remove_all()
    assert snapshot(outside) == before


def test_root_that_is_a_symlink_is_refused(base, outside):
    base.mkdir()
    (base / "server").symlink_to(outside)
    before = snapshot(outside)
    with pytest.raises(SecretsError, match="symbolic link"):
        Materializer(base / "server")
    assert snapshot(outside) == before


@as_root
def test_directories_of_another_user_are_refused(mat, root, base, tmp_path):
    (root / "p").mkdir(mode=0o700)
    os.chown(root / "p", 12345, -1)
    with pytest.raises(SecretsError, match="not to this user"):
        mat.write_project("p", [("a", "a", CANARY)])
    assert os.listdir(root / "p") == []
    other = tmp_path / "other-root"
    other.mkdir(mode=0o700)
    os.chown(other, 12345, -1)
    with pytest.raises(SecretsError, match="not to this user"):
        Materializer(other)
    with pytest.raises(SecretsError, match="not to this user"):
        ensure_base_dir(other)


# ------------------------------------------------------------------------- base dir, server trees


def test_new_server_dir(base):
    tree = new_server_dir(base)
    assert tree.parent == base
    assert tree.name.startswith(f"server-{os.getpid()}-")
    assert mode(base) == mode(tree) == 0o700
    owner = json.loads((tree / OWNER_FILENAME).read_text())
    assert owner["pid"] == os.getpid() and isinstance(owner["start_time"], (int, type(None)))
    assert new_server_dir(base) != tree


def test_base_dir_checks(tmp_path, outside):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    with pytest.raises(SecretsError, match="written by other users"):
        new_server_dir(shared)
    link = tmp_path / "link"
    link.symlink_to(outside)
    with pytest.raises(SecretsError, match="symbolic link"):
        new_server_dir(link)
    assert snapshot(outside) == {"target.txt": ("file", b"outside content", 0o644)}
    readable = tmp_path / "readable"
    readable.mkdir()
    os.chmod(readable, 0o755)
    assert ensure_base_dir(readable) == readable
    assert mode(readable) == 0o755  # an existing base's mode is left as is


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def write_owner(tree: Path, **changes) -> None:
    path = tree / OWNER_FILENAME
    record = json.loads(path.read_text())
    record.update(changes)
    path.write_text(json.dumps(record))


def test_cleanup_stale(base, tmp_path, outside):
    live = new_server_dir(base)
    Materializer(live).write_project("p", [("a", "a", "1")])
    dead = new_server_dir(base)
    Materializer(dead).write_project("p", [("a", "a", CANARY)])
    pid = dead_pid()
    write_owner(dead, pid=pid)
    rebooted = new_server_dir(base)
    write_owner(rebooted, boot_id="00000000-0000-0000-0000-000000000000")
    reused = new_server_dir(base)  # our pid, but another process start: the pid was reused
    write_owner(reused, start_time=1)
    no_marker = base / f"server-{pid}-0123abcd"
    no_marker.mkdir()
    elsewhere = new_server_dir(base)
    write_owner(elsewhere, pid=pid, host="another-host")
    not_ours = base / "notes"
    not_ours.mkdir()
    planted = base / f"server-{pid}-89abcdef"
    planted.symlink_to(outside)
    before = snapshot(outside)

    removed = cleanup_stale(base)

    assert removed == 4
    assert sorted(os.listdir(base)) == sorted([live.name, elsewhere.name, "notes", planted.name])
    assert (live / "p" / "a").read_text() == "1"
    assert snapshot(outside) == before
    assert cleanup_stale(base) == 0
    assert cleanup_stale(tmp_path / "missing") == 0


def test_live_server_tree_kept_with_marker_of_running_process(base):
    tree = new_server_dir(base)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        write_owner(tree, pid=child.pid, start_time=None)
        assert cleanup_stale(base) == 0
        assert tree.is_dir()
    finally:
        child.kill()
        child.wait()
    assert cleanup_stale(base) == 1


@pytest.mark.skipif(is_memory_backed(Path("/dev/shm")) is not True, reason="needs /dev/shm")
def test_default_base_dir_prefers_xdg_runtime_dir(monkeypatch):
    # tests/test_files_base_dir.py covers every other case of choose_base_dir.
    runtime = Path(tempfile.mkdtemp(prefix="pytest-runtime-", dir="/dev/shm"))  # tmpfs, 0700
    try:
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        base = default_base_dir()
        assert base == runtime / "jupyter-secrets"
        assert mode(base) == 0o700
    finally:
        shutil.rmtree(runtime)


@pytest.mark.skipif(not os.path.exists("/proc/self/mounts"), reason="needs /proc")
def test_is_memory_backed(tmp_path):
    mounts = Path("/proc/self/mounts").read_text().split("\n")
    if any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in mounts if line):
        assert is_memory_backed(Path("/dev/shm/jupyter-secrets-x/server")) is True
    assert is_memory_backed(Path("/proc/self")) is False
