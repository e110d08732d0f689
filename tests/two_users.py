"""A small IdentityProvider with stable user names, standing in for JupyterHub's in tests.

JupyterHub's single-user server identifies each request as a hub user (the owner, or a
guest the owner shared the server with).  This provider does the same from a fixed table of
tokens, so that tests can act as the owner and as a guest against one real server:

    c.ServerApp.identity_provider_class = "tests.two_users.TwoUsersIdentityProvider"
    c.TwoUsersIdentityProvider.tokens = {"alice-token": "alice", "bob-token": "bob"}

A token is taken from ``Authorization: token ...`` or ``?token=`` (browsers: the login
cookie is set on the first request, as jupyter_server's own provider does).  Test tokens only.
"""

from __future__ import annotations

from jupyter_server.auth.identity import IdentityProvider, User
from traitlets import Dict

OWNER_TOKEN = "alice-token"
GUEST_TOKEN = "bob-token"
TOKENS = {OWNER_TOKEN: "alice", GUEST_TOKEN: "bob"}


class TwoUsersIdentityProvider(IdentityProvider):
    tokens = Dict(TOKENS, config=True, help="token -> user name")

    @property
    def auth_enabled(self) -> bool:
        return True

    async def get_user_token(self, handler) -> User | None:
        username = self.tokens.get(self.get_token(handler) or "")
        return (
            User(username=username, name=username, display_name=username.title())
            if username
            else None
        )

    def user_to_cookie(self, user: User) -> str:
        return user.username

    def user_from_cookie(self, cookie_value: str) -> User | None:
        if cookie_value not in self.tokens.values():
            return None
        return User(username=cookie_value, name=cookie_value, display_name=cookie_value.title())
