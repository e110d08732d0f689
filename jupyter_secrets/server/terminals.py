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

Off the event loop, with a bound (security review #6).  ``POST /api/terminals`` is a
synchronous handler in jupyter_server_terminals: it calls the manager's synchronous
``create`` → terminado's ``new_named_terminal`` → ``new_terminal`` → ``make_term_env`` and
spawns the pty right after, on the event loop; none of them can await.  Writing a project's
files reads the store (blocking HTTP with the hub store), so it runs in a worker thread, and
the loop waits for it at most ``wait`` seconds (1 s: a local SQLite store answers in
milliseconds).  Past the bound, or when the store fails (down, locked, any error), the
terminal starts with the files already written for its project in this run (every change
made through this server rewrote them, so they are current but for another process's changes
since the last refresh), or the no-project directory, and a warning is logged (never a
value); the worker, left running, brings the files up to date for the next terminal.  The
bound is the least-bad choice short of replacing the terminals' REST handler: the loop is
never held longer, and a terminal never fails because of the store.

Why wrap the manager's method rather than subclass it: jupyter_server_terminals creates its
manager from a class that is not configurable, after our extension loaded (its name sorts
later); ``make_term_env`` is terminado's hook for a terminal's environment, and the wrapper
keeps whatever the manager computed and only adds ours on top.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from jupyter_secrets.store.crypto import ENV_VAR

log = logging.getLogger(__name__)

#: How long terminal start waits for the store before using the files already written.
WAIT_SECONDS = 1.0


class SecretsEnv(Protocol):
    """The variables a terminal in an OS folder gets (None: the root): ``JUPYTER_SECRETS_DIR``
    and env slots; ``from_store`` False: from the files already written, no store call."""

    def __call__(self, cwd: str | None, from_store: bool = True) -> dict[str, str]: ...


class TerminalEnvironment:
    """``make_term_env`` of a terminal manager, with the secrets of the terminal's folder."""

    def __init__(
        self,
        make_term_env: Callable[..., dict[str, str]],
        secrets_env: SecretsEnv,
        root: Path,
        wait: float = WAIT_SECONDS,
    ):
        self._make_term_env = make_term_env
        self._secrets_env = secrets_env
        self._root = root.resolve()
        self.wait = wait

    def __call__(self, *args: Any, **options: Any) -> dict[str, str]:
        env = dict(self._make_term_env(*args, **options))
        env.update(self.secrets(self.folder(options.get("cwd"))))
        env.pop(ENV_VAR, None)
        return env

    def secrets(self, folder: str | None) -> dict[str, str]:
        """The secrets' variables for a terminal in ``folder``, the event loop held at most
        ``wait`` seconds (see the module's docstring); never raises."""
        result: dict[str, dict[str, str]] = {}
        failure: list[BaseException] = []
        done = threading.Event()

        def from_store() -> None:
            try:
                result["env"] = self._secrets_env(folder)
            except Exception as err:  # reported below; a terminal never fails for its secrets
                failure.append(err)
            finally:
                done.set()

        # A daemon thread rather than an executor: a store that never answers must not hold
        # the server's exit.
        threading.Thread(target=from_store, name="jupyter-secrets-terminal", daemon=True).start()
        if done.wait(self.wait) and "env" in result:
            return result["env"]
        if failure:
            err = failure[0]
            reason = f"the store failed ({type(err).__name__}: {err})"
        else:
            reason = f"the store did not answer within {self.wait:g} s"
        log.warning(
            "Terminal in %s: %s; it gets the secrets' files already written",
            folder or "the server root",
            reason,
        )
        try:
            return self._secrets_env(folder, from_store=False)
        except Exception as err:
            log.warning("Terminal in %s gets no secrets: %s", folder, type(err).__name__)
            return {}

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
