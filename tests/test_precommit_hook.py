"""The pre-commit hook ``jupyter-secrets-scan``: a real ``pre-commit`` in a real git repository.

``git commit`` runs the hook installed by ``pre-commit install``; a commit holding one of the
committer's values is blocked, a clean one goes through.  The hook finds the store as the
CLI does, from the user's home and environment alone: the default store and key file under
the Jupyter data directory, or a store named in ``~/.jupyter/jupyter_server_config.py`` with
the key in ``JUPYTER_SECRETS_KEY``.

What is not run here: pre-commit's own installation of ``language: python`` hooks (it
pip-installs this repository into a fresh environment, which needs the network and a built
frontend).  The hook is declared in ``.pre-commit-hooks.yaml``, validated here with
pre-commit's own manifest schema, and run with that declaration as a ``repo: local`` hook
whose entry is this environment's ``jupyter-secrets``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pre_commit.clientlib import load_manifest

from .server_process import new_key

REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = REPO_ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
VALUE = "hook" + "-Rt5" + "Kp9-" + "plain-words-value"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def test_the_manifest_is_valid_and_declares_the_hook():
    (hook,) = load_manifest(str(MANIFEST))  # pre-commit's schema: raises when invalid
    assert hook["id"] == "jupyter-secrets-scan"
    assert hook["entry"] == "jupyter-secrets scan"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    # The entry is the console script this package installs.
    assert (BIN / "jupyter-secrets").exists()


def foreign_environment(where: Path) -> Path:
    """A Python environment of its own (another ``sys.prefix``, as pre-commit makes for a
    hook) that imports this package and its dependencies from here; its ``python``."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    (site_packages,) = where.glob("lib/python*/site-packages")
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site_packages / "from_the_test_env.pth").write_text("\n".join([str(REPO_ROOT), *ours]) + "\n")
    return where / "bin" / "python"


@pytest.fixture
def home(tmp_path, request):
    """A user's home with nothing of the machine's Jupyter set-up, and a git repository."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "XDG_", "PRE_COMMIT", "GIT_"))
    }
    env.update(
        HOME=str(home),
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-cache"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
        GIT_CONFIG_NOSYSTEM="1",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    repo = tmp_path / "repo"
    repo.mkdir()

    def run(*args, cwd=repo, stdin=None, extra_env=None):
        return subprocess.run(
            list(args),
            cwd=cwd,
            env={**env, **(extra_env or {})},
            input=stdin,
            text=True,
            capture_output=True,
            timeout=300,
        )

    run("git", "init", "-q", "-b", "main")
    (hook,) = yaml.safe_load(MANIFEST.read_text())
    entry = f"{BIN / 'jupyter-secrets'} scan"
    if getattr(request, "param", None) == "foreign":
        python = foreign_environment(tmp_path / "hook-env")
        entry = f"{python} -m jupyter_secrets.cli.main scan"
    hook = {**hook, "language": "system", "entry": entry}
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    result = run(str(BIN / "pre-commit"), "install")
    assert result.returncode == 0, result.stdout + result.stderr
    run("git", "add", ".pre-commit-config.yaml")
    # (no store yet: the hook would block, as it says in test_exit_codes_and_messages)
    assert run("git", "commit", "-q", "--no-verify", "-m", "config").returncode == 0
    run.repo, run.home, run.env = repo, home, env
    return run


def commit(home, name: str, text: str) -> subprocess.CompletedProcess:
    (home.repo / name).write_text(text)
    home("git", "add", name)
    return home("git", "commit", "-m", f"add {name}")


def committed_files(home) -> set[str]:
    return set(home("git", "ls-tree", "-r", "--name-only", "HEAD").stdout.split())


def test_a_commit_holding_a_value_is_blocked_and_a_clean_one_goes_through(home):
    # The default store and its key file, as `jupyter secrets set` makes them.
    result = home(str(BIN / "jupyter-secrets"), "set", "deploy key", stdin=VALUE)
    assert result.returncode == 0, result.stderr
    default_store = home.home / ".local/share/jupyter/jupyter_secrets/secrets.sqlite3"
    assert default_store.exists() and (default_store.parent / "secrets.key").exists()

    result = commit(home, "settings.py", f'\n\nKEY = "{VALUE}"\n')
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "settings.py:3: 'deploy key'" in output
    assert VALUE not in output
    assert "settings.py" not in committed_files(home)

    home("git", "rm", "-q", "--cached", "settings.py")
    result = commit(home, "clean.py", "KEY = get_secret('deploy key')\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "clean.py" in committed_files(home)


@pytest.mark.parametrize("home", ["foreign"], indirect=True)
def test_the_hook_finds_a_configured_store_and_the_key_from_the_environment(home):
    """The hook runs in an environment of its own (another sys.prefix): the store and key
    still come from the user's ~/.jupyter config and environment."""
    key = new_key()
    store = home.home / "elsewhere" / "mine.sqlite3"
    config_dir = home.home / ".jupyter"
    config_dir.mkdir()
    (config_dir / "jupyter_server_config.py").write_text(
        f"c.SecretsExtension.store_path = {str(store)!r}\n"
    )
    with_key = {"JUPYTER_SECRETS_KEY": key}
    result = home(str(BIN / "jupyter-secrets"), "set", "token", stdin=VALUE, extra_env=with_key)
    assert result.returncode == 0, result.stderr
    assert store.exists() and not (store.parent / "secrets.key").exists()

    (home.repo / "notes.md").write_text(f"token: {VALUE}\n")
    home("git", "add", "notes.md")
    result = home("git", "commit", "-m", "notes", extra_env=with_key)
    assert result.returncode != 0 and "notes.md:1: 'token'" in result.stdout + result.stderr
    assert VALUE not in result.stdout + result.stderr
    # Without the key the store is locked: the hook blocks and says why, rather than passing.
    result = home("git", "commit", "-m", "notes")
    assert result.returncode != 0 and "locked" in result.stdout + result.stderr
    assert "notes.md" not in committed_files(home)
