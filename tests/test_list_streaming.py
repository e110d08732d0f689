"""``GET /api/secrets/user-secrets`` is encoded a batch at a time (issue 16): the reply is
byte for byte the JSON of ``{"secrets": [...]}``, whatever the number of batches."""

from __future__ import annotations

import json

import pytest

import jupyter_secrets.server.handlers as handlers_module


@pytest.mark.parametrize("secrets", [0, 1, 5])
async def test_the_streamed_list_is_the_json_of_the_whole_list(
    jp_fetch, api, jp_serverapp, monkeypatch, secrets
):
    batches = []
    encode = handlers_module._encode_batch

    def small_batches(views, size=500):
        text = encode(views, 2)
        batches.append(text)
        return text

    monkeypatch.setattr(handlers_module, "_encode_batch", small_batches)
    for i in reversed(range(secrets)):
        status, _ = await api(
            "POST", "user-secrets", body={"name": f"secret-{i}", "value": f"value-{i}-xyz"}
        )
        assert status == 201
    response = await jp_fetch("api", "secrets", "user-secrets")
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.body.decode()
    parsed = json.loads(body)
    assert body == json.dumps(parsed)  # the formatting of json.dumps of the whole
    (ext,) = jp_serverapp.extension_manager.extension_apps["jupyter_secrets"]
    expected = [
        json.loads(handlers_module.models.dumps(v)) for v in ext.service.list_user_secrets()
    ]
    assert parsed["secrets"] == expected and len(expected) == secrets
    assert "value-" not in body
    assert len([b for b in batches if b]) == -(-secrets // 2)  # ceil: it was streamed


async def test_a_locked_store_still_answers_a_json_error(api, jp_serverapp, monkeypatch):
    app = jp_serverapp.extension_manager.extension_apps["jupyter_secrets"]
    (ext,) = app
    from jupyter_secrets.errors import StoreUnavailable

    def broken(*args, **kwargs):
        raise StoreUnavailable("the secret store cannot be used: test")

    monkeypatch.setattr(ext.service.store, "list_secrets", broken)
    status, error = await api("GET", "user-secrets")
    assert status == 503 and "cannot be used" in error["message"]
