"""The service's REST API: thin tornado handlers over ``Repository``.

Identity comes from the hub token only (``Authorization: token ...``, checked with the hub by
``jupyterhub.services.auth.HubAuth``, cached briefly): the user is the token's owner, never a
field of the body or the path.  Tokens of services (not users) and tokens without the
``access:services!service=<name>`` scope are refused.  Values travel as ``value_base64`` (with
``binary``: text is UTF-8) and only in the two value routes; errors never hold a value.

Routes (under the service prefix, e.g. ``/services/jupyter-secrets/``):

- ``GET api/status``: locked or not, the user's ``version``; cheap.
- ``GET api/state``: every secret (metadata), binding and project of the user, with ``ETag``
  = version; ``If-None-Match`` answers 304 (the refresh of a server costs one small request).
- ``POST api/secrets``; ``PATCH``/``DELETE api/secrets/<id>``.
- ``POST api/values``: ``{"secret_ids": [...], "project_id"?}`` -> values of bound secrets.
- ``PUT``/``DELETE api/bindings/<project>/<slot>``; ``POST api/create-and-bind``.
- ``PUT api/projects/<id>``; ``PUT api/import/<secret id>`` (migration); ``GET api/audit``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from jupyterhub.services.auth import HubAuthenticated, UserNotAllowed
from tornado import web

from jupyter_secrets.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    SecretsError,
    SecretUnreadable,
    StoreLocked,
    StoreUnavailable,
)
from jupyter_secrets.hub.repository import UNSET, NotBound, Repository

_STATUS = (
    (InvalidInput, 400, "invalid-input"),
    (NotFound, 404, "not-found"),
    (NotBound, 403, "not-bound"),
    (Conflict, 409, "conflict"),
    (StoreLocked, 423, "locked"),
    (StoreUnavailable, 503, "unavailable"),
    (SecretUnreadable, 422, "unreadable"),
)
MAX_BODY = 1024 * 1024
_ACTOR_OK = re.compile(r"[^A-Za-z0-9 _.:/@()+=,-]")


ACTOR_HEADER = "X-Jupyter-Secrets-Actor"


def audit_actor(user: str, token_id: Any, claimed: str) -> str:
    """The audit's actor: what the hub vouches for (the user, the token's id), then what the
    client only *claims* (the header, e.g. "server alice pid 42"): any holder of the token can
    send any header, so it is recorded as a claim, never as who acted."""
    actor = user
    if isinstance(token_id, str) and token_id:
        actor += f" token {_ACTOR_OK.sub('?', token_id[:40])}"
    claimed = _ACTOR_OK.sub("?", claimed[:200])
    return actor + (f" (claims: {claimed})" if claimed else "")


def error_kind(err: SecretsError) -> tuple[int, str]:
    for cls, status, kind in _STATUS:
        if isinstance(err, cls):
            return status, kind
    return 400, "error"


class APIHandler(HubAuthenticated, web.RequestHandler):
    def initialize(self, repository: Repository, hub_auth: Any) -> None:
        self.repository = repository
        self.hub_auth = hub_auth

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")

    async def prepare(self) -> None:
        try:
            model = await self.hub_auth.get_user(self, sync=False)
        except web.HTTPError:
            raise
        except Exception:
            self.log_exception_quietly()
            raise web.HTTPError(503, "the hub cannot be reached to check the token") from None
        if not model:
            raise web.HTTPError(403, "a hub token is required (Authorization: token ...)")
        try:
            model = self.check_hub_user(model)
        except UserNotAllowed:
            raise web.HTTPError(
                403,
                "this token may not use the secrets service (it lacks the scope "
                "access:services!service=<this service's name>: see docs/DEPLOYMENT.md)",
            ) from None
        if model.get("kind", "user") != "user":
            raise web.HTTPError(403, "only user tokens hold secrets (this is a service token)")
        self._hub_auth_user_cache = model
        self.user = str(model["name"])
        self.actor = audit_actor(
            self.user, model.get("token_id"), self.request.headers.get(ACTOR_HEADER, "")
        )

    def log_exception_quietly(self) -> None:
        import logging

        logging.getLogger("jupyter_secrets.hub").warning("token check with the hub failed")

    def check_xsrf_cookie(self) -> None:
        return  # token authentication only: no cookies, so no cross-site requests to forge

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = self._reason
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, web.HTTPError) and exc.log_message:
            message = exc.log_message % exc.args if exc.args else exc.log_message
        self.finish(json.dumps({"error": "http", "message": message}))

    def reply(self, body: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(body))

    def fail(self, err: SecretsError) -> None:
        status, kind = error_kind(err)
        body: dict[str, Any] = {"error": kind, "message": str(err)}
        field = getattr(err, "field", None)
        if field:
            body["field"] = field
        self.reply(body, status)

    def body(self) -> dict[str, Any]:
        if len(self.request.body) > MAX_BODY:
            raise InvalidInput("body", f"must be at most {MAX_BODY} bytes")
        try:
            data = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("body", "must be a JSON object") from None
        if not isinstance(data, dict):
            raise InvalidInput("body", "must be a JSON object")
        return data

    async def run(self, coro_factory: Any, status: int = 200) -> None:
        try:
            result = await coro_factory()
        except SecretsError as err:
            self.fail(err)
            return
        self.reply(result, status)


def value_of(body: dict[str, Any], required: bool = True) -> tuple[Any, bool]:
    binary = body.get("binary", False)
    if not isinstance(binary, bool):
        raise InvalidInput("binary", "must be true or false")
    if "value_base64" not in body:
        if required:
            raise InvalidInput("value_base64", "is required")
        return UNSET, binary
    text = body["value_base64"]
    if not isinstance(text, str):
        raise InvalidInput("value_base64", "must be a base64 string")
    try:
        return base64.b64decode(text, validate=True), binary
    except (binascii.Error, ValueError):
        raise InvalidInput("value_base64", "must be valid base64") from None


def _only(body: dict[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise InvalidInput(extra[0], "is not a field of this request")


class StatusHandler(APIHandler):
    async def get(self) -> None:
        repo = self.repository
        self.reply(
            {
                "user": self.user,
                "locked": repo.locked,
                "lock_reason": repo.lock_reason,
                "version": await repo.version(self.user),
                "created_at": repo.created_at,
            }
        )


class StateHandler(APIHandler):
    async def get(self) -> None:
        version = await self.repository.version(self.user)
        etag = f'"{version}"'
        locked = "1" if self.repository.locked else "0"
        self.set_header("ETag", etag)
        self.set_header("X-Jupyter-Secrets-Locked", locked)
        if self.request.headers.get("If-None-Match") == etag:
            self.set_status(304)
            self.finish()
            return
        state = await self.repository.state(self.user)
        state.update(
            locked=self.repository.locked,
            lock_reason=self.repository.lock_reason,
            created_at=self.repository.created_at,
        )
        self.set_header("ETag", f'"{state["version"]}"')
        self.reply(state)


class SecretsHandler(APIHandler):
    async def post(self) -> None:
        async def go():
            body = self.body()
            _only(body, {"name", "value_base64", "binary", "expires", "namespace"})
            plaintext, binary = value_of(body)
            return await self.repository.create_secret(
                self.user,
                self.actor,
                body.get("name"),
                plaintext,
                binary,
                body.get("expires"),
                body.get("namespace"),
            )

        await self.run(go, 201)


class SecretHandler(APIHandler):
    async def patch(self, secret_id: str) -> None:
        async def go():
            body = self.body()
            _only(body, {"name", "value_base64", "binary", "expires"})
            plaintext, binary = value_of(body, required=False)
            return await self.repository.update_secret(
                self.user,
                self.actor,
                secret_id,
                name=body.get("name", UNSET),
                plaintext=plaintext,
                binary=binary,
                expires=body.get("expires", UNSET),
            )

        await self.run(go)

    async def delete(self, secret_id: str) -> None:
        async def go():
            return {
                "removed": await self.repository.delete_secret(self.user, self.actor, secret_id)
            }

        await self.run(go)


class ValuesHandler(APIHandler):
    async def post(self) -> None:
        async def go():
            body = self.body()
            _only(body, {"secret_ids", "project_id"})
            ids = body.get("secret_ids")
            if not isinstance(ids, list) or len(ids) > 10_000:
                raise InvalidInput("secret_ids", "must be a list of at most 10000 ids")
            values, errors = await self.repository.read_values(
                self.user, self.actor, ids, body.get("project_id")
            )
            return {
                "values": {
                    i: {"value_base64": base64.b64encode(v).decode(), "binary": b}
                    for i, (v, b) in values.items()
                },
                "errors": {
                    i: {"error": error_kind(e)[1], "message": str(e)} for i, e in errors.items()
                },
            }

        await self.run(go)


class BindingHandler(APIHandler):
    async def put(self, project_id: str, slot_id: str) -> None:
        async def go():
            body = self.body()
            _only(body, {"secret_id"})
            await self.repository.bind(
                self.user, self.actor, project_id, slot_id, body.get("secret_id")
            )
            return {"project_id": project_id, "slot_id": slot_id, "secret_id": body["secret_id"]}

        await self.run(go)

    async def delete(self, project_id: str, slot_id: str) -> None:
        async def go():
            return {
                "removed": await self.repository.unbind(self.user, self.actor, project_id, slot_id)
            }

        await self.run(go)


class CreateAndBindHandler(APIHandler):
    async def post(self) -> None:
        async def go():
            body = self.body()
            _only(
                body,
                {
                    "project_id",
                    "slot_id",
                    "name",
                    "value_base64",
                    "binary",
                    "expires",
                    "unique_name",
                    "expected_secret_id",
                },
            )
            plaintext, binary = value_of(body)
            unique = body.get("unique_name", False)
            if not isinstance(unique, bool):
                raise InvalidInput("unique_name", "must be true or false")
            return await self.repository.create_and_bind(
                self.user,
                self.actor,
                body.get("project_id"),
                body.get("slot_id"),
                body.get("name"),
                plaintext,
                binary,
                expires=body.get("expires"),
                unique_name=unique,
                expected_secret_id=body.get("expected_secret_id", UNSET),
            )

        await self.run(go, 201)


class ProjectHandler(APIHandler):
    async def put(self, project_id: str) -> None:
        async def go():
            body = self.body()
            _only(body, {"name", "last_path"})
            await self.repository.remember_project(
                self.user, self.actor, project_id, body.get("name"), body.get("last_path")
            )
            return {"id": project_id}

        await self.run(go)


class ImportHandler(APIHandler):
    async def put(self, secret_id: str) -> None:
        async def go():
            body = self.body()
            _only(
                body,
                {"name", "value_base64", "binary", "created", "modified", "expires", "namespace"},
            )
            plaintext, binary = value_of(body)
            meta, outcome = await self.repository.import_secret(
                self.user,
                self.actor,
                secret_id,
                body.get("name"),
                plaintext,
                binary,
                body.get("created"),
                body.get("modified"),
                body.get("expires"),
                body.get("namespace"),
            )
            return {"secret": meta, "created": outcome == "created", "outcome": outcome}

        await self.run(go)


class AuditHandler(APIHandler):
    async def get(self) -> None:
        self.reply({"entries": await self.repository.audit_log(self.user)})


class HealthHandler(web.RequestHandler):
    """Unauthenticated liveness probe (Kubernetes): says nothing about any user."""

    def initialize(self, repository: Repository) -> None:
        self.repository = repository

    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": True, "locked": self.repository.locked}))


_ID = r"([A-Za-z0-9_-]{1,64})"


def routes(prefix: str, repository: Repository, hub_auth: Any) -> list[tuple[str, Any, dict]]:
    kwargs = {"repository": repository, "hub_auth": hub_auth}
    table = [
        ("api/status", StatusHandler),
        ("api/state", StateHandler),
        ("api/secrets", SecretsHandler),
        (f"api/secrets/{_ID}", SecretHandler),
        ("api/values", ValuesHandler),
        (f"api/bindings/{_ID}/{_ID}", BindingHandler),
        ("api/create-and-bind", CreateAndBindHandler),
        (f"api/projects/{_ID}", ProjectHandler),
        (f"api/import/{_ID}", ImportHandler),
        ("api/audit", AuditHandler),
    ]
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    found: list[tuple[str, Any, dict]] = [(prefix + path, cls, kwargs) for path, cls in table]
    found.append((prefix + "api/health", HealthHandler, {"repository": repository}))
    return found
