"""Peak server memory with 10 000 secrets in the store, listed once through the API.

VmHWM (peak resident set size) of the server process from ``/proc/<pid>/status``, read after
one ``GET /api/secrets/user-secrets`` that lists all 10 000.  Baseline: the same server (same
root and store) with the extension disabled, after one ``GET /api/status``.  The target is on
the difference; the ratio is given too.
"""

from __future__ import annotations

import time

from .fixtures import Client, new_key, populate_store, running, server, vm_hwm_mb, workdir
from .timing import Row, median, paired, ratio_row

N = 10_000
LIMIT_MB = 20.0  # issue 16 (was 30)


def run(quick: bool = False) -> list[Row]:
    repeats = 1 if quick else 3
    key = new_key()
    with workdir("memory") as work:
        probe = server(work, key)
        populate_store(probe.store_path, key, N)

        idle: dict[bool, list[float]] = {True: [], False: []}
        listing: list[float] = []

        def peak(extension: bool) -> float:
            with running(server(work, key, extension=extension)) as sp:
                idle[extension].append(vm_hwm_mb(sp.proc.pid))
                client = Client(sp)
                try:
                    start = time.perf_counter()
                    client.send("GET", "/api/secrets/user-secrets" if extension else "/api/status")
                    if extension:
                        listing.append(time.perf_counter() - start)
                finally:
                    client.close()
                return vm_hwm_mb(sp.proc.pid)

        values, bases = paired(lambda: peak(True), lambda: peak(False), repeats)
    deltas = [v - b for v, b in zip(values, bases)]
    row = ratio_row(
        "memory_10k",
        f"server peak RSS (VmHWM), {N:,} secrets listed once via GET /api/secrets/user-secrets",
        "same server, extension disabled, after GET /api/status",
        values,
        bases,
        unit="MB",
        target=f"≤ +{LIMIT_MB:g} MB",
        note=(
            f"difference {median(deltas):+.1f} MB [{min(deltas):+.1f}…{max(deltas):+.1f}]; "
            f"before the listing {median(idle[True]) - median(idle[False]):+.1f} MB; "
            f"the listing request took {median(listing):.2f} s"
        ),
    )
    row.met = median(deltas) <= LIMIT_MB
    row.extra["delta_mb"] = median(deltas)
    return [row]
