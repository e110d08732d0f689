"""Issue 13 in a real browser: the explicit update-everywhere / this-slot-only choice, a
project inside a project made from the panel, and a real terminal opened in the nested folder
seeing that project's secrets (not the root's)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from .conftest import (
    Api,
    execute,
    memory_dir,
    open_lab,
    open_panel,
    screenshot,
    slot,
    start_lab,
    wait_state,
)

pytestmark = pytest.mark.browser

FIRST = "first-value-" + "4e8a17"
SECOND = "second-value-" + "b3c9d0"
THIRD = "third-value-" + "77f2aa"


def materialized(server, project_id: str, filename: str) -> str | None:
    """The value file the server wrote for a project (None when there is none)."""
    for tree in server.server_trees():
        path = tree / project_id / filename
        if path.exists():
            return path.read_text()
    return None


def secrets(api: Api) -> dict[str, dict]:
    return {s["name"]: s for s in api("GET", "user-secrets")["secrets"]}


def wait_until(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def test_a_shared_secret_asks_where_the_new_value_goes(page, lab, api):
    shared = api.secret("warehouse", FIRST)
    db = api.project("choice-db", "Reports", [{"name": "Database password", "filename": "db"}])
    wh = api.project("choice-wh", "Warehouse", [{"name": "Warehouse password", "filename": "wh"}])
    for project in (db, wh):
        api(
            "PUT",
            f"projects/{project['id']}/slots/{project['slots'][0]['id']}/value",
            {"secret_id": shared["id"]},
        )

    open_lab(page, lab, "choice-db")
    open_panel(page)
    wait_state(page, "Database password", "provided")
    # The button says which slot it is for (accessible name), not only "Change value".
    page.get_by_role("button", name="Change the value of Database password").click()
    form = slot(page, "Database password").get_by_test_id("value-form")
    form.get_by_test_id("value-value").fill(SECOND)
    scope = form.get_by_test_id("value-scope")
    scope.wait_for()
    assert 'The saved secret "warehouse" fills 2 slots' in scope.inner_text()
    usages = [
        li.strip() for li in scope.get_by_test_id("value-scope-usages").inner_text().split("\n")
    ]
    assert usages == ["Reports / Database password", "Warehouse / Warehouse password"]
    # Nothing is chosen for the user: Save asks first, and nothing is sent.
    form.get_by_test_id("value-submit").click()
    form.get_by_text("Choose where the new value goes.").wait_for()
    assert materialized(lab, wh["id"], "wh") == FIRST

    # "A new secret for this slot only", under a name the user edits (prefilled).
    form.get_by_test_id("value-scope-this-slot").check()
    name = form.get_by_test_id("value-new-name")
    assert name.input_value() == "Database password"
    name.fill("warehouse")
    form.get_by_test_id("value-new-name-error").wait_for()  # checked as typed: taken
    name.fill("Reports DB password")
    screenshot(page.get_by_test_id("secrets-panel"), "panel-change-choice-light")
    form.get_by_test_id("value-submit").click()
    form.wait_for(state="detached")
    assert (
        slot(page, "Database password").get_by_test_id("secrets-slot-secret").inner_text()
        == "Reports DB password"
    )
    saved = secrets(api)
    assert [u["slot_name"] for u in saved["warehouse"]["usage"]] == ["Warehouse password"]
    assert [u["slot_name"] for u in saved["Reports DB password"]["usage"]] == ["Database password"]
    assert wait_until(lambda: materialized(lab, db["id"], "db") == SECOND)
    assert materialized(lab, wh["id"], "wh") == FIRST  # the other slot kept its value

    # Share it again, then "update the saved secret everywhere it is used".
    api(
        "PUT",
        f"projects/{db['id']}/slots/{db['slots'][0]['id']}/value",
        {"secret_id": shared["id"]},
    )
    execute(page, "jupyter-secrets:refresh")
    page.locator(
        '[data-testid="secrets-slot"][data-slot-name="Database password"] '
        '[data-testid="secrets-slot-secret"]',
        has_text="warehouse",
    ).wait_for()
    page.get_by_role("button", name="Change the value of Database password").click()
    form = slot(page, "Database password").get_by_test_id("value-form")
    form.get_by_test_id("value-value").fill(THIRD)
    form.get_by_test_id("value-scope-everywhere").check()
    form.get_by_test_id("value-submit").click()
    form.wait_for(state="detached")
    assert wait_until(lambda: materialized(lab, wh["id"], "wh") == THIRD)
    assert materialized(lab, db["id"], "db") == THIRD
    assert len(secrets(api)["warehouse"]["usage"]) == 2  # still one secret for both
    for value in (FIRST, SECOND, THIRD):
        assert value not in page.content()


@pytest.fixture
def root_project_lab(tmp_path_factory, chromium):
    """A server whose root is a project (as the demo's), its slot filled."""
    with memory_dir() as secrets_dir:
        server = start_lab(tmp_path_factory.mktemp("nested"), secrets_dir=secrets_dir)
        try:
            api = Api(server)
            root = api("POST", "projects", {"path": "", "name": "Demo project"})
            root_slot = api(
                "POST", f"projects/{root['id']}/slots", {"name": "Root token", "filename": "token"}
            )
            api("PUT", f"projects/{root['id']}/slots/{root_slot['id']}/value", {"value": FIRST})
            (server.root / "team" / "app").mkdir(parents=True)
            yield server, api, root
        finally:
            server.stop()


def test_a_nested_project_from_the_panel_and_its_terminal(page, root_project_lab):
    server, api, root = root_project_lab
    open_lab(page, server, "team/app")
    panel = open_panel(page)
    note = panel.get_by_test_id("secrets-belongs-to")
    note.wait_for()
    assert 'This folder (/team/app) belongs to the project "Demo project" (/).' in note.inner_text()
    note.get_by_role("button", name="Make the folder /team/app a project").click()
    name = panel.get_by_test_id("secrets-project-name")
    assert name.input_value() == "app"
    name.fill("App")
    panel.get_by_test_id("secrets-project-create").click()
    hint = panel.get_by_test_id("secrets-commit-hint")
    hint.wait_for()
    assert "team/app/.jupyter/secret-slots.json" in hint.inner_text()
    assert panel.get_by_test_id("secrets-belongs-to").count() == 0
    slot_file = json.loads((server.root / "team/app/.jupyter/secret-slots.json").read_text())
    assert slot_file["project"]["name"] == "App"
    nested_id = slot_file["project"]["id"]
    assert nested_id != root["id"]

    # A slot of its own, filled from the panel.
    panel.get_by_test_id("secrets-add-slot").click()
    panel.get_by_test_id("slot-field-name").fill("App token")
    panel.get_by_test_id("slot-field-filename").fill("app-token")
    panel.get_by_test_id("slot-form-submit").click()
    wait_state(page, "App token", "missing")
    launch = page.get_by_test_id("launch-dialog")
    if launch.count():  # entering a project with a missing slot may ask: not now
        page.keyboard.press("Escape")
        launch.wait_for(state="detached")
    page.get_by_role("button", name="Provide a value for App token").click()
    slot(page, "App token").get_by_test_id("value-value").fill(SECOND)
    slot(page, "App token").get_by_test_id("value-submit").click()
    wait_state(page, "App token", "provided")
    screenshot(panel, "panel-nested-light")

    # A real terminal opened from the file browser's folder gets the nested project's secrets.
    # As a user does: a new launcher (it opens in the file browser's folder), its Terminal.
    execute(page, "launcher:create")
    page.locator(".jp-Launcher:visible .jp-LauncherCard", has_text="Terminal").first.click()
    terminal = page.locator(".jp-Terminal").last
    terminal.wait_for()
    page.wait_for_timeout(1500)  # the shell's prompt
    terminal.click()
    seen = server.root / "team" / "app" / "seen.txt"
    page.keyboard.type(
        'basename "$JUPYTER_SECRETS_DIR" > seen.txt; '
        'test "$(cat "$JUPYTER_SECRETS_DIR/app-token")" = "$EXPECTED" && echo same >> seen.txt; '
        'test -e "$JUPYTER_SECRETS_DIR/token" || echo no-root-token >> seen.txt'.replace(
            "$EXPECTED", SECOND
        )
    )
    page.keyboard.press("Enter")
    found = wait_until(lambda: seen.exists() and len(seen.read_text().split()) >= 3)
    assert found, seen.read_text() if seen.exists() else "no file"
    assert seen.read_text().split() == [nested_id, "same", "no-root-token"]
    assert Path(server.root / "seen.txt").exists() is False  # it ran in the nested folder
