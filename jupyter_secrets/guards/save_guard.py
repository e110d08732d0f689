"""The save guard: no materialized secret value reaches a file saved through the contents API.

``install_save_guard(contents_manager, ...)`` registers the guard as a pre-save hook and
covers chunked uploads (below); ``make_pre_save_hook(...)`` returns the hook alone.
jupyter_server runs pre-save hooks at the top of ``ContentsManager.save()``, before anything is
written, for every save: ``PUT /api/contents`` from JupyterLab or Notebook, and the saves of
real-time collaboration (jupyter-collaboration calls ``contents_manager.save()`` directly).
A hook that changes ``model`` changes what is written; one that raises
``tornado.web.HTTPError`` refuses the save, and the client shows the message.

What is checked:

- notebooks (``type == "notebook"``): every string of ``model["content"]`` — cell sources,
  outputs of every MIME type, error tracebacks, attachments, metadata — and dict keys;
- text files (``type == "file"``, ``format == "text"``): the whole text.

Chunked uploads (``PUT`` with ``chunk``: 1, 2, ..., -1 for the last): jupyter_server runs
pre-save hooks for the first chunk only and appends the others to the file.
``install_save_guard`` therefore also wraps the contents manager's ``save`` (on that
instance): each later text chunk is checked together with the end of the file it is appended
to, so a value in a later chunk or split across two is seen; in "redact" mode the whole
file is then saved redacted, in "refuse" mode the chunk is refused (the chunks before it stay
written).  A text chunk that cannot be checked (a contents manager that keeps no files on
disk, a file before it that is not UTF-8) is refused, saying why.

Base64 files (``format == "base64"``: binary files, and every upload from JupyterLab's file
browser, chunked or not) are left alone: their bytes cannot be edited as text without
risking corrupting them.

Modes (``c.SecretsExtension.on_save``): ``"redact"`` replaces each value by
``[REDACTED:<slot name>]`` in the model, then the save goes on; ``"refuse"`` answers 400 with a
message naming the slots and how to proceed, and writes nothing; ``"off"`` does nothing.

Fail-closed: if checking the file fails, the save is refused (500) rather than written
unchecked — jupyter_server would otherwise log the error and save the model as it is.

The guard depends only on what it is given (no module state): the app decides where the
redactor, the mode and the notification come from.  Its one memory is which long strings the
current redactor already found clean (``redact.CleanStrings``), so that autosaves and
collaboration saves of a large notebook rescan only what changed.  Messages never contain a
value.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from tornado.web import HTTPError

if TYPE_CHECKING:  # the matcher is imported on the first save, not at server start
    from jupyter_secrets.guards.redact import CleanStrings, Redactor

__all__ = ["MODES", "SaveGuard", "install_save_guard", "make_pre_save_hook", "refusal_message"]

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
) -> SaveGuard:
    """A pre-save hook enforcing ``get_mode()`` with the values of ``get_redactor()``.

    Both callables are called on every save, so a value or a mode changed while the server
    runs applies to the next save.  ``notify(path, slot_names, action)`` (action
    ``"redacted"`` or ``"refused"``, names sorted) is called when the guard acted; its
    failures are logged and ignored.
    """
    return SaveGuard(get_redactor, get_mode, notify)


def install_save_guard(
    contents_manager: Any,
    get_redactor: Callable[[], Redactor],
    get_mode: Callable[[], str],
    notify: Notify | None = None,
) -> SaveGuard:
    """Guard every save of ``contents_manager``: its pre-save hook, and chunked uploads."""
    guard = make_pre_save_hook(get_redactor, get_mode, notify)
    contents_manager.register_pre_save_hook(guard)
    guard.protect_chunks(contents_manager)
    return guard


class SaveGuard:
    """The save guard of one contents manager: call it as a pre-save hook."""

    def __init__(
        self,
        get_redactor: Callable[[], Redactor],
        get_mode: Callable[[], str],
        notify: Notify | None,
    ):
        self.get_redactor = get_redactor
        self.get_mode = get_mode
        self.notify = notify
        # Text already found clean by the current redactor: the next save of a large notebook
        # scans only what changed.  Started over whenever get_redactor() returns a new one.
        self._memo: tuple[Redactor | None, CleanStrings | None] = (None, None)

    def __call__(
        self, model: dict[str, Any], path: str, contents_manager: Any = None, **kwargs: Any
    ) -> None:
        mode = self.get_mode()
        if mode == "off" or not isinstance(model, dict):
            return
        with _fail_closed(path, contents_manager):
            if mode not in MODES:
                raise ValueError(f"unknown on_save mode {mode!r}")
            redactor = self.get_redactor()
            memo = self._memo[1]
            if self._memo[0] is not redactor or memo is None:
                from jupyter_secrets.guards.redact import CleanStrings

                memo = CleanStrings()
                self._memo = (redactor, memo)
            scanned = _scan(redactor, model, memo) if redactor else None
        if scanned is None or not scanned[1]:
            return
        content, found = scanned
        names = sorted(found)
        if mode == "refuse":
            _notify(self.notify, path, names, "refused", contents_manager)
            raise HTTPError(400, refusal_message(path, names))
        model["content"] = content
        _notify(self.notify, path, names, "redacted", contents_manager)

    # ------------------------------------------------------------------ chunked uploads

    def protect_chunks(self, contents_manager: Any) -> None:
        """Check the chunks of chunked uploads, which jupyter_server's pre-save hooks miss.

        ``LargeFileManager.save`` (the default contents manager) runs the pre-save hooks for
        the first chunk (``chunk: 1``) only, then *appends* every later chunk (``2``, ...,
        ``-1`` for the last) to the file: a value in a later chunk, or split across two,
        would be written unchecked.  No hook sees those chunks, so the manager's ``save`` is
        wrapped, on this instance only: a later text chunk is checked together with the end
        of the file it is appended to (see ``check_chunk``).
        """
        if getattr(contents_manager, "_jupyter_secrets_chunk_guard", None) is self:
            return
        original = contents_manager.save
        if inspect.iscoroutinefunction(original):

            async def save(model: Any, path: str = "") -> Any:
                return await original(self.check_chunk(model, path, contents_manager), path)

        else:

            def save(model: Any, path: str = "") -> Any:  # type: ignore[misc]  # sync managers
                return original(self.check_chunk(model, path, contents_manager), path)

        contents_manager.save = save
        contents_manager._jupyter_secrets_chunk_guard = self

    def check_chunk(self, model: Any, path: str, contents_manager: Any) -> Any:
        """The model to save in place of ``model``; raises ``HTTPError`` to refuse it.

        Whole saves and first chunks go on as they are (the pre-save hook checks them), and
        so do base64 chunks, as whole base64 saves do.  A later text chunk is checked with
        the end of the file before it (as long as the longest form of a value), so that a
        value split across chunks is seen.  When it holds a value: "refuse" answers 400 (the
        chunks already written stay); "redact" saves the whole file, redacted, in place of
        the append.  A chunk that cannot be checked is refused.
        """
        chunk = model.get("chunk") if isinstance(model, dict) else None
        if chunk is None or chunk == 1 or model.get("format") == "base64":
            return model
        mode = self.get_mode()
        if mode == "off":
            return model
        path = path.strip("/")  # as jupyter_server names it for chunks
        with _fail_closed(path, contents_manager):
            if mode not in MODES:
                raise ValueError(f"unknown on_save mode {mode!r}")
            redactor = self.get_redactor()
            if not redactor or model.get("type") != "file":
                return model  # (jupyter_server refuses chunks of other types)
            content = model.get("content")
            os_path = _os_path(contents_manager, path)
            if not isinstance(content, str) or os_path is None:
                raise HTTPError(400, _unchecked_message(path))
            _, found = redactor.redact(_file_end(os_path, 4 * redactor.max_length) + content)
        if not found:
            return model
        names = sorted(found)
        if mode == "refuse":
            _notify(self.notify, path, names, "refused", contents_manager)
            raise HTTPError(
                400,
                refusal_message(path, names)
                + " (A chunked upload: the chunks before this one were saved.)",
            )
        try:
            with open(os_path, "rb") as file:
                before = file.read().decode("utf-8")
        except FileNotFoundError:
            before = ""
        except (OSError, UnicodeDecodeError):
            raise HTTPError(400, _unchecked_message(path)) from None
        _notify(self.notify, path, names, "redacted", contents_manager)
        text = redactor.redact(before + content)[0]
        return {"type": "file", "format": "text", "content": text}  # a whole save


def _os_path(contents_manager: Any, path: str) -> str | None:
    """Where a file-backed contents manager keeps ``path`` (None for other managers)."""
    get_os_path = getattr(contents_manager, "_get_os_path", None)
    if get_os_path is None:
        return None
    try:
        return get_os_path(path)
    except HTTPError:
        raise
    except Exception:
        return None


def _file_end(os_path: str, size: int) -> str:
    """The last ``size`` bytes of a file as text ("" when it does not exist yet)."""
    try:
        with open(os_path, "rb") as file:
            file.seek(0, os.SEEK_END)
            file.seek(max(0, file.tell() - size))
            # A character cut at the start cannot matter: any value crossing the end of the
            # file begins within the last max_length characters.
            return file.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def _unchecked_message(path: str) -> str:
    return (
        f"Not saved: jupyter_secrets cannot check this chunk of {path or 'this file'} for secret "
        "values (a text chunk is checked with the file it is appended to, which must be a "
        "UTF-8 file on disk). Upload the file in one piece, or as base64; or set "
        'c.SecretsExtension.on_save = "off" to save without the check.'
    )


class _fail_closed:
    """Turns a failure of the check into a refused save (500), never an unchecked write."""

    def __init__(self, path: str, contents_manager: Any):
        self.path, self.contents_manager = path, contents_manager

    def __enter__(self) -> None:
        return None

    def __exit__(self, etype: Any, error: Any, traceback: Any) -> Literal[False]:
        if error is None or isinstance(error, HTTPError):
            return False
        log = getattr(self.contents_manager, "log", None)
        if log is not None:
            log.error(
                "jupyter_secrets: the save guard failed on %s: %s", self.path, type(error).__name__
            )
        raise HTTPError(
            500,
            f"Not saved: jupyter_secrets could not check {self.path or 'this file'} for secret "
            f"values ({type(error).__name__}). Try again; if this persists, report it, or set "
            'c.SecretsExtension.on_save = "off" to save without the check.',
        ) from None


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
                "jupyter_secrets: could not report the save guard's action on %s",
                path,
                exc_info=True,
            )
