"""Real-browser tests: a real ``jupyter lab`` subprocess and Debian's Chromium via Playwright.

Nothing is downloaded: the browser is ``/usr/bin/chromium`` (never ``playwright install``).
The server runs on a free port with a token, its own root, data, config and store
directories, and a generated ``JUPYTER_SECRETS_KEY`` (see ``tests/server_process.py``).
When the package is not pip-installed (``make install`` does it), the server and its kernels
import it from the source tree, and the built labextension is served from
``jupyter_secrets/labextension``.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.server_process import ServerProcess

REPO = Path(__file__).resolve().parents[2]
LABEXTENSION = REPO / "jupyter_secrets" / "labextension"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots go to tests/artifacts/ (git-ignored); `UPDATE_SCREENSHOTS=1 make test-browser`
# refreshes the ones the README shows, in docs/screenshots/.
SCREENSHOTS = REPO / (
    "docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else "tests/artifacts/screenshots"
)
VIEWPORT = {"width": 1180, "height": 720}

# Settings written to the test server's user settings: no news pop-up, no update check.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


# pytest-jupyter's autouse fixtures (loaded by tests/conftest.py) would close the event loop
# that Playwright's sync API runs: these tests use no in-process server, so turn them off.
@pytest.fixture(autouse=True)
def jp_asyncio_loop():
    yield None


@pytest.fixture(autouse=True)
def jp_server_cleanup():
    yield


def _importable_installed() -> bool:
    """Is the package pip-installed (not only importable from the source tree)?"""
    try:
        importlib.metadata.distribution("jupyter_secrets")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _labextension_installed() -> bool:
    from jupyter_core.paths import jupyter_path

    return any(
        os.path.isdir(os.path.join(p, "jupyter-secrets")) for p in jupyter_path("labextensions")
    )


@pytest.fixture(scope="session")
def chromium():
    # A missing browser, build or Playwright fails the tests: a skip would read as a pass.
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run `sudo apt-get install -y chromium` "
            "(or `make test-browser`, which installs it when it may), or set CHROMIUM=<path>",
            pytrace=False,
        )
    if not (LABEXTENSION / "package.json").exists():
        pytest.fail(
            "the labextension is not built: run `make frontend` "
            "(or `cd labextension && jlpm build:prod`)",
            pytrace=False,
        )
    try:
        from playwright import sync_api
    except ImportError:
        pytest.fail("Playwright is not installed: run `make install`", pytrace=False)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def start_lab(
    workdir: Path,
    *,
    extra_args: list[str] | None = None,
    env: dict[str, str] | None = None,
    secrets_dir: Path | None = None,
    app: str = "lab",
) -> ServerProcess:
    """Start a ``jupyter lab`` (or ``jupyter notebook``, Notebook 7) for the browser tests."""
    app_class = {"lab": "LabApp", "notebook": "JupyterNotebookApp"}[app]
    extra = [
        f"--{app_class}.expose_app_in_browser=True",
        "--ServerApp.jpserver_extensions=jupyter_secrets=True",
        *(extra_args or []),
    ]
    env = dict(env or {})
    if not _labextension_installed():
        labexts = workdir / "labextensions"
        labexts.mkdir()
        (labexts / "jupyter-secrets").symlink_to(LABEXTENSION)
        extra.append(f"--{app_class}.extra_labextensions_path={labexts}")
    if not _importable_installed():
        # The server and its kernels import the package from the source tree.
        env.setdefault(
            "PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        )
    server = ServerProcess(workdir, app=app, extra_args=extra, env=env)
    if secrets_dir is not None:
        server.secrets_base = secrets_dir
    settings_dir = workdir / "config" / "lab" / "user-settings"
    for name, value in USER_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    return server.start()


@contextlib.contextmanager
def memory_dir():
    """A private directory in /dev/shm (as the real default is memory-backed), else None.

    The tests' temp dirs may be on disk: the panel would rightly warn about it in every test
    and screenshot.
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield None
        return
    path = Path(tempfile.mkdtemp(prefix="jsb-lab-", dir=shm))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):
    """One JupyterLab server per test module; tests use their own project folders."""
    with memory_dir() as secrets_dir:
        server = start_lab(tmp_path_factory.mktemp("lab"), secrets_dir=secrets_dir)
        yield server
        server.stop()


@pytest.fixture
def page(chromium, lab):
    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not [e for e in errors if "secrets" in e.lower()], errors


class Api:
    """The REST API of docs/API.md, through the test server's token."""

    def __init__(self, server: ServerProcess):
        self.server = server

    def __call__(self, method: str, path: str, body=None, expect: int | None = None):
        status, reply = self.server.request(method, f"/api/secrets/{path}", body)
        if expect is not None:
            assert status == expect, (method, path, status, reply)
        elif status >= 400:
            raise AssertionError(f"{method} {path}: {status} {reply}")
        return reply

    def project(self, path: str, name: str, slots: list[dict]) -> dict:
        (self.server.root / path).mkdir(parents=True, exist_ok=True)
        project = self("POST", "projects", {"path": path, "name": name})
        project["slots"] = [self("POST", f"projects/{project['id']}/slots", s) for s in slots]
        return project

    def secret(self, name: str, value: str) -> dict:
        return self("POST", "user-secrets", {"name": name, "value": value})


@pytest.fixture
def api(lab) -> Api:
    return Api(lab)


def open_lab(page, server: ServerProcess, path: str = "", workspace: str | None = None) -> None:
    """Open JupyterLab with the file browser in ``path`` and wait until it is ready.

    Each call uses a workspace of its own, so that no layout leaks from one test to the next.
    """
    global _workspaces
    _workspaces += 1
    workspace = workspace or f"t{_workspaces}"
    page.goto(f"{server.url}/lab/workspaces/{workspace}/tree/{path}?token={server.token}")
    wait_ready(page)


_workspaces = 0


def wait_ready(page) -> None:
    """Wait until JupyterLab has restored its layout and this extension is active."""
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand("
        "'jupyter-secrets:open-panel')",
        timeout=60_000,
    )
    page.evaluate("async () => { await window.jupyterapp.restored; }")
    # After `restored`, the file browser still restores its folder, then opens a Launcher when
    # the main area is empty, and activating it takes the focus: wait for that, or a test's
    # first keys land in the Launcher instead of the form they typed into (seen under load).
    page.wait_for_function(
        "() => { const shell = window.jupyterapp.shell;"
        " return !shell.isEmpty || (!shell.isEmpty('main')"
        " && !document.querySelector('.jp-mod-restoring')); }",
        timeout=60_000,
    )
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def execute(page, command: str, args: dict | None = None):
    return page.evaluate(
        "async ([c, a]) => { await window.jupyterapp.commands.execute(c, a); }",
        [command, args or {}],
    )


def open_panel(page):
    execute(page, "jupyter-secrets:open-panel")
    panel = page.get_by_test_id("secrets-panel")
    panel.wait_for(state="visible")
    return panel


def slot(page, name: str):
    return page.locator(f'[data-testid="secrets-slot"][data-slot-name="{name}"]')


def wait_state(page, name: str, state: str) -> None:
    page.locator(
        f'[data-testid="secrets-slot"][data-slot-name="{name}"][data-state="{state}"]'
    ).wait_for()


def set_theme(page, theme: str) -> None:
    execute(page, "apputils:change-theme", {"theme": theme})
    page.wait_for_function(
        "t => document.body.dataset.jpThemeName === t", arg=theme, timeout=20_000
    )


def screenshot(locator, name: str) -> None:
    """A small PNG of one element (``<SCREENSHOTS>/<name>.png``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
