"""What the save guard costs: saving a 5 MB notebook with 100 secrets, guard on vs off.

Run: ``python benchmarks/bench_redact.py``.  Saves go through a real ``FileContentsManager``
(validation, serialization, atomic write) in a temporary directory, so the ratio is what a
user feels when pressing Save.  Two figures with the guard on: the first save under a given
set of values (the Redactor built in it, as the server does, and everything scanned:
``save_redact_s``; target ≤ 1.10× of the save with the guard off, issue 16), and the next saves of the same
notebook with one cell changed (autosave, collaboration: only new text is scanned,
``save_redact_repeat_s``).  Prints one line; ``main()`` returns the figures.
"""

from __future__ import annotations

import copy
import gc
import json
import os
import random
import statistics
import string
import tempfile
import time

from jupyter_server.services.contents.filemanager import FileContentsManager

from jupyter_secrets.guards.redact import Redactor
from jupyter_secrets.guards.save_guard import make_pre_save_hook

SECRETS = 100
TARGET_BYTES = 5_000_000
RUNS = 7
TARGET_RATIO = 1.10  # first save, guard on vs off (issue 16; benchmarks/__main__.py says it too)


def make_notebook(values: list[str], rng: random.Random) -> dict:
    """About TARGET_BYTES of JSON: cells with stream and HTML outputs; a few show a value.

    Every cell's text is different (random lines), as in a real notebook: identical strings
    would flatter the guard, which checks a repeated long string only once.
    """
    words = ["".join(rng.choices(string.ascii_lowercase, k=8)) for _ in range(5000)]
    lines = [" ".join(rng.choices(words, k=10)) + "\n" for _ in range(5000)]
    cells, size, i = [], 0, 0
    while size < TARGET_BYTES:
        leak = values[i % len(values)] if i % 50 == 0 else "no secret here"
        cell = {
            "cell_type": "code",
            "id": f"c{i}",
            "metadata": {},
            "execution_count": i,
            "source": f"for n in range(80):\n    print(row(n))  # cell {i}",
            "outputs": [
                {
                    "output_type": "stream",
                    "name": "stdout",
                    "text": "".join(rng.choices(lines, k=80)) + f"token: {leak}\n",
                },
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {
                        "text/plain": "<Table>",
                        "text/html": f"<td>{''.join(rng.choices(lines, k=5))}</td>",
                    },
                },
            ],
        }
        cells.append(cell)
        size += len(json.dumps(cell, indent=1))
        i += 1
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


def timed_save(manager: FileContentsManager, model: dict) -> float:
    fresh = copy.deepcopy(model)  # the guard edits the model in place
    gc.collect()
    gc.disable()  # the deep copies leave garbage: keep its collection out of the timings
    try:
        start = time.perf_counter()
        manager.save(fresh, "bench.ipynb")
        return time.perf_counter() - start
    finally:
        gc.enable()


def main() -> dict:
    rng = random.Random(0)
    alphabet = string.ascii_letters + string.digits
    values = ["".join(rng.choices(alphabet, k=32)) for _ in range(SECRETS)]
    names = {v: f"slot-{i}" for i, v in enumerate(values)}
    # The server builds its Redactor in the first save after the values changed
    # (SecretsExtension._current_redactor): so does get_redactor here, inside the timing.
    state: dict = {"mode": "off", "redactor": None}

    def get_redactor() -> Redactor:
        if state["redactor"] is None:
            state["redactor"] = Redactor(names)
        return state["redactor"]

    model = {"type": "notebook", "format": "json", "content": make_notebook(values, rng)}
    cells = model["content"]["cells"]
    off, first, repeat = [], [], []
    with tempfile.TemporaryDirectory() as root:
        manager = FileContentsManager(root_dir=root)
        hook = make_pre_save_hook(get_redactor, lambda: state["mode"], None)
        manager.register_pre_save_hook(hook)
        manager.save(copy.deepcopy(model), "bench.ipynb")  # warm up (checkpoint, imports)
        for run in range(RUNS):  # interleaved, so that drift hits the three alike
            state["mode"] = "off"
            off.append(timed_save(manager, model))
            # A changed value: a new Redactor, built in this save; nothing is known clean yet.
            state["mode"], state["redactor"] = "redact", None
            first.append(timed_save(manager, model))
            # What an autosave or a collaboration save sees next: one cell's output changed.
            cells[run]["outputs"][0]["text"] += f"edit {run}\n"
            repeat.append(timed_save(manager, model))
        size = os.path.getsize(os.path.join(root, "bench.ipynb"))
    off, first, repeat = (statistics.median(t) for t in (off, first, repeat))
    redactor = Redactor(names)
    scan = statistics.median(
        _time(lambda: redactor.redact_json(model["content"])) for _ in range(RUNS)
    )
    figures = {
        "notebook_bytes": size,
        "secrets": SECRETS,
        "save_off_s": round(off, 4),
        "save_redact_s": round(first, 4),
        "ratio": round(first / off, 2),
        "save_redact_repeat_s": round(repeat, 4),
        "ratio_repeat": round(repeat / off, 2),
        "scan_only_s": round(scan, 4),
    }
    print(
        f"save guard, {size / 1e6:.1f} MB notebook, {SECRETS} secrets (median of {RUNS}): "
        f"off {off * 1e3:.0f} ms; redact, first save {first * 1e3:.0f} ms (x{figures['ratio']}), "
        f"next saves {repeat * 1e3:.0f} ms (x{figures['ratio_repeat']}); "
        f"scan alone {scan * 1e3:.0f} ms; target first save ≤ x{TARGET_RATIO}"
    )
    return figures


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
