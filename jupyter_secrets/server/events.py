"""Schema'd jupyter_events: the audit trail of changes, and save-guard notices for JupyterLab.

Both schemas forbid unlisted properties, and none of their properties can hold a value.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from jupyter_secrets.core.audit import current_actor

SCHEMAS = Path(__file__).parent / "event_schemas"
CHANGE = "https://events.jupyter.org/jupyter_secrets/change/v1"
SAVE_GUARD = "https://events.jupyter.org/jupyter_secrets/save_guard/v1"

log = logging.getLogger(__name__)


class Events:
    """Emits this extension's events through the server's event logger (if it has one)."""

    def __init__(self, event_logger: Any, owner: str):
        self.event_logger = event_logger
        self.owner = owner
        # The server's event loop, once it runs: changes are made in worker threads (the store
        # is called off the loop), and jupyter_events hands events to listeners as tasks of
        # the loop, so an event made elsewhere is emitted from there.
        self.loop: asyncio.AbstractEventLoop | None = None
        if event_logger is not None:
            for schema in sorted(SCHEMAS.glob("*/v1.yaml")):
                event_logger.register_event_schema(schema)

    def change(self, action: str, details: dict[str, Any]) -> None:
        self._emit(
            CHANGE, {"action": action, "owner": self.owner, "actor": current_actor(), **details}
        )

    def save_guard(self, path: str, slots: list[str], action: str) -> None:
        self._emit(SAVE_GUARD, {"path": path, "slots": sorted(slots), "action": action})

    def _emit(self, schema_id: str, data: dict[str, Any]) -> None:
        if self.event_logger is None:
            return
        if self.loop is not None and not _runs_in(self.loop):
            self.loop.call_soon_threadsafe(self._emit_here, schema_id, data)
            return
        self._emit_here(schema_id, data)

    def _emit_here(self, schema_id: str, data: dict[str, Any]) -> None:
        try:
            self.event_logger.emit(schema_id=schema_id, data=data)
        except Exception:  # an audit sink failing must not fail the change itself
            log.exception("jupyter_secrets: could not emit %s", schema_id)


def _runs_in(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:  # no loop runs in this thread
        return False
