"""A value about to expire warns before it stops being written: in the panel's slot card, the
User secrets row and the launch dialog's choice of a saved secret (a real server, a real
store, real Chromium).  What "about to" means is the server's (``expires_soon``, 7 days)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from .conftest import execute, open_lab, open_panel, slot, wait_state

pytestmark = pytest.mark.browser


def in_days(days: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days, hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_expiring_values_are_warned_about_everywhere(page, lab, api):
    project = api.project(
        "expiring",
        "Expiring",
        [{"name": "Soon", "filename": "soon"}, {"name": "Empty", "filename": "empty"}],
    )
    soon_slot, _empty = project["slots"]
    soon = api(
        "POST", "user-secrets", {"name": "soon-token", "value": "v" * 12, "expires": in_days(3)}
    )
    spare = api(
        "POST", "user-secrets", {"name": "spare-soon", "value": "w" * 12, "expires": in_days(2)}
    )
    later = api(
        "POST", "user-secrets", {"name": "far-later", "value": "x" * 12, "expires": in_days(90)}
    )
    api("PUT", f"projects/{project['id']}/slots/{soon_slot['id']}/value", {"secret_id": soon["id"]})

    # The launch dialog (for the empty slot): the saved secrets offered say which expire soon.
    open_lab(page, lab, "expiring")
    dialog = page.get_by_test_id("launch-dialog")
    dialog.wait_for(state="visible")
    row = page.locator('[data-testid="launch-slot"][data-slot-name="Empty"]')
    row.get_by_test_id("launch-choice-existing").check()
    select = row.get_by_test_id("launch-existing")
    labels = {
        option.get_attribute("value"): option.inner_text().strip()
        for option in select.locator("option").all()
    }
    assert labels[spare["id"]] == "spare-soon (expires in 2 days)"
    assert labels[soon["id"]] == "soon-token (expires in 3 days)"
    assert labels[later["id"]] == "far-later"
    page.get_by_test_id("launch-later").click()
    dialog.wait_for(state="detached")

    # The panel: the provided slot carries the warning, with the date in its tooltip.
    open_panel(page)
    wait_state(page, "Soon", "provided")
    warning = slot(page, "Soon").get_by_test_id("secrets-expiry-warning")
    assert warning.inner_text() == "expires in 3 days"
    assert "stops being written" in warning.get_attribute("title")
    assert slot(page, "Empty").get_by_test_id("secrets-expiry-warning").count() == 0

    # The User secrets view: the rows of the two secrets that expire soon, and only those.
    execute(page, "jupyter-secrets:open-user-secrets")
    view = page.get_by_test_id("user-secrets-view")
    view.get_by_test_id("user-secrets-table").wait_for()

    def row_of(name: str):
        return view.locator(f'[data-testid="user-secret-row"][data-secret-name="{name}"]')

    row_of("far-later").wait_for()
    assert row_of("soon-token").get_by_test_id("secrets-expiry-warning").inner_text() == (
        "expires in 3 days"
    )
    assert row_of("spare-soon").get_by_test_id("secrets-expiry-warning").count() == 1
    assert row_of("far-later").get_by_test_id("secrets-expiry-warning").count() == 0

    # Given a later expiry, the warning goes away (the page shows what the server says).
    api("PATCH", f"user-secrets/{soon['id']}", {"expires": in_days(60)})
    open_lab(page, lab, "expiring")
    page.get_by_test_id("launch-later").click()
    open_panel(page)
    wait_state(page, "Soon", "provided")
    assert slot(page, "Soon").get_by_test_id("secrets-expiry-warning").count() == 0
