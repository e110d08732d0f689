"""500s on bad input (issue 11.8): every route of a real server, over real HTTP.

Deeply nested JSON (RecursionError), 5000-digit numbers (Python's int-string limit raises
ValueError) and lone surrogates (``"\\ud800"`` decodes to a str that UTF-8 cannot encode)
used to end as 500s.  Each is now a 400 whose message names the problem and repeats nothing
of the body; query arguments and URL ids with invalid text are refused the same way.
"""

from __future__ import annotations

import json
import re

import pytest
from jupyter_server.utils import url_path_join

from jupyter_secrets.errors import InvalidInput
from jupyter_secrets.rules import MAX_JSON_DEPTH, parse_json_object
from jupyter_secrets.server.handlers import ROUTES

from .conftest import CANARY

DEEP = 100_000
BODY_VERBS = ("post", "put", "patch")
NO_BODY_VERBS = ("get", "delete")

HOSTILE_BODIES = {
    "deep array": b"[" * DEEP + b"]" * DEEP,
    "deep object": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "deep inside a field": b'{"name": ' + b"[" * DEEP + b"]" * DEEP + b"}",
    "a little too deep": b'{"name": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}",
    "5000-digit integer": b'{"name": ' + b"9" * 5000 + b"}",
    "5000-digit float": b'{"name": 0.' + b"9" * 5000 + b"}",
    "5000-digit exponent": b'{"name": 1e' + b"9" * 5000 + b"}",
    "lone surrogate in a name": b'{"name": "\\ud800", "value": "v", "path": "", "filename": "f"}',
    "lone low surrogate": b'{"name": "db\\udfff", "filename": "f"}',
    "lone surrogate in a key": b'{"\\ud800": 1}',
    "lone surrogate in a value": b'{"name": "n", "value": "' + CANARY.encode() + b'\\ud800"}',
    "lone surrogate in a path": b'{"path": "proj/\\udcff", "name": "P"}',
    "NaN": b'{"name": NaN}',
    "duplicate keys": b'{"value": "' + CANARY.encode() + b'", "value": "x"}',
}


async def real_ids(api, project):
    """A project with a filled slot: the ids every route needs, so requests reach the handler."""
    pid = (await project())["id"]
    _, slot = await api(
        "POST", "projects", pid, "slots", body={"name": "Token", "filename": "token"}
    )
    _, filled = await api("PUT", "projects", pid, "slots", slot["id"], "value", body={"value": "v"})
    return [pid, slot["id"]], filled["secret"]["id"]


def concrete(pattern: str, ids: tuple[list[str], str]) -> str:
    slot_ids, secret_id = ids
    values = iter([secret_id] if "user-secrets" in pattern else slot_ids)
    return re.sub(r"\(\[\^/\]\+\)", lambda _: next(values), pattern).lstrip("/")


def calls(verbs):
    return [
        (verb.upper(), pattern)
        for pattern, handler in ROUTES
        for verb in verbs
        if verb in vars(handler)
    ]


async def fetch(jp_fetch, method: str, path: str, body: bytes | None):
    kwargs = {"method": method, "raise_error": False, "allow_nonstandard_methods": True}
    if body is not None:
        kwargs["body"] = body
    response = await jp_fetch(*path.split("/"), **kwargs)
    return response.code, json.loads(response.body or b"null")


@pytest.mark.parametrize("method, pattern", calls(BODY_VERBS))
async def test_hostile_bodies_are_400_on_every_route_that_reads_one(
    jp_fetch, api, project, method, pattern
):
    path = concrete(pattern, await real_ids(api, project))
    for case, body in HOSTILE_BODIES.items():  # one server per route: the cases in a loop
        status, reply = await fetch(jp_fetch, method, path, body)
        assert status == 400, (case, status, reply)
        assert reply["message"] and CANARY not in reply["message"], (case, reply)


@pytest.mark.parametrize("method, pattern", calls(NO_BODY_VERBS))
async def test_routes_without_a_body_ignore_one(jp_fetch, api, project, method, pattern):
    path = concrete(pattern, await real_ids(api, project))
    for case in ("deep array", "5000-digit integer", "lone surrogate in a name"):
        status, reply = await fetch(jp_fetch, method, path, HOSTILE_BODIES[case])
        assert status < 500, (case, status, reply)


