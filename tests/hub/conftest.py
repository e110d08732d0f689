"""A real JupyterHub for the tests of this folder: hub, proxy and single-user servers."""

from __future__ import annotations

import pytest

from .hub_process import HubProcess, missing_tools


@pytest.fixture
def hub(tmp_path):
    """A running hub with users alice and bob (no server started yet); everything stops after.

    Never skipped: a machine without JupyterHub or configurable-http-proxy fails, saying what
    to install.
    """
    problem = missing_tools()
    if problem:
        pytest.fail(problem, pytrace=False)
    process = HubProcess(tmp_path / "hub")
    print(f"hub log: {process.log_path}")
    try:
        process.start()
        yield process
    finally:
        strays = process.stop()
        # Shown with a failing test's output: what the hub and its servers said.
        print(process.log()[-8000:])
    # The hub stops its servers and its proxy; anything still alive after that was a leak
    # (a server that does not exit, an orphaned kernel or proxy): it has been killed now.
    assert not strays, f"processes left behind by the hub and had to be killed: {strays}"
