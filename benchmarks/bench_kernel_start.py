"""Kernel start as JupyterLab does it: ``POST /api/sessions`` to the first ``execute_reply`` of
``1+1``, over the kernel's websocket.

Extension on: the secrets provisioner (the project's environment, its 20 filled slots
materialized), and the output-redaction extension loaded into the kernel.  Baseline: the same
kind of server with jupyter_secrets disabled, the same project files on disk.  Both servers run
side by side; starts alternate (A B, B A, ...).  Each start is a new session, stopped after.
"""

from __future__ import annotations

import asyncio

from .fixtures import make_project, new_key, populate_store, running, server, workdir
from .kernel_client import KernelChannel, start_session, stop_session
from .timing import Row, paired, ratio_row

SLOTS = 20


async def _start_to_reply(sp) -> float:
    import time

    start = time.perf_counter()
    session_id, kernel_id = await start_session(sp)
    channel = KernelChannel(sp, kernel_id)
    try:
        await channel.connect()
        await channel.execute("1+1", timeout=120)
        return time.perf_counter() - start
    finally:
        channel.close()
        await stop_session(sp, session_id)


def run(quick: bool = False) -> list[Row]:
    repeats = 2 if quick else 7
    key = new_key()
    with workdir("kstart-on") as work_on, workdir("kstart-off") as work_off:
        on = server(work_on, key)
        project = make_project(on.root, SLOTS)
        populate_store(on.store_path, key, SLOTS, project, on.root)
        off = server(work_off, key, extension=False)
        make_project(off.root, SLOTS)
        with running(on), running(off):

            def once(sp) -> float:
                return asyncio.run(_start_to_reply(sp))

            once(on), once(off)  # warm-up: the OS file cache, the kernel's bytecode
            values, bases = paired(lambda: once(on), lambda: once(off), repeats)
    return [
        ratio_row(
            "kernel_start",
            f"POST /api/sessions → first execute_reply of 1+1, extension on (provisioner, "
            f"output redaction, project of {SLOTS} filled slots)",
            "the same, jupyter_secrets disabled",
            values,
            bases,
            unit="s",
            target="≤ 1.05×",
            limit=1.05,
        )
    ]
