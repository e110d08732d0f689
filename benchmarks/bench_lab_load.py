"""JupyterLab load: navigation to the Secrets panel rendered, vs the same page with the
frontend extension disabled (Chromium through Playwright, as ``tests/browser``).

Two ``jupyter lab`` servers run side by side, both with the server extension; the baseline
disables the ``jupyter-secrets`` frontend extension in its page config
(``labconfig/page_config.json``).  Each load is a fresh browser context (no cache, no
workspace): the baseline ends when the file browser has listed the root, the measured page
when it has too *and* the Secrets panel (left sidebar) holds its rendered content.  Loads
alternate.  Needs Debian's ``/usr/bin/chromium`` (or ``CHROMIUM``) and the built frontend.
"""

from __future__ import annotations

import json
import os
import time

from .fixtures import new_key, workdir
from .timing import Row, paired, ratio_row, skipped

WHAT = "JupyterLab page load to the Secrets panel rendered (Chromium, Playwright)"
BASELINE = "the same page to the file browser listed, frontend extension disabled"
LISTING = ".jp-DirListing-content"
PANEL = "[data-testid='secrets-panel'] > *"


def run(quick: bool = False) -> list[Row]:
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LABEXTENSION, VIEWPORT, start_lab

    if not os.path.exists(CHROMIUM) or not (LABEXTENSION / "package.json").exists():
        return [
            skipped(
                "lab_load",
                WHAT,
                BASELINE,
                "≤ 1.05×",
                f"needs {CHROMIUM} and the built frontend (make frontend): row skipped",
            )
        ]
    from playwright.sync_api import sync_playwright

    repeats = 2 if quick else 7
    key = new_key()
    env = {"JUPYTER_SECRETS_KEY": key}
    with workdir("lab-on") as work_on, workdir("lab-off") as work_off:
        labconfig = work_off / "config" / "labconfig"
        labconfig.mkdir(parents=True)
        (labconfig / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {"jupyter-secrets": True}})
        )
        on = start_lab(work_on, env=env, extra_args=["--SecretsExtension.prompt_on_start=never"])
        off = start_lab(work_off, env=env, extra_args=["--SecretsExtension.prompt_on_start=never"])
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

                def load(sp, selectors: list[str]) -> float:
                    context = browser.new_context(viewport=VIEWPORT)
                    try:
                        page = context.new_page()
                        page.set_default_timeout(60_000)
                        start = time.perf_counter()
                        page.goto(f"{sp.url}/lab?token={sp.token}")
                        for selector in selectors:
                            page.wait_for_selector(selector, state="attached")
                        return time.perf_counter() - start
                    finally:
                        context.close()

                with_panel = [LISTING, PANEL]
                load(on, with_panel), load(off, [LISTING])  # warm-up: the server's caches
                values, bases = paired(
                    lambda: load(on, with_panel), lambda: load(off, [LISTING]), repeats
                )
                browser.close()
        finally:
            on.stop()
            off.stop()
    return [
        ratio_row(
            "lab_load",
            WHAT,
            BASELINE,
            values,
            bases,
            unit="s",
            target="≤ 1.05×",
            limit=1.05,
        )
    ]
