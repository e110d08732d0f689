"""The one rule of imports between the layers of docs/ARCHITECTURE.md, checked on the source.

Each module may import only from its own layer and the layers below it; the layers that hold
the domain (``core``, ``store``, ``files``, and the rule book) know nothing of HTTP or Jupyter's
server, and the kernel helper imports nothing but the standard library.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "jupyter_secrets"

# layer -> the jupyter_secrets layers it may import (its own included).
ALLOWED = {
    "_version": set(),
    "helper": {"helper"},
    "errors": set(),
    "rules": {"errors", "helper"},  # the filename rule lives in the kernel helper (stdlib only)
    "fileio": {"errors"},
    "store": {"errors", "rules", "fileio", "store"},
    "files": {"errors", "rules", "fileio", "helper", "files"},
    "guards": {"errors", "rules", "helper", "guards"},
    "core": {"errors", "rules", "fileio", "helper", "store", "files", "core"},
    "cli": {
        "_version",
        "errors",
        "rules",
        "fileio",
        "helper",
        "store",
        "files",
        "guards",
        "core",
        "cli",
    },
    "server": {
        "_version",
        "errors",
        "rules",
        "fileio",
        "helper",
        "store",
        "files",
        "guards",
        "core",
        "cli",
        "server",
    },
    # The JupyterHub secrets service (its own process): the rule book, the store's records
    # and keys; never the single-user server's layers.
    "hub": {"_version", "errors", "rules", "fileio", "store", "hub"},
    "__init__": {"_version", "helper", "server"},  # the server only lazily, for its entry point
}
# Third-party packages a domain layer must not import: the HTTP and Jupyter server world.
SERVER_WORLD = {
    "tornado",
    "jupyter_server",
    "jupyter_client",
    "jupyter_events",
    "jupyter_server_terminals",
}
NO_SERVER_WORLD = {"errors", "rules", "fileio", "store", "files", "core", "helper", "_version"}
# The kernel helper runs in every kernel: the standard library only.
STDLIB_ONLY = {"helper", "_version"}


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_modules(source: str) -> set[str]:
    """Every absolute module name imported anywhere in the source (functions included)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(
                    "relative import: use jupyter_secrets.<layer>... so layers stay visible"
                )
            names.add(node.module or "")
            if node.module == "jupyter_secrets":
                names.update(f"jupyter_secrets.{alias.name}" for alias in node.names)
    return names


def violations(layer: str, source: str) -> list[str]:
    found = []
    for name in sorted(imported_modules(source)):
        top, _, rest = name.partition(".")
        if top == "jupyter_secrets":
            target = rest.split(".")[0] if rest else ""
            if target and target not in ALLOWED[layer]:
                found.append(f"imports jupyter_secrets.{target}")
        elif layer in NO_SERVER_WORLD and top in SERVER_WORLD:
            found.append(f"imports {top}")
        elif layer in STDLIB_ONLY and top not in sys.stdlib_module_names and top != "__future__":
            found.append(f"imports {top}, which is not in the standard library")
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "labextension" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_from_its_layer_and_below(path):
    layer = layer_of(path)
    assert layer in ALLOWED, f"{path}: a module outside every layer of docs/ARCHITECTURE.md"
    assert not violations(layer, path.read_text()), (path, violations(layer, path.read_text()))


def test_every_layer_is_documented():
    text = (PACKAGE.parent / "docs" / "ARCHITECTURE.md").read_text()
    for layer in ALLOWED:
        if layer in ("__init__", "_version"):
            continue
        assert f"`{layer}" in text, f"docs/ARCHITECTURE.md does not describe the layer {layer}"


@pytest.mark.parametrize(
    "layer, source",
    [
        ("core", "import tornado.web"),
        ("store", "from jupyter_server.base.handlers import APIHandler"),
        ("files", "from jupyter_secrets.core.service import SecretsService"),
        ("core", "from jupyter_secrets.server.app import SecretsExtension"),
        ("cli", "from jupyter_secrets import server"),
        ("helper", "import cryptography"),
        ("rules", "def f():\n    from jupyter_secrets.store import base"),
    ],
)
def test_the_checker_catches_a_broken_rule(layer, source):
    """The rule above would fail on any of these: it cannot pass vacuously."""
    assert violations(layer, source)
