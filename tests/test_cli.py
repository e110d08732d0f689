"""``jupyter secrets`` as a shell user runs it: real processes, a real store, real files."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from .conftest import CANARY
from .server_process import new_key

SUBCOMMANDS = ["list", "set", "rm", "slots", "bind", "status", "rotate-key", "doctor", "run"]


@pytest.fixture
def shell(tmp_path):
    """Run ``jupyter secrets ...`` with its own data dir, key and secrets dir; returns a caller."""
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    (tmp_path / "config").mkdir()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(
            tmp_path / "config"
        ),  # no jupyter_server_config.py of the machine's user
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_SECRETS_KEY": new_key(),
    }
    env.pop("JUPYTER_SECRETS_DIR", None)
    project = tmp_path / "project"
    project.mkdir()

    def call(
        *args: str, stdin: str | None = None, cwd: Path = project, extra_env=None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "jupyter_secrets.cli.main", *args],
            input=stdin,
            text=True,
            capture_output=True,
            env={**env, **(extra_env or {})},
            cwd=cwd,
            timeout=120,
        )

    call.project = project
    call.run_dir = run_dir
    call.env = env
    return call


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(shell, command):
    out = ok(shell(command, "--help"))
    assert "usage: jupyter secrets" in out


def test_set_list_rm(shell):
    ok(shell("set", "api-token", stdin=CANARY + "\n"))
    out = ok(shell("list"))
    assert "api-token" in out and "unused" in out and CANARY not in out
    ok(shell("set", "api-token", stdin="replaced-value\n"))
    assert "Deleted 'api-token'" in ok(shell("rm", "api-token"))
    assert "No saved secrets" in ok(shell("list"))
    result = shell("rm", "api-token")
    assert result.returncode == 1 and "no saved secret 'api-token'" in result.stderr


def test_value_never_comes_from_argv(shell):
    result = shell("set", "name", CANARY)
    assert (
        result.returncode == 2 and CANARY not in result.stderr
    )  # a usage error, which does not echo it


def test_slots_bind_status_and_run(shell):
    ok(shell("slots", "init", "--name", "Jobs"))
    ok(shell("slots", "add", "--name", "Token", "--filename", "token", "--env", "JOB_TOKEN"))
    ok(shell("slots", "add", "--name", "Other", "--filename", "other"))
    result = shell("slots", "add", "--name", "Bad", "--filename", "../x")
    assert result.returncode == 1 and "filename" in result.stderr

    status = shell("status")
    assert status.returncode == 3 and "missing" in status.stdout

    ok(shell("set", "job-token", stdin=CANARY))
    ok(shell("bind", "Token", "job-token"))
    ok(shell("bind", "other", stdin="other-value\n"))
    assert "Every slot" in ok(shell("status"))
    assert "provided" in ok(shell("slots"))

    code = (
        "import os, hashlib; from jupyter_secrets import get_secret; "
        "print(hashlib.sha256(get_secret('Token').encode()).hexdigest(), os.environ['JOB_TOKEN'] == get_secret('token'))"
    )
    out = ok(shell("run", "--secrets-dir", str(shell.run_dir), "--", sys.executable, "-c", code))
    assert out.split() == [hashlib.sha256(CANARY.encode()).hexdigest(), "True"]
    assert list(shell.run_dir.iterdir()) == [], "run left files behind"

    # the command's exit code comes back, and the files are gone even when it fails
    failed = shell(
        "run",
        "--secrets-dir",
        str(shell.run_dir),
        "--",
        sys.executable,
        "-c",
        "import sys; sys.exit(7)",
    )
    assert failed.returncode == 7
    assert list(shell.run_dir.iterdir()) == []


def test_run_executes_a_notebook(shell):
    ok(shell("slots", "init", "--name", "Notebooks"))
    ok(shell("slots", "add", "--name", "Token", "--filename", "token"))
    ok(shell("bind", "Token", stdin=CANARY))
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "from jupyter_secrets import get_secret\nprint(len(get_secret('Token')))"
        )
    )
    nbformat.write(notebook, shell.project / "job.ipynb")
    ok(
        shell(
            "run",
            "--secrets-dir",
            str(shell.run_dir),
            "--",
            sys.executable,
            "-m",
            "jupyter",
            "execute",
            "--inplace",
            "job.ipynb",
        )
    )
    executed = nbformat.read(shell.project / "job.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == str(len(CANARY))
    assert list(shell.run_dir.iterdir()) == []


def test_status_outside_a_project(shell):
    result = shell("status")
    assert result.returncode == 1 and "in no project" in result.stderr


def test_rotate_key_and_doctor(shell, tmp_path):
    ok(shell("set", "first", stdin="first-value"))
    # without JUPYTER_SECRETS_KEY the key file is used and rotated
    env = {"JUPYTER_SECRETS_KEY": ""}
    ok(
        shell(
            "set",
            "filed",
            stdin="filed-value",
            extra_env={"JUPYTER_DATA_DIR": str(tmp_path / "other")} | env,
        )
    )
    key_file = tmp_path / "other" / "jupyter_secrets" / "secrets.key"
    old_key = key_file.read_bytes()
    out = ok(shell("rotate-key", extra_env={"JUPYTER_DATA_DIR": str(tmp_path / "other")} | env))
    assert "Re-encrypted 1" in out
    assert key_file.read_bytes() != old_key
    assert "filed" in ok(
        shell("list", extra_env={"JUPYTER_DATA_DIR": str(tmp_path / "other")} | env)
    )
    doctor = shell("doctor", extra_env={"JUPYTER_DATA_DIR": str(tmp_path / "other")} | env)
    assert "key file" in doctor.stdout
    os.chmod(key_file, 0o644)
    doctor = shell("doctor", extra_env={"JUPYTER_DATA_DIR": str(tmp_path / "other")} | env)
    assert doctor.returncode == 1 and "chmod 600" in doctor.stdout


def test_wrong_key_reports_a_locked_store(shell):
    ok(shell("set", "kept", stdin="kept-value"))
    result = shell("set", "another", stdin="x-value", extra_env={"JUPYTER_SECRETS_KEY": new_key()})
    assert result.returncode == 1 and "locked" in result.stderr
    assert "kept" in ok(shell("list"))


def test_owner_selects_whose_secrets(shell):
    ok(shell("--owner", "alice", "set", "alice-token", stdin="alice-value"))
    assert "alice-token" in ok(shell("--owner", "alice", "list"))
    assert "alice-token" not in ok(shell("list"))
