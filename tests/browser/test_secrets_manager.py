"""jupyter-secrets-manager in a real browser, with a real consumer extension.

The consumer (``tests/browser/consumer_extension/``, built by ``make consumer-extension``) is a
separate prebuilt JupyterLab extension that signs its plugin with ``SecretsManager.sign`` and
keeps a secret through ``ISecretsManager``, as jupyterlite-ai and others do.  The manager is
the real ``jupyter_secrets_manager`` extension; our connector is handed to it by our bundle.
These tests check that the value lands encrypted in the store (not in the page's storage),
comes back after a reload, is refused to a made-up token, is never written for kernels, and
shows in User secrets with its extension marked, where it can be deleted.
"""

from __future__ import annotations

import urllib.parse
import uuid
from pathlib import Path

import pytest

from .conftest import Api, execute, open_lab, start_lab

CONSUMER_BUILD = Path(__file__).parent / "consumer_extension" / "build"
CONSUMER_NAME = "jupyter-secrets-test-consumer"
NAMESPACE = f"{CONSUMER_NAME}:plugin"
LIST = "extension-secrets?namespace=" + urllib.parse.quote(NAMESPACE, safe="")


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):
    """A JupyterLab that also loads the consumer extension."""
    if not (CONSUMER_BUILD / CONSUMER_NAME / "package.json").exists():
        pytest.fail(
            "the test consumer extension is not built: run `make consumer-extension`",
            pytrace=False,
        )
    workdir = tmp_path_factory.mktemp("lab-sm")
    server = start_lab(workdir, extra_args=[f"--LabApp.extra_labextensions_path={CONSUMER_BUILD}"])
    yield server
    server.stop()


@pytest.fixture
def api(lab) -> Api:
    return Api(lab)


def open_with_consumer(page, lab, folder: str) -> None:
    (lab.root / folder).mkdir(exist_ok=True)
    open_lab(page, lab, folder)
    consumer(page)


def consumer(page):
    page.wait_for_function("() => !!window.jupyterSecretsTestConsumer", timeout=30_000)


def call(page, method: str, *args):
    return page.evaluate(
        "async ([m, args]) => await window.jupyterSecretsTestConsumer[m](...args)",
        [method, list(args)],
    )


def fresh_value() -> str:
    return "sm-value-" + uuid.uuid4().hex


def files_holding(directory: Path, needle: str) -> list[Path]:
    """Value files holding ``needle`` (not dot files such as the leak guards' list)."""
    return [
        p
        for p in directory.rglob("*")
        if p.is_file() and not p.name.startswith(".") and needle.encode() in p.read_bytes()
    ]


def test_a_consumer_keeps_its_secret_encrypted_in_the_store(page, lab, api):
    value = fresh_value()
    open_with_consumer(page, lab, "sm-store")
    call(page, "save", "api-key", value)

    # On the server, in this extension's namespace, encrypted at rest.
    listing = api("GET", LIST)
    assert [s["id"] for s in listing["secrets"]] == ["api-key"]
    for path in lab.store_path.parent.iterdir():
        assert value.encode() not in path.read_bytes(), path
    # Not in the page's storage (the package's LocalStorageConnector would put it there).
    storage = page.evaluate("() => JSON.stringify([localStorage, sessionStorage])")
    assert value not in storage
    # Never written for kernels: nothing binds it.
    assert files_holding(lab.secrets_base, value) == []

    # A new page (nothing in memory) reads it back through the manager.
    page.reload()
    consumer(page)
    assert call(page, "read", "api-key") == value
    assert call(page, "list") == [f"{NAMESPACE}:api-key"]
    # A token the manager did not give is refused, for this namespace or any other.
    assert call(page, "forgedRead", NAMESPACE, "api-key").startswith("refused:")
    assert call(page, "forgedRead", "jupyter-secrets:plugin", "x").startswith("refused:")

    # The consumer removes it.
    call(page, "remove", "api-key")
    assert call(page, "read", "api-key") is None
    assert api("GET", LIST)["secrets"] == []


def test_user_secrets_marks_the_extension_and_deletes_its_secret(page, lab, api):
    value = fresh_value()
    api("POST", "user-secrets", {"name": "my-own", "value": fresh_value()})
    open_with_consumer(page, lab, "sm-view")
    call(page, "save", "token", value)

    execute(page, "jupyter-secrets:open-user-secrets")
    view = page.get_by_test_id("user-secrets-view")
    view.wait_for(state="visible")
    row = view.locator(f'[data-testid="user-secret-row"][data-secret-name="{NAMESPACE}:token"]')
    row.wait_for()
    mark = row.get_by_test_id("extension-mark")
    assert mark.get_attribute("data-namespace") == NAMESPACE
    assert NAMESPACE in mark.inner_text()
    # The user's own secret is not marked.
    own = view.locator('[data-testid="user-secret-row"][data-secret-name="my-own"]')
    assert own.get_by_test_id("extension-mark").count() == 0
    # Its name is the manager's key: no Rename (the server refuses one); the user's own has it.
    assert row.get_by_test_id("user-secret-rename").count() == 0
    assert own.get_by_test_id("user-secret-rename").count() == 1
    assert value not in page.content()

    row.get_by_test_id("user-secret-delete").click()
    page.locator(".jp-Dialog-button.jp-mod-warn").click()
    row.wait_for(state="detached")
    assert call(page, "read", "token") is None
    assert api("GET", LIST)["secrets"] == []
    names = [s["name"] for s in api("GET", "user-secrets")["secrets"]]
    assert names == ["my-own"]
