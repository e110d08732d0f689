"""Kernel output redaction, the hard cases: multi-line values in pieces and through a pty,
forked processes, user_expressions, and values of the server's redaction file (other
projects, retired values).  Real IPython kernels, loaded as the server loads them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from .conftest import CANARY
from .test_kernel_redact import (
    everything,
    kernel_env,
    local_provisioner,
    run,
    start,
    stdout,
    write_secrets,
)

assert local_provisioner  # the module's autouse fixture: kernels launch plainly here too

# A multi-line value shaped like a PEM key file (made up: not a key, not even a real encoding).
PEM = (
    "-----BEGIN EXAMPLE TEST KEY-----\n"
    "ZmFrZS10ZXN0LWtleS1saW5lLW9uZS1ub3QtYS1yZWFsLWtleS1hdC1hbGwtMDAwMDAw\n"
    "ZmFrZS10ZXN0LWtleS1saW5lLXR3by1ub3QtYS1yZWFsLWtleS1hdC1hbGwtMTExMTEx\n"
    "ZmFrZS10ZXN0LWtleS1saW5lLXRocmVlLW5vdC1hLXJlYWwta2V5LWF0LWFsbC0yMjIy\n"
    "-----END EXAMPLE TEST KEY-----\n"
)
PEM_LINES = [line for line in PEM.splitlines() if "TEST KEY" not in line]
MARK = "[REDACTED:API token]"
OTHER_VALUE = "other-project-VALUE-91d2e0aa"
RETIRED_VALUE = "retired-VALUE-5c3b7d10-old"
SPACED_VALUE = "pass word-é 42/x"
# What the server writes at the root of its tree (the parent of every kernel's directory).
REDACTION_FILENAME = ".~redaction.json"


def no_pem_line(text: str) -> bool:
    return not any(line in text for line in PEM_LINES)


def write_redaction_file(tree: Path, values: dict[str, str], mode: int = 0o600) -> Path:
    path = tree / REDACTION_FILENAME
    tmp = tree / ".tmp-redaction"
    tmp.write_text(json.dumps({"version": 1, "values": values}))
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    past = time.time() - 10  # settled: the kernel need not re-read it at every message
    os.utime(path, (past, past))
    return path


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A server's tree: this kernel's project, another project, and the redaction file."""
    root = tmp_path_factory.mktemp("server-tree")
    mine, other = root / "project-a", root / "project-b"
    for directory in (root, mine, other):
        directory.mkdir(exist_ok=True, mode=0o700)
    write_secrets(
        mine,
        {
            "API token": ("api-token", CANARY),
            "deploy key": ("deploy-key.pem", PEM),
            "spaced": ("spaced", SPACED_VALUE),
        },
    )
    write_secrets(other, {"Other token": ("other-token", OTHER_VALUE)})
    write_redaction_file(
        root,
        {
            CANARY: "API token",
            PEM: "deploy key",
            OTHER_VALUE: "Other token",
            RETIRED_VALUE: "Old token",
        },
    )
    return root


