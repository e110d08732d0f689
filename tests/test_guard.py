"""The save guard: the hook alone, then through a real Jupyter server's contents API."""

from __future__ import annotations

import base64
import copy
import json

import pytest
from jupyter_core.utils import ensure_async
from tornado.web import HTTPError

from jupyter_secrets.guards.redact import Redactor
from jupyter_secrets.guards.save_guard import make_pre_save_hook

from .conftest import CANARY

# A second value, with characters that HTML escapes, to see the text/html form go too.
HTML_VALUE = "p<a>ss&word-42"
REDACTOR = Redactor({CANARY: "API token", HTML_VALUE: "db password"})
ALL_FORMS = (CANARY, HTML_VALUE, "p&lt;a&gt;ss&amp;word-42")


def notebook_with_values() -> dict:
    """A notebook model's content with the values in sources, outputs, tracebacks, metadata."""
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "note": f"pasted {CANARY}",
        },
        "cells": [
            {
                "cell_type": "markdown",
                "id": "md",
                "metadata": {},
                "source": f"The token is {CANARY}",
            },
            {
                "cell_type": "code",
                "id": "code",
                "metadata": {},
                "execution_count": 1,
                "source": f"token = '{CANARY}'\nprint(token)",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": f"{CANARY}\n"},
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {
                            "text/plain": repr(HTML_VALUE),
                            "text/html": f"<b>{HTML_VALUE.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</b>",
                            "application/json": {"token": CANARY, "nested": [{"pw": HTML_VALUE}]},
                        },
                    },
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"text/markdown": f"`{CANARY}`", "image/png": "iVBORw0KGgo="},
                    },
                    {
                        "output_type": "error",
                        "ename": "ValueError",
                        "evalue": CANARY,
                        "traceback": [
                            "\x1b[31mValueError\x1b[39m Traceback",
                            f"\x1b[31mValueError\x1b[39m: {CANARY}",
                        ],
                    },
                ],
            },
        ],
    }


def notebook_model() -> dict:
    return {"type": "notebook", "format": "json", "content": notebook_with_values()}


def assert_no_value(data) -> None:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    for form in ALL_FORMS:
        assert form not in text


def make_hook(mode: str = "redact"):
    notes: list[tuple] = []
    hook = make_pre_save_hook(lambda: REDACTOR, lambda: mode, lambda *args: notes.append(args))
    return hook, notes


# ---------------------------------------------------------------------- the hook alone


def test_redact_scrubs_every_string_of_a_notebook():
    hook, notes = make_hook()
    model = notebook_model()
    hook(model=model, path="dir/nb.ipynb", contents_manager=None)
    nb = model["content"]
    assert_no_value(nb)
    code = nb["cells"][1]
    assert code["source"] == "token = '[REDACTED:API token]'\nprint(token)"
    outputs = code["outputs"]
    assert outputs[0]["text"] == "[REDACTED:API token]\n"
    assert outputs[1]["data"]["text/plain"] == "'[REDACTED:db password]'"
    assert outputs[1]["data"]["text/html"] == "<b>[REDACTED:db password]</b>"
    assert outputs[1]["data"]["application/json"]["nested"][0]["pw"] == "[REDACTED:db password]"
    assert outputs[2]["data"]["image/png"] == "iVBORw0KGgo="
    assert outputs[3]["evalue"] == "[REDACTED:API token]"
    assert outputs[3]["traceback"][1].endswith("[REDACTED:API token]")
    assert nb["cells"][0]["source"] == "The token is [REDACTED:API token]"
    assert nb["metadata"]["note"] == "pasted [REDACTED:API token]"
    assert notes == [("dir/nb.ipynb", ["API token", "db password"], "redacted")]


def test_redact_scrubs_a_text_file():
    hook, notes = make_hook()
    model = {"type": "file", "format": "text", "content": f"TOKEN={CANARY}\nPW='{HTML_VALUE}'\n"}
    hook(model=model, path=".env", contents_manager=None)
    assert model["content"] == "TOKEN=[REDACTED:API token]\nPW='[REDACTED:db password]'\n"
    assert notes == [(".env", ["API token", "db password"], "redacted")]


def test_clean_models_and_base64_files_are_left_alone():
    hook, notes = make_hook()
    clean = {"type": "notebook", "format": "json", "content": {"cells": [], "metadata": {}}}
    before = copy.deepcopy(clean)
    hook(model=clean, path="clean.ipynb", contents_manager=None)
    assert clean == before
    binary = {
        "type": "file",
        "format": "base64",
        "content": base64.b64encode(CANARY.encode()).decode(),
    }
    before = copy.deepcopy(binary)
    hook(model=binary, path="blob.bin", contents_manager=None)
    assert binary == before
    directory = {"type": "directory"}
    hook(model=directory, path="d", contents_manager=None)
    assert notes == []


