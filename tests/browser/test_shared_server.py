"""A shared server in a real browser: the owner has the Secrets UI, a guest only a notice.

The server names its users (``tests.two_users.TwoUsersIdentityProvider``: ``alice-token`` is
alice, the owner; ``bob-token`` is bob, a guest), as JupyterHub does for a shared server. Its
secret files are on disk, so the owner's panel warns about it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.two_users import GUEST_TOKEN, OWNER_TOKEN

from .conftest import (
    REPO,
    SCREENSHOTS,
    VIEWPORT,
    execute,
    open_panel,
    screenshot,
    set_theme,
    start_lab,
    wait_ready,
)

pytestmark = pytest.mark.browser

WORKSPACE = "shared"
# The identity provider lives in this repository's tests package.
PYTHONPATH = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
SLOT = {"name": "Warehouse password", "description": "read-only", "filename": "warehouse"}


@pytest.fixture(scope="module")
def shared_lab(tmp_path_factory, chromium):
    # On disk whatever /tmp is here: the repository's git-ignored artefacts folder.
    artifacts = REPO / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    on_disk = Path(tempfile.mkdtemp(prefix="secrets-on-disk-", dir=artifacts))
    try:
        server = start_lab(
            tmp_path_factory.mktemp("shared"),
            extra_args=[
                "--ServerApp.identity_provider_class=tests.two_users.TwoUsersIdentityProvider",
                "--SecretsExtension.owner=alice",
            ],
            env={"PYTHONPATH": PYTHONPATH},
            secrets_dir=on_disk,
        )
        # The server's own token stays random and nobody's: JupyterLab puts it in every page's
        # config, and a page sends it with each request, so were it alice's, bob's page would
        # act as alice. The test's own API calls go as alice.
        server.token = OWNER_TOKEN
        yield server
        server.stop()
    finally:
        shutil.rmtree(on_disk, ignore_errors=True)


@dataclass
class Visit:
    """One user's page, with what it reported."""

    page: object
    errors: list[str] = field(default_factory=list)  # uncaught exceptions
    console_errors: list[str] = field(default_factory=list)
    secrets_responses: list[tuple[int, str]] = field(default_factory=list)  # /api/secrets/ replies


@pytest.fixture
def visit(chromium):
    """Open JupyterLab as one user, in a browser context of its own (its own login cookie)."""
    contexts = []

    def open_as(server, token: str, path: str = "", workspace: str = WORKSPACE) -> Visit:
        context = chromium.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        seen = Visit(page)
        page.on("pageerror", lambda exc: seen.errors.append(str(exc)))
        page.on("console", lambda m: m.type == "error" and seen.console_errors.append(m.text))
        page.on(
            "response",
            lambda r: "/api/secrets/" in r.url and seen.secrets_responses.append((r.status, r.url)),
        )
        tree = f"/tree/{path}" if path else ""
        page.goto(f"{server.url}/lab/workspaces/{workspace}{tree}?token={token}")
        return seen

    yield open_as
    for context in contexts:
        context.close()


def wait_lab(page) -> None:
    """JupyterLab is up and restored (whether or not the Secrets UI is there)."""
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    page.wait_for_function("() => window.jupyterapp", timeout=60_000)
    page.evaluate("async () => { await window.jupyterapp.restored; }")


def secrets_commands(page) -> list[str]:
    return page.evaluate(
        "() => window.jupyterapp.commands.listCommands()"
        ".filter(c => c.startsWith('jupyter-secrets:'))"
    )


def sidebar_tab(page):
    return page.locator('.jp-SideBar .lm-TabBar-tab[data-id="jupyter-secrets-panel"]')


def guest_notice(page):
    return page.locator(".Toastify__toast").filter(has_text="belong to its owner, alice")


def page_screenshot(page, name: str) -> None:
    """The whole page, toasts included: not ``screenshot()``, whose ``animations="disabled"``
    runs a toast's auto-close progress bar to its end, which closes it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)  # the toast's entry animation
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def wait_workspace_has_secrets(server, timeout: float = 20) -> None:
    """The owner's layout (Secrets panel, User secrets view) is saved in the shared workspace."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, reply = server.request("GET", f"/lab/api/workspaces/{WORKSPACE}")
        text = json.dumps(reply)
        keys = ("jupyter-secrets:user-secrets", "jupyter-secrets-panel")
        if status == 200 and all(key in text for key in keys):
            return
        time.sleep(0.25)
    raise AssertionError(f"the workspace never got the Secrets layout: {text}")


