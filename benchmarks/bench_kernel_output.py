"""Kernel output through the redaction: a cell printing 50 MB in 64 KiB chunks, with 100
secrets materialized (so the kernel's redactor holds 100 values and their forms).

Measured: from the execute_request to the kernel idle again with every output received over
the websocket.  Baseline: the same server set-up with ``kernel_output_redaction = False``.
Both servers run side by side (each its own kernel, kept for all repeats), runs alternate.
jupyter_server's iopub rate limit is lifted on both, or it would drop the output.
"""

from __future__ import annotations

import asyncio

from .fixtures import make_project, new_key, populate_store, running, server, workdir
from .kernel_client import KernelChannel, start_session, stop_session
from .timing import Row, paired, ratio_row

SECRETS = 100
TOTAL_BYTES = 50_000_000
CHUNK = 64 * 1024
NO_RATE_LIMIT = [
    "--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=0",
    "--ZMQChannelsWebsocketConnection.iopub_msg_rate_limit=0",
]


def _code(total: int) -> str:
    return (
        "import sys\n"
        f"chunk = 'output line of a long job 0123456789\\n' * ({CHUNK} // 37)\n"
        f"chunk += 'z' * ({CHUNK} - len(chunk))\n"
        f"for _ in range({total // CHUNK}):\n"
        "    sys.stdout.write(chunk)\n"
        "    sys.stdout.flush()\n"
    )


def run(quick: bool = False) -> list[Row]:
    repeats, total = (2, 5_000_000) if quick else (5, TOTAL_BYTES)
    key = new_key()
    code = _code(total)
    with workdir("kout-on") as work_on, workdir("kout-off") as work_off:
        servers = {}
        for redaction, work in ((True, work_on), (False, work_off)):
            sp = server(work, key)
            sp.extra_args += NO_RATE_LIMIT
            if not redaction:
                sp.extra_args.append("--SecretsExtension.kernel_output_redaction=False")
            project = make_project(sp.root, SECRETS)
            populate_store(sp.store_path, key, SECRETS, project, sp.root)
            servers[redaction] = sp
        with running(servers[True]), running(servers[False]):
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)  # tornado's clients look for the current loop
            channels, sessions = {}, {}
            try:
                for redaction, sp in servers.items():
                    session_id, kernel_id = loop.run_until_complete(start_session(sp))
                    sessions[redaction] = session_id
                    channels[redaction] = KernelChannel(sp, kernel_id)
                    loop.run_until_complete(channels[redaction].connect())
                    loop.run_until_complete(channels[redaction].execute("1+1", timeout=120))

                def once(redaction: bool) -> float:
                    channel = channels[redaction]
                    channel.output_bytes = 0
                    seconds = loop.run_until_complete(channel.execute(code, wait_idle=True))
                    if channel.output_bytes < total // CHUNK * CHUNK:
                        raise RuntimeError(
                            f"only {channel.output_bytes} of {total} bytes of output arrived"
                        )
                    return seconds

                once(True), once(False)  # warm-up
                values, bases = paired(lambda: once(True), lambda: once(False), repeats)
            finally:
                for redaction, sp in servers.items():
                    if redaction in channels:
                        channels[redaction].close()
                    if redaction in sessions:
                        loop.run_until_complete(stop_session(sp, sessions[redaction]))
                loop.close()
                asyncio.set_event_loop(None)
    return [
        ratio_row(
            "kernel_output",
            f"a cell printing {total / 1e6:.0f} MB in 64 KiB chunks, {SECRETS} secrets "
            "materialized, output redaction on",
            "the same, kernel_output_redaction = False",
            values,
            bases,
            unit="s",
            target="≤ 1.2×",
            limit=1.2,
            note="" if total == TOTAL_BYTES else f"--quick: {total / 1e6:.0f} MB",
        )
    ]
