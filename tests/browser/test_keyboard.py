"""Keyboard, focus, notifications and menus in JupyterLab, in a real browser (issue 13).

The launch dialog as a modal: focus on its first field when it opens (even while JupyterLab
restores its layout), Tab and Shift+Tab stay inside, Escape is "Later", Enter is "Save",
the focus goes back to the opener. A background refresh never opens it. Inline forms:
Escape cancels, the focus returns to the opener. Every change is told in a notification.
The Settings menu reaches User secrets and the panel.
"""

from __future__ import annotations

import json
import time

import pytest

from .conftest import execute, open_lab, open_panel, slot, wait_state

pytestmark = pytest.mark.browser

SLOTS = [
    {"name": "Database password", "description": "read-only", "filename": "db-password"},
    {"name": "API token", "description": "weather service", "filename": "api-token"},
]

IN_DIALOG = (
    "() => { const d = document.querySelector('[data-testid=\"launch-dialog\"]');"
    " return !!d && d.contains(document.activeElement); }"
)


def active_testid(page) -> str | None:
    return page.evaluate(
        "() => document.activeElement && document.activeElement.getAttribute('data-testid')"
    )


def focus_in_dialog(page) -> bool:
    return page.evaluate(IN_DIALOG)


def launch_row(page, name: str):
    return page.locator(f'[data-testid="launch-slot"][data-slot-name="{name}"]')


def start_command(page, command: str) -> None:
    """Run a JupyterLab command without waiting for it to finish (a dialog's command ends
    when its dialog closes)."""
    page.evaluate("c => { void window.jupyterapp.commands.execute(c); }", command)


def toast(page, text: str):
    return page.locator(".Toastify__toast").filter(has_text=text)


def test_launch_dialog_focus_tab_escape_enter_and_restore(page, lab, api):
    api.project("keys", "Keys", SLOTS)
    open_lab(page, lab, "keys")
    dialog = page.get_by_test_id("launch-dialog")
    dialog.wait_for(state="visible")

    # The focus is in the first value field at once: typing goes there, not to the page.
    page.wait_for_function(IN_DIALOG)
    first = launch_row(page, "Database password").get_by_test_id("launch-value")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.closest("
        "'[data-slot-name=\"Database password\"]') && "
        "document.activeElement.getAttribute('data-testid') === 'launch-value'"
    )
    page.keyboard.type("typed-1")
    assert first.input_value() == "typed-1"
    # JupyterLab's restored layout still settling does not take the focus away.
    time.sleep(1)
    assert focus_in_dialog(page)

    # Tab and Shift+Tab walk the dialog's fields and wrap around; the page behind never
    # gets the focus.
    seen = set()
    for _ in range(25):
        page.keyboard.press("Tab")
        assert focus_in_dialog(page), "Tab left the dialog"
        seen.add(active_testid(page))
    assert {"launch-save", "launch-later", "launch-value"} <= seen
    for _ in range(25):
        page.keyboard.press("Shift+Tab")
        assert focus_in_dialog(page), "Shift+Tab left the dialog"

    # Escape is "Later".
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")

    # Opened again from the panel's button: Enter in a field saves, the focus goes back to
    # the button, and a notification says what was saved.
    panel = open_panel(page)
    opener = panel.get_by_test_id("secrets-ask-missing")
    opener.focus()
    page.keyboard.press("Enter")
    dialog.wait_for(state="visible")
    page.wait_for_function(IN_DIALOG)
    launch_row(page, "API token").get_by_test_id("launch-choice-skip").check()
    first.focus()
    page.keyboard.type("typed-by-keyboard")
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached")
    wait_state(page, "Database password", "provided")
    toast(page, "Saved 1 secret value for").first.wait_for()
    page.wait_for_function(
        "() => document.activeElement && "
        "document.activeElement.getAttribute('data-testid') === 'secrets-ask-missing'"
    )
    assert "typed-by-keyboard" not in page.content()


