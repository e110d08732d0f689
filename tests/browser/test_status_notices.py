"""The Secrets panel's status notices, from statuses no test machine produces on its own.

A locked store, out-of-date files and a squatted secrets location need a wrong key, a full
disk and another local user: here the page gets such a status from ``GET /api/secrets/status``
(intercepted in the browser), shaped as the server sends it; everything else is the real server.
"""

from __future__ import annotations

import re

import pytest

from .conftest import open_lab, open_panel, screenshot, set_theme

pytestmark = pytest.mark.browser

SQUATTED = (
    "the secrets location /dev/shm/jupyter-secrets-1000 belongs to another user; "
    "using /dev/shm/jupyter-secrets-abc123 instead"
)
ON_DISK = "no memory-backed place: secret files are written to disk under /tmp/jupyter-secrets-x1"


def serve_status(page, lab, **changes) -> dict:
    """Answer the page's status requests with the real status, changed by ``changes``."""
    status = {**lab.request("GET", "/api/secrets/status")[1], **changes}
    page.route(re.compile(r"/api/secrets/status(\?|$)"), lambda route: route.fulfill(json=status))
    return status


def test_every_notice(page, lab, api):
    api.project("notices", "Notices", [{"name": "Token", "filename": "token"}])
    serve_status(
        page,
        lab,
        locked=True,
        lock_reason="no key decrypts this store (JUPYTER_SECRETS_KEY changed?)",
        files_error="[Errno 28] No space left on device",
        secrets_dir="/tmp/jupyter-secrets-x1/server-1",
        secrets_dir_memory_backed=False,
        secrets_dir_warnings=[SQUATTED, ON_DISK],
    )
    open_lab(page, lab, "notices")
    page.get_by_test_id("launch-later").click()
    panel = open_panel(page)
    notices = panel.get_by_test_id("secrets-notices")
    notices.wait_for()

    locked = panel.get_by_test_id("secrets-notice-locked")
    assert locked.get_attribute("role") == "alert"
    assert "The secrets store is locked." in locked.inner_text()
    assert "no key decrypts this store" in locked.inner_text()
    files = panel.get_by_test_id("secrets-notice-files")
    assert files.get_attribute("role") == "alert"
    assert "No space left on device" in files.inner_text()
    location = panel.get_by_test_id("secrets-notice-location")
    assert location.get_attribute("role") == "status"
    assert "written to disk, not to memory" in location.inner_text()
    assert SQUATTED in location.inner_text() and ON_DISK in location.inner_text()
    # Most serious first; the project below is still shown.
    keys = notices.locator("[data-testid^=secrets-notice-]").evaluate_all(
        "els => els.map(e => e.dataset.testid)"
    )
    assert keys == ["secrets-notice-locked", "secrets-notice-files", "secrets-notice-location"]
    panel.get_by_test_id("secrets-project").wait_for()

    screenshot(panel, "panel-notices-light")
    set_theme(page, "JupyterLab Dark")
    screenshot(panel, "panel-notices-dark")
    set_theme(page, "JupyterLab Light")


def test_squatted_location_in_memory_is_a_warning_too(page, lab, api):
    api.project("squatted", "Squatted", [])
    serve_status(page, lab, secrets_dir_memory_backed=True, secrets_dir_warnings=[SQUATTED])
    open_lab(page, lab, "squatted")
    panel = open_panel(page)
    location = panel.get_by_test_id("secrets-notice-location")
    location.wait_for()
    assert "not in their usual place" in location.inner_text()
    assert SQUATTED in location.inner_text()
    assert panel.get_by_test_id("secrets-notice-locked").count() == 0
    assert panel.get_by_test_id("secrets-notice-files").count() == 0


def test_no_notice_when_all_is_well(page, lab, api):
    api.project("calm", "Calm", [])
    serve_status(
        page,
        lab,
        locked=False,
        lock_reason=None,
        files_error=None,
        secrets_dir_memory_backed=True,
        secrets_dir_warnings=[],
        store_created_now=True,
    )
    open_lab(page, lab, "calm")
    panel = open_panel(page)
    panel.get_by_test_id("secrets-project").wait_for()
    assert panel.get_by_test_id("secrets-notices").count() == 0
