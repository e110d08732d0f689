"""Extension secrets: what jupyter-secrets-manager's connector keeps in this server's store.

A real server, a real SQLite store: namespaces kept apart, values out only by GET of their
exact key, never written for kernels unless the user binds one to a slot, shown (and
deletable, not renamable) in User secrets, a clear 4xx for every bad input, 403 for a guest.
The browser side (a real consumer extension through ``ISecretsManager``) is
``tests/browser/test_secrets_manager.py``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import urllib.parse
from pathlib import Path

import pytest

from jupyter_secrets.store.crypto import Keyring
from jupyter_secrets.store.sqlite import SCHEMA_VERSION, SQLiteSecretStore

from .conftest import CANARY
from .two_users import GUEST_TOKEN, OWNER_TOKEN

# Plugin ids, as the manager signs them: scoped packages hold "@" and "/".
NS_A = "@acme/ai-extension:chat"
NS_B = "@other/tool:settings"


def key_url(key: str) -> str:
    return "extension-secrets/" + urllib.parse.quote(key, safe="")


@pytest.fixture
def ext(http_server_client, jp_base_url, jp_auth_header):
    """``await ext(method, key=..., body=..., params=..., token=...)`` -> (status, json, headers).

    Built by hand rather than with ``jp_fetch``, which would leave a "/" of a key unescaped.
    """

    async def call(method, key=None, *, body=None, params=None, token=None, raw=None):
        path = key_url(key) if key is not None else "extension-secrets"
        url = jp_base_url.rstrip("/") + "/api/secrets/" + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = dict(jp_auth_header)
        if token is not None:
            headers["Authorization"] = f"token {token}"
        kwargs = {"method": method, "headers": headers, "raise_error": False}
        if raw is not None:
            kwargs["body"] = raw
        elif body is not None:
            kwargs["body"] = json.dumps(body)
        elif method == "PUT":
            kwargs.update(body=b"", allow_nonstandard_methods=True)
        response = await http_server_client.fetch(url, **kwargs)
        text = response.body.decode() if response.body else ""
        return response.code, (json.loads(text) if text else None), response.headers

    return call


def save_body(namespace: str, item_id: str, value: str) -> dict:
    return {"namespace": namespace, "id": item_id, "value": value}


def files_holding(directory: Path, needle: str) -> list[Path]:
    """Value files holding ``needle`` (not the server's own dot files, such as the leak guards'
    redaction list, which keeps every value once written for this server's life)."""
    found = []
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
            try:
                if needle.encode() in path.read_bytes():
                    found.append(path)
            except PermissionError:
                continue
    return found


# ============================================================ the connector's four calls


async def test_save_fetch_list_remove_round_trip(ext):
    key = f"{NS_A}:api-key"
    status, saved, _ = await ext("PUT", key, body=save_body(NS_A, "api-key", CANARY))
    assert status == 201, saved
    assert saved["namespace"] == NS_A and saved["id"] == "api-key" and saved["name"] == key
    assert CANARY not in json.dumps(saved)

    status, secret, headers = await ext("GET", key)
    assert status == 200
    assert secret == {"namespace": NS_A, "id": "api-key", "value": CANARY}
    assert headers["Cache-Control"] == "no-store"

    status, listing, _ = await ext("GET", params={"namespace": NS_A})
    assert status == 200
    assert [s["id"] for s in listing["secrets"]] == ["api-key"]
    assert CANARY not in json.dumps(listing)  # the list never holds a value

    # Saving again replaces the value of the same secret.
    status, again, _ = await ext("PUT", key, body=save_body(NS_A, "api-key", CANARY + "-2"))
    assert status == 200 and again["secret_id"] == saved["secret_id"]
    assert (await ext("GET", key))[1]["value"] == CANARY + "-2"

    status, _, _ = await ext("DELETE", key)
    assert status == 204
    assert (await ext("GET", key))[0] == 404
    assert (await ext("DELETE", key))[0] == 404
    assert (await ext("GET", params={"namespace": NS_A}))[1]["secrets"] == []


async def test_namespaces_are_kept_apart(ext):
    await ext("PUT", f"{NS_A}:token", body=save_body(NS_A, "token", CANARY + "-a"))
    await ext("PUT", f"{NS_B}:token", body=save_body(NS_B, "token", CANARY + "-b"))
    assert (await ext("GET", f"{NS_A}:token"))[1]["value"] == CANARY + "-a"
    assert (await ext("GET", f"{NS_B}:token"))[1]["value"] == CANARY + "-b"
    (a,) = (await ext("GET", params={"namespace": NS_A}))[1]["secrets"]
    (b,) = (await ext("GET", params={"namespace": NS_B}))[1]["secrets"]
    assert a["secret_id"] != b["secret_id"]
    assert (a["namespace"], b["namespace"]) == (NS_A, NS_B)
    # Removing one leaves the other.
    assert (await ext("DELETE", f"{NS_A}:token"))[0] == 204
    assert (await ext("GET", f"{NS_B}:token"))[1]["value"] == CANARY + "-b"
    # A namespace that only starts like another lists nothing of it.
    assert (await ext("GET", params={"namespace": "@other/tool"}))[1]["secrets"] == []


async def test_a_key_claimed_by_one_namespace_is_not_taken_over_by_another(ext):
    # "a:b" + "c" and "a" + "b:c" make the same key: the first to save keeps it.
    assert (await ext("PUT", "a:b:c", body=save_body("a:b", "c", CANARY)))[0] == 201
    status, error, _ = await ext("PUT", "a:b:c", body=save_body("a", "b:c", "taken-over"))
    assert status == 409 and error["field"] == "namespace"
    assert (await ext("GET", "a:b:c"))[1] == {"namespace": "a:b", "id": "c", "value": CANARY}


async def test_a_users_own_secret_is_never_readable_here(ext, api):
    status, own = await api("POST", "user-secrets", body={"name": f"{NS_A}:token", "value": CANARY})
    assert status == 201
    status, error, _ = await ext("GET", f"{NS_A}:token")
    assert status == 404 and CANARY not in json.dumps(error)
    assert (await ext("GET", params={"namespace": NS_A}))[1]["secrets"] == []
    # Nor can an extension claim it by saving under its name (nothing is overwritten).
    status, error, _ = await ext("PUT", f"{NS_A}:token", body=save_body(NS_A, "token", "x-y-z"))
    assert status == 409 and error["field"] == "name"
    assert (await ext("DELETE", f"{NS_A}:token"))[0] == 404
    _, listing = await api("GET", "user-secrets")
    assert [(s["id"], s["namespace"]) for s in listing["secrets"]] == [(own["id"], None)]


# ============================================================ in User secrets, out of kernels


async def test_shown_in_user_secrets_with_its_extension_deletable_not_renamable(ext, api):
    _, saved, _ = await ext("PUT", f"{NS_A}:token", body=save_body(NS_A, "token", CANARY))
    status, listing = await api("GET", "user-secrets")
    assert status == 200
    (shown,) = listing["secrets"]
    assert shown["id"] == saved["secret_id"]
    assert shown["namespace"] == NS_A and shown["name"] == f"{NS_A}:token"
    assert CANARY not in json.dumps(listing)

    status, error = await api("PATCH", "user-secrets", shown["id"], body={"name": "renamed"})
    assert status == 400 and error["field"] == "name" and NS_A in error["message"]
    # Its value may be replaced there (the extension reads the new one).
    status, _ = await api("PATCH", "user-secrets", shown["id"], body={"value": CANARY + "-new"})
    assert status == 200
    assert (await ext("GET", f"{NS_A}:token"))[1]["value"] == CANARY + "-new"

    assert (await api("DELETE", "user-secrets", shown["id"]))[0] == 204
    assert (await ext("GET", f"{NS_A}:token"))[0] == 404


async def test_never_materialized_unless_the_user_binds_it(ext, api, project, secrets_base):
    await ext("PUT", f"{NS_A}:token", body=save_body(NS_A, "token", CANARY))
    pid = (await project())["id"]
    _, slot = await api("POST", "projects", pid, "slots", body={"name": "Token", "filename": "tok"})
    assert files_holding(secrets_base, CANARY) == []
    _, model = await api("GET", "projects", pid)
    assert [s["state"] for s in model["slots"]] == ["missing"]

    # The user binds it to a slot: now, and only now, it is written for kernels.
    _, listing = await api("GET", "user-secrets")
    secret_id = listing["secrets"][0]["id"]
    status, _ = await api(
        "PUT", "projects", pid, "slots", slot["id"], "value", body={"secret_id": secret_id}
    )
    assert status == 200
    (written,) = files_holding(secrets_base, CANARY)
    assert written.name == "tok"
    # The extension saving a new value rewrites the file, as for any bound secret.
    await ext("PUT", f"{NS_A}:token", body=save_body(NS_A, "token", CANARY + "-next"))
    assert written.read_text() == CANARY + "-next"
    # Deleted by the extension: unlinked, the file goes.
    assert (await ext("DELETE", f"{NS_A}:token"))[0] == 204
    assert files_holding(secrets_base, CANARY) == []


async def test_values_are_encrypted_at_rest_and_never_logged(ext, store_path, caplog):
    caplog.set_level(logging.DEBUG)
    replies = [
        await ext("PUT", f"{NS_A}:token", body=save_body(NS_A, "token", CANARY)),
        await ext("PUT", f"{NS_A}:token", body=save_body(NS_A, "other", CANARY)),  # 400
        await ext("PUT", f"{NS_A}:token", raw=('{"value": "' + CANARY).encode()),  # 400
        await ext("GET", params={"namespace": NS_A}),
    ]
    assert CANARY not in json.dumps([r[1] for r in replies])
    assert CANARY not in caplog.text
    for path in store_path.parent.iterdir():
        assert CANARY.encode() not in path.read_bytes(), path


# ============================================================ bad input, other users


BAD_SAVES = [
    ({"namespace": NS_A, "id": "other", "value": "v"}, "key"),  # key is not namespace:id
    ({"namespace": NS_A, "value": "v"}, "id"),
    ({"id": "token", "value": "v"}, "namespace"),
    ({"namespace": NS_A, "id": "token"}, "value"),
    ({"namespace": NS_A, "id": "token", "value": 5}, "value"),
    ({"namespace": NS_A, "id": "token", "value": None}, "value"),
    ({"namespace": NS_A, "id": "token", "value": "v", "extra": 1}, "extra"),
    ({"namespace": 7, "id": "token", "value": "v"}, "namespace"),
    ({"namespace": NS_A, "id": "token", "value": "x" * (64 * 1024 + 1)}, "value"),
]


@pytest.mark.parametrize(("body", "field"), BAD_SAVES)
async def test_bad_saves_are_a_clear_400(ext, body, field):
    status, error, _ = await ext("PUT", f"{NS_A}:token", body=body)
    assert status == 400, error
    assert error["field"] == field and error["message"]
    assert (await ext("GET", params={"namespace": NS_A}))[1]["secrets"] == []


@pytest.mark.parametrize(
    "key",
    [
        " padded:key",  # surrounding spaces
        "bad\u200bns:key",  # invisible character
        "bidi\u202ens:key",
        "ctl\x07:key",
        "ns:" + "k" * 120,  # over 99 characters
        "cafe\u0301:key",  # not NFC
    ],
)
async def test_bad_keys_are_a_clear_400(ext, key):
    for method in ("GET", "DELETE"):
        status, error, _ = await ext(method, key)
        assert status == 400, (method, key, error)
        assert error["field"] == "key"
    namespace, item_id = key.rsplit(":", 1)
    status, error, _ = await ext("PUT", key, body=save_body(namespace, item_id, "v"))
    assert status == 400, error


async def test_listing_needs_a_valid_namespace(ext):
    assert (await ext("GET"))[0] == 400
    status, error, _ = await ext("GET", params={"namespace": "bad\u200bns"})
    assert status == 400 and error["field"] == "namespace"


async def test_a_bad_json_body_is_a_400(ext):
    for raw in (b"not json", b"[1, 2]", b'{"namespace": "a", "namespace": "b"}'):
        status, error, _ = await ext("PUT", "a:b", raw=raw)
        assert status == 400, (raw, error)


class TestOnlyTheOwner:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        config = json.loads(json.dumps(jp_server_config))
        config["ServerApp"]["identity_provider_class"] = "tests.two_users.TwoUsersIdentityProvider"
        config["SecretsExtension"]["owner"] = "alice"
        return config

    async def test_a_guest_gets_403_and_never_a_value(self, ext):
        key = f"{NS_A}:token"
        status, _, _ = await ext(
            "PUT", key, body=save_body(NS_A, "token", CANARY), token=OWNER_TOKEN
        )
        assert status == 201
        calls = [
            ("GET", key, None, None),
            ("GET", None, None, {"namespace": NS_A}),
            ("PUT", key, save_body(NS_A, "token", "planted-value"), None),
            ("PUT", f"{NS_A}:new", save_body(NS_A, "new", "planted-value"), None),
            ("DELETE", key, None, None),
        ]
        for method, which, body, params in calls:
            status, reply, _ = await ext(method, which, body=body, params=params, token=GUEST_TOKEN)
            assert status == 403, (method, which, status, reply)
            assert CANARY not in json.dumps(reply)
        # Nothing changed for the owner.
        status, secret, _ = await ext("GET", key, token=OWNER_TOKEN)
        assert secret["value"] == CANARY
        _, listing, _ = await ext("GET", params={"namespace": NS_A}, token=OWNER_TOKEN)
        assert [s["id"] for s in listing["secrets"]] == ["token"]


# ============================================================ the store and its migration


def test_a_store_of_schema_2_gains_the_namespace_column(tmp_path):
    path = tmp_path / "store" / "secrets.sqlite3"
    keyring = Keyring([b"k" * 32])
    store = SQLiteSecretStore(path, keyring)
    own = store.create_secret("alice", "db-password", CANARY)
    store.close()
    # Make it what version 2 wrote: no namespace column, schema_version 2.
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE secrets DROP COLUMN namespace")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()

    store = SQLiteSecretStore(path, keyring)
    try:
        assert store.get_secret("alice", own.id).namespace is None
        assert store.read_value("alice", own.id) == CANARY
        saved = store.create_secret("alice", f"{NS_A}:token", "v-1", namespace=NS_A)
        assert store.get_secret("alice", saved.id).namespace == NS_A
        assert {m.name: m.namespace for m in store.list_secrets("alice")} == {
            "db-password": None,
            f"{NS_A}:token": NS_A,
        }
    finally:
        store.close()
    db = sqlite3.connect(path)
    (version,) = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    db.close()
    assert int(version) == SCHEMA_VERSION  # the current one (4 added is_reference)
