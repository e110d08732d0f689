"""Values of every shape in a real browser (issue 13): a PEM loaded with the file picker, a
binary file dropped on the field (a synthetic drop of a real ``File``), a multi-line value typed
into the masked textarea — saved from the launch dialog, never shown in the page, and read back
byte for byte by a real kernel."""

from __future__ import annotations

import base64
import hashlib

import pytest

from .conftest import open_lab, open_panel, wait_state
from .test_ui import launch_dialog, launch_row, notebook, run_notebook

pytestmark = pytest.mark.browser

SLOTS = [
    {"name": "TLS key", "description": "PEM, loaded from a file", "filename": "tls-key"},
    {"name": "Keystore", "description": "binary, dropped", "filename": "keystore"},
    {"name": "Kubeconfig", "description": "typed, several lines", "filename": "kubeconfig"},
]


def pem() -> bytes:
    """A made-up PEM-shaped key (built from pieces: no real key, no scanner alarm)."""
    label = " ".join(["PRIVATE", "KEY"])
    body = base64.encodebytes(bytes(range(256)) * 2).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n".encode()


BINARY = b"\x00\xff\xfe\x80keystore\r\n\x00" + bytes(range(256)) + b"\xc3"
KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: me\n  user:\n    token: kube-tok-4c1d\n"

DROP = """([selector, data, name]) => {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
  const target = document.querySelector(selector);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(
      new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer })
    );
  }
}"""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_pem_binary_and_multi_line_values_reach_a_kernel_exactly(page, lab, api):
    api.project("shapes", "Shapes", SLOTS)
    open_lab(page, lab, "shapes")
    launch_dialog(page)

    # The PEM, with the file picker: the field shows the file's name, never its content.
    tls = launch_row(page, "TLS key")
    tls.get_by_test_id("launch-value-file-input").set_input_files(
        {"name": "tls.pem", "mimeType": "application/x-pem-file", "buffer": pem()}
    )
    loaded = tls.get_by_test_id("launch-value-file")
    loaded.wait_for()
    assert loaded.get_attribute("data-kind") == "text"
    assert "tls.pem" in loaded.inner_text()

    # The binary file, dropped on the field.
    keystore = launch_row(page, "Keystore")
    zone = (
        '[data-testid="launch-slot"][data-slot-name="Keystore"] [data-testid="launch-value-drop"]'
    )
    page.evaluate(DROP, [zone, base64.b64encode(BINARY).decode(), "keystore.p12"])
    dropped = keystore.get_by_test_id("launch-value-file")
    dropped.wait_for()
    assert dropped.get_attribute("data-kind") == "binary"

    # Several lines typed into the multi-line field: masked while typing, newlines kept.
    kube = launch_row(page, "Kubeconfig")
    kube.get_by_test_id("launch-value-multiline").click()
    area = kube.get_by_test_id("launch-value")
    assert area.evaluate("el => el.tagName") == "TEXTAREA"
    area.fill(KUBECONFIG)
    assert area.get_attribute("data-masked") == "true"
    assert area.evaluate("el => getComputedStyle(el).webkitTextSecurity") == "disc"

    content = page.content()
    assert "BEGIN" not in content and base64.b64encode(BINARY).decode() not in content
    page.get_by_test_id("launch-save").click()
    page.get_by_test_id("launch-dialog").wait_for(state="detached")

    open_panel(page)
    for name in ("TLS key", "Keystore", "Kubeconfig"):
        wait_state(page, name, "provided")
    assert "kube-tok-4c1d" not in page.content() and "BEGIN" not in page.content()
    binary_secrets = {s["name"]: s["binary"] for s in api("GET", "user-secrets")["secrets"]}
    assert binary_secrets == {"tls-key": False, "keystore": True, "kubeconfig": False}

    # A kernel of the project reads each back byte for byte.
    notebook(
        lab,
        "shapes/read.ipynb",
        "import hashlib\nfrom jupyter_secrets import get_secret_bytes\n"
        "print(' '.join(n + '=' + hashlib.sha256(get_secret_bytes(n)).hexdigest()"
        " for n in ['tls-key', 'keystore', 'kubeconfig']))",
    )
    page.evaluate(
        "async () => { await window.jupyterapp.commands.execute("
        "'docmanager:open', {path: 'shapes/read.ipynb'}); }"
    )
    expected = (
        f"tls-key={digest(pem())} keystore={digest(BINARY)} "
        f"kubeconfig={digest(KUBECONFIG.encode())}"
    )
    run_notebook(page, expected)


def test_slot_form_sets_an_env_file_variable_and_shows_a_refusal_by_the_field(page, lab, api):
    project = api.project("envfile", "Env file", [])
    open_lab(page, lab, "envfile")
    open_panel(page)
    page.get_by_test_id("secrets-add-slot").click()
    form = page.get_by_test_id("slot-form")
    form.get_by_test_id("slot-field-name").fill("Pgpass")
    form.get_by_test_id("slot-field-env_file").fill("CARGO_HOME")
    form.get_by_test_id("slot-form-submit").click()
    error = form.get_by_test_id("slot-field-env_file-error")
    error.wait_for()
    assert "'CARGO_HOME' is refused" in error.inner_text()
    form.get_by_test_id("slot-field-env_file").fill("PGPASSFILE")
    form.get_by_test_id("slot-form-submit").click()
    wait_state(page, "Pgpass", "missing")
    slots = api("GET", f"projects/{project['id']}")["slots"]
    assert [(s["name"], s["env_file"]) for s in slots] == [("Pgpass", "PGPASSFILE")]
