"""pytest plugin for the upstream runs (loaded with ``-p upstream_record``): record outcomes.

Writes one JSON line per finished test to ``$UPSTREAM_RESULTS``:
``{"id": nodeid, "outcome": "passed" | "failed" | "error" | "skipped" | "xfailed" | "xpassed"}``.
Lines are appended as tests finish, so a run that dies half-way still leaves what it saw; a
test run again (the ``flaky`` plugin) gets a later line, and the last line counts.

Without jupyter_server's optional test plugins (``flaky``, ``pytest-console-scripts``) the
markers they bring are registered here, so that ``--strict-markers`` in jupyter_server's own
pytest configuration does not turn whole modules into collection errors.
"""

from __future__ import annotations

import json
import os

import pytest

_OPTIONAL_MARKERS = {
    "flaky": "flaky: rerun on failure (the flaky plugin is not installed: runs once)",
    "pytest_console_scripts": "script_launch_mode: (pytest-console-scripts is not installed)",
}


def pytest_configure(config):
    for plugin, line in _OPTIONAL_MARKERS.items():
        if not config.pluginmanager.hasplugin(plugin):
            config.addinivalue_line("markers", line)


class _Outcomes:
    def __init__(self, path: str):
        self.path = path
        self.current: dict[str, str] = {}

    def write(self, nodeid: str, outcome: str) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"id": nodeid, "outcome": outcome}) + "\n")

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report):
        nodeid = report.nodeid
        if report.when == "setup":
            if report.failed:
                self.current[nodeid] = "error"
            elif report.skipped:
                self.current[nodeid] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
            else:
                self.current[nodeid] = "passed"
        elif report.when == "call":
            if hasattr(report, "wasxfail"):
                self.current[nodeid] = "xpassed" if report.passed else "xfailed"
            elif report.failed:
                self.current[nodeid] = "failed"
            elif report.skipped:
                self.current[nodeid] = "skipped"
        elif report.when == "teardown":
            outcome = self.current.pop(nodeid, "passed")
            if report.failed and outcome in ("passed", "skipped"):
                outcome = "error"
            self.write(nodeid, outcome)

    def pytest_collectreport(self, report):
        if report.failed:
            self.write(report.nodeid or "<collection>", "error")


def pytest_sessionstart(session):
    path = os.environ.get("UPSTREAM_RESULTS")
    if path:
        session.config.pluginmanager.register(_Outcomes(path), "upstream-outcomes")