@pytest.fixture(scope="module")
def kernel(tree):
    km, kc = start(kernel_env(tree / "project-a"))
    run(kc, "from jupyter_secrets import get_secret, secret_path")
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def run_until(kc, code: str, marker: str) -> list[dict]:
    """Run ``code``, then gather IOPub output until ``marker`` was printed (by any process).

    Output of forked children reaches the kernel through its own pipe and may arrive after
    the cell's idle status: wait for the marker that the child prints last.
    """
    msg_id = kc.execute(code)
    seen: list[dict] = []
    idle = False
    while not (idle and marker in "".join(m["content"].get("text", "") for m in seen)):
        message = kc.get_iopub_msg(timeout=60)
        if message["msg_type"] == "status":
            idle = idle or (
                message["parent_header"].get("msg_id") == msg_id
                and message["content"]["execution_state"] == "idle"
            )
        elif message["msg_type"] not in ("execute_input",):
            seen.append(message)
    reply = kc.get_shell_msg(timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    return seen


# --------------------------------------------------------------------- multi-line values


def test_a_multi_line_value_through_a_pty(kernel):
    # IPython's !cmd runs through a pty, which turns every LF into CRLF
    messages, reply = run(kernel, "!cat $JUPYTER_SECRETS_DIR/deploy-key.pem; echo ordinary-after")
    text = everything(messages, reply)
    assert reply["status"] == "ok"
    assert no_pem_line(text), text
    assert "[REDACTED:deploy key]" in text and "ordinary-after" in text


def test_a_multi_line_value_sent_line_by_line(kernel):
    # each flush() is its own stream message (as %%bash does for each line of cat)
    code = (
        "import sys\n"
        "sys.stdout.write('before\\n'); sys.stdout.flush()\n"
        "for line in get_secret('deploy key').splitlines(keepends=True):\n"
        "    sys.stdout.write(line); sys.stdout.flush()\n"
        "sys.stdout.write('after\\n')"
    )
    messages, reply = run(kernel, code)
    streams = [m for m in messages if m["msg_type"] == "stream"]
    assert len(streams) >= len(PEM.splitlines())  # it did come in pieces
    assert stdout(messages) == "before\n[REDACTED:deploy key]after\n"
    assert no_pem_line(everything(messages, reply))


def test_bash_cell_magic_line_by_line(kernel):
    messages, reply = run(
        kernel, '%%bash\necho start\ncat "$JUPYTER_SECRETS_DIR/deploy-key.pem"\necho end'
    )
    out = stdout(messages)
    assert no_pem_line(everything(messages, reply)), out
    assert out == "start\n[REDACTED:deploy key]end\n"


def test_held_output_is_sent_before_the_reply(kernel):
    # the cell ends with what may begin the value: it must still come out, with its cell
    messages, reply = run(kernel, "print('-----BEGIN OPENSSH', end='')")
    assert reply["status"] == "ok"
    assert stdout(messages) == "-----BEGIN OPENSSH"
    # and stderr separately, in the same cell as stdout
    messages, _ = run(
        kernel,
        "import sys; print('-----BEGIN', end=''); print('-----BEGIN', end='', file=sys.stderr)",
    )
    streams = {m["content"]["name"]: "" for m in messages if m["msg_type"] == "stream"}
    for m in messages:
        if m["msg_type"] == "stream":
            streams[m["content"]["name"]] += m["content"]["text"]
    assert streams == {"stdout": "-----BEGIN", "stderr": "-----BEGIN"}


def test_held_output_goes_out_when_nothing_follows(kernel):
    # written by a thread after its cell ended: only the hold timer can send it
    code = (
        "import sys, threading, time\n"
        "def later():\n"
        "    time.sleep(0.3)\n"
        "    sys.stdout.write('-----BEGIN OPENSSH'); sys.stdout.flush()\n"
        "threading.Thread(target=later).start()"
    )
    seen = run_until(kernel, code, "-----BEGIN OPENSSH")
    assert stdout(seen) == "-----BEGIN OPENSSH"


# ---------------------------------------------------------------------- forked processes


def test_print_in_a_forked_child(kernel):
    code = (
        "import os\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    print('child says', get_secret('API token'), flush=True)\n"
        "    print('child-done', flush=True)\n"
        "    os._exit(0)\n"
        "os.waitpid(pid, 0)"
    )
    seen = run_until(kernel, code, "child-done")
    assert CANARY not in everything(seen, {})
    assert f"child says {MARK}\n" in stdout(seen)


def test_print_in_a_multiprocessing_worker(kernel):
    code = (
        "import multiprocessing\n"
        "def work():\n"
        "    print('worker says', get_secret('API token'))\n"
        "    print('worker-done')\n"
        "p = multiprocessing.get_context('fork').Process(target=work); p.start(); p.join()"
    )
    seen = run_until(kernel, code, "worker-done")
    assert CANARY not in everything(seen, {})
    assert f"worker says {MARK}\n" in stdout(seen)


# --------------------------------------------------------------------------- encodings


def test_user_expressions_are_redacted(kernel):
    reply = kernel.execute_interactive(
        "x = 1", user_expressions={"t": "get_secret('API token')", "ok": "6 * 7"}, timeout=60
    )["content"]
    expressions = reply["user_expressions"]
    assert expressions["ok"]["data"]["text/plain"] == "42"
    assert CANARY not in json.dumps(expressions)
    assert MARK in expressions["t"]["data"]["text/plain"]


def test_form_encoded_and_bytes_output(kernel):
    code = (
        "from urllib.parse import urlencode\n"
        "print(urlencode({'password': get_secret('spaced')}))\n"
        "print(get_secret('spaced').encode())"
    )
    messages, reply = run(kernel, code)
    assert stdout(messages) == "password=[REDACTED:spaced]\nb'[REDACTED:spaced]'\n"


# ----------------------------------------------------------------- the redaction file


def test_a_value_of_another_project_read_by_path(kernel, tree):
    code = f"print(open({str(tree / 'project-b' / 'other-token')!r}).read())"
    messages, reply = run(kernel, code)
    assert OTHER_VALUE not in everything(messages, reply)
    assert stdout(messages) == "[REDACTED:Other token]\n"


def test_a_retired_value_stays_redacted(kernel):
    messages, _ = run(kernel, f"print('old:', {RETIRED_VALUE!r})")
    assert stdout(messages) == "old: [REDACTED:Old token]\n"


def test_a_value_added_to_the_redaction_file_is_picked_up(kernel, tree):
    added = "added-later-VALUE-77aa01"
    values = json.loads((tree / REDACTION_FILENAME).read_text())["values"]
    write_redaction_file(tree, {**values, added: "Added"})
    messages, _ = run(kernel, f"print({added!r})")
    assert stdout(messages) == "[REDACTED:Added]\n"


def test_a_redaction_file_that_is_not_ours_is_ignored(tmp_path):
    from jupyter_secrets.guards.kernel_redact import read_redaction_file

    good = write_redaction_file(tmp_path, {"some-value-1": "s"})
    assert read_redaction_file(str(good)) == {"some-value-1": "s"}
    os.chmod(good, 0o644)  # readable by others: not what the server writes
    assert read_redaction_file(str(good)) == {}
    os.chmod(good, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(good)
    assert read_redaction_file(str(link)) == {}
    for content in (
        "not json",
        "[1]",
        '{"version": 2, "values": {}}',
        '{"version": 1, "values": [1]}',
        '{"version": 1, "values": {"v": 1}}',
        "[" * 100000,
    ):
        good.write_text(content)
        assert isinstance(read_redaction_file(str(good)), dict)
    assert read_redaction_file(str(tmp_path / "missing.json")) == {}
