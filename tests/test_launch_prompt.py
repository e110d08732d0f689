"""The launch prompt of a real server in a real terminal (pexpect's pty), issue 13.

The server prints its URL and answers while the prompt waits; an answer given in the browser
(here: the REST API the launch dialog uses) ends the terminal's question for that slot.
"""

from __future__ import annotations

import io
import json
import signal

import pexpect
import pytest

from .server_process import ServerProcess
from .test_lifecycle import SLOTS, fill, wait_for_api


@pytest.fixture
def server(tmp_path):
    process = ServerProcess(tmp_path, extra_args=["--SecretsExtension.prompt_on_start=auto"])
    (process.root / ".jupyter").mkdir()
    (process.root / ".jupyter" / "secret-slots.json").write_text(json.dumps(SLOTS))
    yield process
    process.stop(signal.SIGKILL)


def spawn(server: ServerProcess) -> tuple[pexpect.spawn, io.StringIO]:
    child = pexpect.spawn(
        server.command()[0],
        server.command()[1:],
        env=server.process_env(),
        cwd=str(server.root),
        encoding="utf-8",
        timeout=60,
    )
    child.logfile_read = transcript = io.StringIO()
    return child, transcript


def test_url_first_and_an_answer_in_the_browser_ends_the_terminal_question(server):
    child, transcript = spawn(server)
    try:
        # The URL comes before the question, and the server answers while it waits.
        child.expect("is running at", timeout=90)
        child.expect(r"\[1/2\] Database password")
        child.expect(r"\[n\]: ")
        status, project = wait_for_api(server, child)
        assert status == 200
        assert [s["state"] for s in project["slots"]] == ["missing", "missing"]

        # Answered in the browser: the terminal stops asking for it and goes on.
        fill(server, "slotdb", "from-the-browser-1")
        child.expect("Provided in the browser meanwhile")
        child.expect(r"\[2/2\] API token")
        child.expect(r"\[n\]: ")
        # Half an answer here, then the browser answers this one too: the prompt ends.
        child.send("n")
        fill(server, "slottoken", "from-the-browser-2")
        child.expect("Provided in the browser meanwhile")
        child.expect(pexpect.TIMEOUT, timeout=2.5)  # nothing more is asked
        assert "Please answer" not in transcript.getvalue()
        status, project = wait_for_api(server, child)
        assert [s["state"] for s in project["slots"]] == ["provided", "provided"]
    finally:
        child.kill(signal.SIGTERM)
        child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=30)  # a loaded machine stops slowly
        child.close(force=True)
    assert "from-the-browser" not in transcript.getvalue()


def test_an_answer_in_the_terminal_is_seen_by_the_browser(server):
    child, transcript = spawn(server)
    try:
        child.expect("is running at", timeout=90)
        child.expect(r"\[1/2\] Database password")
        child.expect(r"\[n\]: ")
        child.sendline("n")
        child.expect("Value \\(hidden")
        child.sendline("typed-in-the-terminal-9")
        child.expect(r"\[2/2\] API token")
        child.expect(r"\[n\]: ")
        child.sendline("s")
        child.expect("without a value: 'API token'")
        status, project = wait_for_api(server, child)
        assert [s["state"] for s in project["slots"]] == ["provided", "missing"]
    finally:
        child.kill(signal.SIGTERM)
        child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=30)  # a loaded machine stops slowly
        child.close(force=True)
    assert "typed-in-the-terminal-9" not in transcript.getvalue()
