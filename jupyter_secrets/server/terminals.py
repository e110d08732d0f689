"""The environment of terminals, computed when each terminal starts, for the folder it opens in.

JupyterLab opens a terminal in the file browser's folder (``POST /api/terminals`` with
``{"cwd": ...}``; jupyter_server_terminals resolves it to an absolute directory, or drops it
when it does not exist).  terminado builds the terminal's environment in its manager's
``make_term_env(**options)``, where ``options`` hold that ``cwd``: so a terminal gets the
secrets of *the project of its folder* — a nested project's own, not the server root's — as
they are at that moment (a replaced value is the new one, a deleted one is gone).  A terminal
opened without a cwd starts in the server's working directory and gets the root's project,
as kernels started without a path do.  The store key is removed, whatever the server's
environment.

Why wrap the manager's method rather than subclass it: jupyter_server_terminals creates its
manager from a class that is not configurable, after our extension loaded (its name sorts
later); ``make_term_env`` is terminado's hook for a terminal's environment, and the wrapper
keeps whatever the manager computed and only adds ours on top.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_secrets.store.crypto import ENV_VAR

#: The variables a terminal gets from the secrets: ``JUPYTER_SECRETS_DIR`` and env slots.
SecretsEnv = Callable[[str | None], dict[str, str]]


class TerminalEnvironment:
    """``make_term_env`` of a terminal manager, with the secrets of the terminal's folder."""

    def __init__(
        self, make_term_env: Callable[..., dict[str, str]], secrets_env: SecretsEnv, root: Path
    ):
        self._make_term_env = make_term_env
        self._secrets_env = secrets_env
        self._root = root.resolve()

    def __call__(self, *args: Any, **options: Any) -> dict[str, str]:
        env = dict(self._make_term_env(*args, **options))
        env.update(self._secrets_env(self.folder(options.get("cwd"))))
        env.pop(ENV_VAR, None)
        return env

    def folder(self, cwd: Any) -> str | None:
        """The OS folder whose project the terminal gets: its cwd inside the root, else None."""
        if not cwd:
            return None
        try:
            folder = Path(cwd).resolve()
        except (OSError, RuntimeError, TypeError):
            return None
        return str(folder) if folder.is_relative_to(self._root) else None


def install(terminal_manager: Any, secrets_env: SecretsEnv, root: Path) -> None:
    """Give every terminal ``terminal_manager`` starts the secrets of the folder it opens in.

    ``secrets_env(os_cwd)`` is the environment for a terminal in that OS directory (None:
    the server root ``root``).  Installing twice wraps once.
    """
    current = terminal_manager.make_term_env
    if isinstance(current, TerminalEnvironment):
        current = current._make_term_env
    terminal_manager.make_term_env = TerminalEnvironment(current, secrets_env, root)
    # The manager also applies its extra_env: make sure the key is removed there too (None
    # removes a variable in terminado), whatever else it holds.
    extra = dict(terminal_manager.extra_env or {})
    extra[ENV_VAR] = None
    terminal_manager.extra_env = extra
