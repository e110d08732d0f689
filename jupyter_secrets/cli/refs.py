"""References from the command line: ``jupyter secrets set NAME --command '...'`` or
``--vault MOUNT/PATH#FIELD``, and how ``list`` and ``status`` show them.

``--command`` is split as a shell would split words (``shlex``), but never run through a
shell: ``--command 'op read op://team/db/password'`` runs ``op`` with two arguments.  Pipes,
``$VARS`` or ``~`` need a shell written out: ``--command 'sh -c "pass show db | head -1"'``.
"""

from __future__ import annotations

import shlex
from typing import Any

from jupyter_secrets.cli.application import UsageError
from jupyter_secrets.core.models import SecretView
from jupyter_secrets.core.references import parse_vault_spec
from jupyter_secrets.errors import InvalidInput

COMMAND_HELP = """Save a reference instead of a value: this command's standard output is the
value, fetched when it is needed (split into words like a shell does, but never run
through one; e.g. --command 'op read op://team/db/password')."""
VAULT_HELP = """Save a reference to a HashiCorp Vault / OpenBao KV v2 field instead of a value:
MOUNT/PATH#FIELD, e.g. --vault secret/team/db#password (read with VAULT_TOKEN or
~/.vault-token of the server's user; the address is --vault-addr, else VAULT_ADDR)."""


def reference_payload(
    command: str | None,
    vault: str | None,
    vault_addr: str | None,
    ttl: int | None,
    timeout: int | None,
    app: Any = None,
) -> dict[str, Any] | None:
    """The API's ``reference`` object from the options of ``set``, None when none was given."""
    if command is not None and vault is not None:
        raise UsageError("give --command or --vault, not both", app)
    if command is None and vault is None:
        if vault_addr is not None or ttl is not None or timeout is not None:
            raise UsageError("--vault-addr, --ttl and --timeout go with --command or --vault", app)
        return None
    payload: dict[str, Any]
    if command is not None:
        try:
            argv = shlex.split(command)
        except ValueError as err:
            raise InvalidInput("command", f"cannot be split into words: {err}") from None
        payload = {"type": "command", "argv": argv}
        if vault_addr is not None:
            raise UsageError("--vault-addr goes with --vault", app)
    else:
        assert vault is not None
        mount, path, field = parse_vault_spec(vault)
        payload = {"type": "vault", "mount": mount, "path": path, "field": field}
        if vault_addr is not None:
            payload["addr"] = vault_addr
    if ttl is not None:
        payload["ttl_seconds"] = ttl
    if timeout is not None:
        payload["timeout_seconds"] = timeout
    return payload


def reference_text(secret: SecretView) -> str:
    """`` (reference: vault secret/db#password at ...)`` for ``list``; '' for a value."""
    ref = secret.reference
    if ref is None:
        return ""
    return f" (reference: {ref.type} {ref.description}, TTL {ref.ttl_seconds} s)"
