"""``HubSecretStore``: the single-user server's store when the JupyterHub secrets service is set.

The service (``jupyter-secrets-hub``, docs/DEPLOYMENT.md) keeps the user's secrets; this class
is its client, chosen with ``c.SecretsExtension.store_class =
"jupyter_secrets.store.hub.HubSecretStore"`` or automatically when the hub sets
``JUPYTER_SECRETS_HUB_URL`` in the server's environment.  It authenticates with the server's
own hub token (``$JUPYTERHUB_API_TOKEN``), so the service knows the user from the token alone.

HTTP: the standard library's ``http.client`` with timeouts, one keep-alive connection per
thread.  The server calls every store method in worker threads (never on its event loop), so
blocking calls are right here, and a single-user server needs no package it lacks today.

Reads: every metadata read (secrets, bindings, projects) is served from one snapshot of the
user's rows, revalidated with ``If-None-Match`` at most every ``snapshot_ttl`` seconds; an
unchanged store answers 304, so the periodic refresh of a server costs one small request.
Values read are kept in memory (as the server's own files hold them) until the version changes.

When the service cannot be reached: at start the store is ``locked`` with the reason (the
server starts, says so in its log and status) and tries again every ``retry_seconds`` (the
next ``locked`` check after that); later, reads keep being served from the last snapshot and
values (the files already written stay) and writes raise ``StoreUnavailable``.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlparse

from traitlets import Float, Unicode, default

from jupyter_secrets.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    SecretsError,
    SecretUnreadable,
    StoreLocked,
    StoreUnavailable,
)
from jupyter_secrets.store.base import (
    DEFAULT_MAX_VALUE_BYTES,
    UNSET,
    Binding,
    ProjectRecord,
    SecretMeta,
    SecretStore,
    SecretValue,
    ValueBatch,
    _Unset,
    check_id,
    decode_value,
    encode_value,
    is_binary,
)

URL_ENV = "JUPYTER_SECRETS_HUB_URL"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
#: The variables through which JupyterHub gives a server its token (kept from kernels in hub
#: mode unless ``c.SecretsExtension.kernel_hub_token``).
HUB_TOKEN_VARS = (TOKEN_ENV, "JPY_API_TOKEN")


def hub_service_configured(env: Any = os.environ) -> bool:
    """Whether the hub told this server to use the secrets service (``$JUPYTER_SECRETS_HUB_URL``)."""
    return bool(env.get(URL_ENV, "").strip())


def _meta(d: dict[str, Any]) -> SecretMeta:
    return SecretMeta(
        id=d["id"],
        name=d["name"],
        created=d["created"],
        modified=d["modified"],
        expires=d.get("expires"),
        binary=bool(d.get("binary", False)),
        namespace=d.get("namespace"),
        reference=bool(d.get("is_reference", False)),
    )


class _Snapshot:
    def __init__(self, state: dict[str, Any], etag: str):
        self.etag = etag
        self.version = int(state.get("version", 0))
        self.secrets = {d["id"]: _meta(d) for d in state.get("secrets", [])}
        self.bindings = [
            Binding(b["project_id"], b["slot_id"], b["secret_id"])
            for b in state.get("bindings", [])
        ]
        self.projects = {
            p["id"]: ProjectRecord(p["id"], p["name"], p["last_path"])
            for p in state.get("projects", [])
        }


class HubSecretStore(SecretStore):
    """The user's secrets in the JupyterHub secrets service (see the module's docstring)."""

    knows_references = True  # the service's is_reference column (schema 0002)

    url = Unicode(
        config=True,
        help=f"""The secrets service's URL as this server reaches it, e.g.
        `http://hub:8081/services/jupyter-secrets/` or the service's own address.  Default:
        ${URL_ENV} (the hub sets it through `c.Spawner.environment`).""",
    )

    @default("url")
    def _default_url(self) -> str:
        return os.environ.get(URL_ENV, "")

    timeout = Float(10.0, config=True, help="Seconds before a request to the service fails.")

    snapshot_ttl = Float(
        1.0,
        config=True,
        help="""Seconds a checked snapshot of the user's secrets is reused before asking the
        service again (one small request answered 304 when nothing changed).""",
    )

    retry_seconds = Float(
        5.0,
        config=True,
        help="How often to try the service again while it cannot be reached.",
    )

    def __init__(self, *, max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES, **kwargs: Any):
        super().__init__(**kwargs)
        if not self.url:
            raise StoreLocked(f"HubSecretStore needs c.HubSecretStore.url or ${URL_ENV}")
        parsed = urlparse(self.url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise StoreLocked(f"c.HubSecretStore.url must be an http(s) URL, not {self.url!r}")
        self._https = parsed.scheme == "https"
        self._host = parsed.hostname
        self._port = parsed.port
        self._prefix = "/" + parsed.path.strip("/") + "/" if parsed.path.strip("/") else "/"
        # The server's own hub token: read once, and not handed to kernels by us.
        self._token = os.environ.get(TOKEN_ENV, "")
        self.max_value_bytes = max_value_bytes
        self._local = threading.local()
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        self._checked_at = 0.0
        self._values: dict[str, SecretValue] = {}
        self._values_version = -1
        self._writes = 0
        self._hub_user: str | None = None
        self._locked = True
        self._lock_reason = "the secrets service has not been reached yet"
        self._probed_at = 0.0
        self._down_logged = False
        actor = os.environ.get("JUPYTERHUB_SERVER_NAME", "") or "default"
        self._actor = f"server {actor} pid {os.getpid()}"
        self.created_now = False
        self._probe()

    @classmethod
    def open(
        cls,
        path: str,
        *,
        key_file: str | None = None,
        max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
        parent: Any = None,
    ) -> HubSecretStore:
        # The local store's path and key file do not apply: the service holds the keys.
        return cls(max_value_bytes=max_value_bytes, parent=parent)

    # ------------------------------------------------------------------ state
    @property
    def locked(self) -> bool:
        if self._locked and time.monotonic() - self._probed_at >= self.retry_seconds:
            self._probe()
        return self._locked

    @locked.setter
    def locked(self, value: bool) -> None:
        self._locked = value

    @property
    def lock_reason(self) -> str:
        return self._lock_reason

    @lock_reason.setter
    def lock_reason(self, value: str) -> None:
        self._lock_reason = value

    def _probe(self) -> None:
        """Ask the service whether it serves this user, unlocked."""
        self._probed_at = time.monotonic()
        try:
            status = self._call("GET", "api/status")
        except StoreUnavailable as err:
            self._locked, self._lock_reason = True, str(err)
            if not self._down_logged:
                self.log.error(
                    "jupyter_secrets: %s; the server runs on, keeps the files it wrote, and "
                    "tries again every %.0f s",
                    err,
                    self.retry_seconds,
                )
                self._down_logged = True
            return
        except StoreLocked as err:
            self._locked, self._lock_reason = True, str(err)
            return
        if self._down_logged:
            self.log.info("jupyter_secrets: the secrets service at %s answers again", self.url)
            self._down_logged = False
        self._hub_user = status.get("user")
        self.created_at = status.get("created_at")
        if status.get("locked"):
            self._locked = True
            self._lock_reason = f"the secrets service is locked: {status.get('lock_reason')}"
        else:
            self._locked, self._lock_reason = False, ""

    # ------------------------------------------------------------------ HTTP
    def _connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """One request; returns the parsed JSON (None for 304).  Domain errors for 4xx."""
        if not self._token:
            raise StoreLocked(
                f"no hub token (${TOKEN_ENV}) to reach the secrets service: this server was "
                "not started by JupyterHub"
            )
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {
            "Authorization": f"token {self._token}",
            "X-Jupyter-Secrets-Actor": self._actor,
            **(headers or {}),
        }
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        status, raw, reply_headers = self._send(method, self._prefix + path, data, all_headers)
        if status == 304:
            self._local.headers = reply_headers
            return None
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {}
        if status < 300:
            self._local.headers = reply_headers
            return parsed
        raise _error(status, parsed if isinstance(parsed, dict) else {}, self.url)

    def _send(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes, dict[str, str]]:
        for attempt in (0, 1):
            conn = self._connection(fresh=attempt > 0)
            reused = getattr(conn, "sock", None) is not None
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                return response.status, raw, dict(response.getheaders())
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as err:
                conn.close()
                self._local.conn = None
                # A kept-alive connection the service closed meanwhile: once more, new.
                if attempt == 0 and reused:
                    continue
                raise StoreUnavailable(
                    f"the secrets service at {self.url} cannot be reached ({type(err).__name__})"
                ) from None
            except (OSError, http.client.HTTPException) as err:
                conn.close()
                self._local.conn = None
                reason = getattr(err, "strerror", None) or type(err).__name__
                raise StoreUnavailable(
                    f"the secrets service at {self.url} cannot be reached ({reason})"
                ) from None
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ snapshot
    def _check_user(self, user: str) -> None:
        if self._hub_user is not None and user != self._hub_user:
            raise StoreLocked(
                f"this server's hub token belongs to {self._hub_user!r}, not to {user!r}: the "
                "service gives each token its owner's secrets only"
            )

    def _state(self, user: str) -> _Snapshot:
        self._check_user(user)
        with self._lock:
            snap = self._snapshot
            if snap is not None and time.monotonic() - self._checked_at < self.snapshot_ttl:
                return snap
            headers = {"If-None-Match": snap.etag} if snap is not None else {}
            try:
                state = self._call("GET", "api/state", headers=headers)
            except StoreUnavailable as err:
                if snap is not None:
                    return snap  # the service is down: what this server knew still holds
                # Down since this server started: nothing known yet.  Locked (so nothing is
                # written and no file removed), an empty view, and a retry on the next check.
                self._locked, self._lock_reason = True, str(err)
                return _Snapshot({}, "")
            if state is not None:
                snap = _Snapshot(state, f'"{state.get("version", 0)}"')
                self._snapshot = snap
            assert snap is not None
            # The service says with every answer whether it is locked (a restart with
            # another key): follow it, and ask why when it changes.
            said = getattr(self._local, "headers", {}).get("X-Jupyter-Secrets-Locked")
            if said is not None and (said == "1") != self._locked:
                self._probe()
            if snap.version != self._values_version:
                self._values.clear()
                self._values_version = snap.version
            self._checked_at = time.monotonic()
            return snap

    def _changed(self) -> None:
        with self._lock:
            self._checked_at = 0.0
            self._writes += 1

    def data_version(self) -> tuple[int, int]:
        """Changes when the user's data may have changed (the server's model cache keys on
        it): the service's version, checked as every read is (at most every
        ``snapshot_ttl``), and this process's own writes."""
        if self._hub_user is None:
            raise StoreUnavailable("the secrets service has not answered yet")
        return self._state(self._hub_user).version, self._writes

    def _write(self, method: str, path: str, body: Any = None) -> Any:
        if self.locked:
            raise StoreLocked(self.lock_reason)
        try:
            return self._call(method, path, body)
        finally:
            self._changed()

    # ------------------------------------------------------------------ reads
    def list_secrets(self, user: str) -> list[SecretMeta]:
        return list(self._state(user).secrets.values())

    def get_secret(self, user: str, secret_id: str) -> SecretMeta:
        meta = self._state(user).secrets.get(secret_id)
        if meta is None:
            raise NotFound(f"no secret with id {secret_id}")
        return meta

    def read_value(self, user: str, secret_id: str) -> SecretValue:
        batch = self.read_values(user, [secret_id])
        if secret_id in batch.values:
            return batch.values[secret_id]
        raise batch.errors[secret_id]

    def read_values(self, user: str, secret_ids: Iterable[str]) -> ValueBatch:
        if self.locked:
            raise StoreLocked(self.lock_reason)
        snap = self._state(user)
        ids = list(dict.fromkeys(secret_ids))
        values: dict[str, SecretValue] = {}
        errors: dict[str, SecretsError] = {}
        with self._lock:
            if snap.version == self._values_version:
                values = {i: self._values[i] for i in ids if i in self._values}
        missing = [i for i in ids if i not in values]
        if missing:
            reply = self._call("POST", "api/values", {"secret_ids": missing})
            for secret_id, item in reply.get("values", {}).items():
                data = base64.b64decode(item["value_base64"])
                try:
                    values[secret_id] = decode_value(secret_id, data, bool(item.get("binary")))
                except SecretUnreadable as err:
                    errors[secret_id] = err
            for secret_id, item in reply.get("errors", {}).items():
                kind, message = item.get("error"), item.get("message", "")
                if kind == "unreadable":
                    errors[secret_id] = SecretUnreadable(secret_id)
                else:
                    errors[secret_id] = NotFound(message or f"no secret with id {secret_id}")
            with self._lock:
                if snap.version == self._values_version:
                    self._values.update({i: values[i] for i in missing if i in values})
        for secret_id in ids:
            if secret_id not in values and secret_id not in errors:
                errors[secret_id] = NotFound(f"no secret with id {secret_id}")
        return ValueBatch(values, errors)

    def bindings(
        self, user: str, *, project_id: str | None = None, secret_id: str | None = None
    ) -> list[Binding]:
        return [
            b
            for b in self._state(user).bindings
            if (project_id is None or b.project_id == project_id)
            and (secret_id is None or b.secret_id == secret_id)
        ]

    def bound_secret_id(self, user: str, project_id: str, slot_id: str) -> str | None:
        for b in self._state(user).bindings:
            if b.project_id == project_id and b.slot_id == slot_id:
                return b.secret_id
        return None

    def bound_secrets(self, user: str, project_id: str) -> dict[str, SecretMeta]:
        snap = self._state(user)
        return {
            b.slot_id: snap.secrets[b.secret_id]
            for b in snap.bindings
            if b.project_id == project_id and b.secret_id in snap.secrets
        }

    def projects(self, user: str) -> dict[str, ProjectRecord]:
        return dict(self._state(user).projects)

    # ------------------------------------------------------------------ writes
    def _value_fields(self, value: Any) -> dict[str, Any]:
        data = encode_value(value, self.max_value_bytes)
        return {"value_base64": base64.b64encode(data).decode(), "binary": is_binary(value)}

    def create_secret(
        self,
        user: str,
        name: str,
        value: SecretValue,
        expires: str | None = None,
        namespace: str | None = None,
    ) -> SecretMeta:
        self._check_user(user)
        body = {"name": name, "expires": expires, **self._value_fields(value)}
        if namespace is not None:
            body["namespace"] = namespace
        return _meta(self._write("POST", "api/secrets", body))

    def update_secret(
        self,
        user: str,
        secret_id: str,
        *,
        name: str | _Unset = UNSET,
        value: SecretValue | _Unset = UNSET,
        expires: str | _Unset | None = UNSET,
    ) -> SecretMeta:
        self._check_user(user)
        body: dict[str, Any] = {}
        if not isinstance(name, _Unset):
            body["name"] = name
        if not isinstance(value, _Unset):
            body.update(self._value_fields(value))
        if not isinstance(expires, _Unset):
            body["expires"] = expires
        return _meta(self._write("PATCH", f"api/secrets/{_segment(secret_id)}", body))

    def delete_secret(self, user: str, secret_id: str) -> list[Binding]:
        self._check_user(user)
        reply = self._write("DELETE", f"api/secrets/{_segment(secret_id)}")
        return [Binding(b["project_id"], b["slot_id"], b["secret_id"]) for b in reply["removed"]]

    def bind(self, user: str, project_id: str, slot_id: str, secret_id: str) -> None:
        self._check_user(user)
        check_id("project_id", project_id)
        check_id("slot_id", slot_id)
        self._write(
            "PUT", f"api/bindings/{project_id}/{slot_id}", {"secret_id": _segment(secret_id)}
        )

    def unbind(self, user: str, project_id: str, slot_id: str) -> bool:
        self._check_user(user)
        check_id("project_id", project_id)
        check_id("slot_id", slot_id)
        return bool(self._write("DELETE", f"api/bindings/{project_id}/{slot_id}")["removed"])

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
        # One request, one transaction in the service (behind the user's row lock).
        self._check_user(user)
        check_id("project_id", project_id)
        check_id("slot_id", slot_id)
        body: dict[str, Any] = {
            "project_id": project_id,
            "slot_id": slot_id,
            "name": name,
            "expires": expires,
            "unique_name": unique_name,
            **self._value_fields(value),
        }
        if not isinstance(expected_secret_id, _Unset):
            body["expected_secret_id"] = expected_secret_id
        return _meta(self._write("POST", "api/create-and-bind", body))

    def remember_project(self, user: str, project_id: str, name: str, last_path: str) -> None:
        check_id("project_id", project_id)
        try:
            known = self._state(user).projects.get(project_id)
        except StoreUnavailable:
            return  # a hint for the usage list: not worth failing a request for
        if known is not None and (known.name, known.last_path) == (name, last_path):
            return  # unchanged: no write, so no new version for every other server
        if self.locked:
            return
        try:
            self._write("PUT", f"api/projects/{project_id}", {"name": name, "last_path": last_path})
        except StoreUnavailable:
            return

    def import_secret(
        self, user: str, meta: SecretMeta, value: SecretValue
    ) -> tuple[SecretMeta, str]:
        """Copy a secret under its own id (``jupyter secrets migrate --to-hub``): ``(meta,
        outcome)``, the outcome one of ``created``, ``unchanged``, ``updated`` (the local copy
        changed since it was copied: the hub now holds it) or ``hub-newer`` (changed in the hub
        after the local copy: the hub's is kept); see hub/repository.py ``import_secret``."""
        self._check_user(user)
        body = {
            "name": meta.name,
            "created": meta.created,
            "modified": meta.modified,
            "expires": meta.expires,
            **self._value_fields(value),
        }
        if meta.namespace is not None:
            body["namespace"] = meta.namespace
        reply = self._write("PUT", f"api/import/{_segment(meta.id)}", body)
        outcome = reply.get("outcome") or ("created" if reply.get("created") else "unchanged")
        return _meta(reply["secret"]), str(outcome)

    def rotate_key(self, new_keyring: Any) -> int:
        raise InvalidInput(
            "key",
            "the keys of the hub secrets service are the hub admin's: they rotate with "
            "`jupyter-secrets-hub rotate-keys` (docs/DEPLOYMENT.md), not from a server",
        )

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _segment(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInput("secret_id", "must be a non-empty string")
    return quote(value, safe="")


def _error(status: int, body: dict[str, Any], url: str) -> SecretsError:
    kind = body.get("error")
    message = str(body.get("message") or f"the secrets service answered {status}")
    field = body.get("field")
    if kind == "invalid-input":
        field = field or "request"
        prefix = f"{field}: "
        return InvalidInput(
            field, message[len(prefix) :] if message.startswith(prefix) else message
        )
    if kind == "not-found":
        return NotFound(message)
    if kind == "conflict":
        return Conflict(message, field)
    if kind == "locked":
        return StoreLocked(f"the secrets service is locked: {message}")
    if status in (401, 403):
        return StoreLocked(f"the secrets service at {url} refused this server's token: {message}")
    return StoreUnavailable(f"the secrets service at {url} failed ({status}): {message}")
