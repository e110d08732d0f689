"""The user-secret store interface, its records, and the rules every backend applies.

Records never hold a value: a value exists only as the return of ``SecretStore.read_value``.
The checks here (name, value size, expiry, ids, free names) are shared so that every backend
enforces the same rules with the same messages.

Values of every shape: a value is text (``str``, kept as its UTF-8 bytes) or binary (``bytes``,
kept exactly).  A backend stores the plaintext as bytes plus whether it is binary
(``SecretMeta.binary``) and gives back what it was given: ``read_value`` returns a ``str`` for
a text secret and ``bytes`` for a binary one (``encode_value`` / ``decode_value`` here do both
directions the same way for every backend).  Either is at most ``max_value_bytes`` bytes.

Several servers (and the CLI) may share one store: an operation that reads then writes, such
as "fill this slot, which I saw empty, with a new secret under a free name", is one call
(``create_and_bind``) so that a backend can do it in one transaction.
"""

from __future__ import annotations

from abc import ABC, ABCMeta, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Final, NamedTuple

from traitlets.config import LoggingConfigurable
from traitlets.traitlets import MetaHasTraits

from jupyter_secrets.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    SecretsError,
    SecretUnreadable,
    StoreLocked,
)
from jupyter_secrets.rules import TIME_FORMAT, name_key, validate_id, validate_secret_name

DEFAULT_MAX_VALUE_BYTES: Final = 64 * 1024
MAX_NAME_CHARS: Final = 99


class _Unset:
    """Marks an argument of a partial update as "leave unchanged" (``None`` is a real value)."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()

#: A secret's value: ``str`` for text (any UTF-8, newlines kept exactly), ``bytes`` for binary.
SecretValue = str | bytes


@dataclass(frozen=True, slots=True)  # slots: a listing of 10,000 is 10,000 of these (issue 16)
class SecretMeta:
    """A user secret without its value.  ``binary``: the value is bytes, not text."""

    id: str
    name: str
    created: str
    modified: str
    expires: str | None
    binary: bool = False
    # The JupyterLab extension (its jupyter-secrets-manager namespace) that keeps this secret;
    # None for the user's own secrets.  Set at creation only.
    namespace: str | None = None
    # The value is a reference (core/references.py: fetched when needed), not a value: kept in
    # clear beside the ciphertext by stores whose ``knows_references`` is True, so that a
    # listing tells references apart without decrypting anything.  Other stores leave it False
    # (then every binary secret may be one, and is read to know).
    reference: bool = False


@dataclass(frozen=True, slots=True)
class Binding:
    """(project, slot) filled by a user secret, for one user."""

    project_id: str
    slot_id: str
    secret_id: str


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """What the store remembers of a project, to show usages of secrets outside the open one."""

    id: str
    name: str
    last_path: str


class ValueBatch(NamedTuple):
    """What ``SecretStore.read_values`` returns: the values it read, and why not the others.

    Every id asked for is in exactly one of the two.  ``errors`` holds a ``NotFound`` or a
    ``SecretUnreadable`` per id, as ``read_value`` would have raised for it.
    """

    values: dict[str, SecretValue]
    errors: dict[str, SecretsError]


# ---------------------------------------------------------------------- shared rules


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime(TIME_FORMAT)


def check_name(name: Any) -> str:
    """A secret name by the one rule book (``validation.validate_secret_name``): NFC, stripped,
    1-99 characters, no invisible, control or bidi characters."""
    return validate_secret_name(name)


def check_id(field: str, value: Any) -> str:
    """A project or slot id, by the rule book (``rules.validate_id``)."""
    return validate_id(field, value)


def free_name(base: str, taken: Iterable[str]) -> str:
    """The first of ``base``, ``base-2``, ``base-3``... that neither is nor looks like a name in
    ``taken`` (compared by ``name_key``), at most 99 characters (``base`` is shortened to make
    room for the suffix)."""
    keys = {name_key(name) for name in taken}
    if name_key(base) not in keys:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_NAME_CHARS - len(suffix)].rstrip() + suffix
        if name_key(candidate) not in keys:
            return candidate
        n += 1


def slot_changed(project_id: str, slot_id: str) -> Conflict:
    """What ``create_and_bind`` raises when the slot's binding is not the one expected."""
    return Conflict(
        f"slot {slot_id} of project {project_id} changed meanwhile (another server or window "
        "filled or emptied it); nothing was saved"
    )


#: How a stored reference's plaintext begins (core/references.py ``STORED_MARKER``): a store
#: sets ``SecretMeta.reference`` from it when a value is written (``is_reference_value``).
REFERENCE_MARKER: Final = b"\x00jupyter-secrets-reference/1\x00"


