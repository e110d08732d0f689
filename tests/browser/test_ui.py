"""The JupyterLab UI of jupyter_secrets in a real browser against a real server."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import (
    execute,
    open_lab,
    open_panel,
    screenshot,
    set_theme,
    slot,
    wait_ready,
    wait_state,
)

pytestmark = pytest.mark.browser

SLOTS = [
    {
        "name": "Database password",
        "description": "read-only PostgreSQL",
        "filename": "db-password",
        "env": "DB_PASSWORD",
    },
    {"name": "API token", "description": "weather service", "filename": "api-token"},
    {"name": "SSH key", "description": "deploy key", "filename": "ssh-key"},
]


def notebook(lab, path: str, code: str) -> None:
    content = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "c1",
                "metadata": {},
                "outputs": [],
                "source": code,
            }
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    status, reply = lab.request(
        "PUT", f"/api/contents/{path}", {"type": "notebook", "format": "json", "content": content}
    )
    assert status in (200, 201), reply


def run_notebook(page, expected: str) -> None:
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget;
                   const k = w && w.sessionContext && w.sessionContext.session
                             && w.sessionContext.session.kernel;
                   return k && k.status === 'idle'; }""",
        timeout=60_000,
    )
    execute(page, "notebook:run-all-cells")
    page.locator(".jp-OutputArea-output").filter(has_text=expected).first.wait_for(timeout=60_000)


def launch_dialog(page):
    dialog = page.get_by_test_id("launch-dialog")
    dialog.wait_for(state="visible")
    return dialog


def launch_row(page, name: str):
    return page.locator(f'[data-testid="launch-slot"][data-slot-name="{name}"]')


def test_journey(page, lab, api):
    """Launch dialog -> panel states -> kernel reads -> replace -> delete -> missing."""
    shared = api.secret("shared-token", "tok-12345")  # 9 characters
    project = api.project("journey", "Journey", SLOTS)

    open_lab(page, lab, "journey")
    dialog = launch_dialog(page)
    assert dialog.get_by_test_id("launch-slot").count() == 3
    assert "Journey" in dialog.inner_text()
    screenshot(dialog.locator(".jp-Dialog-content"), "launch-dialog-light")

    # One new value (typed hidden, revealed while typing), one existing secret, one skipped.
    db = launch_row(page, "Database password")
    db_input = db.get_by_test_id("launch-value")
    assert db_input.get_attribute("type") == "password"
    db_input.fill("s3cret-value-17ch")
    db.get_by_test_id("launch-value-reveal").click()
    assert db_input.get_attribute("type") == "text"
    db.get_by_test_id("launch-value-reveal").click()
    assert db_input.get_attribute("type") == "password"

    api_row = launch_row(page, "API token")
    api_row.get_by_test_id("launch-choice-existing").check()
    api_row.get_by_test_id("launch-existing").select_option(shared["id"])
    launch_row(page, "SSH key").get_by_test_id("launch-choice-skip").check()
    page.get_by_test_id("launch-save").click()
    dialog.wait_for(state="detached")

    # The panel shows the states.
    open_panel(page)
    wait_state(page, "Database password", "provided")
    wait_state(page, "API token", "provided")
    wait_state(page, "SSH key", "missing")
    assert (
        slot(page, "API token").get_by_test_id("secrets-slot-secret").inner_text() == "shared-token"
    )
    # Values never come back into the page.
    assert "s3cret-value-17ch" not in page.content()
    screenshot(page.get_by_test_id("secrets-panel"), "panel-light")

    # A kernel of the project reads the value.
    notebook(
        lab,
        "journey/check.ipynb",
        'from jupyter_secrets import get_secret\nprint("len", len(get_secret("db-password")))',
    )
    execute(page, "docmanager:open", {"path": "journey/check.ipynb"})
    run_notebook(page, "len 17")

    # Replace the value in the User secrets view: the same kernel reads the new one.
    execute(page, "jupyter-secrets:open-user-secrets")
    view = page.get_by_test_id("user-secrets-view")
    view.wait_for(state="visible")
    row = view.locator('[data-testid="user-secret-row"]').filter(
        has_text="Journey / Database password"
    )
    row.wait_for()
    secret_name = row.locator("th").inner_text()
    row.get_by_test_id("user-secret-replace").click()
    view.get_by_test_id("replace-value").fill("x" * 25)
    view.get_by_test_id("replace-submit").click()
    view.get_by_test_id("replace-form").wait_for(state="detached")
    screenshot(view, "user-secrets-light")

    page.locator(".lm-TabBar-tab", has_text="check.ipynb").click()
    run_notebook(page, "len 25")

    # Delete it, after reading the usages in the confirmation: the slot becomes missing.
    execute(page, "jupyter-secrets:open-user-secrets")
    row = view.locator(f'[data-testid="user-secret-row"][data-secret-name="{secret_name}"]')
    row.get_by_test_id("user-secret-delete").click()
    usages = page.get_by_test_id("delete-usage-list")
    usages.wait_for()
    assert usages.inner_text().strip() == "Journey / Database password"
    page.locator(".jp-Dialog-button.jp-mod-warn").click()
    row.wait_for(state="detached")
    open_panel(page)
    wait_state(page, "Database password", "missing")
    wait_state(page, "API token", "provided")
    # Deleting in the same project does not bring the launch dialog back.
    assert page.get_by_test_id("launch-dialog").count() == 0
    assert project["id"]


