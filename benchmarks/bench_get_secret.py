"""``get_secret()`` in a kernel, warm: the helper against a materialized project directory.

The directory is what the server writes for a kernel: a project of 20 filled slots, with its
index.  Measured in-process, many calls in a row, asking by slot name.  Baseline:
``open(path).read()`` of the same file.
"""

from __future__ import annotations

import os

import jupyter_secrets
from jupyter_secrets.files import Materializer

from .fixtures import memory_dir, value_of
from .timing import Row, paired, per_call, ratio_row

SLOTS = 20
PROJECT_ID = "0123456789abcdef0123456789abcdef"


def run(quick: bool = False) -> list[Row]:
    repeats, calls = (3, 300) if quick else (9, 2000)
    with memory_dir("get-secret") as base:
        materializer = Materializer(base / "server-1")
        materializer.write_project(
            PROJECT_ID, [(f"Secret {i}", f"secret-{i}", value_of(i)) for i in range(SLOTS)]
        )
        directory = materializer.project_dir(PROJECT_ID)
        name, path = "Secret 7", str(directory / "secret-7")
        saved = os.environ.get("JUPYTER_SECRETS_DIR")
        os.environ["JUPYTER_SECRETS_DIR"] = str(directory)
        try:
            assert jupyter_secrets.get_secret(name) == open(path).read() == value_of(7)

            def helper() -> float:
                return per_call(lambda: jupyter_secrets.get_secret(name), calls)

            def plain() -> float:
                return per_call(lambda: open(path).read(), calls)

            helper(), plain()  # warm-up
            values, bases = paired(helper, plain, repeats)
        finally:
            if saved is None:
                os.environ.pop("JUPYTER_SECRETS_DIR", None)
            else:
                os.environ["JUPYTER_SECRETS_DIR"] = saved
    return [
        ratio_row(
            "get_secret_warm",
            f"get_secret(slot name), warm, project of {SLOTS} slots",
            "open(path).read() of the same file",
            values,
            bases,
            unit="s",
            target="≤ 2×",
            limit=2.0,
            note=f"{calls} calls per repeat",
        )
    ]