def set_settings(lab, raw: dict) -> None:
    status, reply = lab.request(
        "PUT", "/lab/api/settings/jupyter-secrets:plugin", {"raw": json.dumps(raw)}
    )
    assert status in (200, 204), reply


def test_a_refresh_never_opens_the_dialog(page, lab, api):
    (lab.root / "later").mkdir()
    set_settings(lab, {"refreshInterval": 5})  # the shortest poll
    try:
        with page.expect_response(lambda r: "/api/secrets/projects?path=later" in r.url):
            open_lab(page, lab, "later")
        panel = open_panel(page)
        panel.get_by_test_id("secrets-no-project").wait_for()
        time.sleep(0.5)

        # The folder becomes a project with a missing slot behind the page's back (another
        # tab, the CLI, a git pull); the periodic refresh shows it, and no dialog pops up.
        api.project("later", "Later", [SLOTS[1]])
        with page.expect_response(
            lambda r: "/api/secrets/projects?path=later" in r.url, timeout=20_000
        ):
            pass  # the panel's poll, nothing else
        wait_state(page, "API token", "missing")
        # The explicit refresh neither.
        execute(page, "jupyter-secrets:refresh")
        time.sleep(1.5)
        assert page.get_by_test_id("launch-dialog").count() == 0

        # Entering it again from elsewhere is entering a project: asked then.
        (lab.root / "elsewhere").mkdir()
        execute(page, "filebrowser:go-to-path", {"path": "/elsewhere"})
        open_panel(page).get_by_test_id("secrets-no-project").wait_for()
        execute(page, "filebrowser:go-to-path", {"path": "/later"})
        page.get_by_test_id("launch-dialog").wait_for(state="visible")
        page.keyboard.press("Escape")
        page.get_by_test_id("launch-dialog").wait_for(state="detached")
    finally:
        set_settings(lab, {})


def test_settings_menu_opens_user_secrets_and_the_panel(page, lab, api):
    api.secret("menu-secret", "m-1")
    (lab.root / "menu").mkdir()
    open_lab(page, lab, "menu")
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="User Secrets…").click()
    view = page.get_by_test_id("user-secrets-view")
    view.wait_for(state="visible")
    view.locator('[data-testid="user-secret-row"][data-secret-name="menu-secret"]').wait_for()

    execute(page, "application:toggle-left-area")  # hide the sidebar: the menu shows it
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Secrets Panel").click()
    page.get_by_test_id("secrets-panel").wait_for(state="visible")


