"""REST handlers of docs/API.md: thin wrappers that parse JSON, call the service, map errors.

Every verb is ``@web.authenticated`` + ``@authorized`` on the ``secrets`` resource.  Request
bodies may hold secret values, so this module parses them itself: jupyter_server's
``get_json_body`` logs a malformed body at debug level, and that body could hold a value.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from jupyter_secrets.core.audit import set_actor
from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    SecretsError,
    SecretUnreadable,
    SlotFileError,
    StoreLocked,
    StoreUnavailable,
)
from jupyter_secrets.server import models
from jupyter_secrets.server.access import Access

AUTH_RESOURCE = "secrets"

# Bodies carry at most one value (64 KiB by default) and a few short fields.
MAX_BODY_BYTES = 1024 * 1024

_STATUS_OF = (
    (InvalidInput, 400),
    (NotFound, 404),
    (Conflict, 409),
    (SlotFileError, 422),
    (SecretUnreadable, 422),
    (StoreLocked, 503),
    (StoreUnavailable, 503),
)


class NotOwner(web.HTTPError):
    """403 for a signed-in user who is not the server's owner (a guest of a shared server)."""

    reason_code = "not-owner"

    def __init__(self, message: str, owner: str):
        super().__init__(403, message)
        self.owner = owner


def status_of(error: SecretsError) -> int:
    for kind, status in _STATUS_OF:
        if isinstance(error, kind):
            return status
    return 400


class SecretsAPIHandler(APIHandler):
    """Base of every handler: JSON in, JSON out, domain errors become JSON 4xx replies."""

    auth_resource = AUTH_RESOURCE

    def initialize(
        self,
        service: SecretsService,
        access: Access,
        status: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.service = service
        self.access = access
        self.server_status = status or dict

    async def prepare(self):  # type: ignore[override]
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            raise web.HTTPError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
        await super().prepare()
        user = self.current_user
        if user is None:
            return  # @web.authenticated refuses it, as for any other API
        username = getattr(user, "username", None)
        refusal = self.access.refusal(username)
        if refusal is not None:
            raise NotOwner(refusal, self.access.owner)
        set_actor(username)

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object; never logs it (it may hold a value)."""
        from jupyter_secrets.rules import (
            parse_json_object,
        )  # the body rules live with the other rules

        raw = self.request.body or b""
        if len(raw) > MAX_BODY_BYTES:
            raise web.HTTPError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
        # InvalidInput (400, naming the problem) for anything but a flat-enough object of valid
        # text: deep nesting, huge numbers and lone surrogates used to end as 500s.
        return parse_json_object(raw)

    async def call(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a service operation off the event loop: a store may be slow (a disk busy with
        fsync, a network backend), and the server must keep answering meanwhile.  The
        thread gets this request's context, so the audit trail still names its actor."""
        return await asyncio.to_thread(operation, *args, **kwargs)

    def reply(self, model: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(models.dumps(model))

    def no_content(self) -> None:
        self.set_status(204)
        self.finish()

    def log_exception(self, typ, value, tb) -> None:
        # A domain error is the user's to fix: one line, no traceback (messages hold no value).
        if isinstance(value, SecretsError):
            self.log.info("%s %s: %s", self.request.method, self.request.path, value.message)
            return
        super().log_exception(typ, value, tb)

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        # Tornado answers 500 to any exception that is not an HTTPError: give domain errors
        # their own 4xx/503 status instead.
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, SecretsError):
            status_code = status_of(exc)
        super().send_error(status_code, **kwargs)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """JSON errors ``{"message", "field"?}``: never a traceback, never a request body."""
        self.set_header("Content-Type", "application/json")
        reply: dict[str, Any] = {"message": "internal error; see the server log"}
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, SecretsError):
            reply["message"] = exc.message
            field = getattr(exc, "field", None)
            if field:
                reply["field"] = field
        elif isinstance(exc, web.HTTPError):
            reply["message"] = exc.log_message or exc.reason or str(status_code)
            if isinstance(exc, NotOwner):
                reply.update(reason=exc.reason_code, owner=exc.owner)
        elif status_code < 500:
            reply["message"] = self._reason
        self.finish(json.dumps(reply))


class StatusHandler(SecretsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self):
        store = self.service.store
        self.reply(
            {
                **self.server_status(),
                "locked": store.locked,
                "lock_reason": store.lock_reason or None,
                "files_error": self.service.files_error,
            }
        )