def test_refuse_raises_400_naming_slots_never_values():
    hook, notes = make_hook("refuse")
    model = notebook_model()
    with pytest.raises(HTTPError) as info:
        hook(model=model, path="nb.ipynb", contents_manager=None)
    error = info.value
    assert error.status_code == 400
    message = error.log_message
    assert "'API token'" in message and "'db password'" in message
    assert "on_save" in message and "Clear the outputs" in message
    assert_no_value(message)
    assert model == notebook_model()  # untouched
    assert notes == [("nb.ipynb", ["API token", "db password"], "refused")]


def test_off_leaves_the_model_as_is():
    hook, notes = make_hook("off")
    model = notebook_model()
    hook(model=model, path="nb.ipynb", contents_manager=None)
    assert model == notebook_model() and notes == []


def test_the_mode_and_values_are_read_at_each_save():
    state = {"mode": "off", "redactor": Redactor({})}
    hook = make_pre_save_hook(lambda: state["redactor"], lambda: state["mode"], None)
    model = {"type": "file", "format": "text", "content": CANARY}
    hook(model=model, path="a.txt")
    assert model["content"] == CANARY
    state["mode"] = "redact"
    hook(model=model, path="a.txt")
    assert model["content"] == CANARY  # no values yet
    state["redactor"] = REDACTOR
    hook(model=model, path="a.txt")
    assert model["content"] == "[REDACTED:API token]"


def test_repeated_saves_of_a_large_notebook_still_catch_new_values():
    state = {"redactor": REDACTOR}
    hook = make_pre_save_hook(lambda: state["redactor"], lambda: "redact", None)
    big_output = "row of ordinary output\n" * 2000
    nb = {"cells": [{"cell_type": "code", "source": "x", "outputs": [{"text": big_output}]}]}
    hook(model={"type": "notebook", "content": nb}, path="nb.ipynb")  # clean: remembered
    edited = copy.deepcopy(nb)
    edited["cells"][0]["outputs"][0]["text"] = big_output + CANARY
    model = {"type": "notebook", "content": edited}
    hook(model=model, path="nb.ipynb")
    assert_no_value(model["content"])
    # a value that appears later, in text the previous redactor found clean
    state["redactor"] = Redactor({"row of ordinary": "new slot"})
    model = {"type": "notebook", "content": copy.deepcopy(nb)}
    hook(model=model, path="nb.ipynb")
    assert "row of ordinary" not in json.dumps(model["content"])


def test_a_failing_check_refuses_the_save_without_details():
    def broken() -> Redactor:
        raise RuntimeError(CANARY)

    hook = make_pre_save_hook(broken, lambda: "redact", None)
    with pytest.raises(HTTPError) as info:
        hook(model=notebook_model(), path="nb.ipynb")
    assert info.value.status_code == 500
    assert_no_value(info.value.log_message)
    assert "RuntimeError" in info.value.log_message


def test_a_failing_notify_does_not_change_the_outcome():
    def notify(*args):
        raise RuntimeError("sink down")

    hook = make_pre_save_hook(lambda: REDACTOR, lambda: "redact", notify)
    model = notebook_model()
    hook(model=model, path="nb.ipynb")
    assert_no_value(model["content"])


# ------------------------------------------------------------------- a real server


@pytest.fixture
def jp_server_config():
    # The guard alone on a plain server: the app's own wiring is tested elsewhere.
    return {"ServerApp": {"jpserver_extensions": {"jupyter_secrets": False}}}


@pytest.fixture
def guard(jp_serverapp):
    """Registers the hook on the server's contents manager; the test sets ``state["mode"]``."""
    state = {"mode": "redact", "notes": []}
    hook = make_pre_save_hook(
        lambda: REDACTOR, lambda: state["mode"], lambda *args: state["notes"].append(args)
    )
    jp_serverapp.contents_manager.register_pre_save_hook(hook)
    return state


async def put(jp_fetch, path: str, model: dict):
    return await jp_fetch(
        "api", "contents", path, method="PUT", body=json.dumps(model), raise_error=False
    )


async def test_put_notebook_redacts_on_disk(jp_fetch, jp_root_dir, guard):
    response = await put(jp_fetch, "nb.ipynb", notebook_model())
    assert response.code in (200, 201)
    on_disk = (jp_root_dir / "nb.ipynb").read_bytes().decode("utf-8")
    assert_no_value(on_disk)
    assert "[REDACTED:API token]" in on_disk and "[REDACTED:db password]" in on_disk
    # the file is still a valid notebook
    assert json.loads(on_disk)["cells"][1]["outputs"][3]["output_type"] == "error"
    assert guard["notes"] == [("nb.ipynb", ["API token", "db password"], "redacted")]


async def test_put_text_file_redacts_on_disk(jp_fetch, jp_root_dir, guard):
    model = {"type": "file", "format": "text", "content": f"token: {CANARY}\n"}
    response = await put(jp_fetch, "notes.md", model)
    assert response.code in (200, 201)
    assert (jp_root_dir / "notes.md").read_text() == "token: [REDACTED:API token]\n"


