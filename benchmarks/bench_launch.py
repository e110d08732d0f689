"""Launch to value: from starting the server to a kernel's code holding a secret, with a
project of 100 filled slots — the whole wait of someone who opens a notebook and runs a cell
that calls ``get_secret``.

Three steps, each timed: the server start to its first ``/api/status`` (the store opened, 100
values decrypted and materialized), ``POST /api/sessions`` (the kernel started by the secrets
provisioner), and the websocket connect plus the cell ``get_secret("Secret 99")`` to its
``execute_reply``.  A report row: its ratio is to the start of the same server with
jupyter_secrets disabled (the first step's own baseline), and the note gives each step's share.
"""

from __future__ import annotations

import asyncio
import time

from .fixtures import (
    cleanup_server,
    make_project,
    new_key,
    populate_store,
    server,
    time_to_ready,
    workdir,
)
from .kernel_client import KernelChannel, start_session, stop_session
from .timing import Row, median, paired, ratio_row

SLOTS = 100
CODE = "from jupyter_secrets import get_secret\nassert get_secret('Secret 99')"


async def _kernel_reads(sp) -> tuple[float, float]:
    start = time.perf_counter()
    session_id, kernel_id = await start_session(sp)
    started = time.perf_counter()
    channel = KernelChannel(sp, kernel_id)
    try:
        await channel.connect()
        await channel.execute(CODE, timeout=120)
        return started - start, time.perf_counter() - started
    finally:
        channel.close()
        await stop_session(sp, session_id)


def run(quick: bool = False) -> list[Row]:
    repeats = 2 if quick else 5
    key = new_key()
    steps: list[tuple[float, float, float]] = []
    with workdir("launch") as work:
        probe = server(work, key)
        project = make_project(probe.root, SLOTS)
        populate_store(probe.store_path, key, SLOTS, project, probe.root)

        def launch() -> float:
            sp = server(work, key)
            try:
                ready, _ = time_to_ready(sp)
                try:
                    session, execute = asyncio.run(_kernel_reads(sp))
                except Exception as err:  # say why: the server's log
                    raise RuntimeError(f"{err!r}; server log:\n{sp.log()[-3000:]}") from err
            finally:
                cleanup_server(sp)
            steps.append((ready, session, execute))
            return ready + session + execute

        def plain_start() -> float:
            sp = server(work, key, extension=False)
            try:
                return time_to_ready(sp)[0]
            finally:
                cleanup_server(sp)

        launch(), plain_start()  # warm the OS file cache
        steps.clear()
        values, bases = paired(launch, plain_start, repeats)
    shares = []
    for label, i in (("server start", 0), ("kernel start (POST /api/sessions)", 1)):
        shares.append(f"{label} {median([s[i] for s in steps]):.2f} s")
    shares.append(f"connect + get_secret cell {median([s[2] for s in steps]):.2f} s")
    share_pct = [median([s[i] / sum(s) for s in steps]) * 100 for i in range(3)]
    return [
        ratio_row(
            "launch_to_value",
            f"server start → a kernel's get_secret() returns, project of {SLOTS} filled slots",
            "server start → first /api/status, jupyter_secrets disabled",
            values,
            bases,
            unit="s",
            target="report",
            note="steps (medians): "
            + "; ".join(f"{text} ({pct:.0f}%)" for text, pct in zip(shares, share_pct)),
        )
    ]
