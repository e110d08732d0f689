"""Who is acting: the identity behind the change being made, for the audit trail.

The HTTP layer sets it for the length of a request (the signed-in user's name, which is
not always the owner's: a JupyterHub admin, or anyone where identities are not told apart);
elsewhere (the launch prompt, the CLI, a refresh) the acting identity is the operating-system
user running the process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from jupyter_secrets.core.identity import process_user

_actor: ContextVar[str | None] = ContextVar("jupyter_secrets_actor", default=None)


def current_actor() -> str:
    return _actor.get() or process_user()


@contextlib.contextmanager
def acting_as(username: str | None) -> Iterator[None]:
    token = _actor.set(username)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(username: str | None) -> None:
    """Set the actor for the rest of the current context (one tornado request)."""
    _actor.set(username)
