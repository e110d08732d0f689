"""jupyter_server's own test suites pass the same with jupyter_secrets loaded (``--run-slow``).

jupyter_server's tests are not in its wheel: the sdist of the *installed* version is fetched
from PyPI once (``pip download``) into ``.upstream/`` at the top of the work tree (git-ignored)
and extracted into this test's temporary directory. Its suites for contents, kernels,
sessions, terminals, files, nbconvert and extensions then run twice in subprocesses, each
under jupyter_server's own pytest configuration:

1. baseline: as upstream runs them;
2. with the extension: every test server has ``jupyter_secrets`` enabled, its own store
   copied from one seeded by ``jupyter secrets`` (a project with a filled slot in the test's
   server root), a private secrets directory and no launch prompt
   (``upstream_with_secrets.py``).

Upstream tests may fail or skip here for reasons of their own (no network, root, missing
optional tools); those fail the same both ways and are not ours. This test fails only when an
upstream test passes in the baseline and does not with the extension, also when run again on
its own (``flaky`` upstream tests are told apart that way). The counts of both runs are
printed (``pytest -s`` or ``-rP`` shows them) and the full logs stay in
``.upstream/last-run/``.
"""

from __future__ import annotations

import base64
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CACHE = REPO / ".upstream"
LAST_RUN = CACHE / "last-run"

DIST = "jupyter_server"
SUITES = [
    "tests/services/contents",
    "tests/services/kernels",
    "tests/services/sessions",
    "tests/test_terminal.py",
    "tests/test_files.py",
    "tests/nbconvert",
    "tests/services/nbconvert",
    "tests/extension",
]
PER_TEST_TIMEOUT = 120  # seconds; upstream's own is 100
RUN_TIMEOUT = 50 * 60  # one whole upstream run
MAX_RERUNS = 40  # beyond that many regressions, the extension is plainly broken: no rerun
SEED_VALUE = "upstream-seed-VALUE-5d81c2"
PASSED = ("passed", "xfailed")
# Upstream tests that cannot pass with any other extension enabled; reported, not failed.
DIFFER_BY_CONSTRUCTION = {
    "tests/extension/test_app.py::test_stop_extension": "asserts that exactly jupyter_server_terminals and the mock extension are loaded",
}


def _sdist(dist: str) -> Path:
    """The installed version's sdist, downloaded from PyPI the first time."""
    version = importlib.metadata.version(dist)
    folder = CACHE / "sdist"
    folder.mkdir(parents=True, exist_ok=True)
    name = dist.replace("-", "_")
    found = sorted(folder.glob(f"{name}-{version}.tar.gz"))
    if not found:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--dest",
                str(folder),
                f"{dist}=={version}",
            ],
            check=True,
            timeout=600,
        )
        found = sorted(folder.glob(f"{name}-{version}.tar.gz"))
    if not found:
        pytest.fail(f"pip download gave no {name}-{version}.tar.gz in {folder}")
    return found[0]


def _extract(archive: Path, dest: Path) -> Path:
    """The sdist's tests, without its copy of the package: they test the installed one."""
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    (src,) = [p for p in dest.iterdir() if p.is_dir()]
    shutil.rmtree(src / DIST)
    return src


def _launch_config(folder: Path, env: dict[str, str], secrets: bool) -> Path:
    """``JUPYTER_CONFIG_DIR`` of a run, for the servers that upstream tests launch as commands
    (pytest-jupyter's servers get a fresh one per test): root may run them, and the extension
    is on (own store copy, private secrets dir) or off (as a venv may enable it)."""
    folder.mkdir(mode=0o700)
    server: dict = {"jpserver_extensions": {"jupyter_secrets": secrets}}
    if os.getuid() == 0:
        server["allow_root"] = True
    config: dict = {"ServerApp": server}
    if secrets:
        seed = Path(env["UPSTREAM_SEED_DIR"]) / "store"
        store = folder / "store"
        store.mkdir(mode=0o700)
        for f in seed.iterdir():
            shutil.copy2(f, store / f.name)
        (folder / "run").mkdir(mode=0o700)
        config["SecretsExtension"] = {
            "store_path": str(store / "secrets.sqlite3"),
            "secrets_dir": str(folder / "run"),
            "prompt_on_start": "never",
        }
    (folder / "jupyter_server_config.json").write_text(
        json.dumps(config, indent=1), encoding="utf-8"
    )
    return folder


