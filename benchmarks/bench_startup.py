"""Server start to the first ``/api/status`` answer, with the extension and a 20-slot project.

Baseline: the same server (same root, store, key and other extensions) with jupyter_secrets
disabled.  Both start alternately from the same workdir; the root is a project whose 20 slots
are all filled, so the extension opens the store, decrypts and materializes 20 values at start.
The note adds the server's CPU time to ready, which a busy machine disturbs less than wall time.
"""

from __future__ import annotations

from .fixtures import (
    cleanup_server,
    make_project,
    new_key,
    populate_store,
    server,
    time_to_ready,
    workdir,
)
from .timing import Row, median, paired, ratio_row

SLOTS = 20


def run(quick: bool = False) -> list[Row]:
    repeats = 2 if quick else 9
    key = new_key()
    cpu: dict[bool, list[float]] = {True: [], False: []}
    with workdir("startup") as work:
        probe = server(work, key)  # only to learn the root and store paths
        project = make_project(probe.root, SLOTS)
        populate_store(probe.store_path, key, SLOTS, project, probe.root)

        def start(extension: bool) -> float:
            sp = server(work, key, extension=extension)
            try:
                wall, cpu_s = time_to_ready(sp)
            finally:
                cleanup_server(sp)
            cpu[extension].append(cpu_s)
            return wall

        start(True)  # warm the OS file cache (imports) before timing anything
        cpu[True].clear()
        values, bases = paired(lambda: start(True), lambda: start(False), repeats)
    cpu_ratios = [a / b for a, b in zip(cpu[True], cpu[False])]
    return [
        ratio_row(
            "startup",
            f"server start → first /api/status, extension on, root project with {SLOTS} filled slots",
            "same server, extension disabled",
            values,
            bases,
            unit="s",
            target="≤ 1.03×",
            limit=1.03,
            note=(
                f"server CPU time to ready {median(cpu[True]):.2f} s vs {median(cpu[False]):.2f} s "
                f"= {median(cpu_ratios):.2f}× [{min(cpu_ratios):.2f}–{max(cpu_ratios):.2f}]"
            ),
        )
    ]
