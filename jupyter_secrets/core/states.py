"""The state of a slot for its user, and the one rule of which slots need a value.

``provided``: bound to a secret whose value is usable.  ``missing``: not bound.  ``expired``:
bound to a secret past its expiry (its file is not written).  ``unreadable``: bound to a secret
whose stored value fails authentication (tampered, or written under another key); the others
keep working.  ``fetch-failed``: bound to a reference (``core/references.py``) whose last fetch
failed (its file is not written; the secret's reference says why).  Every state but ``provided`` needs a value: the launch dialog, the terminal
prompt, ``jupyter secrets status`` and ``run`` all ask this module.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta, timezone

from jupyter_secrets.store.base import SecretMeta

log = logging.getLogger(__name__)

PROVIDED, MISSING, EXPIRED, UNREADABLE = "provided", "missing", "expired", "unreadable"
FETCH_FAILED = "fetch-failed"
STATES = (PROVIDED, MISSING, EXPIRED, UNREADABLE, FETCH_FAILED)


def needs_value(state: str) -> bool:
    """Whether a slot in this state asks its user for a value (everything but provided)."""
    return state != PROVIDED


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def is_expired(meta: SecretMeta, now: datetime | None = None) -> bool:
    if not meta.expires:
        return False
    try:
        expires = datetime.strptime(meta.expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        # Not a date this version writes (an older row): never serve a value on a guess.
        log.warning("Secret %s has an unreadable expiry; treated as expired", meta.id)
        return True
    return expires <= (now or utcnow())


def state_of(
    meta: SecretMeta | None,
    unreadable: frozenset[str] | set[str],
    now: datetime | None = None,
    fetch_failed: Collection[str] = frozenset(),
) -> str:
    """The state of a slot bound to ``meta`` (None: unbound)."""
    if meta is None:
        return MISSING
    if is_expired(meta, now):
        return EXPIRED
    if meta.id in unreadable:
        return UNREADABLE
    if meta.id in fetch_failed:
        return FETCH_FAILED
    return PROVIDED


#: Days before its expiry from which a value is said to expire soon (``expiry_warning_days``).
DEFAULT_EXPIRY_WARNING_DAYS = 7


def expires_soon(meta: SecretMeta | None, warning_days: int, now: datetime | None = None) -> bool:
    """Whether ``meta``'s value is still used but stops being written within ``warning_days``.

    False for no secret, no expiry, an expired value (that is the state ``expired``) and a
    ``warning_days`` of 0 or less (the warning is off).  The panel, the User secrets view, the
    launch dialog, ``jupyter secrets status`` and the server's start all ask this.
    """
    if meta is None or not meta.expires or warning_days <= 0:
        return False
    now = now or utcnow()
    if is_expired(meta, now):
        return False
    expires = datetime.strptime(meta.expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return expires - now <= timedelta(days=warning_days)
