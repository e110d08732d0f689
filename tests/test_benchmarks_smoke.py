"""`python -m benchmarks --quick` still runs and reports every row (no timing thresholds).

Keeps the benchmark code from rotting: it starts real servers and kernels, so it takes a few
minutes.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import EXPECTED_KEYS, REDACT

REPO = Path(__file__).resolve().parent.parent
# Rows that may be skipped: the save-guard row comes from another module, the comparisons need
# optional packages (python-dotenv, keyring + keyrings.alt); lab_load needs Chromium and the
# built frontend (the browser tests fail without them, so a skip here hides nothing).
MAY_SKIP = {REDACT["key"], "compare_dotenv", "compare_keyring", "lab_load"}  # lab_load: Chromium
ROW = re.compile(r"^\| (?P<bench>[^|]+) \| `(?P<key>[^`]+)` \|")


def table_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        match = ROW.match(line)
        if match:
            rows[match["key"]] = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return rows


# The kernel benches (issue 16: kernel start, output, launch to value) start kernels and
# servers in turn: about three more minutes.
@pytest.mark.timeout(600)
def test_quick_run_reports_every_row(tmp_path):
    output = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=590,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = output.read_text()
    assert "## Machine" in text and "## How to read this" in text
    rows = table_rows(text)
    # header: bench, key, what, measured, baseline, ratio, n, target, status
    for key in [*EXPECTED_KEYS, REDACT["key"]]:
        if key == REDACT["key"] and key not in rows:
            # bench_redact reported rows under its own keys: they must be there instead.
            assert any(cells[0] == "redact" for cells in rows.values()), sorted(rows)
            continue
        assert key in rows, f"row {key} missing from:\n{text}"
    for key, cells in rows.items():
        status = cells[8]
        assert status in {"met", "MISSED", "report", "skipped"}, (key, status)
        if status == "skipped":
            assert key in MAY_SKIP, f"{key} was skipped"
            continue
        ratio = re.match(r"([0-9]+(?:\.[0-9]+)?)×", cells[5])
        assert ratio, f"{key}: no ratio in {cells[5]!r}"
        assert float(ratio[1]) > 0, f"{key}: ratio {ratio[1]} is not positive"
