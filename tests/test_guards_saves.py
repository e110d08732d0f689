"""The save guard on what the pre-save hook alone does not see: chunked uploads, CRLF files.

jupyter_server's LargeFileManager runs pre-save hooks for the first chunk of an upload only
and appends the later ones; ``install_save_guard`` checks those too.  A real server's
contents API, with the guard installed on its contents manager.
"""

from __future__ import annotations

import base64
import json

import pytest
from tornado.web import HTTPError

from jupyter_secrets.guards.redact import Redactor
from jupyter_secrets.guards.save_guard import install_save_guard, make_pre_save_hook

from .conftest import CANARY

PEM = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAQEFAASCBKcwggSjAgEAAoIB\n-----END KEY-----\n"
REDACTOR = Redactor({CANARY: "API token", PEM: "deploy key"})
HALF = len(CANARY) // 2


@pytest.fixture
def jp_server_config():
    # The guard alone on a plain server: the app's own wiring is tested elsewhere.
    return {"ServerApp": {"jpserver_extensions": {"jupyter_secrets": False}}}


@pytest.fixture
def guard(jp_serverapp):
    state = {"mode": "redact", "notes": []}
    install_save_guard(
        jp_serverapp.contents_manager,
        lambda: REDACTOR,
        lambda: state["mode"],
        lambda *a: state["notes"].append(a),
    )
    return state


async def put(jp_fetch, path: str, content: str, chunk: int | None = None, fmt: str = "text"):
    model = {"type": "file", "format": fmt, "content": content}
    if chunk is not None:
        model["chunk"] = chunk
    return await jp_fetch(
        "api", "contents", path, method="PUT", body=json.dumps(model), raise_error=False
    )


async def test_a_value_in_the_last_chunk_is_redacted(jp_fetch, jp_root_dir, guard):
    assert (await put(jp_fetch, "up.txt", "first part\n", chunk=1)).code in (200, 201)
    assert (await put(jp_fetch, "up.txt", f"token={CANARY}\n", chunk=-1)).code in (200, 201)
    assert (jp_root_dir / "up.txt").read_text() == "first part\ntoken=[REDACTED:API token]\n"
    assert guard["notes"] == [("up.txt", ["API token"], "redacted")]


async def test_a_value_split_across_chunks_is_redacted(jp_fetch, jp_root_dir, guard):
    await put(jp_fetch, "split.txt", "a " + CANARY[:HALF], chunk=1)
    await put(jp_fetch, "split.txt", CANARY[HALF:] + " b", chunk=2)
    await put(jp_fetch, "split.txt", " end", chunk=-1)
    assert (jp_root_dir / "split.txt").read_text() == "a [REDACTED:API token] b end"


async def test_a_lone_later_chunk_is_checked(jp_fetch, jp_root_dir, guard):
    response = await put(jp_fetch, "lone.txt", CANARY, chunk=2)
    assert response.code in (200, 201)
    assert (jp_root_dir / "lone.txt").read_text() == "[REDACTED:API token]"


async def test_refuse_mode_refuses_the_chunk(jp_fetch, jp_root_dir, guard):
    guard["mode"] = "refuse"
    await put(jp_fetch, "r.txt", "clean start\n", chunk=1)
    response = await put(jp_fetch, "r.txt", CANARY, chunk=-1)
    assert response.code == 400
    body = response.body.decode()
    assert "API token" in json.loads(body)["message"] and CANARY not in body
    assert (jp_root_dir / "r.txt").read_text() == "clean start\n"
    assert guard["notes"] == [("r.txt", ["API token"], "refused")]


async def test_off_mode_lets_chunks_through(jp_fetch, jp_root_dir, guard):
    guard["mode"] = "off"
    await put(jp_fetch, "off.txt", "x", chunk=1)
    await put(jp_fetch, "off.txt", CANARY, chunk=-1)
    assert (jp_root_dir / "off.txt").read_text() == "x" + CANARY


async def test_clean_chunks_are_appended_as_they_are(jp_fetch, jp_root_dir, guard):
    await put(jp_fetch, "big.txt", "one\n", chunk=1)
    await put(jp_fetch, "big.txt", "two\n", chunk=2)
    await put(jp_fetch, "big.txt", "three\n", chunk=-1)
    assert (jp_root_dir / "big.txt").read_text() == "one\ntwo\nthree\n"
    # base64 chunks, as base64 files saved whole, are not checked (documented)
    data = base64.b64encode(b"\x89PNG binary").decode()
    await put(jp_fetch, "img.png", data, chunk=1, fmt="base64")
    await put(jp_fetch, "img.png", data, chunk=-1, fmt="base64")
    assert (jp_root_dir / "img.png").read_bytes() == b"\x89PNG binary" * 2
    assert guard["notes"] == []


async def test_a_text_file_with_crlf_line_endings(jp_fetch, jp_root_dir, guard):
    response = await put(jp_fetch, "key.txt", "key:\r\n" + PEM.replace("\n", "\r\n"))
    assert response.code in (200, 201)
    assert (jp_root_dir / "key.txt").read_bytes() == b"key:\r\n[REDACTED:deploy key]"


def test_a_chunk_it_cannot_check_is_refused():
    class NotOnDisk:  # a contents manager that does not keep files on disk
        def save(self, model, path=""):
            return model

    manager = NotOnDisk()
    guard = make_pre_save_hook(lambda: REDACTOR, lambda: "redact")
    guard.protect_chunks(manager)
    with pytest.raises(HTTPError) as info:
        manager.save({"type": "file", "format": "text", "content": "x", "chunk": 2}, "f.txt")
    assert info.value.status_code == 400 and "cannot check" in info.value.log_message
    assert (
        manager.save({"type": "file", "format": "text", "content": "x"}, "f.txt")["content"] == "x"
    )
