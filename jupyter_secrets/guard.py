"""The save guard: no materialized secret value reaches a file saved through the contents API.

``make_pre_save_hook(...)`` returns a function for ``contents_manager.register_pre_save_hook``.
jupyter_server runs pre-save hooks at the top of ``ContentsManager.save()``, before anything is
written, for every save: ``PUT /api/contents`` from JupyterLab or Notebook, and the saves of
real-time collaboration (jupyter-collaboration calls ``contents_manager.save()`` directly).
A hook that changes ``model`` changes what is written; one that raises
``tornado.web.HTTPError`` refuses the save, and the client shows the message.

What is checked:

- notebooks (``type == "notebook"``): every string of ``model["content"]`` — cell sources,
  outputs of every MIME type, error tracebacks, attachments, metadata — and dict keys;
- text files (``type == "file"``, ``format == "text"``): the whole text.

Base64 files (``format == "base64"``: binary files, and every upload from JupyterLab's file
browser) are left alone: their bytes cannot be edited as text without risking corrupting
them, and a value split across upload chunks could not be seen anyway.

Modes (``c.SecretsExtension.on_save``): ``"redact"`` replaces each value by
``[REDACTED:<slot name>]`` in the model, then the save goes on; ``"refuse"`` answers 400 with a
message naming the slots and how to proceed, and writes nothing; ``"off"`` does nothing.

Fail-closed: if checking the file fails, the save is refused (500) rather than written
unchecked — jupyter_server would otherwise log the error and save the model as it is.

The hook depends only on what it is given (no module state): the app decides where the
redactor, the mode and the notification come from.  Its one memory is which long strings the
current redactor already found clean (``redact.CleanStrings``), so that autosaves and
collaboration saves of a large notebook rescan only what changed.  Messages never contain a
value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tornado.web import HTTPError

from .redact import CleanStrings, Redactor

__all__ = ["MODES", "make_pre_save_hook", "refusal_message"]

MODES = ("redact", "refuse", "off")

Notify = Callable[[str, list[str], str], None]


def refusal_message(path: str, slot_names: list[str]) -> str:
    """Why a save was refused, and what to do: names the slots, never a value."""
    names = ", ".join(repr(n) for n in slot_names)
    noun = "secret slot" if len(slot_names) == 1 else "secret slots"
    return (
        f"Not saved: {path or 'this file'} contains the value of the {noun} {names}. "
        "Clear the outputs that show it (or remove it from the text) and save again; "
        "or have the server replace it with [REDACTED:<slot name>] on save by setting "
        'c.SecretsExtension.on_save = "redact".'
    )


def _scan(
    redactor: Redactor, model: dict[str, Any], clean: CleanStrings
) -> tuple[Any, set[str]] | None:
    """(new content, slot names) for a model the guard covers, else None."""
    kind = model.get("type")
    content = model.get("content")
    if kind == "notebook" and isinstance(content, (dict, list)):
        return redactor.redact_json(content, clean)
    if kind == "file" and model.get("format") == "text" and isinstance(content, str):
        return redactor.redact_json(content, clean)
    return None


def make_pre_save_hook(
    get_redactor: Callable[[], Redactor],
    get_mode: Callable[[], str],
    notify: Notify | None = None,
) -> Callable[..., None]:
    """A pre-save hook enforcing ``get_mode()`` with the values of ``get_redactor()``.

    Both callables are called on every save, so a value or a mode changed while the server
    runs applies to the next save.  ``notify(path, slot_names, action)`` (action
    ``"redacted"`` or ``"refused"``, names sorted) is called when the guard acted; its
    failures are logged and ignored.
    """

    # Text already found clean by the current redactor: the next save of a large notebook
    # scans only what changed.  Started over whenever get_redactor() returns a new one.
    memo: dict[str, Any] = {"redactor": None, "clean": CleanStrings()}

    def hook(model: dict[str, Any], path: str, contents_manager: Any = None, **kwargs: Any) -> None:
        mode = get_mode()
        if mode == "off" or not isinstance(model, dict):
            return
        try:
            if mode not in MODES:
                raise ValueError(f"unknown on_save mode {mode!r}")
            redactor = get_redactor()
            if memo["redactor"] is not redactor:
                memo["redactor"], memo["clean"] = redactor, CleanStrings()
            scanned = _scan(redactor, model, memo["clean"]) if redactor else None
        except Exception as err:
            log = getattr(contents_manager, "log", None)
            if log is not None:
                log.error(
                    "jupyter_secrets: the save guard failed on %s: %s", path, type(err).__name__
                )
            raise HTTPError(
                500,
                f"Not saved: jupyter_secrets could not check {path or 'this file'} for secret "
                f"values ({type(err).__name__}). Try again; if this persists, report it, or set "
                'c.SecretsExtension.on_save = "off" to save without the check.',
            ) from None
        if scanned is None or not scanned[1]:
            return
        content, found = scanned
        names = sorted(found)
        if mode == "refuse":
            _notify(notify, path, names, "refused", contents_manager)
            raise HTTPError(400, refusal_message(path, names))
        model["content"] = content
        _notify(notify, path, names, "redacted", contents_manager)

    return hook


def _notify(
    notify: Notify | None, path: str, names: list[str], action: str, contents_manager: Any
) -> None:
    if notify is None:
        return
    try:
        notify(path, names, action)
    except Exception:  # telling the user must not change what is saved
        log = getattr(contents_manager, "log", None)
        if log is not None:
            log.warning(
                "jupyter_secrets: could not report the save guard's action on %s", path,
                exc_info=True,
            )
