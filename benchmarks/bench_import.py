"""``import jupyter_secrets`` in a fresh interpreter (what every kernel that uses the helper pays).

Wall time of ``python -c "import jupyter_secrets"`` against ``python -c pass``, both with the
same interpreter and environment, alternating, many runs.  The target is on the difference
(median of the per-pair differences); the ratio is given too.  The note adds what
``-X importtime`` attributes to ``jupyter_secrets`` itself (cumulative µs, median).
"""

from __future__ import annotations

import subprocess
import sys
import time

from .timing import Row, median, paired, ratio_row

LIMIT_MS = 15.0


def _wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def _importtime_us() -> int:
    """Cumulative µs ``-X importtime`` gives the top-level ``jupyter_secrets`` import."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import jupyter_secrets"],
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    for line in out.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == "jupyter_secrets":
            return int(parts[1])
    raise RuntimeError("jupyter_secrets not in -X importtime output")


def run(quick: bool = False) -> list[Row]:
    repeats = 6 if quick else 30
    check = (
        subprocess.run(
            [
                sys.executable,
                "-c",
                (
                    "import sys, jupyter_secrets; "
                    "bad = {'tornado', 'jupyter_server', 'cryptography'} & set(sys.modules); print(sorted(bad))"
                ),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .strip("[]")
    )
    _wall("pass"), _wall("import jupyter_secrets")  # warm the OS file cache
    values, bases = paired(lambda: _wall("import jupyter_secrets"), lambda: _wall("pass"), repeats)
    deltas_ms = [(v - b) * 1e3 for v, b in zip(values, bases)]
    delta = median(deltas_ms)
    # In a kernel, json, re and pathlib are loaded already: what the helper itself adds there.
    pre = "import json, re, pathlib"
    in_kernel = [
        (v - b) * 1e3
        for v, b in zip(
            *paired(
                lambda: _wall(pre + "; import jupyter_secrets"), lambda: _wall(pre), repeats // 2
            )
        )
    ]
    importtime = median([_importtime_us() for _ in range(3 if quick else 7)])
    row = ratio_row(
        "import",
        "python -c 'import jupyter_secrets' (fresh interpreter, wall)",
        "python -c pass",
        values,
        bases,
        unit="s",
        target=f"≤ +{LIMIT_MS:g} ms",
        note=(
            f"difference {delta:+.1f} ms [{min(deltas_ms):+.1f}…{max(deltas_ms):+.1f}]; "
            f"-X importtime of jupyter_secrets {importtime / 1e3:.1f} ms; "
            f"with json/re/pathlib already loaded (as in a kernel) {median(in_kernel):+.1f} ms; "
            f"tornado/jupyter_server/cryptography imported: {check or 'none'}"
        ),
    )
    row.met = delta <= LIMIT_MS
    row.extra["delta_ms"] = delta
    return [row]
