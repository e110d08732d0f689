"""Who may use this server's secrets: its owner only, wherever identities can tell.

jupyter_server's own identity providers give every token login a fresh random identity
("Anonymous Io"), so behind them every request holding the token *is* the owner: there is
no one else to tell apart.  Any other provider (JupyterHub's, which names the hub user who
reached a shared server, or a deployment's own) gives stable user names; then a request
from anyone but the owner is refused, on every route of the secrets API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jupyter_server.auth.identity import (
    IdentityProvider,
    LegacyIdentityProvider,
    PasswordIdentityProvider,
)

# Exactly these classes: a subclass may well give stable names (JupyterHub's does).
_PER_TOKEN_PROVIDERS = (IdentityProvider, PasswordIdentityProvider, LegacyIdentityProvider)


def gives_stable_names(identity_provider: Any) -> bool:
    """Whether this identity provider names users (rather than one random identity per login)."""
    return type(identity_provider) not in _PER_TOKEN_PROVIDERS


@dataclass(frozen=True)
class Access:
    """The access rule of one server: ``owner`` alone when ``owner_only``, else every login."""

    owner: str
    owner_only: bool

    def refusal(self, username: str | None) -> str | None:
        """Why ``username`` may not use the secrets, or None when they may."""
        if not self.owner_only or username == self.owner:
            return None
        return (
            f"These secrets belong to {self.owner}, the owner of this server; "
            f"you are signed in as {username or 'another user'}."
        )