def _seed(seed_dir: Path, env: dict[str, str]) -> None:
    """A store with one secret bound to the one slot of a project, through the command line;
    the project's slot file beside it."""
    project = seed_dir / "project"
    project.mkdir(parents=True)
    # `python -m jupyter_secrets.cli` is `jupyter secrets` (the command's documented form)
    cli = [
        sys.executable,
        "-m",
        "jupyter_secrets.cli",
        "--store",
        str(seed_dir / "store" / "secrets.sqlite3"),
    ]
    steps = [
        (["slots", "init", "--project", str(project), "--name", "Upstream seed"], None),
        (
            [
                "slots",
                "add",
                "--project",
                str(project),
                "--name",
                "API token",
                "--filename",
                "api-token",
                "--env",
                "UPSTREAM_API_TOKEN",
                "--description",
                "seeded for jupyter_server's own tests",
            ],
            None,
        ),
        (["bind", "api-token", "--project", str(project)], SEED_VALUE + "\n"),
        (["status", "--project", str(project)], None),
    ]
    for args, stdin in steps:
        done = subprocess.run(
            cli + args, input=stdin or "", env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"jupyter secrets {' '.join(args)}: {done.stdout}{done.stderr}"
    # Keep the slot file only: each test's server root gets a copy, the project "cloned"
    # there. A seed folder still holding the same project id would be a second folder with
    # that id, which the extension reports as a clash and then materializes nothing.
    slot_file = project / ".jupyter" / "secret-slots.json"
    slot_file.rename(seed_dir / "secret-slots.json")
    shutil.rmtree(project)


def _read_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _run(
    src: Path,
    label: str,
    env: dict[str, str],
    work: Path,
    *,
    secrets: bool,
    ids: list[str] | None = None,
) -> tuple[dict[str, str], list[dict], float]:
    """One upstream pytest run; returns ({test id: outcome}, probes, seconds)."""
    results, probes = LAST_RUN / f"{label}.jsonl", LAST_RUN / f"{label}-probes.jsonl"
    log = LAST_RUN / f"{label}.log"
    results.unlink(missing_ok=True)
    probes.unlink(missing_ok=True)
    config_dir = _launch_config(work / f"{label}-config", env, secrets)
    run_env = dict(
        env,
        UPSTREAM_RESULTS=str(results),
        UPSTREAM_PROBES=str(probes),
        JUPYTER_CONFIG_DIR=str(config_dir),
    )
    plugins = ["-p", "upstream_record"] + (["-p", "upstream_with_secrets"] if secrets else [])
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        *(ids or SUITES),
        *plugins,
        "-p",
        "no:cacheprovider",
        "-q",
        "--color=no",
        "-rfE",
        f"--timeout={PER_TEST_TIMEOUT}",
        "-o",
        "timeout_method=signal",
        f"--basetemp={work / (label + '-tmp')}",
    ]
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        try:
            subprocess.run(
                cmd,
                cwd=src,
                env=run_env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=RUN_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            out.write(f"\n*** upstream run stopped after {RUN_TIMEOUT} s\n")
    outcomes = {line["id"]: line["outcome"] for line in _read_lines(results)}
    return outcomes, _read_lines(probes), time.monotonic() - started


def _summary_lines(label: str, ids: list[str]) -> list[str]:
    """Upstream's own one-line reasons (``FAILED id - ...``) for these tests, from the log."""
    log = LAST_RUN / f"{label}.log"
    text = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    wanted = set(ids)
    return [
        line
        for line in text
        if line.startswith(("FAILED ", "ERROR ")) and line.split(" ")[1] in wanted
    ]


def _counts(outcomes: dict[str, str]) -> str:
    c = Counter(outcomes.values())
    order = ["passed", "failed", "error", "skipped", "xfailed", "xpassed"]
    return ", ".join(f"{c[k]} {k}" for k in order if c[k]) + f" ({len(outcomes)} tests)"


@pytest.mark.timeout(3 * RUN_TIMEOUT + 900)
def test_jupyter_server_suites_pass_the_same_with_the_extension(tmp_path):
    LAST_RUN.mkdir(parents=True, exist_ok=True)
    src = _extract(_sdist(DIST), tmp_path / "src")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "JUPYTER_SECRETS_"))}
    env.update(
        # upstream tests run `jupyter ...` commands: this Python's scripts come first
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)]),
        PYTHONPATH=os.pathsep.join([str(HERE), *filter(None, [env.get("PYTHONPATH")])]),
        PYTHONDONTWRITEBYTECODE="1",
        JUPYTER_PLATFORM_DIRS="1",
        # a test key, generated per run (not a secret); the baseline has it too
        JUPYTER_SECRETS_KEY=base64.b64encode(os.urandom(32)).decode(),
        UPSTREAM_SEED_DIR=str(tmp_path / "seed"),
        UPSTREAM_SEED_VALUE=SEED_VALUE,
    )
    _seed(tmp_path / "seed", env)

    base, _, base_s = _run(src, "baseline", env, tmp_path, secrets=False)
    ours, probes, ours_s = _run(src, "with-secrets", env, tmp_path, secrets=True)

    differ = sorted(i for i, o in base.items() if o in PASSED and ours.get(i) not in PASSED)
    by_construction = [i for i in differ if i in DIFFER_BY_CONSTRUCTION]
    regressed = [i for i in differ if i not in DIFFER_BY_CONSTRUCTION]
    fixed = sorted(i for i, o in ours.items() if o in PASSED and base.get(i) not in PASSED)
    flaky: list[str] = []
    if regressed and len(regressed) <= MAX_RERUNS:
        again, _, _ = _run(src, "with-secrets-again", env, tmp_path, secrets=True, ids=regressed)
        flaky = [i for i in regressed if again.get(i) in PASSED]
        regressed = [i for i in regressed if i not in flaky]

    configured = [p for p in probes if p["configured"]]
    loaded = sum(p["loaded"] for p in configured)
    materialized = sum(p["materialized"] for p in configured)
    report = [
        f"jupyter_server {importlib.metadata.version(DIST)}, suites: {' '.join(SUITES)}",
        f"baseline:       {_counts(base)} in {base_s:.0f} s",
        f"with extension: {_counts(ours)} in {ours_s:.0f} s",
        (
            f"servers up after a test: {len(probes)}, {len(configured)} of them from "
            f"pytest-jupyter's fixtures with our configuration: extension loaded in {loaded}, "
            f"seeded value materialized in {materialized}"
        ),
        f"pass only without the extension: {len(regressed)}"
        + (
            f"; failed once with it, then passed on their own (flaky): {', '.join(flaky)}"
            if flaky
            else ""
        ),
        *(f"expected to differ: {i} ({DIFFER_BY_CONSTRUCTION[i]})" for i in by_construction),
        f"pass only with the extension: {len(fixed)}" + (f" ({', '.join(fixed)})" if fixed else ""),
        *(f"configured but extension not loaded: {p['id']}" for p in configured if not p["loaded"]),
        f"run without the extension only: {len(set(base) - set(ours))}",
        f"logs: {LAST_RUN}",
    ]
    print("\n".join(report))
    (LAST_RUN / "summary.txt").write_text("\n".join(report) + "\n", encoding="utf-8")

    assert base, f"the baseline run recorded no test: see {LAST_RUN / 'baseline.log'}"
    # The comparison means something only if the extension really ran in the test servers.
    # A test that makes a second server in the same test (test_terminal.py's
    # test_culling_config) gets it without our extension: the harness's limit, not ours.
    assert configured and loaded >= 0.95 * len(configured), (
        "extension not loaded in the configured test servers:\n" + "\n".join(report)
    )
    assert materialized >= 0.9 * len(configured), (
        "the seeded value was rarely materialized:\n" + "\n".join(report)
    )
    assert not regressed, (
        "upstream tests that pass without jupyter_secrets fail with it:\n"
        + "\n".join(_summary_lines("with-secrets", regressed) or regressed)
        + "\n\n"
        + "\n".join(report)
    )
