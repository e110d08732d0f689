"""Notebook 7 (``jupyter notebook``) in a real browser: every view of jupyter_secrets is usable.

Notebook 7's shell keeps one widget in its main area and does not open side panels from
``activateById``. On the tree page the launch dialog asks, the Settings menu opens the Secrets
panel (left sidebar) and User secrets (a tab of the tree, beside Files and Running); on a
notebook page the panel works in the sidebar and User secrets opens the tree page in a new
browser tab with the view shown.
"""

from __future__ import annotations

import pytest

from .conftest import VIEWPORT, Api, memory_dir, start_lab

pytestmark = pytest.mark.browser

SLOT = {"name": "Warehouse token", "description": "read-only", "filename": "warehouse-token"}


@pytest.fixture(scope="module")
def nb(tmp_path_factory, chromium):
    """One Notebook 7 server for this module."""
    with memory_dir() as secrets_dir:
        server = start_lab(tmp_path_factory.mktemp("nb7"), secrets_dir=secrets_dir, app="notebook")
        yield server
        server.stop()


@pytest.fixture
def context(chromium, nb):
    context = chromium.new_context(viewport=VIEWPORT)
    errors: list[str] = []
    context.on("weberror", lambda e: errors.append(str(e.error)))
    yield context
    context.close()
    assert not [e for e in errors if "secrets" in e.lower()], errors


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


@pytest.fixture
def api(nb) -> Api:
    return Api(nb)


def wait_ready(page) -> None:
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand("
        "'jupyter-secrets:open-user-secrets')",
        timeout=60_000,
    )
    page.evaluate("async () => { await window.jupyterapp.restored; }")


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=top).click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def slot(page, name: str):
    return page.locator(f'[data-testid="secrets-slot"][data-slot-name="{name}"]')


def toast(page, text: str):
    return page.locator(".Toastify__toast").filter(has_text=text)


def test_tree_page_dialog_panel_and_user_secrets(page, nb, api):
    api.secret("nb7-saved", "nb7-saved-value-41")
    api.project("nb7tree", "Tree project", [SLOT])
    page.goto(f"{nb.url}/tree/nb7tree?token={nb.token}")
    wait_ready(page)

    # The launch dialog asks on the tree page, with the focus in it.
    dialog = page.get_by_test_id("launch-dialog")
    dialog.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"launch-dialog\"]')"
        ".contains(document.activeElement)"
    )
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")

    # Settings → Secrets Panel: the sidebar opens on the panel, which shows the slot.
    menu(page, "Settings", "Secrets Panel")
    panel = page.get_by_test_id("secrets-panel")
    panel.wait_for(state="visible")
    slot(page, "Warehouse token").wait_for()
    assert slot(page, "Warehouse token").get_attribute("data-state") == "missing"

    # Settings → User Secrets…: a tab of the tree page, usable.
    menu(page, "Settings", "User Secrets…")
    view = page.get_by_test_id("user-secrets-view")
    view.wait_for(state="visible")
    page.locator(".lm-TabBar-tab", has_text="User secrets").wait_for()
    view.locator('[data-testid="user-secret-row"][data-secret-name="nb7-saved"]').wait_for()
    view.get_by_test_id("user-secret-add").click()
    view.get_by_test_id("new-secret-name").fill("nb7-added")
    view.get_by_test_id("new-secret-value").fill("nb7-added-value-77")
    view.get_by_test_id("new-secret-submit").click()
    toast(page, 'Added the secret "nb7-added"').wait_for()
    view.locator('[data-testid="user-secret-row"][data-secret-name="nb7-added"]').wait_for()
    # Back to the files: the tree's own tabs still work.
    page.locator(".lm-TabBar-tab", has_text="Files").click()
    view.wait_for(state="hidden")
    assert "nb7-added-value-77" not in page.content()


def test_notebook_page_panel_and_user_secrets(context, page, nb, api):
    secret = api.secret("nb7-nbpage", "nb7-nbpage-value-58")
    api.project("nb7page", "Page project", [SLOT])
    content = {
        "cells": [],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    status, reply = nb.request(
        "PUT",
        "/api/contents/nb7page/check.ipynb",
        {"type": "notebook", "format": "json", "content": content},
    )
    assert status in (200, 201), reply
    page.goto(f"{nb.url}/notebooks/nb7page/check.ipynb?token={nb.token}")
    wait_ready(page)
    # The notebook's folder is a project with a missing slot: asked here too.
    page.get_by_test_id("launch-dialog").wait_for(state="visible")
    page.get_by_test_id("launch-later").click()
    page.get_by_test_id("launch-dialog").wait_for(state="detached")

    # The panel, from the menu, in the sidebar of the notebook page: fill the slot.
    menu(page, "Settings", "Secrets Panel")
    card = slot(page, "Warehouse token")
    card.wait_for()
    card.get_by_test_id("secrets-slot-provide").click()
    form = card.get_by_test_id("value-form")
    form.get_by_test_id("value-choice-existing").check()
    form.get_by_test_id("value-existing").select_option(secret["id"])
    form.get_by_test_id("value-submit").click()
    page.locator(
        '[data-testid="secrets-slot"][data-slot-name="Warehouse token"][data-state="provided"]'
    ).wait_for()
    toast(page, '"Warehouse token" now uses the secret "nb7-nbpage"').wait_for()

    # User secrets from a notebook page: the tree page opens in a new tab, with the view.
    with context.expect_page() as opened:
        menu(page, "Settings", "User Secrets…")
    tree = opened.value
    tree.set_default_timeout(20_000)
    wait_ready(tree)
    view = tree.get_by_test_id("user-secrets-view")
    view.wait_for(state="visible")
    row = view.locator('[data-testid="user-secret-row"][data-secret-name="nb7-nbpage"]')
    row.wait_for()
    assert "Page project" in row.get_by_test_id("user-secret-usage").inner_text()
    assert "nb7-nbpage-value-58" not in tree.content()
    assert "nb7-nbpage-value-58" not in page.content()
