"""The leak guards as the server wires them: saves through the contents API, kernels it starts."""

from __future__ import annotations

import json

import nbformat
import pytest

from .conftest import CANARY
from .test_kernels import start_session


async def fill_token(api, project) -> dict:
    pid = (await project())["id"]
    _, slot = await api(
        "POST", "projects", pid, "slots", body={"name": "Token", "filename": "token"}
    )
    _, result = await api(
        "PUT", "projects", pid, "slots", slot["id"], "value", body={"value": CANARY}
    )
    return {"project_id": pid, "secret_id": result["secret"]["id"]}


def notebook_with_output(text: str) -> dict:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(token)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=text + "\n"),
        nbformat.v4.new_output(
            "display_data", data={"text/html": f"<b>{text}</b>", "text/plain": text}
        ),
        nbformat.v4.new_output(
            "error", ename="ValueError", evalue=text, traceback=[f"ValueError: {text}"]
        ),
    ]
    notebook.cells.append(cell)
    return json.loads(nbformat.writes(notebook))


async def save(jp_fetch, path: str, model: dict):
    return await jp_fetch(
        "api", "contents", path, method="PUT", body=json.dumps(model), raise_error=False
    )


async def test_saved_notebook_and_text_file_hold_no_value(
    jp_fetch, api, project, jp_root_dir, jp_serverapp
):
    await fill_token(api, project)
    events = []
    jp_serverapp.event_logger.add_listener(
        schema_id="https://events.jupyter.org/jupyter_secrets/save_guard/v1",
        listener=lambda logger, schema_id, data: events.append(data),
    )
    response = await save(
        jp_fetch, "proj/out.ipynb", {"type": "notebook", "content": notebook_with_output(CANARY)}
    )
    assert response.code in (200, 201)
    on_disk = (jp_root_dir / "proj" / "out.ipynb").read_bytes()
    assert CANARY.encode() not in on_disk
    assert b"[REDACTED:Token]" in on_disk

    response = await save(
        jp_fetch, "notes.txt", {"type": "file", "format": "text", "content": f"token={CANARY}\n"}
    )
    assert response.code in (200, 201)
    assert (jp_root_dir / "notes.txt").read_text() == "token=[REDACTED:Token]\n"
    assert [e["action"] for e in events][:1] == ["redacted"]
    assert all(CANARY not in json.dumps(e) for e in events)


async def test_rtc_style_save_is_scrubbed(jp_serverapp, api, project, jp_root_dir):
    """jupyter-collaboration saves through contents_manager.save, not through the REST API."""
    await fill_token(api, project)
    model = {
        "type": "notebook",
        "format": "json",
        "content": nbformat.from_dict(notebook_with_output(CANARY)),
    }
    await jp_serverapp.contents_manager.save(model, "proj/rtc.ipynb")
    assert CANARY.encode() not in (jp_root_dir / "proj" / "rtc.ipynb").read_bytes()


@pytest.fixture
def refuse_config(jp_server_config):
    jp_server_config["SecretsExtension"]["on_save"] = "refuse"
    return jp_server_config


async def test_refuse_mode_answers_400_and_writes_nothing(
    refuse_config, jp_fetch, api, project, jp_root_dir
):
    await fill_token(api, project)
    response = await save(
        jp_fetch, "proj/out.ipynb", {"type": "notebook", "content": notebook_with_output(CANARY)}
    )
    assert response.code == 400
    message = json.loads(response.body)["message"]
    assert "Token" in message and CANARY not in message
    assert not (jp_root_dir / "proj" / "out.ipynb").exists()


@pytest.fixture
def off_config(jp_server_config):
    jp_server_config["SecretsExtension"]["on_save"] = "off"
    return jp_server_config


async def test_off_mode_writes_as_is(off_config, jp_fetch, api, project, jp_root_dir):
    await fill_token(api, project)
    response = await save(
        jp_fetch, "notes.txt", {"type": "file", "format": "text", "content": CANARY}
    )
    assert response.code in (200, 201)
    assert (jp_root_dir / "notes.txt").read_text() == CANARY


async def test_replaced_value_is_guarded_under_its_new_value_and_the_old(
    jp_fetch, api, project, jp_root_dir
):
    """The new value is guarded at once; the old one stays guarded (a kernel may hold it)."""
    token = await fill_token(api, project)
    await api("PATCH", "user-secrets", token["secret_id"], body={"value": "the-new-value-9"})
    text = f"old={CANARY} new=the-new-value-9"
    await save(jp_fetch, "notes.txt", {"type": "file", "format": "text", "content": text})
    assert (jp_root_dir / "notes.txt").read_text() == "old=[REDACTED:Token] new=[REDACTED:Token]"


async def test_kernel_output_is_redacted_without_user_action(jp_fetch, jp_serverapp, api, project):
    await fill_token(api, project)
    kernel_id = await start_session(jp_fetch, "proj/nb.ipynb")
    client = jp_serverapp.kernel_manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        messages = []
        await client.execute_interactive(
            "from jupyter_secrets import get_secret\nprint(get_secret('Token'))\nget_secret('Token')",
            output_hook=messages.append,
            timeout=60,
        )
    finally:
        client.stop_channels()
    outputs = [m for m in messages if m["msg_type"] in ("stream", "execute_result")]
    assert len(outputs) == 2
    assert CANARY not in json.dumps([m["content"] for m in messages])
    assert "[REDACTED:Token]" in outputs[0]["content"]["text"]
