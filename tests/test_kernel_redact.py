"""Output redaction inside real IPython kernels, loaded the way the server loads it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel
from jupyter_client.provisioning import KernelProvisionerFactory

from jupyter_secrets.guards.kernel_redact import SecretValues
from jupyter_secrets.helper import INDEX_FILENAME
from jupyter_secrets.server.kernels import REDACTION_ARGUMENT

from .conftest import CANARY

MARK = "[REDACTED:API token]"
HTML_VALUE = "p<a>ss&word-42"


def write_secrets(directory: Path, slots: dict[str, tuple[str, str]]) -> None:
    """``slots``: {slot name: (filename, value)}; written as the materializer does (atomically)."""
    for filename, value in slots.values():
        write_atomically(directory / filename, value)
    index = {"version": 1, "slots": {name: filename for name, (filename, _) in slots.items()}}
    write_atomically(directory / INDEX_FILENAME, json.dumps(index))


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def kernel_env(secrets_dir: Path | None) -> dict[str, str]:
    # Not under pytest's capture: the kernel redirects file descriptors as it does in Jupyter.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_CURRENT_TEST", "JUPYTER_SECRETS_DIR")
    }
    if secrets_dir is not None:
        env["JUPYTER_SECRETS_DIR"] = str(secrets_dir)
    return env


def start(env: dict[str, str], argument: str = REDACTION_ARGUMENT):
    return start_new_kernel(
        kernel_name="python3", startup_timeout=60, extra_arguments=[argument], env=env
    )


def run(kc, code: str) -> tuple[list[dict], dict]:
    """(IOPub messages of this execution, execute_reply content)."""
    messages: list[dict] = []
    reply = kc.execute_interactive(code, output_hook=messages.append, timeout=60)
    shown = [m for m in messages if m["msg_type"] not in ("status", "execute_input")]
    return shown, reply["content"]


def stdout(messages: list[dict]) -> str:
    """The stdout of an execution: ipykernel may split it in several messages (under load)."""
    return "".join(
        m["content"]["text"]
        for m in messages
        if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
    )


def everything(messages: list[dict], reply: dict) -> str:
    return json.dumps([m["content"] for m in messages] + [reply], ensure_ascii=False)


@pytest.fixture(scope="module", autouse=True)
def local_provisioner():
    """Start these kernels with jupyter_client's own provisioner.

    A server test earlier in the run leaves jupyter_secrets' provisioner as the process-wide
    default (``KernelProvisionerFactory`` is a singleton); these kernels have no server, and
    the extension must be tested alone, loaded by its argument.
    """
    factory = KernelProvisionerFactory.instance()
    previous = factory.default_provisioner_name
    factory.default_provisioner_name = "local-provisioner"
    yield
    factory.default_provisioner_name = previous


@pytest.fixture(scope="module")
def secrets_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("secrets")
    os.chmod(directory, 0o700)
    write_secrets(
        directory, {"API token": ("api-token", CANARY), "db password": ("db-password", HTML_VALUE)}
    )
    return directory


@pytest.fixture(scope="module")
def kernel(secrets_dir):
    km, kc = start(kernel_env(secrets_dir))
    run(kc, "from jupyter_secrets import get_secret")
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


@pytest.mark.parametrize(
    "code, msg_type",
    [
        ('print(get_secret("API token"))', "stream"),
        ('import sys; sys.stderr.write("x " + get_secret("API token") + "\\n")', "stream"),
        ('display(get_secret("API token"))', "display_data"),
        ('get_secret("API token")', "execute_result"),
        ('import logging; logging.getLogger().warning(get_secret("API token"))', "stream"),
        (
            'import threading; t = threading.Thread(target=lambda: print(get_secret("API token"))); t.start(); t.join()',
            "stream",
        ),
        # a child process writes to the file descriptor; ipykernel's pipe reader forwards it
        (
            'import os, time; os.system("cat " + str(secret_path("API token"))); time.sleep(0.5)',
            "stream",
        ),
        ('{"token": get_secret("API token")}', "execute_result"),
    ],
    ids=["print", "stderr", "display", "expression", "logging", "thread", "subprocess", "dict"],
)
def test_output_is_redacted(kernel, code, msg_type):
    if "secret_path" in code:
        run(kernel, "from jupyter_secrets import secret_path")
    messages, reply = run(kernel, code)
    assert reply["status"] == "ok", reply
    if "secret_path" in code:
        # the pipe reader may forward the child's output after the cell ended: wait for it
        messages += run(kernel, "import time; time.sleep(0.5)")[0]
    assert [m for m in messages if m["msg_type"] == msg_type], messages
    text = everything(messages, reply)
    assert CANARY not in text
    assert MARK in text


def test_logging_handler_holding_the_stream(kernel):
    # basicConfig's StreamHandler keeps a reference to sys.stderr: the same OutStream, hooked.
    code = (
        "import logging, sys\n"
        "log = logging.getLogger('held'); log.propagate = False\n"
        "handler = logging.StreamHandler(sys.stderr); log.addHandler(handler)\n"
        "assert handler.stream is sys.stderr\n"
        'log.error("token=%s", get_secret("API token"))'
    )
    messages, reply = run(kernel, code)
    text = everything(messages, reply)
    assert reply["status"] == "ok", reply
    assert CANARY not in text and f"token={MARK}" in text


def test_rich_display_forms_are_redacted(kernel):
    code = (
        "from IPython.display import HTML, JSON, Markdown\n"
        "import html\n"
        'pw = get_secret("db password")\n'
        'display(HTML("<b>" + html.escape(pw) + "</b>"))\n'
        'display(JSON({"nested": [{"pw": pw}], pw: 1}))\n'
        'display(Markdown("`" + pw + "`"))\n'
        'display({"text/plain": repr(pw)}, raw=True)'
    )
    messages, reply = run(kernel, code)
    assert reply["status"] == "ok", reply
    text = everything(messages, reply)
    for form in (HTML_VALUE, "p&lt;a&gt;ss&amp;word-42"):
        assert form not in text
    assert text.count("[REDACTED:db password]") >= 5


def test_traceback_and_reply_are_redacted(kernel):
    messages, reply = run(kernel, 'raise ValueError("bad token: " + get_secret("API token"))')
    errors = [m["content"] for m in messages if m["msg_type"] == "error"]
    assert len(errors) == 1
    assert errors[0]["ename"] == "ValueError"
    assert errors[0]["evalue"] == f"bad token: {MARK}"
    assert reply["status"] == "error"
    assert reply["ename"] == "ValueError" and reply["evalue"] == f"bad token: {MARK}"
    assert any(MARK in line for line in reply["traceback"])
    assert CANARY not in everything(messages, reply)
    # the user's own exception object is intact, for %debug and friends
    messages, reply = run(kernel, "import sys; print(type(sys.last_value) is ValueError)")
    assert stdout(messages) == "True\n"


def test_a_value_in_the_source_of_a_traceback(kernel):
    messages, reply = run(kernel, f'x = 1\nraise KeyError("{CANARY}")')
    assert reply["status"] == "error"
    assert CANARY not in everything(messages, reply)


def test_loading_twice_changes_nothing(kernel):
    run(kernel, "%load_ext jupyter_secrets.guards.kernel_redact")
    messages, _ = run(kernel, 'print(get_secret("API token"))')
    assert stdout(messages) == f"{MARK}\n"


def test_ordinary_output_is_untouched(kernel):
    messages, reply = run(kernel, 'print("hello"); 6 * 7')
    assert stdout(messages) == "hello\n"
    results = [m["content"]["data"] for m in messages if m["msg_type"] == "execute_result"]
    assert results == [{"text/plain": "42"}]


def test_replaced_and_added_values_are_picked_up(kernel, secrets_dir):
    old, new, added = "rotating-OLD-value-1", "rotating-NEW-value-2", "added-later-value-3"
    slots = {
        "API token": ("api-token", CANARY),
        "db password": ("db-password", HTML_VALUE),
        "rotating": ("rotating", old),
    }
    write_secrets(secrets_dir, slots)
    messages, _ = run(kernel, f'print(get_secret("rotating"), "{new}")')
    assert stdout(messages) == f"[REDACTED:rotating] {new}\n"
    # the materializer replaces the file by rename while the kernel runs
    write_atomically(secrets_dir / "rotating", new)
    messages, _ = run(kernel, f'print(get_secret("rotating"), "{old}")')
    assert stdout(messages) == f"[REDACTED:rotating] {old}\n"
    # a slot filled later (new file, new index)
    write_secrets(secrets_dir, {**slots, "rotating": ("rotating", new), "added": ("added", added)})
    messages, _ = run(kernel, 'print(get_secret("added"))')
    assert stdout(messages) == "[REDACTED:added]\n"


def test_subshell_output_is_redacted(kernel):
    # ipykernel 7 runs a subshell's cells on its own thread; the display hooks are per thread.
    request = kernel.session.msg("create_subshell_request", {})
    kernel.control_channel.send(request)
    subshell_id = kernel.control_channel.get_msg(timeout=30)["content"]["subshell_id"]
    code = (
        'print(get_secret("API token")); display(get_secret("API token")); get_secret("API token")'
    )
    request = kernel.session.msg(
        "execute_request",
        {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
        },
    )
    request["header"]["subshell_id"] = subshell_id
    kernel.shell_channel.send(request)
    seen = []
    while True:
        message = kernel.get_iopub_msg(timeout=30)
        if message["parent_header"].get("msg_id") != request["header"]["msg_id"]:
            continue
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
        seen.append(message)
    kernel.get_shell_msg(timeout=30)
    types = {m["msg_type"] for m in seen}
    assert {"stream", "display_data", "execute_result"} <= types
    text = everything(seen, {})
    assert CANARY not in text and text.count(MARK) == 3


def test_matcher_is_rebuilt_only_when_the_directory_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_SECRETS_DIR", str(tmp_path))
    write_secrets(tmp_path, {"one": ("one", "first-value-1")})
    past = 1_000_000_000
    os.utime(tmp_path / INDEX_FILENAME, (past, past))
    os.utime(tmp_path, (past, past))
    values = SecretValues(str(tmp_path))
    first = values.redactor()
    assert first.redact("first-value-1")[0] == "[REDACTED:one]"
    assert values.redactor() is first  # nothing changed: no rebuild
    write_atomically(tmp_path / "one", "second-value-2")
    second = values.redactor()
    assert second is not first and second.redact("second-value-2")[0] == "[REDACTED:one]"
    # a change this recent may hide another one: look again next time
    assert values.redactor() is not second
    os.utime(tmp_path, (past + 10, past + 10))
    settled = values.redactor()
    assert values.redactor() is settled
    # the directory gone: nothing to redact, no error
    for path in tmp_path.iterdir():
        path.unlink()
    tmp_path.rmdir()
    assert not values.redactor()


def test_without_secrets_dir_the_kernel_is_untouched(secrets_dir):
    km, kc = start(kernel_env(None))
    try:
        messages, reply = run(kc, f"print(open({str(secrets_dir / 'api-token')!r}).read())")
        assert reply["status"] == "ok"
        assert stdout(messages) == f"{CANARY}\n"
        messages, _ = run(kc, "print(getattr(get_ipython(), '_jupyter_secrets_redaction', None))")
        assert stdout(messages) == "None\n"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_kernel_starts_when_the_extension_cannot_be_imported(secrets_dir):
    km, kc = start(
        kernel_env(secrets_dir), "--IPKernelApp.extra_extensions=no_such_module.kernel_redact"
    )
    try:
        messages, reply = run(kc, "print(6 * 7)")
        assert reply["status"] == "ok"
        assert stdout(messages) == "42\n"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