async def test_messages_name_the_problem(jp_fetch):
    path = "api/secrets/user-secrets"
    expected = {
        "deep array": "body: must not nest deeper than 8 levels",
        "a little too deep": "body: must not nest deeper than 8 levels",
        "5000-digit integer": "body: numbers must be at most 40 characters long",
        "lone surrogate in a name": "name: must be valid Unicode text (it holds a lone surrogate)",
        "lone surrogate in a key": "body: keys must be valid Unicode text (one holds a lone surrogate)",
        "lone surrogate in a value": "value: must be valid Unicode text (it holds a lone surrogate)",
        "NaN": "body: must be standard JSON (NaN is not a JSON value)",
        "duplicate keys": "value: appears twice in the body",
    }
    for case, message in expected.items():
        status, reply = await fetch(jp_fetch, "POST", path, HOSTILE_BODIES[case])
        assert (status, reply["message"]) == (400, message), case
    status, reply = await fetch(
        jp_fetch, "POST", "api/secrets/projects", HOSTILE_BODIES["lone surrogate in a path"]
    )
    assert (status, reply.get("field")) == (400, "path"), reply


# ---------------------------------------------------------------------------- URLs


async def raw_fetch(http_server_client, jp_auth_header, jp_base_url, method: str, tail: str):
    """A request whose URL is sent exactly as written (jp_fetch would escape it)."""
    response = await http_server_client.fetch(
        url_path_join(jp_base_url, "api/secrets", tail),
        method=method,
        headers=jp_auth_header,
        raise_error=False,
        allow_nonstandard_methods=True,
        body=b"{}" if method != "GET" else None,
    )
    return response.code, json.loads(response.body or b"null")


QUERIES = [
    "projects?path=%ED%A0%80",  # a surrogate, UTF-8 encoded: not valid UTF-8
    "projects?path=%FF",
    "projects?path=proj%00x",
    "projects?path=%C0%80",  # overlong NUL
    "projects?path=" + "a" * 5000,
]
BAD_IDS = [
    ("GET", "projects/%ED%A0%80"),
    ("GET", "projects/%00"),
    ("POST", "projects/%ED%A0%80/slots"),
    ("PATCH", "projects/%FF/slots/%ED%A0%80"),
    ("PUT", "projects/%ED%A0%80/slots/x/value"),
    ("DELETE", "projects/x/slots/%ED%A0%80/value"),
    ("GET", "user-secrets/%ED%A0%80"),
    ("PATCH", "user-secrets/%00"),
    ("DELETE", "user-secrets/%ED%B0%80"),
]


async def test_query_arguments_and_ids_with_invalid_text(
    http_server_client, jp_auth_header, jp_base_url, api, project
):
    await project()
    for query in QUERIES:
        status, reply = await raw_fetch(
            http_server_client, jp_auth_header, jp_base_url, "GET", query
        )
        assert status < 500, (query, status, reply)
        assert reply["message"] if status >= 400 else reply["exists"] is False, (query, reply)
    for method, tail in BAD_IDS:
        status, reply = await raw_fetch(
            http_server_client, jp_auth_header, jp_base_url, method, tail
        )
        assert 400 <= status < 500 and reply["message"], (method, tail, status, reply)


# ---------------------------------------------------------------------------- the parser itself


@pytest.mark.parametrize("case", sorted(HOSTILE_BODIES))
def test_parser_raises_only_invalid_input(case):
    with pytest.raises(InvalidInput) as info:
        parse_json_object(HOSTILE_BODIES[case])
    assert CANARY not in str(info.value)


def test_parser_accepts_what_clients_send():
    body = {
        "name": "db-password ✓",
        "value": "line 1\nline 2 🔑",
        "expires": None,
        "n": 12345,
        "x": [1.5, {"deep": [True]}],
    }
    assert parse_json_object(json.dumps(body).encode()) == body
    assert parse_json_object(json.dumps(body, ensure_ascii=False).encode()) == body
    assert parse_json_object(b'{"value": "\\ud83d\\udd11"}') == {"value": "🔑"}  # a pair is fine