class _EncodedModels:
    """The JSON of the last models replied, by identity: the service's project cache
    (``core/cache.py``) hands back the very same model while nothing changed, so its JSON (as
    bytes) and its ETag are computed once, not per request (tornado would hash the 30 KB body
    of a 100-slot project on every reply).  Bounded; thread-safe: a model built in a worker
    thread is encoded there too (milliseconds for 100 slots), never on the loop."""

    def __init__(self, size: int = 64):
        self.size = size
        self._json: dict[int, tuple[Any, bytes, str]] = {}
        self._lock = threading.Lock()  # for changes of the dict (eviction iterates it)

    def encoded(self, model: Any) -> tuple[bytes, str]:
        """``model``'s JSON and its ETag (tornado's own: the SHA-1 of the body, quoted)."""
        entry = self._json.get(id(model))  # (one dict lookup: atomic, no lock on the loop)
        if entry is not None and entry[0] is model:
            return entry[1], entry[2]
        body = models.dumps(model).encode()
        etag = f'"{hashlib.sha1(body).hexdigest()}"'  # tornado's ETag: SHA-1 of the body
        with self._lock:
            if len(self._json) >= self.size:
                self._json.pop(next(iter(self._json)))
            self._json[id(model)] = (model, body, etag)  # (holding the model keeps its id)
        return body, etag


_PROJECT_JSON = _EncodedModels()


def _project_reply(service: SecretsService, api_path: str) -> tuple[bytes, str]:
    """The projects reply built the usual way, in a worker thread (``SecretsAPIHandler.call``)."""
    return _PROJECT_JSON.encoded(service.project_for_path(api_path))


class ProjectsHandler(SecretsAPIHandler):
    _etag: str | None = None

    @web.authenticated
    @authorized
    async def get(self):
        path = self.get_query_argument("path", "")
        # Fast path (issue 16): an unchanged project straight from the cache, on the loop,
        # when the cache can tell without waiting on the store (core/cache.py); otherwise
        # (a miss, a busy store, a path to refuse) built and encoded in a worker thread.
        model = self.service.cached_project_for_path(path)
        if model is not None:
            body, self._etag = _PROJECT_JSON.encoded(model)
        else:
            body, self._etag = await self.call(_project_reply, self.service, path)
        self.finish(body)

    def compute_etag(self) -> str | None:
        return self._etag or super().compute_etag()

    @web.authenticated
    @authorized
    async def post(self):
        body = self.json_body()
        self.reply(
            await self.call(self.service.create_project, body.get("path", ""), body.get("name")),
            201,
        )


class ProjectHandler(SecretsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, project_id: str):
        self.reply(await self.call(self.service.get_project, project_id))


class SlotsHandler(SecretsAPIHandler):
    @web.authenticated
    @authorized
    async def post(self, project_id: str):
        self.reply(await self.call(self.service.add_slot, project_id, self.json_body()), 201)


class SlotHandler(SecretsAPIHandler):
    @web.authenticated
    @authorized
    async def patch(self, project_id: str, slot_id: str):
        self.reply(await self.call(self.service.update_slot, project_id, slot_id, self.json_body()))

    @web.authenticated
    @authorized
    async def delete(self, project_id: str, slot_id: str):
        await self.call(self.service.remove_slot, project_id, slot_id)
        self.no_content()


class SlotValueHandler(SecretsAPIHandler):
    @web.authenticated
    @authorized
    async def put(self, project_id: str, slot_id: str):
        body = self.json_body()
        unknown = sorted(
            set(body) - {"value", "value_base64", "reference", "secret_id", "name", "expires"}
        )
        if unknown:
            raise InvalidInput(
                unknown[0],
                "unknown field (allowed: value, value_base64, reference, secret_id, name, expires)",
            )
        body, value_field = models.decode_value_base64(body)
        with models.value_errors_name(value_field):
            result = await self.call(
                self.service.fill_slot,
                project_id,
                slot_id,
                value=body.get("value"),
                secret_id=body.get("secret_id"),
                name=body.get("name"),
                expires=body.get("expires"),
                reference=body.get("reference"),
            )
        self.reply(result)

    @web.authenticated
    @authorized
    async def delete(self, project_id: str, slot_id: str):
        await self.call(self.service.unlink_slot, project_id, slot_id)
        self.no_content()


def _encode_batch(views: Iterator[Any], size: int = 500) -> str:
    """The JSON of the next ``size`` models of ``views``, joined as json.dumps joins a list."""
    return ", ".join(models.dumps(view) for view in itertools.islice(views, size))


