"""``GET /api/secrets/projects?path=`` latency with a 100-slot project, under 8 concurrent clients.

Baseline: jupyter_server's own ``GET /api/status`` on the same server at the same concurrency.
Each repeat sends a batch of each (order alternating), and takes p50 and p99 of each batch.
The note also gives the server process's CPU time per request of each (from ``/proc``): on a
busy machine latencies swing with the other processes, CPU per request much less.
"""

from __future__ import annotations

import statistics

from .fixtures import (
    cpu_seconds,
    make_project,
    new_key,
    populate_store,
    run_clients,
    running,
    server,
    workdir,
)
from .timing import Row, paired, percentile, ratio_row

SLOTS = 100
CLIENTS = 8
PROJECTS = ("GET", "/api/secrets/projects?path=", None)
STATUS = ("GET", "/api/status", None)


def run(quick: bool = False) -> list[Row]:
    repeats, per_client = (2, 15) if quick else (5, 60)  # 120 or 480 requests per batch
    key = new_key()
    samples: dict[str, list[float]] = {"p50": [], "p99": [], "base_p50": [], "base_p99": []}
    cpu: dict[str, list[float]] = {"": [], "base_": []}  # server CPU seconds per request
    with workdir("projects") as work:
        sp = server(work, key)
        project = make_project(sp.root, SLOTS)
        populate_store(sp.store_path, key, SLOTS, project, sp.root)
        with running(sp):
            run_clients(sp, lambda c, i: PROJECTS, clients=CLIENTS, per_client=5)  # warm-up
            run_clients(sp, lambda c, i: STATUS, clients=CLIENTS, per_client=5)

            def batch(request, prefix: str):
                # One batch; its p50 and p99 go to ``samples`` (paired() only alternates order).
                def measure() -> float:
                    before = cpu_seconds(sp.proc.pid)
                    lat, _ = run_clients(
                        sp, lambda c, i: request, clients=CLIENTS, per_client=per_client
                    )
                    cpu[prefix].append((cpu_seconds(sp.proc.pid) - before) / len(lat))
                    samples[prefix + "p50"].append(percentile(lat, 50))
                    samples[prefix + "p99"].append(percentile(lat, 99))
                    return 0.0

                return measure

            paired(batch(PROJECTS, ""), batch(STATUS, "base_"), repeats)
    return [
        ratio_row(
            f"projects_{p}",
            f"GET /api/secrets/projects?path= ({SLOTS} filled slots), {p}, {CLIENTS} concurrent clients",
            f"GET /api/status {p}, same server and concurrency",
            samples[p],
            samples["base_" + p],
            unit="s",
            target="≤ 1.5×",
            limit=1.5,
            note=f"{CLIENTS * per_client} requests per batch; server CPU per request (median): "
            f"{statistics.median(cpu['']) * 1e3:.2f} ms vs {statistics.median(cpu['base_']) * 1e3:.2f} ms "
            f"(ratio {statistics.median(a / b for a, b in zip(cpu[''], cpu['base_']) if b):.2f})",
        )
        for p in ("p50", "p99")
    ]
