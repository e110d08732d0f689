"""The OpenAPI document shipped in the package matches the server: routes, methods, replies."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from jupyter_secrets.server.handlers import ROUTES

from .conftest import CANARY

SPEC = yaml.safe_load(files("jupyter_secrets").joinpath("server/openapi.yaml").read_text())
VERBS = ("get", "post", "put", "patch", "delete")


def spec_path(pattern: str) -> str:
    """Turn a tornado route pattern into the OpenAPI path template it should be documented as."""
    if "projects" in pattern:
        names = iter(["{project_id}", "{slot_id}"])
    elif "extension-secrets" in pattern:
        names = iter(["{key}"])
    else:
        names = iter(["{secret_id}"])
    return re.sub(r"\(\[\^/\]\+\)", lambda _: next(names), pattern)


def test_every_registered_route_and_method_is_documented(jp_serverapp):
    registered = {}
    web_app = jp_serverapp.web_app
    rules = [*web_app.default_router.rules, *web_app.wildcard_router.rules]
    for rule in rules:
        for inner in getattr(rule.target, "rules", [rule]):
            regex = getattr(inner.matcher, "regex", None)  # the unserved-files rule has none
            pattern = regex.pattern.rstrip("$") if regex is not None else ""
            if "/api/secrets" in pattern:
                registered[pattern] = inner.target
    assert len(registered) == len(ROUTES)
    for pattern, handler in registered.items():
        path = spec_path(pattern[pattern.index("/api/secrets") :])
        assert path in SPEC["paths"], f"{path} is served but not documented"
        served = {
            verb
            for verb in VERBS
            if verb.upper() in handler.SUPPORTED_METHODS and verb in vars(handler)
        }
        documented = {verb for verb in VERBS if verb in SPEC["paths"][path]}
        assert served == documented, path
    assert len(SPEC["paths"]) == len(ROUTES)


async def test_real_replies_match_the_document(api, project, jp_root_dir):
    openapi = OpenAPI.from_dict(SPEC)
    exchanges = []

    async def call(method, template, *parts, body=None, params=None):
        status, reply = await api(method, *parts, body=body, params=params)
        path = "/api/secrets/" + "/".join(parts)
        exchanges.append((method, path, template, status, reply, body, params))
        return status, reply

    pid = (await project())["id"]
    await call("GET", "/api/secrets/status", "status")
    await call("GET", "/api/secrets/projects", "projects", params={"path": "proj"})
    (jp_root_dir / "second").mkdir()
    await call(
        "POST", "/api/secrets/projects", "projects", body={"path": "second", "name": "Second"}
    )
    await call(
        "POST", "/api/secrets/projects", "projects", body={"path": "second", "name": "Second"}
    )  # 409
    await call("GET", "/api/secrets/projects/{project_id}", "projects", pid)
    _, slot = await call(
        "POST",
        "/api/secrets/projects/{project_id}/slots",
        "projects",
        pid,
        "slots",
        body={"name": "Token", "filename": "token", "env": "TOKEN"},
    )
    await call(
        "POST",
        "/api/secrets/projects/{project_id}/slots",
        "projects",
        pid,
        "slots",
        body={"name": "Bad", "filename": "../x"},
    )  # 400
    sid = slot["id"]
    await call(
        "PATCH",
        "/api/secrets/projects/{project_id}/slots/{slot_id}",
        "projects",
        pid,
        "slots",
        sid,
        body={"description": "the token"},
    )
    await call(
        "PUT",
        "/api/secrets/projects/{project_id}/slots/{slot_id}/value",
        "projects",
        pid,
        "slots",
        sid,
        "value",
        body={"value": CANARY},
    )
    _, listing = await call("GET", "/api/secrets/user-secrets", "user-secrets")
    secret_id = listing["secrets"][0]["id"]
    await call("GET", "/api/secrets/user-secrets/{secret_id}", "user-secrets", secret_id)
    await call(
        "PATCH",
        "/api/secrets/user-secrets/{secret_id}",
        "user-secrets",
        secret_id,
        body={"name": "renamed"},
    )
    await call(
        "POST",
        "/api/secrets/user-secrets",
        "user-secrets",
        body={"name": "second", "value": "v2-value"},
    )
    await call(
        "DELETE",
        "/api/secrets/projects/{project_id}/slots/{slot_id}/value",
        "projects",
        pid,
        "slots",
        sid,
        "value",
    )
    await call(
        "DELETE",
        "/api/secrets/projects/{project_id}/slots/{slot_id}",
        "projects",
        pid,
        "slots",
        sid,
    )
    await call("DELETE", "/api/secrets/user-secrets/{secret_id}", "user-secrets", secret_id)
    await call("GET", "/api/secrets/user-secrets/{secret_id}", "user-secrets", secret_id)  # 404

    for method, path, template, status, reply, body, params in exchanges:
        request = MockRequest(
            "http://localhost",
            method.lower(),
            path,
            path_pattern=template,
            args=params or {},
            data=json.dumps(body) if body is not None else None,
        )
        documented = SPEC["paths"][template][method.lower()]["responses"]
        assert str(status) in documented, f"{method} {path} answered {status}, not documented"
        response = MockResponse(
            json.dumps(reply).encode() if reply is not None else b"", status_code=status
        )
        openapi.validate_response(request, response)
        assert CANARY not in json.dumps(reply)