def test_inline_forms_escape_focus_and_notifications(page, lab, api):
    shared = api.secret("inline-shared", "s-1")
    (lab.root / "inline").mkdir()
    open_lab(page, lab, "inline")
    panel = open_panel(page)

    # Creating a project: told, with the reminder to commit its slot file.
    panel.get_by_test_id("secrets-make-project").click()
    panel.get_by_test_id("secrets-project-name").fill("Inline")
    panel.get_by_test_id("secrets-project-create").click()
    toast(page, 'Created the project "Inline"').wait_for()
    assert "secret-slots.json" in toast(page, 'Created the project "Inline"').inner_text()

    # Adding a slot: told. Escape cancels the form first, the focus back on "Add slot".
    add = panel.get_by_test_id("secrets-add-slot")
    add.focus()
    page.keyboard.press("Enter")
    form = panel.get_by_test_id("slot-form")
    form.get_by_test_id("slot-field-name").fill("Token")
    page.keyboard.press("Escape")
    form.wait_for(state="detached")
    page.wait_for_function(
        "() => document.activeElement && "
        "document.activeElement.getAttribute('data-testid') === 'secrets-add-slot'"
    )
    page.keyboard.press("Enter")
    form.get_by_test_id("slot-field-name").fill("Token")
    form.get_by_test_id("slot-field-filename").fill("token")
    form.get_by_test_id("slot-form-submit").click()
    wait_state(page, "Token", "missing")
    toast(page, 'Added the slot "Token"').wait_for()

    # Reusing a saved secret: told; the focus returns to the card's button after Save.
    card = slot(page, "Token")
    card.get_by_test_id("secrets-slot-provide").focus()
    page.keyboard.press("Enter")
    value_form = card.get_by_test_id("value-form")
    value_form.get_by_test_id("value-choice-existing").check()
    value_form.get_by_test_id("value-existing").select_option(shared["id"])
    value_form.get_by_test_id("value-submit").click()
    wait_state(page, "Token", "provided")
    toast(page, '"Token" now uses the secret "inline-shared"').wait_for()
    page.wait_for_function(
        "() => { const a = document.activeElement;"
        " return !!a && !!a.closest('[data-slot-name=\"Token\"]'); }"
    )

    # Unlink: told, and the focus stays in the card rather than falling to the page.
    card.get_by_test_id("secrets-slot-unlink").focus()
    page.keyboard.press("Enter")
    wait_state(page, "Token", "missing")
    toast(page, '"Token" is unlinked').wait_for()
    page.wait_for_function(
        "() => { const a = document.activeElement;"
        " return !!a && !!a.closest('[data-slot-name=\"Token\"]'); }"
    )

    # User secrets: adding and renaming a secret are told too.
    execute(page, "jupyter-secrets:open-user-secrets")
    view = page.get_by_test_id("user-secrets-view")
    view.get_by_test_id("user-secret-add").click()
    view.get_by_test_id("new-secret-name").fill("inline-new")
    view.get_by_test_id("new-secret-value").fill("inline-value-93x")
    view.get_by_test_id("new-secret-submit").click()
    toast(page, 'Added the secret "inline-new"').wait_for()
    row = view.locator('[data-testid="user-secret-row"][data-secret-name="inline-new"]')
    row.get_by_test_id("user-secret-rename").click()
    view.get_by_test_id("rename-input").fill("inline-renamed")
    # Escape cancels the rename; then Enter in the field submits it.
    page.keyboard.press("Escape")
    view.get_by_test_id("rename-form").wait_for(state="detached")
    row.get_by_test_id("user-secret-rename").click()
    view.get_by_test_id("rename-input").fill("inline-renamed")
    page.keyboard.press("Enter")
    toast(page, 'Renamed "inline-new" to "inline-renamed"').wait_for()
    assert "inline-value-93x" not in page.content()


def test_a_value_given_elsewhere_ends_the_dialog(page, lab, api):
    """The terminal's launch prompt (here: the same REST call) answers: the dialog follows."""
    project = api.project("elsewhere-answer", "Elsewhere", SLOTS)
    with page.expect_response(lambda r: "/api/secrets/projects?path=elsewhere-answer" in r.url):
        open_lab(page, lab, "elsewhere-answer")
    dialog = page.get_by_test_id("launch-dialog")
    dialog.wait_for(state="visible")
    if "Elsewhere" not in dialog.inner_text():
        # The file browser passed through a folder of an earlier test while restoring.
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached")
        # Not execute(): the command's promise resolves only when the dialog closes, and
        # page.evaluate has no timeout, so awaiting it here hung the test until pytest's 300 s.
        start_command(page, "jupyter-secrets:ask-missing")
        dialog.filter(has_text="Elsewhere").wait_for()
    first, second = (s["id"] for s in project["slots"])
    api("PUT", f"projects/{project['id']}/slots/{first}/value", {"value": "from-terminal-1"})
    launch_row(page, "Database password").get_by_test_id("launch-saved").filter(
        has_text="Provided meanwhile"
    ).wait_for()
    assert launch_row(page, "API token").get_by_test_id("launch-value").is_visible()
    api("PUT", f"projects/{project['id']}/slots/{second}/value", {"value": "from-terminal-2"})
    dialog.wait_for(state="detached")
    toast(page, "were provided").wait_for()
