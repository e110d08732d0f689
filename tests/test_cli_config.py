"""``jupyter secrets`` reads the server's config, as a shell user meets it: real processes.

A temporary ``JUPYTER_CONFIG_DIR`` holds a ``jupyter_server_config.py`` (or ``.json``) setting
``c.SecretsExtension.*``; the CLI must use that store, owner, size limit and secrets directory,
a server started with the same config must see what the CLI wrote, and the command line must
override the files.  Also: every command's help, and usage errors (exit code 2).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_secrets.core.settings import SHARED_SETTINGS
from jupyter_secrets.core.settings import SecretsExtension as CLISettings
from jupyter_secrets.server.app import SecretsExtension as ServerExtension
from jupyter_secrets.store.sqlite import SQLiteSecretStore

from .conftest import CANARY
from .server_process import ServerProcess, new_key

COMMANDS = [
    ["list"],
    ["set"],
    ["rm"],
    ["slots"],
    ["slots", "list"],
    ["slots", "add"],
    ["slots", "rm"],
    ["slots", "init"],
    ["bind"],
    ["status"],
    ["rotate-key"],
    ["doctor"],
    ["run"],
]


class Shell:
    """``jupyter secrets ...`` with its own config, data and runtime dirs, and a key."""

    def __init__(self, tmp_path: Path):
        self.config_dir = tmp_path / "config"
        self.config_dir.mkdir()
        self.project = tmp_path / "project"
        self.project.mkdir()
        self.store = tmp_path / "configured" / "secrets.sqlite3"
        self.key = new_key()
        self.env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(self.config_dir),
            "JUPYTER_DATA_DIR": str(tmp_path / "data"),
            "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
            "JUPYTER_SECRETS_KEY": self.key,
        }
        self.env.pop("JUPYTER_SECRETS_DIR", None)

    def configure(self, text: str, name: str = "jupyter_server_config.py") -> None:
        (self.config_dir / name).write_text(text)

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "jupyter_secrets.cli", *args],
            input=stdin,
            text=True,
            capture_output=True,
            env=self.env,
            cwd=self.project,
            timeout=120,
        )

    def names_in(self, store: Path, owner: str) -> list[str]:
        opened = SQLiteSecretStore.open(store, env={"JUPYTER_SECRETS_KEY": self.key})
        try:
            return [meta.name for meta in opened.list_secrets(owner)]
        finally:
            opened.close()


@pytest.fixture
def shell(tmp_path) -> Shell:
    return Shell(tmp_path)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def usage_error(result: subprocess.CompletedProcess, *expected: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "usage: jupyter secrets" in result.stderr and "Traceback" not in result.stderr, (
        result.stderr
    )
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


# ---------------------------------------------------------------------- the config is read


@pytest.mark.parametrize("form", ["py", "json"])
def test_the_cli_writes_into_the_configured_store_for_the_configured_owner(shell, form):
    """Before: the CLI ignored the config and wrote to <data dir>/jupyter_secrets as `root`."""
    if form == "py":
        shell.configure(
            f"c.SecretsExtension.store_path = {str(shell.store)!r}\nc.SecretsExtension.owner = 'carol'\n"
        )
    else:
        shell.configure(
            json.dumps({"SecretsExtension": {"store_path": str(shell.store), "owner": "carol"}}),
            "jupyter_server_config.json",
        )
    ok(shell("set", "api-token", stdin=CANARY))
    assert shell.names_in(shell.store, "carol") == ["api-token"]
    assert not (Path(shell.env["JUPYTER_DATA_DIR"]) / "jupyter_secrets").exists(), (
        "wrote to the default store"
    )
    assert "api-token" in ok(shell("list"))


def test_a_server_started_with_that_config_sees_what_the_cli_wrote(shell, tmp_path):
    server = ServerProcess(tmp_path / "server", env={"JUPYTER_SECRETS_KEY": shell.key})
    shell.config_dir = server.workdir / "config"  # the server's JUPYTER_CONFIG_DIR
    shell.env["JUPYTER_CONFIG_DIR"] = str(shell.config_dir)
    shell.configure(
        f"c.SecretsExtension.store_path = {str(server.store_path)!r}\n"
        "c.SecretsExtension.owner = 'carol'\n"
        "c.SecretsExtension.on_save = 'refuse'\n"  # the server's own settings: no warning in the CLI
    )
    result = shell("set", "from-the-cli", stdin=CANARY)
    assert ok(result) and "not recognized" not in result.stderr, result.stderr
    server.start()
    try:
        status, secrets = server.request("GET", "/api/secrets/user-secrets")
        assert status == 200, secrets
        assert [s["name"] for s in secrets["secrets"]] == ["from-the-cli"]
        status, _ = server.request(
            "POST",
            "/api/secrets/user-secrets",
            {"name": "from-the-server", "value": "server-value"},
        )
        assert status == 201
    finally:
        server.stop()
    assert "from-the-server" in ok(shell("list"))


def test_the_command_line_overrides_the_config(shell, tmp_path):
    shell.configure(
        f"c.SecretsExtension.store_path = {str(shell.store)!r}\nc.SecretsExtension.owner = 'carol'\n"
    )
    other = tmp_path / "other" / "secrets.sqlite3"
    ok(shell("--store", str(other), "set", "elsewhere", stdin="elsewhere-value"))
    ok(shell("set", "--owner=dave", "daves", stdin="dave-value"))
    ok(shell("--SecretsExtension.owner=erin", "set", "erins", stdin="erin-value"))
    assert shell.names_in(other, "carol") == ["elsewhere"]
    assert shell.names_in(shell.store, "dave") == ["daves"]
    assert shell.names_in(shell.store, "erin") == ["erins"]
    assert shell.names_in(shell.store, "carol") == []
    # --config: another config file, as `jupyter server --config` takes it
    alternative = tmp_path / "alt_config.py"
    alternative.write_text(
        f"c.SecretsExtension.store_path = {str(other)!r}\nc.SecretsExtension.owner = 'carol'\n"
    )
    assert "elsewhere" in ok(shell("--config", str(alternative), "list"))


def test_the_configured_size_limit_and_key_file(shell, tmp_path):
    key_file = tmp_path / "keys" / "my.key"
    shell.env["JUPYTER_SECRETS_KEY"] = ""
    shell.configure(
        f"c.SecretsExtension.store_path = {str(shell.store)!r}\n"
        f"c.SecretsExtension.key_file = {str(key_file)!r}\n"
        "c.SecretsExtension.max_value_bytes = 8\n"
    )
    result = shell("set", "big", stdin="x" * 20)
    assert result.returncode == 1 and "at most 8 bytes" in result.stderr, result.stderr
    ok(shell("set", "small", stdin="tiny"))
    assert key_file.exists() and not shell.store.with_name("secrets.key").exists()
    shell.configure("c.SecretsExtension.max_value_bytes = 0\n")
    result = shell("list")
    assert result.returncode == 1 and "max_value_bytes must be at least 1" in result.stderr, (
        result.stderr
    )


def test_run_and_doctor_use_the_configured_secrets_dir(shell, tmp_path):
    secrets_dir = tmp_path / "on-disk"
    secrets_dir.mkdir(mode=0o700)
    shell.configure(f"c.SecretsExtension.secrets_dir = {str(secrets_dir)!r}\n")
    ok(shell("slots", "init", "--name", "Jobs"))
    ok(shell("slots", "add", "--name", "Token", "--filename", "token"))
    ok(shell("bind", "Token", stdin=CANARY))
    code = "import os; print(os.environ['JUPYTER_SECRETS_DIR'])"
    used = Path(ok(shell("run", "--", sys.executable, "-c", code)).strip())
    assert used.is_relative_to(secrets_dir), used
    assert not used.exists(), "run left its files behind"
    doctor = shell("doctor")
    assert f"{secrets_dir} is not memory-backed" in doctor.stdout, doctor.stdout
    # --secrets-dir overrides the config for both
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    assert str(elsewhere) in shell("doctor", "--secrets-dir", str(elsewhere)).stdout
    used = Path(
        ok(shell("run", "--secrets-dir", str(elsewhere), "--", sys.executable, "-c", code)).strip()
    )
    assert used.is_relative_to(elsewhere), used


def test_the_cli_reads_the_same_settings_with_the_same_defaults_as_the_server():
    """One declaration: the CLI's view of c.SecretsExtension has the server's traits and defaults."""
    server, cli = ServerExtension(), CLISettings()
    assert set(SHARED_SETTINGS) == {
        "store_class",
        "store_path",
        "key_file",
        "secrets_dir",
        "max_value_bytes",
        "expiry_warning_days",  # `jupyter secrets status` warns as the server does
        "owner",
    }
    for name in SHARED_SETTINGS:
        server_trait, cli_trait = (
            ServerExtension.class_traits()[name],
            CLISettings.class_traits()[name],
        )
        assert type(server_trait) is type(cli_trait) and server_trait.help == cli_trait.help, name
        assert getattr(server, name) == getattr(cli, name), name


# ---------------------------------------------------------------------- the command line


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(shell, command):
    out = ok(shell(*command, "--help"))
    assert out.startswith(f"usage: jupyter secrets {' '.join(command)}"), out
    assert "--store" in out and "--SecretsExtension.store_path" in out


def test_help_of_the_app_lists_the_commands_and_says_where_the_config_comes_from(shell):
    out = ok(shell("--help"))
    assert out.startswith("usage: jupyter secrets")
    assert "jupyter_server_config.py" in out and "c.SecretsExtension" in out
    for command in ("list", "set", "rm", "slots", "bind", "status", "rotate-key", "doctor", "run"):
        assert f"\n{command}\n" in out
    assert ok(shell("help", "set")).startswith("usage: jupyter secrets set NAME")
    assert ok(shell("--version")).strip()


@pytest.mark.parametrize(
    "args, expected",
    [
        ([], "missing command"),
        (["frob"], "unknown command 'frob'"),
        (["set"], "missing NAME"),
        (["rm", "a", "b"], "too many arguments"),
        (["list", "--bogus"], "unknown option --bogus"),
        (["list", "--bogus=1"], "unknown option --bogus"),
        (["set", "x", "-q"], "unknown option -q"),
        (["--store"], "argument --store: expected one argument"),
        (["slots", "frob"], "unknown command 'frob'"),
        (["slots", "rm"], "missing SLOT"),
        (["run"], "nothing to run"),
        (["run", "--project", "."], "nothing to run"),
        (["list", "--SecretsExtension.max_value_bytes=lots"], "max_value_bytes"),
        (["list", "--secrets-dir", "/tmp"], "unknown option --secrets-dir"),
    ],
)
def test_usage_errors_exit_2_and_say_what_is_wrong(shell, args, expected):
    usage_error(shell(*args), expected)


def test_a_value_given_on_the_command_line_is_refused_and_not_echoed(shell):
    err = usage_error(shell("set", "name", CANARY), "never from the command line")
    assert CANARY not in err


def test_options_before_the_command_and_everything_after_dashes_untouched(shell):
    ok(shell("slots", "init", "--name", "Jobs"))
    ok(
        shell(
            "--owner",
            "alice",
            "slots",
            "--project",
            str(shell.project),
            "add",
            "--name",
            "Token",
            "--filename",
            "token",
        )
    )
    ok(shell("--owner", "alice", "bind", "Token", stdin=CANARY))
    assert "Every slot" in ok(shell("--owner", "alice", "status"))
    code = "import sys; print(sys.argv[1:])"
    out = ok(
        shell(
            "--owner",
            "alice",
            "run",
            "--",
            sys.executable,
            "-c",
            code,
            "--help",
            "--project",
            "x",
            "--",
        )
    )
    assert out.strip() == "['--help', '--project', 'x', '--']"
    # without `--`, the command starts at the first argument that is not an option
    out = ok(shell("run", "--owner", "alice", sys.executable, "-c", code, "-h", "--store"))
    assert out.strip() == "['-h', '--store']"
    # the command's exit code comes back
    assert (
        shell("--owner", "alice", "run", sys.executable, "-c", "raise SystemExit(9)").returncode
        == 9
    )
