"""Files the server must never serve: the store, its key file, the materialized values.

On JupyterHub the server's root is the user's home, which also holds the default store
(``~/.local/share/jupyter/jupyter_secrets/``).  Hidden files are not served by default, but
``c.ContentsManager.allow_hidden = True`` is a common setting, and a store or secrets
directory configured somewhere visible needs no hidden flag at all: the key file and the
SQLite files would download through ``/files/`` and decrypt offline.

So the extension puts one rule in front of every other route of the server: a request for
``/files/``, ``/api/contents/`` or ``/nbconvert/<format>/`` whose path, decoded and resolved
(symbolic links, ``..``) like the contents manager resolves it, lands on one of these files
or inside the secrets directory is answered 403, whatever the method and whatever
``allow_hidden`` says.  It relies on tornado's public routing API (a ``Rule`` with a custom
``Matcher``), not on the contents manager, so it holds for any contents manager that serves
the server's root directory.

What this does not cover (see the README's threat model): code run as the owner (kernels,
terminals) reads any file the owner can, and other extensions with routes of their own that
read files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tornado import httputil, web
from tornado.routing import Matcher, Rule

# The routes of jupyter_server that take a file's API path after a fixed prefix.
_PREFIXES = ("files/", "api/contents/", "nbconvert/")

# The SQLite files that live beside the database and hold its data too.
_STORE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def protected_paths(
    store_path: str | Path | None, key_file: str | Path | None, secrets_base: Path | None
) -> list[Path]:
    """The real paths to refuse: the store and its companions, the key file, the secrets dir."""
    paths: list[Path] = []
    if store_path:
        paths += [Path(f"{store_path}{suffix}") for suffix in _STORE_COMPANIONS]
    if key_file:
        paths.append(Path(key_file))
    if secrets_base is not None:
        paths.append(Path(secrets_base))
    return [Path(os.path.realpath(path)) for path in paths]


class UnservedMatcher(Matcher):
    """Matches the requests whose file path resolves onto (or under) a protected path."""

    def __init__(self, base_url: str, root_dir: str | Path, protected: Iterable[Path]):
        # Compared decoded: a base URL may be configured encoded or not ("/a%40b/", "/a@b/").
        stripped = unquote(base_url).strip("/")
        self.base_url = "/" + stripped + "/" if stripped else "/"
        self.root_dir = os.path.realpath(root_dir)
        self.protected = tuple(protected)

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        # Decoded once, as tornado decodes the path arguments the file handlers get; then
        # resolved like the contents manager resolves it (``refuses``).
        path = unquote(request.path or "")
        if not path.startswith(self.base_url):
            return None
        route = path[len(self.base_url) :]
        api_path = _api_path_of(route)
        if api_path is None:
            return None
        return {} if self.refuses(api_path) else None

    def refuses(self, api_path: str) -> bool:
        """Whether the API path resolves onto or under a protected path."""
        target = Path(os.path.realpath(os.path.join(self.root_dir, api_path.strip("/"))))
        return any(
            target == guarded or target.is_relative_to(guarded) for guarded in self.protected
        )


def _api_path_of(route: str) -> str | None:
    for prefix in _PREFIXES:
        if route.startswith(prefix):
            rest = route[len(prefix) :]
            if prefix == "nbconvert/":  # nbconvert/<format>/<path>
                _, _, rest = rest.partition("/")
            return rest
    return None


class UnservedHandler(web.RequestHandler):
    """403 for every method, with a JSON reason; never reads the file."""

    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "application/json")
        self.finish(
            json.dumps(
                {
                    "message": "jupyter_secrets: this file belongs to the secret store (or its key, or the "
                    "materialized secrets) and is never served over HTTP",
                }
            )
        )

    def check_xsrf_cookie(self) -> None:  # refusing needs no XSRF check
        return None


def install(web_app: web.Application, matcher: UnservedMatcher) -> Rule:
    """Put the rule in front of every route of ``web_app`` (extensions' and the server's)."""
    rule = Rule(matcher, UnservedHandler)
    web_app.default_router.rules.insert(0, rule)
    return rule
