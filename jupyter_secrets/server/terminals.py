"""The environment of terminals, computed when each terminal starts.

terminado builds a terminal's environment from the server's and its manager's
``extra_env`` mapping at the moment the terminal starts (``None`` values remove a variable).
Handing it a mapping that asks the service at that moment, instead of a copy made at server
start, means a new terminal gets the secrets as they are now: a replaced value is the new
one, a deleted one is gone.  The store key is removed, whatever the server's environment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from jupyter_secrets.store.crypto import ENV_VAR


class TerminalEnv(Mapping):
    """``extra_env`` for a terminal manager: earlier entries, then the secrets env, live."""

    def __init__(
        self, secrets_env: Callable[[], dict[str, str]], earlier: Mapping[str, Any] | None = None
    ):
        self._secrets_env = secrets_env
        self._earlier = dict(earlier or {})

    def _now(self) -> dict[str, Any]:
        return {**self._earlier, **self._secrets_env(), ENV_VAR: None}

    def items(self):  # one computation per terminal start (Mapping's would make one per key)
        return self._now().items()

    def __getitem__(self, key: str) -> Any:
        return self._now()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())

    def __bool__(self) -> bool:  # always something to apply: at least the key's removal
        return True