def is_reference_value(value: Any) -> bool:
    """Whether a value being stored is a reference's stored form (binary, with the marker)."""
    return is_binary(value) and bytes(value).startswith(REFERENCE_MARKER)


def is_binary(value: Any) -> bool:
    """Whether ``value`` is a binary value (bytes) rather than text."""
    return isinstance(value, (bytes, bytearray, memoryview))


def encode_value(value: Any, max_value_bytes: int, field: str = "value") -> bytes:
    """The plaintext bytes of a value within the size limit: a ``str`` as UTF-8, ``bytes`` (or
    ``bytearray``, ``memoryview``) exactly.  ``field`` names the input in errors.  Messages never
    quote the value."""
    if is_binary(value):
        data = bytes(value)
        if len(data) > max_value_bytes:
            raise InvalidInput(
                field, f"must be at most {max_value_bytes} bytes; it is {len(data)} bytes"
            )
        return data
    if not isinstance(value, str):
        raise InvalidInput(field, "must be a string")
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            field, "must be valid Unicode text (it holds a lone surrogate)"
        ) from None
    if len(data) > max_value_bytes:
        raise InvalidInput(
            field, f"must be at most {max_value_bytes} bytes (UTF-8); it is {len(data)} bytes"
        )
    return data


def decode_value(secret_id: str, data: bytes, binary: bool) -> SecretValue:
    """What ``read_value`` returns for stored plaintext ``data``: the bytes of a binary secret,
    the text of a text one (``SecretUnreadable`` when a text secret's bytes are not UTF-8)."""
    if binary:
        return bytes(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretUnreadable(secret_id, "its decrypted value is not UTF-8 text") from None


def value_bytes(value: SecretValue) -> bytes:
    """The exact bytes of a value as its file holds them (text as UTF-8)."""
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


# ---------------------------------------------------------------------- interface


class _StoreMeta(ABCMeta, MetaHasTraits):
    """An abstract interface that is also configurable (as jupyter_client's provisioners are)."""


class SecretStore(LoggingConfigurable, ABC, metaclass=_StoreMeta):
    """Per-user secrets (encrypted by the backend), bindings to project slots, known projects.

    A store is a ``LoggingConfigurable``: a backend declares its own settings as traits
    (``c.SQLiteSecretStore.busy_timeout``, later ``c.HubSecretStore.url``), read from the same
    Jupyter config as the server when the extension opens it with ``parent=`` itself.

    ``locked`` is True when the configured keys cannot decrypt the store: metadata can still be
    read, but ``read_value`` and every write raise ``StoreLocked`` (with ``lock_reason``).
    Every write raises ``StoreUnavailable`` when the storage refuses it (read-only, full).

    ``created_now`` is True when opening this object created the store (nothing was there):
    with ``created_at`` (ISO 8601 UTC, None when unknown) it lets the server tell a new user
    from a lost volume.
    """

    locked: bool = False
    lock_reason: str = ""
    # Whether this store's SecretMeta.reference is kept (True) or always False (unknown).
    knows_references: bool = False
    created_now: bool = False
    created_at: str | None = None

    @classmethod
    def open(
        cls,
        path: str,
        *,
        key_file: str | None = None,
        max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
        parent: Any = None,
    ) -> SecretStore:
        """Build the store from the extension's settings (used by ``SecretsExtension``)."""
        raise NotImplementedError(f"{cls.__name__} does not implement open()")

    @abstractmethod
    def list_secrets(self, user: str) -> list[SecretMeta]:
        """The user's secrets, sorted by name."""

    @abstractmethod
    def get_secret(self, user: str, secret_id: str) -> SecretMeta:
        """Raises ``NotFound``."""

    @abstractmethod
    def read_value(self, user: str, secret_id: str) -> SecretValue:
        """The value: ``str`` for a text secret, ``bytes`` for a binary one (``meta.binary``).
        Raises ``NotFound``, ``SecretUnreadable`` (this secret only), ``StoreLocked``."""

    def read_values(self, user: str, secret_ids: Iterable[str]) -> ValueBatch:
        """The values of several secrets at once: ``(values, errors)``, both keyed by id.

        A secret that is missing or cannot be decrypted does not stop the others: its error
        (``NotFound``, ``SecretUnreadable``) is in ``errors``.  Raises ``StoreLocked``.  This
        default calls ``read_value`` for each id; backends override it with one query.
        """
        if self.locked:
            raise StoreLocked(self.lock_reason)
        values: dict[str, SecretValue] = {}
        errors: dict[str, SecretsError] = {}
        for secret_id in secret_ids:
            if secret_id in values or secret_id in errors:
                continue
            try:
                values[secret_id] = self.read_value(user, secret_id)
            except (NotFound, SecretUnreadable) as err:
                errors[secret_id] = err
        return ValueBatch(values, errors)

    @abstractmethod
    def create_secret(
        self,
        user: str,
        name: str,
        value: SecretValue,
        expires: str | None = None,
        namespace: str | None = None,
    ) -> SecretMeta:
        """``value``: ``str`` (text) or ``bytes`` (binary, ``meta.binary``).  ``namespace``:
        the extension that keeps it (``SecretMeta.namespace``), None for the user's own.
        Raises ``InvalidInput``, ``Conflict`` (field "name")."""

    @abstractmethod
    def update_secret(
        self,
        user: str,
        secret_id: str,
        *,
        name: str | _Unset = UNSET,
        value: SecretValue | _Unset = UNSET,
        expires: str | _Unset | None = UNSET,
    ) -> SecretMeta:
        """Change the given fields only; ``expires=None`` removes the expiry.  A new ``value``
        also sets whether the secret is binary (text replaced by bytes becomes binary)."""

    @abstractmethod
    def delete_secret(self, user: str, secret_id: str) -> list[Binding]:
        """Delete the secret and every binding to it; returns the bindings removed."""

    @abstractmethod
    def bind(self, user: str, project_id: str, slot_id: str, secret_id: str) -> None:
        """Fill a slot with a secret (replaces the slot's binding).  ``NotFound`` if no secret."""

    @abstractmethod
    def unbind(self, user: str, project_id: str, slot_id: str) -> bool:
        """Remove a slot's binding; False when there was none."""

    @abstractmethod
    def bindings(
        self, user: str, *, project_id: str | None = None, secret_id: str | None = None
    ) -> list[Binding]: ...

    def bound_secret_id(self, user: str, project_id: str, slot_id: str) -> str | None:
        """The id of the secret filling the slot, None when it is empty.  This default asks
        ``bindings``; backends override it with one query."""
        for binding in self.bindings(user, project_id=project_id):
            if binding.slot_id == slot_id:
                return binding.secret_id
        return None

    def create_and_bind(
        self,
        user: str,
        project_id: str,
        slot_id: str,
        name: str,
        value: SecretValue,
        *,
        expires: str | None = None,
        unique_name: bool = False,
        expected_secret_id: str | _Unset | None = UNSET,
    ) -> SecretMeta:
        """Create a secret and fill the slot with it (replacing its binding), all or nothing.

        ``expected_secret_id``: the slot's binding the caller decided on (a secret id, or None
        for an empty slot); if the slot is bound otherwise now, ``Conflict`` (``slot_changed``)
        and nothing is written, so the caller reads again and decides again.  ``UNSET``: no
        check.  ``unique_name``: ``name`` is a base, the first free of ``name``, ``name-2``,
        ``name-3``... is taken; otherwise a taken name raises ``Conflict`` (field "name") as
        ``create_secret`` does.  Also ``InvalidInput``, ``StoreLocked``, ``StoreUnavailable``.

        This default composes the other methods and is therefore not atomic: a store that
        several processes share must override it with one transaction (SQLite does).
        """
        check_id("project_id", project_id)
        check_id("slot_id", slot_id)
        if self.locked:
            raise StoreLocked(self.lock_reason)
        if (
            expected_secret_id is not UNSET
            and self.bound_secret_id(user, project_id, slot_id) != expected_secret_id
        ):
            raise slot_changed(project_id, slot_id)
        if unique_name:
            name = free_name(check_name(name), {meta.name for meta in self.list_secrets(user)})
        meta = self.create_secret(user, name, value, expires)
        self.bind(user, project_id, slot_id, meta.id)
        return meta

    def bound_secrets(self, user: str, project_id: str) -> dict[str, SecretMeta]:
        """``{slot id: SecretMeta}`` of the project's bound slots (a binding whose secret is
        gone is left out).  This default asks ``bindings`` and ``get_secret`` for each;
        backends override it with one query."""
        bound: dict[str, SecretMeta] = {}
        for binding in self.bindings(user, project_id=project_id):
            try:
                bound[binding.slot_id] = self.get_secret(user, binding.secret_id)
            except NotFound:
                continue
        return bound

    @abstractmethod
    def remember_project(self, user: str, project_id: str, name: str, last_path: str) -> None: ...

    @abstractmethod
    def projects(self, user: str) -> dict[str, ProjectRecord]: ...

    @abstractmethod
    def rotate_key(self, new_keyring: Any) -> int:
        """Re-encrypt every value under ``new_keyring``'s first key; returns how many."""

    @abstractmethod
    def close(self) -> None: ...
