"""References in JupyterLab, with a real server and Chromium: a slot filled with a reference
whose command fails shows "fetch failed" in the panel, and User secrets shows the reference's
kind and why its fetch failed; once the command works, the slot is provided."""

from __future__ import annotations

import stat
import sys

import pytest

from .conftest import execute, open_lab, open_panel, slot, wait_state

pytestmark = pytest.mark.browser


def test_a_failing_reference_in_the_panel_and_user_secrets(page, lab, api, tmp_path):
    broken = tmp_path / "broken"
    broken.touch()
    cli = tmp_path / "fake-op"
    cli.write_text(
        f"#!{sys.executable}\nimport os, sys\n"
        f"if os.path.exists({str(broken)!r}):\n"
        "    sys.stderr.write('[ERROR] You are not currently signed in.\\n'); sys.exit(1)\n"
        "print('browser-reference-value-19')\n"
    )
    cli.chmod(cli.stat().st_mode | stat.S_IXUSR)
    project = api.project("referenced", "Referenced", [{"name": "DB password", "filename": "db"}])
    reference = {"type": "command", "argv": [str(cli), "read", "op://team/db"], "ttl_seconds": 1}
    result = api(
        "PUT",
        f"projects/{project['id']}/slots/{project['slots'][0]['id']}/value",
        {"reference": reference, "name": "db-ref"},
    )
    assert result["slot"]["state"] == "fetch-failed"

    open_lab(page, lab, "referenced")
    # fetch-failed needs a value, as missing does: the launch dialog offers it.
    page.get_by_test_id("launch-dialog").wait_for(state="visible")
    page.get_by_test_id("launch-later").click()
    open_panel(page)
    wait_state(page, "DB password", "fetch-failed")
    assert "fetch failed" in slot(page, "DB password").inner_text()

    execute(page, "jupyter-secrets:open-user-secrets")
    view = page.get_by_test_id("user-secrets-view")
    row = view.locator('[data-testid="user-secret-row"][data-secret-name="db-ref"]')
    row.wait_for()
    mark = row.get_by_test_id("reference-mark")
    assert "reference: command" in mark.inner_text()
    error = row.get_by_test_id("reference-fetch-error")
    assert error.inner_text() == (
        f"fetch failed: '{cli}' exited with status 1: [ERROR] You are not currently signed in."
    )
    assert "browser-reference-value-19" not in page.content()

    # The command works again: the reference is fetched again (TTL 1 s, here on the next
    # change that writes the files) and the panel shows the slot provided.
    broken.unlink()
    api("PATCH", f"user-secrets/{result['secret']['id']}", {"reference": reference})
    open_lab(page, lab, "referenced")
    open_panel(page)
    wait_state(page, "DB password", "provided")
    assert "browser-reference-value-19" not in page.content()


def test_add_a_reference_from_user_secrets(page, lab, api):
    api.project("adding", "Adding", [])
    open_lab(page, lab, "adding")
    execute(page, "jupyter-secrets:open-user-secrets")
    view = page.get_by_test_id("user-secrets-view")
    view.get_by_test_id("user-secret-add-reference").click()
    form = view.get_by_test_id("new-reference-form")
    form.get_by_test_id("new-reference-name").fill("vaulted-db")
    form.get_by_test_id("new-reference-kind").select_option("vault")
    # A spec without a field is refused in the page, before any request.
    form.get_by_test_id("new-reference-vault").fill("secret/team/db")
    form.get_by_test_id("new-reference-submit").click()
    assert "MOUNT/PATH#FIELD" in form.get_by_test_id("new-reference-error").inner_text()
    form.get_by_test_id("new-reference-vault").fill("secret/team/db#password")
    form.get_by_test_id("new-reference-ttl").fill("120")
    form.get_by_test_id("new-reference-submit").click()
    form.wait_for(state="detached")
    row = view.locator('[data-testid="user-secret-row"][data-secret-name="vaulted-db"]')
    mark = row.get_by_test_id("reference-mark")
    assert "reference: vault" in mark.inner_text()
    saved = next(s for s in api("GET", "user-secrets")["secrets"] if s["name"] == "vaulted-db")
    assert saved["reference"]["description"] == "secret/team/db#password at $VAULT_ADDR"
    assert saved["reference"]["ttl_seconds"] == 120

    # A command, quoted as in a shell: the argv the server keeps.
    view.get_by_test_id("user-secret-add-reference").click()
    form = view.get_by_test_id("new-reference-form")
    form.get_by_test_id("new-reference-name").fill("op-db")
    form.get_by_test_id("new-reference-command").fill("op read 'op://team/db/pass word'")
    form.get_by_test_id("new-reference-submit").click()
    form.wait_for(state="detached")
    view.locator('[data-testid="user-secret-row"][data-secret-name="op-db"]').wait_for()
    saved = next(s for s in api("GET", "user-secrets")["secrets"] if s["name"] == "op-db")
    assert saved["reference"]["argv"] == ["op", "read", "op://team/db/pass word"]
