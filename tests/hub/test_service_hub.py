"""Issue 14 on a real JupyterHub, a real PostgreSQL and real single-user servers: the hub
secrets service (``jupyter-secrets-hub``) and the servers' ``HubSecretStore``.

One hub, one database and one service for the module (starting them is most of the cost);
the tests run in order and each leaves the service running with the right key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .hub_process import missing_tools, new_key
from .postgres import Postgres
from .postgres import missing as postgres_missing
from .service_stack import HubStack, files_holding, wait_for

# Test values, made at run time and unique: a dump or a log holding one is a leak.
ALICE_VALUE = "alice-hub-value-" + os.urandom(6).hex()
REPLACED = "alice-replaced-" + os.urandom(6).hex()
BOB_VALUE = "bob-hub-value-" + os.urandom(6).hex()


@pytest.fixture(scope="module")
def pg():
    problem = postgres_missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    server = Postgres().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def stack(pg, tmp_path_factory):
    problem = missing_tools()
    if problem:
        pytest.fail(problem, pytrace=False)
    stack = HubStack.create(tmp_path_factory.mktemp("hubsvc"), pg)
    try:
        stack.start()
        yield stack
    finally:
        strays = stack.stop()
        print(stack.hub.log()[-6000:])
        print(stack.service.log()[-3000:])
    assert not strays, f"processes left behind: {strays}"


@pytest.fixture(scope="module")
def tokens(stack):
    return {user: stack.token(user) for user in ("alice", "bob")}


@pytest.fixture(scope="module")
def alice_project(stack, tokens):
    """alice's default server, a project with one slot filled through it."""
    stack.start_server("alice")
    home = stack.hub.user_dir("alice") / "home"
    (home / "proj").mkdir(exist_ok=True)
    t = tokens["alice"]
    reply = stack.on_server(
        "alice", "", t, "POST", "/api/secrets/projects", {"path": "proj", "name": "P"}
    )
    assert reply.status == 201, reply.text
    pid = reply.body["id"]
    reply = stack.on_server(
        "alice",
        "",
        t,
        "POST",
        f"/api/secrets/projects/{pid}/slots",
        {"name": "Token", "filename": "token"},
    )
    assert reply.status == 201, reply.text
    sid = reply.body["id"]
    reply = stack.on_server(
        "alice",
        "",
        t,
        "PUT",
        f"/api/secrets/projects/{pid}/slots/{sid}/value",
        {"value": ALICE_VALUE},
    )
    assert reply.status == 200, reply.text
    return {"project_id": pid, "slot_id": sid}


def state(stack, token):
    reply = stack.call(token, "GET", "api/state")
    assert reply.status == 200, reply.text
    return reply.body


def test_a_value_set_through_a_server_lives_in_the_service_encrypted(
    stack, pg, tokens, alice_project
):
    body = state(stack, tokens["alice"])
    assert [s["name"] for s in body["secrets"]] == ["token"]
    assert body["bindings"][0]["slot_id"] == alice_project["slot_id"]
    # The server materialized the value from the service.
    run = stack.hub.user_dir("alice") / "run"
    wait_for(lambda: files_holding(run, ALICE_VALUE), what="alice's file")
    # In PostgreSQL: a row of alice's, sealed.
    rows = pg.psql('SELECT "user", name, length(ciphertext) FROM secrets')
    assert rows.strip().startswith("alice|token|"), rows
    assert ALICE_VALUE not in pg.psql("SELECT encode(ciphertext, 'escape') FROM secrets")
