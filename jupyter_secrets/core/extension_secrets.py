"""Secrets that JupyterLab extensions keep through jupyter-secrets-manager's ``ISecretsManager``.

jupyter-secrets-manager (jupyterlab-contrib) gives each frontend plugin a namespace, its own
plugin id, and hands the connector one key per secret, ``"<namespace>:<id>"`` (with the
namespace and the id apart only when saving).  Our connector
(``labextension/src/secretsManager/``) keeps them here, as **extension secrets**: user secrets of
the owner whose ``namespace`` (``SecretMeta.namespace``) names the extension that saved them and
whose name is that key.  So they are encrypted like every other value, listed in User secrets
(marked with their extension, deletable there), and never written for kernels: only a binding
to a slot materializes a secret, and nothing binds an extension secret unless the user does.

A value leaves the server only here (``read``), and only for the exact key of a secret that
an extension saved: an ordinary user secret never becomes readable this way, since
nothing can give it a namespace.  Which extension may ask is decided in the browser, by the
manager's per-plugin tokens (see the README, "For extension authors"): every request of the
owner's session is the owner's, whichever script in the page sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.core.states import is_expired
from jupyter_secrets.errors import Conflict, InvalidInput, NotFound
from jupyter_secrets.rules import validate_secret_name
from jupyter_secrets.store.base import SecretMeta


@dataclass(frozen=True)
class ExtensionSecretView:
    """An extension secret without its value: its key, and the user secret that holds it."""

    namespace: str
    id: str
    secret_id: str
    name: str
    created: str
    modified: str
    expires: str | None
    expired: bool


@dataclass(frozen=True)
class ExtensionSecretList:
    namespace: str
    secrets: tuple[ExtensionSecretView, ...]


@dataclass(frozen=True)
class ExtensionSecretValue:
    """The one result that carries a value: the reply to its owning extension's fetch."""

    namespace: str
    id: str
    value: str


@dataclass(frozen=True)
class ExtensionSecretSaved:
    secret: ExtensionSecretView
    created: bool


def _exact(field: str, value: Any) -> str:
    """A key or a namespace: a name by the rule book, given exactly (no surrounding spaces,
    NFC), since the manager compares them character for character."""
    try:
        checked = validate_secret_name(value)
    except InvalidInput as err:
        raise InvalidInput(field, err.rule) from None
    if checked != value:
        raise InvalidInput(
            field, "must be given exactly as stored: no surrounding spaces, in Unicode NFC"
        )
    return checked


def check_key(key: Any, namespace: Any = None, item_id: Any = None) -> str:
    """The manager's key ``"<namespace>:<id>"`` (the user secret's name, at most 99
    characters).  With ``namespace`` and ``id`` (a save): they must make up the key exactly."""
    key = _exact("key", key)
    if namespace is None and item_id is None:
        return key
    namespace = _exact("namespace", namespace)
    if not isinstance(item_id, str) or not item_id:
        raise InvalidInput("id", "must be a non-empty string")
    if f"{namespace}:{item_id}" != key:
        raise InvalidInput("key", "must be the namespace and the id joined by ':'")
    return key


def _item_id(meta: SecretMeta) -> str:
    namespace = meta.namespace or ""
    return meta.name[len(namespace) + 1 :]


class ExtensionSecrets:
    """The connector's use cases (list, fetch, save, remove) over one owner's service.

    jupyter-secrets-manager hands its connector the key alone for a fetch or a removal, so
    secrets are reached by key; the key is a secret name, unique for the owner, so it names
    one secret whichever way ``namespace:id`` splits it.
    """

    def __init__(self, service: SecretsService):
        self.service = service
        self.store = service.store
        self.owner = service.owner

    def list(self, namespace: Any) -> ExtensionSecretList:
        namespace = _exact("namespace", namespace)
        found = [m for m in self.store.list_secrets(self.owner) if m.namespace == namespace]
        return ExtensionSecretList(namespace, tuple(self._view(m) for m in found))

    def read(self, key: Any) -> ExtensionSecretValue:
        meta = self._find(check_key(key))
        if is_expired(meta):
            # As every other path: an expired value is never served (404, as an unknown key:
            # the manager's fetch gives its plugin nothing, and the reply says why).
            raise NotFound(
                f"the extension secret '{meta.name}' expired on {meta.expires}: save it again"
            )
        value = self.store.read_value(self.owner, meta.id)
        if not isinstance(value, str):
            raise InvalidInput(
                "key",
                f"the secret '{meta.name}' now holds binary data (replaced in User secrets); "
                "an extension secret is text",
            )
        # The one path where a value leaves the server for a browser: audited (never the value).
        self.service._on_change(
            "secret.read", {"secret_id": meta.id, "namespace": meta.namespace or ""}
        )
        return ExtensionSecretValue(meta.namespace or "", _item_id(meta), value)

    def save(self, key: Any, namespace: Any, item_id: Any, value: Any) -> ExtensionSecretSaved:
        key = check_key(key, namespace, item_id)
        if not isinstance(value, str):
            raise InvalidInput("value", "must be a string")
        with self.service._lock:
            existing = self._lookup(key)
            if existing is not None and existing.namespace != namespace:
                raise Conflict(
                    f"'{key}' is kept by the extension namespace '{existing.namespace}'",
                    field="namespace",
                )
            if existing is None:
                meta = self.store.create_secret(self.owner, key, value, namespace=namespace)
            else:
                meta = self.store.update_secret(self.owner, existing.id, value=value)
                # It may have been a reference (replaced in User secrets): a value now.
                self.service.sync.fetcher.forget(meta.id)
                self.service.sync.clear_fetch_failure(meta.id)
                # A user may have bound it to a slot: its files follow, as for any secret.
                self.service.sync.secret_users(meta.id)
        if existing is None:
            details = {"secret_id": meta.id, "secret_name": meta.name, "namespace": namespace}
            self.service._on_change("secret.created", details)
        else:
            details = {"secret_id": meta.id, "fields": ["value"], "namespace": namespace}
            self.service._on_change("secret.updated", details)
        return ExtensionSecretSaved(self._view(meta), existing is None)

    def remove(self, key: Any) -> None:
        meta = self._find(check_key(key))
        self.service.delete_user_secret(meta.id)

    # ------------------------------------------------------------------ internals

    def _lookup(self, key: str) -> SecretMeta | None:
        for meta in self.store.list_secrets(self.owner):
            if meta.name == key and meta.namespace is not None:
                return meta
        return None

    def _find(self, key: str) -> SecretMeta:
        meta = self._lookup(key)
        if meta is None:
            raise NotFound(f"no extension secret '{key}'")
        return meta

    @staticmethod
    def _view(meta: SecretMeta) -> ExtensionSecretView:
        return ExtensionSecretView(
            namespace=meta.namespace or "",
            id=_item_id(meta),
            secret_id=meta.id,
            name=meta.name,
            created=meta.created,
            modified=meta.modified,
            expires=meta.expires,
            expired=is_expired(meta),
        )