async def test_put_refused_writes_nothing(jp_fetch, jp_root_dir, guard):
    guard["mode"] = "refuse"
    response = await put(jp_fetch, "nb.ipynb", notebook_model())
    assert response.code == 400
    body = response.body.decode()
    assert "API token" in json.loads(body)["message"]
    assert_no_value(body)
    assert not (jp_root_dir / "nb.ipynb").exists()
    assert guard["notes"] == [("nb.ipynb", ["API token", "db password"], "refused")]


async def test_put_with_guard_off_writes_as_is(jp_fetch, jp_root_dir, guard):
    guard["mode"] = "off"
    response = await put(jp_fetch, "nb.ipynb", notebook_model())
    assert response.code in (200, 201)
    assert CANARY in (jp_root_dir / "nb.ipynb").read_text()
    assert guard["notes"] == []


async def test_direct_save_like_collaboration_is_scrubbed(jp_serverapp, jp_root_dir, guard):
    # jupyter-collaboration saves its documents with contents_manager.save(), not over HTTP.
    await ensure_async(jp_serverapp.contents_manager.save(notebook_model(), "rtc.ipynb"))
    assert_no_value((jp_root_dir / "rtc.ipynb").read_text())
    guard["mode"] = "refuse"
    with pytest.raises(HTTPError):
        await ensure_async(jp_serverapp.contents_manager.save(notebook_model(), "rtc2.ipynb"))
    assert not (jp_root_dir / "rtc2.ipynb").exists()


# ------------------------------------------------- a large notebook (the one-scan fast path)


def large_notebook(leaks: dict[int, str], cells: int = 80) -> dict:
    """A notebook model of ``cells`` code cells (past the size where cells are scanned as one
    serialized text); cell ``i`` of ``leaks`` shows ``leaks[i]`` in its output."""
    return {
        "type": "notebook",
        "content": {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "cells": [
                {
                    "cell_type": "code",
                    "id": f"c{i}",
                    "metadata": {},
                    "execution_count": i,
                    "source": f"print(rows({i}))",
                    "outputs": [
                        {
                            "output_type": "stream",
                            "name": "stdout",
                            "text": f"row {i} of ordinary output\n" * 40 + leaks.get(i, "clean\n"),
                        }
                    ],
                }
                for i in range(cells)
            ],
        },
    }


async def test_a_large_notebook_loses_every_form_and_a_clean_one_is_written_as_is(
    jp_serverapp, jp_fetch, jp_root_dir
):
    """Through a real server: every form the guard redacts, text and binary (base64 wrapped as
    PEM and MIME wrap it, hex, the bytes' repr, JSON- and HTML-escaped, URL-quoted, CRLF), each
    in one cell of 80, is gone from the file; a notebook without a value is written byte for
    byte as with the guard off."""
    from urllib.parse import quote

    from jupyter_secrets.core.exposed import redaction_forms

    text_value = 'pa"ss\\word <&> 42\nline two'
    binary_value = bytes(range(256)) * 2  # not UTF-8: only its text forms can appear
    names = {text_value: "text slot"}
    names.update(dict.fromkeys(redaction_forms(binary_value), "binary slot"))
    forms = [
        text_value,
        json.dumps(text_value)[1:-1],
        text_value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        repr(text_value)[1:-1],
        quote(text_value, safe=""),
        text_value.replace("\n", "\r\n"),
        *redaction_forms(binary_value),
    ]
    leaks = {3 + 5 * i: f"shown: {form}\n" for i, form in enumerate(forms)}
    assert max(leaks) < 80
    state = {"mode": "redact"}
    hook = make_pre_save_hook(lambda: Redactor(names), lambda: state["mode"], None)
    jp_serverapp.contents_manager.register_pre_save_hook(hook)

    response = await put(jp_fetch, "big.ipynb", large_notebook(leaks))
    assert response.code in (200, 201)
    on_disk = (jp_root_dir / "big.ipynb").read_text(encoding="utf-8")
    saved = json.loads(on_disk)
    for i, form in leaks.items():
        output = "".join(saved["cells"][i]["outputs"][0]["text"])
        assert form.removeprefix("shown: ").rstrip("\n") not in output, i
        assert "[REDACTED:" in output, i
    untouched = [c for i, c in enumerate(saved["cells"]) if i not in leaks]
    assert all("".join(c["outputs"][0]["text"]).endswith("clean\n") for c in untouched)
    assert "[REDACTED:" not in json.dumps(untouched)

    await put(jp_fetch, "clean-on.ipynb", large_notebook({}))
    state["mode"] = "off"
    await put(jp_fetch, "clean-off.ipynb", large_notebook({}))
    clean_on = (jp_root_dir / "clean-on.ipynb").read_bytes()
    assert clean_on == (jp_root_dir / "clean-off.ipynb").read_bytes()
