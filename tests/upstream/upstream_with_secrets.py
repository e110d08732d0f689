"""pytest plugin for the upstream runs (``-p upstream_with_secrets``): every test server has
``jupyter_secrets`` enabled, as a user who installed it has it, with a seeded secret.

For every test:

- a copy of the seeded store (``$UPSTREAM_SEED_DIR/store``, made by ``jupyter secrets`` before
  the run; its key in ``$JUPYTER_SECRETS_KEY``, set again for each test) in the test's own
  temporary directory;
- the seeded project's slot file (``$UPSTREAM_SEED_DIR/secret-slots.json``) copied into the
  test's server root (``jp_root_dir``): the root is a project whose one slot is filled, and
  the server materializes that value when it starts (and gives kernels its env variable);
- every ServerApp that pytest-jupyter's ``jp_configurable_serverapp`` starts gets, merged into
  the test's own configuration (``jp_server_config`` or a ``config=`` of its own),
  ``ServerApp.jpserver_extensions.jupyter_secrets = True`` and ``SecretsExtension`` settings:
  that store, a private 0700 ``secrets_dir`` and ``prompt_on_start = "never"``. A setting the
  test made itself is kept.

``$UPSTREAM_PROBES`` receives one JSON line per test whose server was up after the test ran:
whether our configuration reached it (not so for servers a test makes without pytest-jupyter's
fixtures), whether the extension was loaded there and whether the seeded value was
materialized, so the caller can tell a comparison that exercised the extension from one that
silently did not.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

SEED_FILENAME = "api-token"

_current: dict[str, Path] = {}
# The extension takes its key out of the process environment when it starts (so that no child
# process inherits it): every test's server needs it put back, as a fresh process would have it.
_KEY = os.environ.get("JUPYTER_SECRETS_KEY", "")


def _merge_secrets_config(config) -> None:
    """Merge our settings into a traitlets Config in place, never overriding the test's."""
    if not _current:
        return
    exts = config.ServerApp.get("jpserver_extensions")
    if exts is None:
        config.ServerApp.jpserver_extensions = exts = {}
    exts.setdefault("jupyter_secrets", True)
    ours = {
        "store_path": str(_current["store_path"]),
        "secrets_dir": str(_current["secrets_dir"]),
        "prompt_on_start": "never",
    }
    section = config.SecretsExtension
    for name, value in ours.items():
        if name not in section:
            section[name] = value


@pytest.fixture(autouse=True)
def _jupyter_secrets_enabled(tmp_path, jp_root_dir, monkeypatch):
    # Imported here, not above: upstream's conftest loads this plugin itself, after us, and
    # pytest refuses (a warning, an error under upstream's filterwarnings) an early import.
    import pytest_jupyter.jupyter_server as pj_server

    seed = Path(os.environ["UPSTREAM_SEED_DIR"])
    base = tmp_path / "jupyter-secrets"
    base.mkdir(mode=0o700)
    store_dir = base / "store"
    store_dir.mkdir(mode=0o700)
    for f in (seed / "store").iterdir():
        if f.name.startswith("secrets.sqlite3"):
            shutil.copy2(f, store_dir / f.name)
    secrets_dir = base / "run"
    secrets_dir.mkdir(mode=0o700)
    root = Path(jp_root_dir)
    root.mkdir(parents=True, exist_ok=True)
    slot_dir = root / ".jupyter"
    slot_dir.mkdir(exist_ok=True)
    shutil.copy2(seed / "secret-slots.json", slot_dir / "secret-slots.json")

    monkeypatch.setenv("JUPYTER_SECRETS_KEY", _KEY)
    _current.update(store_path=store_dir / "secrets.sqlite3", secrets_dir=secrets_dir)
    real_config = pj_server.Config

    def config_with_secrets(*args, **kwargs):
        config = real_config(*args, **kwargs)
        _merge_secrets_config(config)
        return config

    # pytest-jupyter builds every test server's Config through this name, whichever
    # configuration the test passes; wrapping it reaches them all.
    monkeypatch.setattr(pj_server, "Config", config_with_secrets)
    yield
    _current.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield
    path = os.environ.get("UPSTREAM_PROBES")
    if not path or not _current:
        return
    from jupyter_server.serverapp import ServerApp

    if not ServerApp.initialized():
        return
    app = ServerApp.instance()
    manager = getattr(app, "extension_manager", None)
    if manager is None:
        return
    loaded = bool(manager.extension_apps.get("jupyter_secrets"))
    # Servers the test made otherwise (e.g. MockExtensionApp.initialize_server) never got our
    # configuration: they are counted apart.
    configured = app.config.SecretsExtension.get("store_path") == str(_current["store_path"])
    seeded = os.environ.get("UPSTREAM_SEED_VALUE", "")
    materialized = any(
        f.read_text(encoding="utf-8", errors="replace") == seeded
        for f in _current["secrets_dir"].rglob(SEED_FILENAME)
        if f.is_file()
    )
    with open(path, "a", encoding="utf-8") as out:
        out.write(
            json.dumps(
                {
                    "id": item.nodeid,
                    "configured": configured,
                    "loaded": loaded,
                    "materialized": materialized,
                }
            )
            + "\n"
        )