def test_bad_filename_shows_the_server_message_next_to_the_field(page, lab, api):
    api.project("badname", "Bad name", [])
    open_lab(page, lab, "badname")
    open_panel(page)
    page.get_by_test_id("secrets-add-slot").click()
    form = page.get_by_test_id("slot-form")
    form.get_by_test_id("slot-field-name").fill("Bad")
    form.get_by_test_id("slot-field-filename").fill("../x")
    form.get_by_test_id("slot-form-submit").click()
    error = form.get_by_test_id("slot-field-filename-error")
    error.wait_for()
    assert "characters" in error.inner_text()
    assert form.get_by_test_id("slot-field-filename").get_attribute("aria-invalid") == "true"
    # The form stays open with what was typed; fixing the name adds the slot.
    form.get_by_test_id("slot-field-filename").fill("x")
    form.get_by_test_id("slot-form-submit").click()
    wait_state(page, "Bad", "missing")


def test_no_dialog_when_nothing_is_missing(page, lab, api):
    project = api.project("complete", "Complete", [SLOTS[0]])
    api(
        "PUT",
        f"projects/{project['id']}/slots/{project['slots'][0]['id']}/value",
        {"value": "all-there"},
    )
    (lab.root / "plain").mkdir(exist_ok=True)

    with page.expect_response(lambda r: "/api/secrets/projects?path=complete" in r.url):
        open_lab(page, lab, "complete")
    open_panel(page)
    wait_state(page, "Database password", "provided")
    execute(page, "filebrowser:go-to-path", {"path": "/plain"})
    open_panel(page)
    page.get_by_test_id("secrets-no-project").wait_for()
    time.sleep(1)
    assert page.get_by_test_id("launch-dialog").count() == 0


def test_no_renag_after_skip_and_setting_turns_it_off(page, lab, api):
    api.project("nag-a", "Nag A", [SLOTS[1]])
    api.project("nag-b", "Nag B", [SLOTS[2]])
    open_lab(page, lab, "nag-a")
    launch_dialog(page)
    page.get_by_test_id("launch-later").click()
    page.get_by_test_id("launch-dialog").wait_for(state="detached")

    # Another project with missing slots: asked; back to the first: not asked again.
    execute(page, "filebrowser:go-to-path", {"path": "/nag-b"})
    dialog = launch_dialog(page)
    assert "Nag B" in dialog.inner_text()
    page.get_by_test_id("launch-dont-ask").check()
    page.get_by_test_id("launch-later").click()
    dialog.wait_for(state="detached")
    execute(page, "filebrowser:go-to-path", {"path": "/nag-a"})
    open_panel(page)
    wait_state(page, "API token", "missing")
    time.sleep(1)
    assert page.get_by_test_id("launch-dialog").count() == 0

    # "Don't ask at launch" turned the setting off: a new page does not ask either.
    page.reload()
    wait_ready(page)
    open_panel(page)
    wait_state(page, "API token", "missing")
    time.sleep(1)
    assert page.get_by_test_id("launch-dialog").count() == 0
    settings = lab.request("GET", "/lab/api/settings/jupyter-secrets:plugin")[1]
    assert json.loads(json.dumps(settings))["settings"].get("launchDialog") is False
    # Put it back for the other tests of this module.
    lab.request(
        "PUT",
        "/lab/api/settings/jupyter-secrets:plugin",
        {"raw": json.dumps({"launchDialog": True})},
    )


def test_screenshots_dark(page, lab, api):
    api.secret("warehouse-password", "w-123")
    project = api.project("dark", "Dark demo", SLOTS)
    api(
        "PUT",
        f"projects/{project['id']}/slots/{project['slots'][0]['id']}/value",
        {"value": "dark-value"},
    )
    open_lab(page, lab, "dark")
    dialog = launch_dialog(page)
    set_theme(page, "JupyterLab Dark")
    screenshot(dialog.locator(".jp-Dialog-content"), "launch-dialog-dark")
    page.get_by_test_id("launch-later").click()
    screenshot(open_panel(page), "panel-dark")
    execute(page, "jupyter-secrets:open-user-secrets")
    view = page.get_by_test_id("user-secrets-view")
    view.get_by_test_id("user-secrets-table").wait_for()
    screenshot(view, "user-secrets-dark")
    set_theme(page, "JupyterLab Light")
