"""Issue 13 in a real browser: the Secrets panel in the narrowest sidebar JupyterLab allows,
and the User secrets view in a 760 px and a 480 px main area — nothing wider than its view
(no horizontal overflow, no element past the edge), with long names and open forms."""

from __future__ import annotations

import pytest

from .conftest import Api, execute, open_lab, open_panel, screenshot, slot, wait_state

pytestmark = pytest.mark.browser

LONG = "Read-only password of the reporting warehouse replica"
SLOTS = [
    {"name": LONG, "filename": "warehouse-reporting-replica-password", "env": "WAREHOUSE_PASSWORD"},
    {
        "name": "API token",
        "description": "weather service, rotated monthly",
        "filename": "api-token",
    },
    {"name": "SSH key", "filename": "ssh-key"},
]

# Every element of ``root`` that reaches past its edges, and every scroll box that scrolls
# sideways: what a user sees as "spills off screen".
OVERFLOW = """
(root) => {
  const edge = root.getBoundingClientRect();
  const past = [];
  for (const el of root.querySelectorAll('*')) {
    if (el.closest('.jp-secrets-VisuallyHidden')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > edge.right + 1 || box.left < edge.left - 1) {
      past.push(`${el.tagName}.${el.className} "${(el.textContent || '').slice(0, 30)}" `
                + `${Math.round(box.left)}..${Math.round(box.right)} of `
                + `${Math.round(edge.left)}..${Math.round(edge.right)}`);
    }
  }
  const scrolling = [root, ...root.querySelectorAll('*')]
    .filter(el => el.scrollWidth > el.clientWidth + 1
                  && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
    .map(el => `${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
  return { past: past.slice(0, 10), scrolling, width: edge.width };
}
"""


def assert_no_overflow(locator) -> float:
    found = locator.evaluate(OVERFLOW)
    assert found["past"] == [] and found["scrolling"] == [], found
    return found["width"]


@pytest.fixture(scope="module")
def layout_data(lab):
    api = Api(lab)
    project = api.project("layout", "Reporting dashboards of the sales team", SLOTS)
    shared = api.secret("warehouse-reporting-replica-password-2026", "w-" + "1a2b3c4d")
    other = api.project(
        "layout-other", "Data warehouse loader", [{"name": "DWH", "filename": "dwh"}]
    )
    for proj, index in ((project, 0), (other, 0)):
        api(
            "PUT",
            f"projects/{proj['id']}/slots/{proj['slots'][index]['id']}/value",
            {"secret_id": shared["id"]},
        )
    api(
        "PUT",
        f"projects/{project['id']}/slots/{project['slots'][1]['id']}/value",
        {"value": "t-" + "9f8e7d6c"},
    )
    for n in range(3):
        api.secret(f"unused secret with a rather long name number {n}", "u-" + f"{n}5a6b7c8")
    return project


def narrowest_sidebar(page) -> None:
    """Shrink the left area to the least width JupyterLab lets it have (its minimum)."""
    page.evaluate(
        """() => { const shell = window.jupyterapp.shell;
                   const split = shell._hsplitPanel;
                   split.setRelativeSizes([0, 1, 0]);
                   split.update(); }"""
    )
    page.wait_for_timeout(300)


def test_the_panel_fits_the_narrowest_sidebar(page, lab, layout_data):
    open_lab(page, lab, "layout")
    panel = open_panel(page)
    wait_state(page, LONG, "provided")
    launch = page.get_by_test_id("launch-dialog")
    if launch.count():
        page.keyboard.press("Escape")
        launch.wait_for(state="detached")
    narrowest_sidebar(page)
    width = assert_no_overflow(panel)
    assert width <= 260, width  # really the narrowest: the panel's own minimum
    # Each card: the actions in one row (one line of buttons).
    for name in (LONG, "API token", "SSH key"):
        actions = slot(page, name).locator(".jp-secrets-SlotActions")
        tops = actions.locator("button").evaluate_all("bs => bs.map(b => b.offsetTop)")
        assert len(set(tops)) == 1, (name, tops)
    screenshot(panel, "panel-narrow-light")

    # The open "where does the new value go" choice fits too.
    page.get_by_role("button", name=f"Change the value of {LONG}").click()
    form = slot(page, LONG).get_by_test_id("value-form")
    form.get_by_test_id("value-value").fill("n-" + "5e6f7a8b")
    form.get_by_test_id("value-scope-this-slot").check()
    form.get_by_test_id("value-new-name").wait_for()
    assert_no_overflow(panel)
    screenshot(panel, "panel-narrow-choice-light")
    form.get_by_test_id("value-cancel").click()

    # A folder inside the project: the note and its form fit.
    (lab.root / "layout" / "notebooks" / "a-folder-with-a-long-name-for-the-layout").mkdir(
        parents=True
    )
    execute(
        page,
        "filebrowser:go-to-path",
        {
            "path": "layout/notebooks/a-folder-with-a-long-name-for-the-layout",
            "dontShowBrowser": True,
        },
    )
    note = panel.get_by_test_id("secrets-belongs-to")
    note.wait_for()
    note.get_by_test_id("secrets-make-project").click()
    panel.get_by_test_id("secrets-project-name").wait_for()
    assert_no_overflow(panel)


def main_area_width(page, view, target: int) -> float:
    """Resize the window until the User secrets view is ``target`` px wide."""
    width = 1180
    for _ in range(4):
        page.set_viewport_size({"width": width, "height": 720})
        page.wait_for_timeout(300)
        got = view.evaluate("v => v.getBoundingClientRect().width")
        if abs(got - target) <= 1:
            return got
        width += round(target - got)
    return got


@pytest.mark.parametrize("target", [760, 480])
def test_user_secrets_fits_a_narrow_main_area(page, lab, layout_data, target):
    open_lab(page, lab, "layout-other")
    page.evaluate(
        "() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }"
    )
    execute(page, "jupyter-secrets:open-user-secrets")
    view = page.get_by_test_id("user-secrets-view")
    view.get_by_test_id("user-secrets-table").wait_for()
    got = main_area_width(page, view, target)
    assert abs(got - target) <= 1, got
    assert_no_overflow(view)
    # Every action stays reachable, named after its secret.
    name = "warehouse-reporting-replica-password-2026"
    page.get_by_role("button", name=f"Replace the value of {name}").click()
    view.get_by_test_id("replace-scope").wait_for()
    assert "all 2 slots" in view.get_by_test_id("replace-scope").inner_text()
    assert_no_overflow(view)
    if target == 480:
        screenshot(view, "user-secrets-narrow-light")
    view.get_by_test_id("replace-form").get_by_role("button", name="Cancel").click()