def test_owner_then_guest(shared_lab, visit):
    """Alice has the panel, dialog and view; bob, in alice's very layout, gets a notice only."""
    (shared_lab.root / "proj").mkdir()
    body = {"path": "proj", "name": "Warehouse"}
    _, project = shared_lab.request("POST", "/api/secrets/projects", body)
    shared_lab.request("POST", f"/api/secrets/projects/{project['id']}/slots", SLOT)

    # ---- the owner: launch dialog, panel, view, commands --------------------------------
    owner = visit(shared_lab, OWNER_TOKEN, "proj")
    alice = owner.page
    wait_ready(alice)
    alice.get_by_test_id("launch-dialog").wait_for(state="visible")
    alice.get_by_test_id("launch-later").click()
    alice.get_by_test_id("launch-dialog").wait_for(state="detached")
    assert "jupyter-secrets:open-user-secrets" in secrets_commands(alice)
    assert sidebar_tab(alice).count() == 1
    open_panel(alice)
    execute(alice, "jupyter-secrets:open-user-secrets")
    alice.get_by_test_id("user-secrets-view").wait_for(state="visible")
    wait_workspace_has_secrets(shared_lab)
    assert not owner.errors, owner.errors

    # ---- the guest, in the same workspace and folder ----------------------------------------
    guest = visit(shared_lab, GUEST_TOKEN, "proj")
    bob = guest.page
    wait_lab(bob)
    notice = guest_notice(bob)
    notice.wait_for(state="visible")
    assert "Secrets panel is not shown" in notice.inner_text()
    page_screenshot(bob, "guest-notice-light")
    time.sleep(1.5)  # what a slower extension would still add or ask

    assert secrets_commands(bob) == []
    assert sidebar_tab(bob).count() == 0
    assert bob.locator("#jupyter-secrets-panel").count() == 0
    assert bob.get_by_test_id("secrets-panel").count() == 0
    assert bob.get_by_test_id("launch-dialog").count() == 0
    assert bob.get_by_test_id("user-secrets-view").count() == 0
    assert bob.locator(".lm-TabBar-tab", has_text="User secrets").count() == 0
    # One request, one 403, no polling, no error toast, nothing thrown.
    assert [s for s, _ in guest.secrets_responses] == [403], guest.secrets_responses
    assert guest.secrets_responses[0][1].split("?")[0].endswith("/api/secrets/status")
    assert bob.locator(".Toastify__toast--error").count() == 0
    assert guest_notice(bob).count() == 1
    assert not guest.errors, guest.errors
    # The browser itself logs the 403 once ("Failed to load resource"); the extension adds nothing.
    others = [e for e in guest.console_errors if "Failed to load resource" not in e]
    assert others == [], guest.console_errors

    # Dark theme (a user setting of the server, shared by both): a fresh page shows the notice.
    set_theme(bob, "JupyterLab Dark")
    bob.reload()
    wait_lab(bob)
    guest_notice(bob).wait_for(state="visible")
    page_screenshot(bob, "guest-notice-dark")
    set_theme(bob, "JupyterLab Light")

    # The owner still has everything after the guest came by.
    alice.reload()
    wait_ready(alice)
    assert sidebar_tab(alice).count() == 1
    assert not owner.errors, owner.errors


def test_owner_panel_warns_that_secret_files_are_on_disk(shared_lab, visit):
    status, reply = shared_lab.request("GET", "/api/secrets/status")
    assert status == 200, reply
    assert "secrets_dir_memory_backed" in reply, "the status has no secrets_dir_memory_backed"
    if reply["secrets_dir_memory_backed"] is not False:
        pytest.skip(f"{shared_lab.secrets_base} is not on disk here")

    owner = visit(shared_lab, OWNER_TOKEN, workspace="disk")
    alice = owner.page
    wait_ready(alice)
    panel = open_panel(alice)
    warning = panel.get_by_test_id("secrets-notice-location")
    warning.wait_for(state="visible")
    assert warning.get_attribute("role") == "status"
    text = warning.inner_text()
    assert "written to disk" in text
    # The details are the server's own words, or at least the folder.
    for line in reply["secrets_dir_warnings"]:
        assert line in text
    if not reply["secrets_dir_warnings"]:
        assert reply["secrets_dir"] in text
    assert panel.get_by_test_id("secrets-notice-locked").count() == 0
    assert alice.locator(".jp-Dialog").count() == 0  # nothing over the panel in the screenshots
    screenshot(panel, "panel-disk-warning-light")
    set_theme(alice, "JupyterLab Dark")
    screenshot(panel, "panel-disk-warning-dark")
    set_theme(alice, "JupyterLab Light")
    assert not owner.errors, owner.errors
