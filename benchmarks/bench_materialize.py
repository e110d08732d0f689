"""Materializing 1 000 secrets of a project, cold, with ``Materializer.write_project``.

Cold: a new server tree each time (nothing to skip).  Baseline: the same 1 000 values written
as plain files with ``open``/``write`` into a fresh directory on the same file system.  Both
write to a memory-backed directory when there is one, like the extension's default.
"""

from __future__ import annotations

import os
import time

from jupyter_secrets.files import Materializer

from .fixtures import MEMORY_DIR, memory_dir, value_of
from .timing import Row, paired, ratio_row

N = 1000
PROJECT_ID = "0123456789abcdef0123456789abcdef"


def run(quick: bool = False) -> list[Row]:
    repeats = 3 if quick else 15
    entries = [(f"Secret {i}", f"secret-{i}", value_of(i)) for i in range(N)]
    with memory_dir("materialize") as base:
        counter = iter(range(10**6))

        def materializer() -> float:
            root = base / f"server-{next(counter)}"
            start = time.perf_counter()
            Materializer(root).write_project(PROJECT_ID, entries)
            return time.perf_counter() - start

        def plain() -> float:
            directory = base / f"plain-{next(counter)}"
            start = time.perf_counter()
            os.makedirs(directory / PROJECT_ID, mode=0o700)
            for _, filename, value in entries:
                with open(directory / PROJECT_ID / filename, "w", encoding="utf-8") as f:
                    f.write(value)
            return time.perf_counter() - start

        materializer(), plain()  # warm-up
        values, bases = paired(materializer, plain, repeats)
        where = "tmpfs" if MEMORY_DIR and str(base).startswith(MEMORY_DIR) else "disk"
    return [
        ratio_row(
            "materialize_1000",
            f"Materializer.write_project, {N} secrets, cold ({where})",
            f"{N} plain open()/write() files",
            values,
            bases,
            unit="s",
            target="≤ 3×",
            limit=3.0,
        )
    ]
