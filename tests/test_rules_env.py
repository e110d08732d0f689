"""Env names that change programs (issue 11.5): refused by family, wherever a name comes in.

A committed slot file decides the variable name and a member only types the value, so no name
may make a program load code, send traffic elsewhere, trust other certificates or write files
(SSLKEYLOGFILE made the value a file name; HTTPS_PROXY sent it to DNS).  Credentials people
really use stay allowed.  Checked on the rule itself, through the REST API of a real server,
in a slot file read from disk (it must not reach a kernel's environment) and through the CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from jupyter_secrets.errors import InvalidInput
from jupyter_secrets.rules import env_name_refusal, validate_env

from .conftest import CANARY
from .server_process import new_key

# The names the attack suite tried (46 of 46 passed the old deny-list), and members of every
# family the issue lists as NAME_* (one or two real names each).
BEHAVIOUR_CHANGING = [
    # code loaders
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "CLASSPATH",
    "PERLLIB",
    "PERL5LIB",
    "PERL5OPT",
    "R_LIBS_SITE",
    "R_LIBS_USER",
    "R_PROFILE_USER",
    "GCONV_PATH",
    "LUA_INIT",
    "LUA_PATH",
    "DOTNET_STARTUP_HOOKS",
    "CORECLR_PROFILER",
    "OPENSSL_CONF",
    "OPENSSL_MODULES",
    "NODE_OPTIONS",
    "NODE_PATH",
    "RUBYOPT",
    "RUBYLIB",
    "GEM_HOME",
    "GEM_PATH",
    "MAVEN_OPTS",
    "GRADLE_OPTS",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "DYLD_INSERT_LIBRARIES",
    "MALLOC_CONF",
    "MALLOC_PERTURB_",
    "GLIBC_TUNABLES",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYSPARK_PYTHON",
    "IPYTHONDIR",
    "GOFLAGS",
    "GOPROXY",
    "CGO_LDFLAGS",
    "JULIA_LOAD_PATH",
    "MPLBACKEND",
    "DJANGO_SETTINGS_MODULE",
    # traffic, trust and names of files
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "SSLKEYLOGFILE",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "AWS_CA_BUNDLE",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "PYTHONHTTPSVERIFY",
    "GIT_SSL_NO_VERIFY",
    "PGSSLMODE",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "UV_INDEX_URL",
    "NPM_CONFIG_REGISTRY",
    "KRB5CCNAME",
    "KRB5_CONFIG",
    "GNUPGHOME",
    "MPLCONFIGDIR",
    "XDG_CONFIG_HOME",
    "XDG_RUNTIME_DIR",
    "DOCKER_HOST",
    "PGHOST",
    "VAULT_ADDR",
    "SSH_AUTH_SOCK",
    "AWS_ENDPOINT_URL",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "KUBECONFIG",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "NETRC",
    "HF_HOME",
    "TRANSFORMERS_CACHE",
    "HOSTALIASES",
    "RES_OPTIONS",
    "LOCALDOMAIN",
    # commands programs run
    "PAGER",
    "MANPAGER",
    "GIT_PAGER",
    "EDITOR",
    "VISUAL",
    "GIT_EDITOR",
    "BROWSER",
    "GIT_SSH_COMMAND",
    "GIT_SSH",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "PROMPT_COMMAND",
    "BASH_ENV",
    "ENV",
    "SHELL",
    "SHELLOPTS",
    "LESSOPEN",
    "CC",
    "CXX",
    "MAKEFLAGS",
    # how shells and tools run
    "PS1",
    "PS4",
    "IFS",
    "TZ",
    "TERM",
    "TERMINFO",
    "LC_ALL",
    "LC_CTYPE",
    "LANG",
    "LANGUAGE",
    "TMPDIR",
    "TMP",
    "TEMP",
    "HOME",
    "USER",
    "PATH",
    "HISTFILE",
    "DISPLAY",
    # tool prefixes: GIT_*, PIP_*, CONDA_*, R_*, JAVA_*, GEM_*, NPM_CONFIG_*, XDG_*, ...
    "GIT_DIR",
    "GIT_CONFIG_GLOBAL",
    "GIT_EXEC_PATH",
    "PIP_CONFIG_FILE",
    "PIP_TRUSTED_HOST",
    "CONDA_PREFIX",
    "CONDA_PKGS_DIRS",
    "MAMBA_ROOT_PREFIX",
    "VIRTUAL_ENV",
    "R_HOME",
    "R_ENVIRON_USER",
    "JAVA_HOME",
    "NPM_CONFIG_USERCONFIG",
    "NPM_TOKEN",
    "YARN_RC_FILENAME",
    "JUPYTER_CONFIG_DIR",
    "JUPYTERHUB_API_TOKEN",
    "JUPYTER_SECRETS_DIR",
    "JPY_SESSION_NAME",
    "BASH_FUNC_X",
    "DOTNET_ROOT",
]

# Credentials that real users put in env variables: they must keep working.
CREDENTIALS = [
    "DATABASE_URL",
    "PGPASSWORD",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "HF_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_CLIENT_SECRET",
    "SNOWFLAKE_PASSWORD",
    "MLFLOW_TRACKING_PASSWORD",
    "WANDB_API_KEY",
    "SLACK_BOT_TOKEN",
    "DB_PASSWORD",
    "API_TOKEN",
    # names a family could have caught by accident (see the comments in validation.py)
    "GITLAB_TOKEN",
    "LANGCHAIN_API_KEY",
    "CONFLUENT_API_KEY",
    "CONFLUENCE_API_TOKEN",
    "SLACK_WEBHOOK_URL",
    "GOOGLE_API_KEY",
    "SENTRY_DSN",
    "MONGODB_URI",
    "REDIS_PASSWORD",
    "MYSQL_ROOT_PASSWORD",
    "STRIPE_SECRET_KEY",
    "LIBSQL_AUTH_TOKEN",
    "PROMPTLAYER_API_KEY",
    "WEBHOOK_SECRET",
    "DIRECTUS_TOKEN",
    "HOMEPAGE",
    "KAGGLE_KEY",
    "COHERE_API_KEY",
]


def refused(name: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        validate_env(name)
    assert info.value.field == "env"
    return info.value


@pytest.mark.parametrize("name", BEHAVIOUR_CHANGING)
def test_behaviour_changing_names_are_refused(name):
    message = str(refused(name))
    # The message names the variable, its family and what it would do.
    assert message.startswith(f"env: '{name}' is refused: ")
    assert "names " in message


@pytest.mark.parametrize("name", ["https_proxy", "http_proxy", "no_proxy", "ld_preload"])
def test_lower_case_names_are_refused_by_the_syntax_rule(name):
    assert "uppercase letters" in refused(name).rule


@pytest.mark.parametrize("name", CREDENTIALS)
def test_credential_names_stay_allowed(name):
    assert env_name_refusal(name) is None
    assert validate_env(name) == name


def test_the_message_says_the_family_and_why():
    assert str(refused("HTTPS_PROXY")) == (
        "env: 'HTTPS_PROXY' is refused: names containing PROXY redirect network traffic through "
        "another server (the value would leave the machine); choose another name (kernels can "
        "still read the value from its file)"
    )
    assert "names starting with GIT_" in str(refused("GIT_SSH_COMMAND"))
    assert "names ending in FILE name a file" in str(refused("SSLKEYLOGFILE"))
    assert "TZ is one of the names that decide how shells" in str(refused("TZ"))


# ---------------------------------------------------------------------------- through a server


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "SSLKEYLOGFILE", "JAVA_TOOL_OPTIONS", "PAGER"])
async def test_api_refuses_them_on_add_and_edit(api, project, jp_root_dir, name):
    pid = (await project())["id"]
    before = (jp_root_dir / "proj" / ".jupyter" / "secret-slots.json").read_bytes()
    status, reply = await api(
        "POST", "projects", pid, "slots", body={"name": "Token", "filename": "token", "env": name}
    )
    assert status == 400 and reply["field"] == "env", reply
    assert reply["message"].startswith(f"env: '{name}' is refused: ")
    status, slot = await api(
        "POST",
        "projects",
        pid,
        "slots",
        body={"name": "Token", "filename": "token", "env": "API_TOKEN"},
    )
    assert status == 201, slot
    after_add = (jp_root_dir / "proj" / ".jupyter" / "secret-slots.json").read_bytes()
    status, reply = await api("PATCH", "projects", pid, "slots", slot["id"], body={"env": name})
    assert status == 400 and reply["field"] == "env", reply
    assert after_add != before
    assert (jp_root_dir / "proj" / ".jupyter" / "secret-slots.json").read_bytes() == after_add


@pytest.mark.parametrize("name", CREDENTIALS[:6])
async def test_api_accepts_credential_names(api, project, name):
    pid = (await project())["id"]
    status, slot = await api(
        "POST", "projects", pid, "slots", body={"name": "Token", "filename": "token", "env": name}
    )
    assert status == 201 and slot["env"] == name, slot


def extension(serverapp):
    (app,) = serverapp.extension_manager.extension_apps["jupyter_secrets"]
    return app


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "SSLKEYLOGFILE", "LD_PRELOAD"])
async def test_a_committed_slot_file_cannot_give_kernels_such_a_name(
    api, project, jp_root_dir, jp_serverapp, name
):
    """Decision: a slot file with a refused env name is an invalid file (422 for the project,
    its error names the slot and the rule), so none of its names reach a kernel."""
    pid = (await project())["id"]
    status, slot = await api(
        "POST",
        "projects",
        pid,
        "slots",
        body={"name": "Token", "filename": "token", "env": "API_TOKEN"},
    )
    assert status == 201
    status, _ = await api(
        "PUT", "projects", pid, "slots", slot["id"], "value", body={"value": CANARY}
    )
    assert status == 200
    service = extension(jp_serverapp).service
    assert service.kernel_env(str(jp_root_dir / "proj"))["API_TOKEN"] == CANARY

    # Someone commits a change of the variable name.
    path = jp_root_dir / "proj" / ".jupyter" / "secret-slots.json"
    data = json.loads(path.read_text())
    data["slots"][0]["env"] = name
    path.write_text(json.dumps(data))

    env = service.kernel_env(str(jp_root_dir / "proj"))
    assert name not in env and CANARY not in env.values()
    status, model = await api("GET", "projects", params={"path": "proj"})
    assert status == 200 and model["exists"] is True, model
    assert f"slots[0].env: '{name}' is refused" in model["error"]
    assert CANARY not in json.dumps(model)
    status, reply = await api("GET", "projects", pid)
    assert status == 422 and f"'{name}' is refused" in reply["message"], reply


def test_cli_slots_add_refuses_them(tmp_path):
    """`jupyter secrets slots add --env ...` as a shell user runs it (a real process)."""
    env = {
        **os.environ,
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_SECRETS_KEY": new_key(),
    }
    env.pop("JUPYTER_SECRETS_DIR", None)

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "jupyter_secrets.cli.main", *args],
            text=True,
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )

    assert cli("slots", "init", "--name", "Jobs").returncode == 0
    slot_file = tmp_path / ".jupyter" / "secret-slots.json"
    before = slot_file.read_bytes()
    result = cli("slots", "add", "--name", "Token", "--filename", "token", "--env", "HTTPS_PROXY")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "env: 'HTTPS_PROXY' is refused: names containing PROXY" in result.stderr
    assert slot_file.read_bytes() == before
    result = cli("slots", "add", "--name", "Token", "--filename", "token", "--env", "GITHUB_TOKEN")
    assert result.returncode == 0, result.stdout + result.stderr
