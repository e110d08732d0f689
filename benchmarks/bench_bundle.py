"""Frontend bundle: gzipped size of all JS the labextension ships (``static/*.js``, no maps).

A size, not a time: it does not vary between runs, so it is measured once.  There is no
baseline to run; the ratio is to the 60 KB budget (below 1 is within it).  The build mode
(development or production) comes from the build log: ``make install`` builds for development
(unminified, with source maps), a wheel ships the production build.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import jupyter_secrets

from .timing import Row, skipped

BUDGET = 60 * 1024
LABEXTENSION = Path(jupyter_secrets.__file__).parent / "labextension"


def _build_mode() -> str:
    """``jupyter labextension build --development`` leaves a build log; a production build not."""
    try:
        log = json.loads((LABEXTENSION / "build_log.json").read_text())
    except FileNotFoundError:
        return "production"
    except (OSError, ValueError):
        return "unknown"
    modes = [entry.get("mode") for entry in log if isinstance(entry, dict) and entry.get("mode")]
    return modes[0] if modes else "development"


def run(quick: bool = False) -> list[Row]:
    files = sorted((LABEXTENSION / "static").glob("*.js"))
    what = "gzipped size of labextension/static/*.js"
    if not files:
        return [
            skipped(
                "bundle_gzip",
                what,
                "budget 60 KB",
                "≤ 60 KB",
                "no built labextension: run make install",
            )
        ]
    raw = sum(f.stat().st_size for f in files)
    gz = sum(len(gzip.compress(f.read_bytes(), compresslevel=9)) for f in files)
    return [
        Row(
            key="bundle_gzip",
            what=f"{what} ({len(files)} files, {_build_mode()} build)",
            baseline="— (ratio to the 60 KB budget)",
            value=gz,
            base_value=BUDGET,
            unit="B",
            ratio=gz / BUDGET,
            ratio_min=gz / BUDGET,
            ratio_max=gz / BUDGET,
            target="≤ 60 KB",
            met=gz <= BUDGET,
            repeats=1,
            note=f"{raw / 1024:.1f} KiB before gzip -9",
        )
    ]
