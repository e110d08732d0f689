"""Sustained requests/s of mixed API traffic (reads and writes), 8 clients, bounded in time.

The mix, per 10 requests: 4 ``GET projects?path=``, 2 ``GET user-secrets``, 1 ``GET
projects/{pid}``, 1 ``GET user-secrets/{id}`` and 2 ``PUT .../slots/{sid}/value`` (a new value
for a filled slot: an encrypted, fsynced store write and a rewrite of the project's files).
The project has 20 filled slots; the store 40 secrets.  Baseline: ``GET /api/status`` req/s on
the same server, for the same time and concurrency.  Ratio = mixed req/s ÷ status req/s.
"""

from __future__ import annotations

import os

from .fixtures import make_project, new_key, populate_store, run_clients, running, server, workdir
from .timing import Row, paired, ratio_row

SLOTS, SECRETS, CLIENTS = 20, 40, 8


def run(quick: bool = False) -> list[Row]:
    repeats, seconds = (2, 1.0) if quick else (3, 5.0)
    key = new_key()
    counts: dict[str, list[int]] = {"mixed": [], "status": []}
    with workdir("throughput") as work:
        sp = server(work, key)
        project = make_project(sp.root, SLOTS)
        ids = populate_store(sp.store_path, key, SECRETS, project, sp.root)
        pid, slots = project.project_id, project.slots

        def mixed(client: int, i: int):
            n = client * 7919 + i
            k = i % 10
            if k < 4:
                return ("GET", "/api/secrets/projects?path=", None)
            if k < 6:
                return ("GET", "/api/secrets/user-secrets", None)
            if k == 6:
                return ("GET", f"/api/secrets/projects/{pid}", None)
            if k == 7:
                return ("GET", f"/api/secrets/user-secrets/{ids[n % SECRETS]}", None)
            slot = slots[n % SLOTS]
            return (
                "PUT",
                f"/api/secrets/projects/{pid}/slots/{slot.id}/value",
                {"value": "new-" + os.urandom(12).hex()},
            )

        def status(client: int, i: int):
            return ("GET", "/api/status", None)

        def rate(requests, label: str):
            def measure() -> float:
                lat, wall = run_clients(sp, requests, clients=CLIENTS, seconds=seconds)
                counts[label].append(len(lat))
                return len(lat) / wall

            return measure

        with running(sp):
            run_clients(sp, mixed, clients=CLIENTS, per_client=10)  # warm-up
            values, bases = paired(rate(mixed, "mixed"), rate(status, "status"), repeats)
    return [
        ratio_row(
            "throughput_mixed",
            f"mixed API traffic (50% project reads, 30% user-secret reads, 20% value writes), {CLIENTS} clients, {seconds:g} s",
            "GET /api/status req/s, same server and concurrency",
            values,
            bases,
            unit="req/s",
            target="report",
            note=f"{sum(counts['mixed'])} mixed and {sum(counts['status'])} status requests in all",
        )
    ]
