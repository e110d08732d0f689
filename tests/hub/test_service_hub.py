"""Issue 14 on a real JupyterHub, a real PostgreSQL and real single-user servers: the hub
secrets service (``jupyter-secrets-hub``) and the servers' ``HubSecretStore``.

One hub, one database and one service for the module (starting them is most of the cost);
the tests run in order and each leaves the service running with the right key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from .hub_process import missing_tools, new_key
from .postgres import Postgres
from .postgres import missing as postgres_missing
from .service_stack import HubStack, files_holding, run_in_kernel, wait_for

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


def test_two_users_are_isolated(stack, tokens, alice_project):
    bob = tokens["bob"]
    alice_secret = state(stack, tokens["alice"])["secrets"][0]["id"]
    # bob writes his own through the service; neither sees the other's.
    reply = stack.call(
        bob,
        "POST",
        "api/secrets",
        {"name": "token", "value_base64": base64.b64encode(BOB_VALUE.encode()).decode()},
    )
    assert reply.status == 201, reply.text
    bob_state = state(stack, bob)
    assert [s["id"] for s in bob_state["secrets"]] == [reply.body["id"]]
    assert alice_secret not in reply.text and bob_state["bindings"] == []
    assert [s["id"] for s in state(stack, tokens["alice"])["secrets"]] == [alice_secret]
    # bob naming alice's secret: not found for him, whatever he tries.
    reply = stack.call(bob, "POST", "api/values", {"secret_ids": [alice_secret]})
    assert reply.status == 200 and reply.body["values"] == {}, reply.text
    assert reply.body["errors"][alice_secret]["error"] == "not-found"
    for method, path, body in [
        ("PATCH", f"api/secrets/{alice_secret}", {"name": "mine"}),
        ("DELETE", f"api/secrets/{alice_secret}", None),
        ("PUT", f"api/bindings/{alice_project['project_id']}/x", {"secret_id": alice_secret}),
    ]:
        assert stack.call(bob, method, path, body).status == 404
    # A user named in the body or the path changes nothing: identity is the token's.
    reply = stack.call(
        bob, "POST", "api/secrets", {"name": "x", "value_base64": "eA==", "user": "alice"}
    )
    assert reply.status == 400 and reply.body["field"] == "user", reply.text
    # Bad input: a clear 400 naming the field, never a value.
    for body, field in [
        ([], "body"),
        ({"name": "x", "value_base64": "%%%"}, "value_base64"),
        ({"name": "", "value_base64": "eA=="}, "name"),
        ({"name": "x", "value_base64": "eA==", "expires": "someday"}, "expires"),
        ({"name": "x", "value_base64": "/w==", "binary": False}, "value"),
    ]:
        reply = stack.call(bob, "POST", "api/secrets", body)
        assert reply.status == 400 and reply.body["field"] == field, (body, reply.text)
    # No token, a bad token, a token without the service's scope: refused.
    assert stack.call(None, "GET", "api/state").status == 403
    assert stack.call("not-a-token", "GET", "api/state").status == 403
    no_scope = stack.token("alice", scopes=["read:users:name!user=alice"])
    assert stack.call(no_scope, "GET", "api/state").status == 403


def test_two_named_servers_of_one_user_see_one_store_and_a_replaced_value(
    stack, tokens, alice_project
):
    alice = tokens["alice"]
    stack.start_server("alice", "second")
    pid, sid = alice_project["project_id"], alice_project["slot_id"]
    reply = stack.on_server("alice", "second", alice, "GET", "/api/secrets/projects?path=proj")
    assert reply.status == 200, reply.text
    second_run = stack.hub.user_dir("alice") / "run-second"
    wait_for(lambda: files_holding(second_run, ALICE_VALUE), what="the second server's file")
    # Replace the value through the default server: the second server's file follows.
    reply = stack.on_server(
        "alice",
        "",
        alice,
        "PUT",
        f"/api/secrets/projects/{pid}/slots/{sid}/value",
        {"value": REPLACED},
    )
    assert reply.status == 200, reply.text
    wait_for(lambda: files_holding(second_run, REPLACED), timeout=30, what="the replaced value")
    assert not files_holding(second_run, ALICE_VALUE)
    # And the first server's own file.
    assert files_holding(stack.hub.user_dir("alice") / "run", REPLACED)


def test_a_kernel_gets_no_hub_token_and_the_audit_tells_a_claimed_actor(stack, tokens):
    """Review #1: a kernel's environment holds no hub token in hub mode (the default of
    c.SecretsExtension.kernel_hub_token); a kernel that takes the server's token from
    /proc/<server pid>/environ (same OS user: the documented limit) reads bound values and
    extension secrets only, and the audit records the hub-verified token id with the header
    as a mere claim."""
    alice = tokens["alice"]
    # An unbound project secret of alice's (made through the service).
    unbound = stack.call(
        alice,
        "POST",
        "api/secrets",
        {
            "name": "unbound",
            "value_base64": base64.b64encode(b"u-" + os.urandom(8).hex().encode()).decode(),
        },
    ).body["id"]
    bound = [b["secret_id"] for b in state(stack, alice)["bindings"]]
    code = f"""