class UserSecretsHandler(SecretsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self):
        # Encoded and sent a batch at a time (issue 16): the JSON is that of
        # {"secrets": [...]}, byte for byte, without every model in memory at once.
        secrets = self.service.iter_user_secrets()
        self.set_header("Content-Type", "application/json")
        batch = await self.call(_encode_batch, secrets)  # reads the store: errors still 4xx
        self.write('{"secrets": [' + batch)
        while batch:
            await self.flush()
            batch = await self.call(_encode_batch, secrets)
            if batch:
                self.write(", " + batch)
        self.finish("]}")

    @web.authenticated
    @authorized
    async def post(self):
        body = self.json_body()
        unknown = sorted(set(body) - {"name", "value", "value_base64", "reference", "expires"})
        if unknown:
            raise InvalidInput(
                unknown[0],
                "unknown field (allowed: name, value, value_base64, reference, expires)",
            )
        body, value_field = models.decode_value_base64(body)
        with models.value_errors_name(value_field):
            model = await self.call(
                self.service.create_user_secret,
                body.get("name"),
                body.get("value"),
                body.get("expires"),
                body.get("reference"),
            )
        self.reply(model, 201)


class UserSecretHandler(SecretsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, secret_id: str):
        self.reply(await self.call(self.service.get_user_secret, secret_id))

    @web.authenticated
    @authorized
    async def patch(self, secret_id: str):
        body, value_field = models.decode_value_base64(self.json_body())
        with models.value_errors_name(value_field):
            result = await self.call(self.service.update_user_secret, secret_id, body)
        self.reply(result)

    @web.authenticated
    @authorized
    async def delete(self, secret_id: str):
        await self.call(self.service.delete_user_secret, secret_id)
        self.no_content()


def _extension_secrets(service: SecretsService) -> Any:
    """``ExtensionSecrets(service)``, imported on the first request for an extension secret:
    its four result dataclasses cost ~1 ms each to create, at every server start otherwise
    (issue 16, the startup row)."""
    from jupyter_secrets.core.extension_secrets import ExtensionSecrets

    return ExtensionSecrets(service)


class ExtensionSecretsHandler(SecretsAPIHandler):
    """The secrets one extension keeps through jupyter-secrets-manager: ids, never values."""

    @web.authenticated
    @authorized
    async def get(self):
        namespace = self.get_query_argument("namespace", None)
        if namespace is None:
            raise InvalidInput("namespace", "is required (the extension's namespace)")
        self.reply(await self.call(_extension_secrets(self.service).list, namespace))


class ExtensionSecretHandler(SecretsAPIHandler):
    """One extension secret by its key ``namespace:id``: its value for the connector (the only
    reply that holds a value), saved, or removed."""

    @web.authenticated
    @authorized
    async def get(self, key: str):
        secret = await self.call(_extension_secrets(self.service).read, key)
        self.set_header("Cache-Control", "no-store")
        self.reply(secret)

    @web.authenticated
    @authorized
    async def put(self, key: str):
        body = self.json_body()
        unknown = sorted(set(body) - {"namespace", "id", "value"})
        if unknown:
            raise InvalidInput(unknown[0], "unknown field (allowed: namespace, id, value)")
        for field in ("namespace", "id", "value"):
            if field not in body:
                raise InvalidInput(field, "is required")
        saved = await self.call(
            _extension_secrets(self.service).save, key, body["namespace"], body["id"], body["value"]
        )
        self.reply(saved.secret, 201 if saved.created else 200)

    @web.authenticated
    @authorized
    async def delete(self, key: str):
        await self.call(_extension_secrets(self.service).remove, key)
        self.no_content()


# Ids are checked again by the service; the patterns only keep URLs unambiguous.
_ID = r"([^/]+)"

ROUTES = (
    (r"/api/secrets/status", StatusHandler),
    (r"/api/secrets/projects", ProjectsHandler),
    (rf"/api/secrets/projects/{_ID}", ProjectHandler),
    (rf"/api/secrets/projects/{_ID}/slots", SlotsHandler),
    (rf"/api/secrets/projects/{_ID}/slots/{_ID}", SlotHandler),
    (rf"/api/secrets/projects/{_ID}/slots/{_ID}/value", SlotValueHandler),
    (r"/api/secrets/user-secrets", UserSecretsHandler),
    (rf"/api/secrets/user-secrets/{_ID}", UserSecretHandler),
    # A key "namespace:id" may hold "/" (plugin ids do): it is one percent-encoded segment.
    (r"/api/secrets/extension-secrets", ExtensionSecretsHandler),
    (rf"/api/secrets/extension-secrets/{_ID}", ExtensionSecretHandler),
)


def handlers(**kwargs: Any) -> list[tuple[str, type, dict[str, Any]]]:
    """The route table (without the base URL, which ExtensionApp prepends), each with kwargs."""
    return [(pattern, handler, kwargs) for pattern, handler in ROUTES]
