"""Reading one secret in a kernel: ``get_secret()`` against what people use instead.

All read the same value among 20: ``os.environ[...]`` (set at process start, no file), a
``.env`` file loaded with python-dotenv (``dotenv_values`` each time: a value changed on disk is
seen, as with ``get_secret``), and ``keyring.get_password`` with keyrings.alt's
``PlaintextKeyring`` file backend in a temp dir.  Baseline: ``get_secret()`` on a materialized
20-slot project, measured in the same run.  Ratio = other ÷ get_secret: above 1 means
get_secret is faster.  A comparison whose package is missing is skipped with a note.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import jupyter_secrets
from jupyter_secrets.files import Materializer

from .fixtures import memory_dir, value_of
from .timing import Row, paired, per_call, ratio_row, skipped

SLOTS = 20
PROJECT_ID = "0123456789abcdef0123456789abcdef"
BASELINE = "get_secret() of the same value (20-slot project)"


def _others(base) -> dict[str, tuple[str, Callable[[], str] | str]]:
    """key -> (description, reader or the reason it is unavailable)."""
    others: dict[str, tuple[str, Callable[[], str] | str]] = {}
    os.environ["JSBENCH_SECRET_7"] = value_of(7)
    others["compare_environ"] = ("os.environ['NAME']", lambda: os.environ["JSBENCH_SECRET_7"])

    env_file = base / ".env"
    env_file.write_text("".join(f"SECRET_{i}={value_of(i)}\n" for i in range(SLOTS)))
    try:
        from dotenv import dotenv_values

        others["compare_dotenv"] = (
            "python-dotenv: dotenv_values('.env')['NAME']",
            lambda: dotenv_values(env_file)["SECRET_7"],
        )
    except ImportError:
        others["compare_dotenv"] = ("python-dotenv", "python-dotenv is not installed")

    try:
        import keyring
        from keyrings.alt.file import PlaintextKeyring

        backend = PlaintextKeyring()
        backend.file_path = str(base / "keyring_pass.cfg")
        keyring.set_keyring(backend)
        for i in range(SLOTS):
            keyring.set_password("jsbench", f"secret-{i}", value_of(i))
        others["compare_keyring"] = (
            "keyring.get_password, keyrings.alt PlaintextKeyring file",
            lambda: keyring.get_password("jsbench", "secret-7"),
        )
    except ImportError:
        others["compare_keyring"] = (
            "keyring + keyrings.alt",
            "keyring or keyrings.alt is not installed",
        )
    return others


def run(quick: bool = False) -> list[Row]:
    repeats, calls = (3, 100) if quick else (7, 500)
    rows = []
    with memory_dir("compare") as base:
        materializer = Materializer(base / "server-1")
        materializer.write_project(
            PROJECT_ID, [(f"Secret {i}", f"secret-{i}", value_of(i)) for i in range(SLOTS)]
        )
        saved = os.environ.get("JUPYTER_SECRETS_DIR")
        os.environ["JUPYTER_SECRETS_DIR"] = str(materializer.project_dir(PROJECT_ID))
        try:

            def helper() -> float:
                return per_call(lambda: jupyter_secrets.get_secret("Secret 7"), calls)

            for key, (what, reader) in _others(base).items():
                beats = key != "compare_environ"
                target = "get_secret faster (> 1×)" if beats else "report"
                if isinstance(reader, str):
                    rows.append(skipped(key, what, BASELINE, target, reader))
                    continue
                assert reader() == jupyter_secrets.get_secret("Secret 7") == value_of(7)
                # About as long a batch as get_secret's (environ is ~1000× faster, dotenv ~5× slower).
                per_reader = {"compare_environ": calls * 20, "compare_dotenv": calls // 4}.get(
                    key, calls
                )

                def other(reader=reader, n=per_reader) -> float:
                    return per_call(reader, n)

                other(), helper()  # warm-up
                values, bases = paired(other, helper, repeats)
                row = ratio_row(key, what, BASELINE, values, bases, unit="s", target=target)
                if beats:
                    row.met = row.ratio > 1
                rows.append(row)
        finally:
            os.environ.pop("JSBENCH_SECRET_7", None)
            if saved is None:
                os.environ.pop("JUPYTER_SECRETS_DIR", None)
            else:
                os.environ["JUPYTER_SECRETS_DIR"] = saved
    return rows