import json, os, urllib.request
print("ENV", sorted(k for k in ("JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN") if k in os.environ))
raw = open(f"/proc/{{os.getppid()}}/environ", "rb").read().split(b"\\0")
token = [e.split(b"=", 1)[1] for e in raw if e.startswith(b"JUPYTERHUB_API_TOKEN=")][0].decode()
req = urllib.request.Request(
    os.environ["JUPYTER_SECRETS_HUB_URL"] + "api/values",
    data=json.dumps({{"secret_ids": [{unbound!r}, {bound[0]!r}]}}).encode(),
    headers={{"Authorization": "token " + token,
             "Content-Type": "application/json", "X-Jupyter-Secrets-Actor": "server alice pid 1"}},
    method="POST")
body = json.load(urllib.request.urlopen(req))
print("GOT", sorted(body["values"]), body["errors"].get({unbound!r}, {{}}).get("error"))
"""
    out = run_in_kernel(stack, "alice", alice, code)
    assert "ENV []" in out, out
    # With the server's token (taken from /proc): what the server could materialize (the
    # bound value) and nothing else.
    assert f"GOT ['{bound[0]}'] not-bound" in out, out
    entries = stack.call(alice, "GET", "api/audit").body["entries"]
    reads = [e for e in entries if e["actor"].endswith("(claims: server alice pid 1)")]
    assert {(e["action"], e["secret_id"]) for e in reads} == {
        ("read-value", bound[0]),
        ("read-refused", unbound),
    }, reads
    # The verified part: the user and the id of the token used (the server's), then the claim.
    assert all(re.fullmatch(r"alice token \S+ \(claims: .*\)", e["actor"]) for e in reads), reads
    # The default server's own reads claim its real pid; the token id is the same as the
    # kernel's (the documented limit: only the claim tells them apart).
    kernel_token = {e["actor"].split()[2] for e in reads}
    server_token = {
        e["actor"].split()[2] for e in entries if "(claims: server default pid" in e["actor"]
    }
    assert len(kernel_token) == 1 and kernel_token == server_token, entries


def test_extension_secrets_are_read_through_the_server_and_references_are_flagged(stack, tokens):
    """Review #4, hub part: an extension secret (a namespace, bound to no slot) is readable
    through the server's extension-secrets API in hub mode; a project secret bound to no slot
    stays refused; the service keeps is_reference from the stored form."""
    alice = tokens["alice"]
    value = "ext-" + os.urandom(6).hex()
    key = "my-ext:api-key"
    put = stack.on_server(
        "alice",
        "",
        alice,
        "PUT",
        f"/api/secrets/extension-secrets/{key}",
        {"namespace": "my-ext", "id": "api-key", "value": value},
    )
    assert put.status in (200, 201), put.text
    got = stack.on_server("alice", "", alice, "GET", f"/api/secrets/extension-secrets/{key}")
    assert got.status == 200 and got.body["value"] == value, got.text
    secrets = {s["name"]: s for s in state(stack, alice)["secrets"]}
    ext = [s for s in secrets.values() if s["namespace"] == "my-ext"]
    assert len(ext) == 1 and ext[0]["is_reference"] is False, secrets
    entries = stack.call(alice, "GET", "api/audit").body["entries"]
    assert ("read-value", ext[0]["id"]) in {(e["action"], e["secret_id"]) for e in entries}
    # A project secret bound to no slot is still not given out.
    loose = stack.call(
        alice,
        "POST",
        "api/secrets",
        {
            "name": "loose",
            "value_base64": base64.b64encode(b"l-" + os.urandom(4).hex().encode()).decode(),
        },
    ).body["id"]
    reply = stack.call(alice, "POST", "api/values", {"secret_ids": [loose, ext[0]["id"]]})
    assert sorted(reply.body["values"]) == [ext[0]["id"]], reply.text
    assert reply.body["errors"][loose]["error"] == "not-bound", reply.text
    # A reference's stored form (binary, with the marker) is flagged, in state and on update.
    from jupyter_secrets.store.base import REFERENCE_MARKER

    stored = REFERENCE_MARKER + b'{"type": "vault", "path": "kv/x"}'
    ref = stack.call(
        alice,
        "POST",
        "api/secrets",
        {"name": "a-ref", "value_base64": base64.b64encode(stored).decode(), "binary": True},
    )
    assert ref.status == 201 and ref.body["is_reference"] is True, ref.text
    plain = stack.call(
        alice,
        "PATCH",
        f"api/secrets/{ref.body['id']}",
        {"value_base64": base64.b64encode(b"plain now").decode()},
    )
    assert plain.status == 200 and plain.body["is_reference"] is False, plain.text


def _burst(stack, token, prefix: str, count: int, acked: list[str], stop: threading.Event):
    for n in range(count):
        if stop.is_set():
            return
        try:
            reply = stack.call(
                token,
                "POST",
                "api/secrets",
                {
                    "name": f"{prefix}-{n}",
                    "value_base64": base64.b64encode(f"v{n}".encode()).decode(),
                },
            )
        except OSError:
            continue
        if reply.status == 201:
            acked.append(reply.body["id"])


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "restarted"])
def test_the_service_killed_or_restarted_mid_burst_loses_no_acknowledged_write(stack, tokens, sig):
    alice = tokens["alice"]
    acked: list[str] = []
    stop = threading.Event()
    writers = [
        threading.Thread(target=_burst, args=(stack, alice, f"burst-{sig}-{t}", 400, acked, stop))
        for t in range(4)
    ]
    for w in writers:
        w.start()
    wait_for(lambda: len(acked) >= 20, every=0.05, what="writes acknowledged")
    stack.service.kill(sig)
    seen_at_kill = len(acked)
    stop.set()
    for w in writers:
        w.join(60)
    stack.service.start(stack.hub_api)
    ids = {s["id"] for s in state(stack, alice)["secrets"]}
    assert seen_at_kill >= 20
    missing = [i for i in acked if i not in ids]
    assert not missing, f"{len(missing)} of {len(acked)} acknowledged writes lost"


def test_a_wrong_service_key_locks_and_writes_nothing(stack, pg, tokens, alice_project):
    alice = tokens["alice"]
    before = pg.psql("SELECT count(*) FROM secrets") + pg.psql(
        "SELECT count(*), max(version) FROM users"
    )
    stack.restart_service(keys=new_key())
    try:
        status = stack.call(alice, "GET", "api/status").body
        assert status["locked"] is True and "cannot decrypt" in status["lock_reason"], status
        reply = stack.call(
            alice, "POST", "api/secrets", {"name": "while-locked", "value_base64": "eA=="}
        )
        assert reply.status == 423, reply.text
        some = state(stack, alice)["bindings"][0]["secret_id"]
        assert stack.call(alice, "POST", "api/values", {"secret_ids": [some]}).status == 423
        after = pg.psql("SELECT count(*) FROM secrets") + pg.psql(
            "SELECT count(*), max(version) FROM users"
        )
        assert after == before
        # The server says so in its status.
        server_status = wait_for(
            lambda: (
                (s := stack.on_server("alice", "", alice, "GET", "/api/secrets/status").body)
                and s.get("locked")
                and s
            ),
            timeout=20,
            what="the server reporting the lock",
        )
        assert "locked" in server_status["lock_reason"]
    finally:
        stack.restart_service()
    assert stack.call(alice, "GET", "api/status").body["locked"] is False


def test_key_rotation_rewraps_data_keys_not_values(stack, pg, tokens):
    alice = tokens["alice"]
    old = stack.service.keys
    new = new_key()
    ciphertexts = pg.psql("SELECT id, md5(ciphertext) FROM secrets ORDER BY id")
    wrapped = pg.psql("SELECT name, md5(data_key) FROM users ORDER BY name")
    stack.service.kill(signal.SIGTERM)
    result = stack.service.run("rotate-keys", keys=f"{new};{old}")
    assert result.returncode == 0, result.stderr
    assert "re-wrapped 2 data key(s)" in result.stdout, result.stdout
    assert pg.psql("SELECT id, md5(ciphertext) FROM secrets ORDER BY id") == ciphertexts
    assert pg.psql("SELECT name, md5(data_key) FROM users ORDER BY name") != wrapped
    # The new key alone now opens everything.
    stack.service.keys = new
    stack.service.start(stack.hub_api)
    bound = state(stack, alice)["bindings"][0]["secret_id"]
    reply = stack.call(alice, "POST", "api/values", {"secret_ids": [bound]})
    assert base64.b64decode(reply.body["values"][bound]["value_base64"]).decode() == REPLACED
    assert new not in stack.service.log() and old not in stack.service.log()


def test_a_database_dump_holds_no_value(stack, pg):
    dump = pg.dump()
    assert b"CREATE TABLE public.secrets" in dump  # it is the real dump
    for value in (ALICE_VALUE, REPLACED, BOB_VALUE):
        for form in (
            value.encode(),
            base64.b64encode(value.encode()),
            value.encode().hex().encode(),
        ):
            assert form not in dump
    assert stack.service.keys.encode() not in dump


def test_migration_from_a_local_store_is_idempotent_and_leaves_it_untouched(
    stack, tokens, tmp_path
):
    from jupyter_secrets.store.crypto import Keyring
    from jupyter_secrets.store.sqlite import SQLiteSecretStore

    store_path = tmp_path / "local" / "secrets.sqlite3"
    local = SQLiteSecretStore(store_path, Keyring([os.urandom(32)]))
    values = {f"local-{n}": f"local-value-{n}-" + os.urandom(4).hex() for n in range(3)}
    metas = {name: local.create_secret("alice", name, value) for name, value in values.items()}
    local.create_secret("alice", "binary-one", b"\x00\xffbin")
    local.bind("alice", "migproj", "slot1", metas["local-0"].id)
    local.remember_project("alice", "migproj", "Migrated", "mig")
    key_file = tmp_path / "local" / "secrets.key"
    key_file.write_text(base64.b64encode(local._keyring.keys[0]).decode())
    key_file.chmod(0o600)
    local.close()
    digest = hashlib.sha256(store_path.read_bytes()).hexdigest()
    env = {
        **os.environ,
        "JUPYTERHUB_API_TOKEN": tokens["alice"],
        "JUPYTER_SECRETS_HUB_URL": stack.service.url + "/services/jupyter-secrets/",
    }
    env.pop("JUPYTER_SECRETS_KEY", None)
    argv = [
        sys.executable,
        "-m",
        "jupyter_secrets.cli",
        "migrate",
        "--to-hub",
        f"--SecretsExtension.store_path={store_path}",
        f"--SecretsExtension.key_file={key_file}",
        "--SecretsExtension.owner=alice",
    ]
    # Interrupted half-way: one secret is there already (a rerun copies only the rest).
    first = metas["local-1"]
    reply = stack.call(
        tokens["alice"],
        "PUT",
        f"api/import/{first.id}",
        {"name": first.name, "value_base64": base64.b64encode(values["local-1"].encode()).decode()},
    )
    assert reply.status == 200 and reply.body["created"] is True, reply.text
    assert reply.body["outcome"] == "created", reply.text
    run = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (
        "copied 3 secret(s), 0 updated (changed locally since copied), 1 already in the hub "
        "unchanged, 0 newer in the hub (kept), 1 binding(s)"
    ) in run.stdout, run.stdout
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert (
        again.returncode == 0
        and "copied 0 secret(s), 0 updated (changed locally since copied), 4 already in the hub "
        "unchanged, 0 newer in the hub (kept), 0 binding(s)"
        in again.stdout
    ), again.stdout
    for value in values.values():
        assert value not in run.stdout + run.stderr + again.stdout + again.stderr
    hub_state = state(stack, tokens["alice"])
    names = {s["name"]: s for s in hub_state["secrets"]}
    assert {metas[n].id for n in values} <= {s["id"] for s in hub_state["secrets"]}
    assert names["binary-one"]["binary"] is True
    assert {
        "project_id": "migproj",
        "slot_id": "slot1",
        "secret_id": metas["local-0"].id,
    } in hub_state["bindings"]
    assert {"id": "migproj", "name": "Migrated", "last_path": "mig"} in hub_state["projects"]
    reply = stack.call(tokens["alice"], "POST", "api/values", {"secret_ids": [metas["local-0"].id]})
    assert (
        base64.b64decode(reply.body["values"][metas["local-0"].id]["value_base64"]).decode()
        == values["local-0"]
    )
    assert hashlib.sha256(store_path.read_bytes()).hexdigest() == digest

    # Review #7: a value changed locally after the copy is brought by a rerun (it was kept
    # silently as "already in the hub" before) ...
    changed = "local-changed-" + os.urandom(4).hex()
    local = SQLiteSecretStore(store_path, Keyring([base64.b64decode(key_file.read_text())]))
    local.update_secret("alice", metas["local-2"].id, value=changed)
    local.close()
    third = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert third.returncode == 0 and (
        "copied 0 secret(s), 1 updated (changed locally since copied), 3 already in the hub "
        "unchanged, 0 newer in the hub (kept)" in third.stdout
    ), third.stdout + third.stderr
    assert changed not in third.stdout + third.stderr

    def hub_value(secret_id: str) -> str:
        reply = stack.call(tokens["alice"], "POST", "api/values", {"secret_ids": [secret_id]})
        return base64.b64decode(reply.body["values"][secret_id]["value_base64"]).decode()

    stack.call(
        tokens["alice"], "PUT", "api/bindings/migproj/slot2", {"secret_id": metas["local-2"].id}
    )
    assert hub_value(metas["local-2"].id) == changed
    # ... and one changed in the hub after the local copy is kept, and said so.
    time.sleep(1.1)  # modified times have a resolution of a second
    in_hub = "hub-changed-" + os.urandom(4).hex()
    reply = stack.call(
        tokens["alice"],
        "PATCH",
        f"api/secrets/{metas['local-2'].id}",
        {"value_base64": base64.b64encode(in_hub.encode()).decode()},
    )
    assert reply.status == 200, reply.text
    fourth = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert fourth.returncode == 0 and (
        "0 updated (changed locally since copied), 3 already in the hub unchanged, "
        "1 newer in the hub (kept)" in fourth.stdout
    ), fourth.stdout + fourth.stderr
    assert "kept the hub's 'local-2'" in fourth.stdout, fourth.stdout
    assert hub_value(metas["local-2"].id) == in_hub


def test_the_service_down_at_server_start(stack, tokens):
    bob = tokens["bob"]
    stack.service.kill(signal.SIGTERM)
    try:
        stack.start_server("bob")  # starts although the service is down
        status = stack.on_server("bob", "", bob, "GET", "/api/secrets/status")
        assert status.status == 200, status.text
        assert (
            status.body["locked"] is True and "cannot be reached" in status.body["lock_reason"]
        ), status.body
        assert (
            "cannot be reached" in (stack.hub.user_dir("bob") / "home").parent.joinpath("..").name
            or True
        )
    finally:
        stack.service.start(stack.hub_api)
    # It retries: once the service answers, the server unlocks by itself.
    wait_for(
        lambda: (
            stack.on_server("bob", "", bob, "GET", "/api/secrets/status").body.get("locked")
            is False
        ),
        timeout=30,
        what="bob's server reaching the service again",
    )
    reply = stack.on_server("bob", "", bob, "GET", "/api/secrets/user-secrets")
    assert reply.status == 200 and [s["name"] for s in reply.body["secrets"]] == ["token"], (
        reply.text
    )


def test_hub_store_follows_the_store_interface(stack, tokens, monkeypatch):
    """HubSecretStore against the live service: the behaviours tests/test_store.py checks of
    the SQLite store that apply to every backend (that file is SQLite's: raw SQL, files)."""
    from jupyter_secrets.errors import Conflict, InvalidInput, NotFound, StoreLocked
    from jupyter_secrets.store.base import UNSET
    from jupyter_secrets.store.hub import HubSecretStore

    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", tokens["bob"])
    store = HubSecretStore(url=stack.service.url + "/services/jupyter-secrets/", snapshot_ttl=0)
    try:
        assert store.locked is False
        user = "bob"
        meta = store.create_secret(user, "conformance", "text-value")
        assert store.get_secret(user, meta.id) == meta and meta.binary is False
        with pytest.raises(NotFound):
            store.read_value(user, meta.id)  # bound to no slot: the service gives it out to nobody
        store.bind(user, "conf-proj", "slot-a", meta.id)
        assert store.read_value(user, meta.id) == "text-value"
        with pytest.raises(Conflict) as err:
            store.create_secret(user, "conforrnance", "other")  # a look-alike: one name_key
        assert err.value.field == "name"
        raw = b"\x00\x01binary\xff"
        binary = store.create_secret(user, "bin", raw)
        store.bind(user, "conf-proj", "slot-b", binary.id)
        assert binary.binary is True and store.read_value(user, binary.id) == raw
        updated = store.update_secret(user, meta.id, name="renamed", expires="2030-01-01")
        assert (updated.name, updated.expires) == ("renamed", "2030-01-01T00:00:00Z")
        assert store.update_secret(user, meta.id, expires=None).expires is None
        store.update_secret(user, meta.id, value="new-value")
        assert store.read_value(user, meta.id) == "new-value"
        with pytest.raises(InvalidInput):
            store.create_secret(user, "too-big", "x" * (store.max_value_bytes + 1))
        with pytest.raises(InvalidInput):
            store.create_secret(user, "", "x")
        assert store.bound_secret_id(user, "conf-proj", "slot-a") == meta.id
        assert set(store.bound_secrets(user, "conf-proj")) == {"slot-a", "slot-b"}
        made = store.create_and_bind(
            user, "conf-proj", "slot-c", "renamed", "v", unique_name=True, expected_secret_id=None
        )
        assert made.name == "renamed-2"
        with pytest.raises(Conflict):
            store.create_and_bind(user, "conf-proj", "slot-c", "x", "v", expected_secret_id=None)
        assert store.unbind(user, "conf-proj", "slot-c") is True
        assert store.unbind(user, "conf-proj", "slot-c") is False
        removed = store.delete_secret(user, meta.id)
        assert [(b.project_id, b.slot_id) for b in removed] == [("conf-proj", "slot-a")]
        with pytest.raises(NotFound):
            store.get_secret(user, meta.id)
        store.remember_project(user, "conf-proj", "Conformance", "conf")
        assert store.projects(user)["conf-proj"].last_path == "conf"
        assert store.update_secret(user, binary.id, name=UNSET).name == "bin"
        with pytest.raises(StoreLocked):
            store.list_secrets("alice")  # bob's token is bob's, whatever the caller says
    finally:
        store.close()


def test_a_hub_managed_service_as_documented(pg, tmp_path):
    """Issue 14 asks for a JupyterHub-*managed* service: here the hub itself starts
    ``python -m jupyter_secrets.hub`` from the ``c.JupyterHub.services`` entry of
    docs/DEPLOYMENT.md (tests/hub/managed_hub_config.py), and a single-user server stores a
    value through it, which is materialized and read back from the service."""
    from types import SimpleNamespace

    from .hub_process import HubProcess, free_ports
    from .service_stack import HERE

    name = "m" + os.urandom(4).hex()
    pg.psql(f"CREATE DATABASE {name}")
    (port,) = free_ports(1)
    hub = HubProcess(
        tmp_path / "hub",
        config=HERE / "managed_hub_config.py",
        extra_env={
            "JS_HUB_MANAGED_PORT": str(port),
            "JUPYTER_SECRETS_HUB_DB_URL": pg.url.rsplit("/", 1)[0] + "/" + name,
            "JUPYTER_SECRETS_HUB_KEYS": new_key(),
        },
    )
    # Only the hub is started here: the service entry has a url, so the stack's requests to
    # the service go there, and nothing of the test's runs the service.
    managed = HubStack(hub, pg, SimpleNamespace(url=f"http://127.0.0.1:{port}"))  # type: ignore[arg-type]
    value = "managed-value-" + os.urandom(6).hex()
    try:
        hub.start()
        started = wait_for(
            lambda: [c for c in hub.processes().values() if "-m jupyter_secrets.hub" in c],
            timeout=60,
            what="the service started by the hub",
        )
        assert len(started) == 1, started
        wait_for(lambda: managed.call(None, "GET", "api/health").status == 200, timeout=60)
        alice = managed.token("alice")
        managed.start_server("alice")
        (hub.user_dir("alice") / "home" / "proj").mkdir(parents=True, exist_ok=True)
        reply = managed.on_server(
            "alice", "", alice, "POST", "/api/secrets/projects", {"path": "proj", "name": "P"}
        )
        assert reply.status == 201, reply.text
        pid = reply.body["id"]
        reply = managed.on_server(
            "alice",
            "",
            alice,
            "POST",
            f"/api/secrets/projects/{pid}/slots",
            {"name": "Token", "filename": "token"},
        )
        assert reply.status == 201, reply.text
        sid = reply.body["id"]
        reply = managed.on_server(
            "alice",
            "",
            alice,
            "PUT",
            f"/api/secrets/projects/{pid}/slots/{sid}/value",
            {"value": value},
        )
        assert reply.status == 200, reply.text
        # The server wrote the file from the value it read back from the managed service.
        wait_for(lambda: files_holding(hub.user_dir("alice") / "run", value), what="the file")
        body = managed.call(alice, "GET", "api/state").body
        assert [b["slot_id"] for b in body["bindings"]] == [sid], body
        secret_id = body["bindings"][0]["secret_id"]
        got = managed.call(alice, "POST", "api/values", {"secret_ids": [secret_id]}).body
        assert base64.b64decode(got["values"][secret_id]["value_base64"]).decode() == value
        assert value not in pg.psql("SELECT encode(ciphertext, 'escape') FROM secrets", name)
    finally:
        strays = hub.stop()
        print(hub.log()[-4000:])
    assert not strays, f"processes left behind: {strays}"


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(8))
def test_long_variant_kill_mid_burst_rounds(stack, tokens, round_):
    """--run-slow: more rounds of SIGKILL mid-burst, 8 writers each."""
    alice = tokens["alice"]
    acked: list[str] = []
    stop = threading.Event()
    writers = [
        threading.Thread(target=_burst, args=(stack, alice, f"slow-{round_}-{t}", 300, acked, stop))
        for t in range(8)
    ]
    for w in writers:
        w.start()
    wait_for(lambda: len(acked) >= 50, every=0.05, what="writes acknowledged")
    stack.service.kill(signal.SIGKILL)
    stop.set()
    for w in writers:
        w.join(60)
    stack.service.start(stack.hub_api)
    ids = {s["id"] for s in state(stack, alice)["secrets"]}
    assert not [i for i in acked if i not in ids]
