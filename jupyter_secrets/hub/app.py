"""``jupyter-secrets-hub``: the JupyterHub service holding every hub user's secrets.

A traitlets ``Application`` as every Jupyter app: settings from ``--SecretsHub.<name>=...``, a
config file (``--config``, default ``jupyter_secrets_hub_config.py`` in the working directory)
and, for what JupyterHub hands a managed service, the environment (``JUPYTERHUB_SERVICE_URL``,
``JUPYTERHUB_SERVICE_PREFIX``, ``JUPYTERHUB_API_TOKEN``...).  The service keeps no state of its
own (everything is in the database), so several replicas may serve one database.

Subcommands: ``upgrade-db`` (migrate, then exit), ``rotate-keys`` (re-wrap every data key under
the first service key, then exit).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any
from urllib.parse import urlparse

from traitlets import Bool, Int, Unicode, default
from traitlets.config import Application, catch_config_error

from jupyter_secrets._version import __version__
from jupyter_secrets.errors import StoreLocked
from jupyter_secrets.hub import db
from jupyter_secrets.hub.keys import KEY_FILE_ENV, KEYS_ENV, ServiceKeys, load_service_keyring
from jupyter_secrets.hub.repository import Repository
from jupyter_secrets.store.base import DEFAULT_MAX_VALUE_BYTES

DB_URL_ENV = "JUPYTER_SECRETS_HUB_DB_URL"


class SecretsHub(Application):
    name = "jupyter-secrets-hub"
    version = __version__
    description = """The JupyterHub secrets service of jupyter_secrets: per-user encrypted
    secrets in PostgreSQL (or SQLite), reached by single-user servers with their hub token."""

    aliases = {
        "db-url": "SecretsHub.db_url",
        "key-file": "SecretsHub.key_file",
        "url": "SecretsHub.url",
        "prefix": "SecretsHub.prefix",
        "config": "SecretsHub.config_file",
        "log-level": "Application.log_level",
    }
    flags = {
        "no-upgrade-db": (
            {"SecretsHub": {"upgrade_db": False}},
            "Do not migrate the database at start (run `jupyter-secrets-hub upgrade-db`).",
        )
    }
    subcommands = {
        "upgrade-db": (
            "jupyter_secrets.hub.app.UpgradeDB",
            "Bring the database to the current schema, then exit.",
        ),
        "rotate-keys": (
            "jupyter_secrets.hub.app.RotateKeys",
            "Re-wrap every user's data key under the first service key, then exit.",
        ),
    }

    config_file = Unicode(
        "jupyter_secrets_hub_config.py",
        config=True,
        help="A Python config file (`c.SecretsHub.<name> = ...`), read if it exists.",
    )

    db_url = Unicode(
        config=True,
        help=f"""The database: `postgresql://user:password@host:5432/db` (asyncpg) or
        `sqlite:////path/to/secrets.sqlite` (aiosqlite, a small hub).  Default: ${DB_URL_ENV},
        else `sqlite:///jupyter_secrets_hub.sqlite` in the working directory.""",
    )

    @default("db_url")
    def _db_url(self) -> str:
        return os.environ.get(DB_URL_ENV, "sqlite:///jupyter_secrets_hub.sqlite")

    key_file = Unicode(
        config=True,
        help=f"""A file (e.g. a mounted Kubernetes Secret) holding the service keys, used when
        ${KEYS_ENV} is not set: `;`-separated base64 keys of 32 bytes, the first encrypts.
        Default: ${KEY_FILE_ENV}.""",
    )

    @default("key_file")
    def _key_file(self) -> str:
        return os.environ.get(KEY_FILE_ENV, "")

    url = Unicode(
        config=True,
        help="Where to listen (host and port are used).  Default: $JUPYTERHUB_SERVICE_URL.",
    )

    @default("url")
    def _url(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101")

    prefix = Unicode(
        config=True,
        help="The URL prefix of the routes.  Default: $JUPYTERHUB_SERVICE_PREFIX.",
    )

    @default("prefix")
    def _prefix(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/jupyter-secrets/")

    max_value_bytes = Int(
        DEFAULT_MAX_VALUE_BYTES, config=True, help="The largest value accepted, in bytes."
    )

    upgrade_db = Bool(
        True,
        config=True,
        help="""Migrate the database to the current schema at start (replicas take turns
        through a PostgreSQL advisory lock).""",
    )

    pool_size = Int(
        10, config=True, help="Database connections per replica (and as many more on demand)."
    )

    token_cache_seconds = Int(
        60,
        config=True,
        help="""How long a token's identity from the hub is reused before asking the hub
        again (a revoked token keeps working at most this long).""",
    )

    @catch_config_error
    def initialize(self, argv: Any = None) -> None:
        super().initialize(argv)
        if self.subapp is not None:
            return
        if self.config_file and os.path.exists(self.config_file):
            self.load_config_file(self.config_file)

    # ------------------------------------------------------------------ building
    def service_keys(self) -> tuple[ServiceKeys | None, str]:
        try:
            keyring = load_service_keyring(os.environ.get(KEYS_ENV, ""), self.key_file)
        except StoreLocked as err:
            return None, str(err)
        finally:
            # The keys reach no child process and no later reader of the environment.
            os.environ.pop(KEYS_ENV, None)
        return ServiceKeys(keyring), ""

    async def open_repository(self) -> Repository:
        if self.upgrade_db:
            await asyncio.to_thread(db.upgrade, self.db_url)
        engine = db.make_engine(self.db_url, self.pool_size)
        keys, reason = self.service_keys()
        repository = Repository(engine, keys, self.max_value_bytes)
        await repository.open(reason)
        return repository

    async def serve(self) -> None:
        from jupyterhub.services.auth import HubAuth
        from tornado import web

        from jupyter_secrets.hub.handlers import routes

        repository = await self.open_repository()
        if repository.locked:
            self.log.error(
                "jupyter-secrets-hub is LOCKED, it writes nothing: %s", repository.lock_reason
            )
        hub_auth = HubAuth(cache_max_age=self.token_cache_seconds)
        app = web.Application(routes(self.prefix, repository, hub_auth), log_function=_log_request)
        where = urlparse(self.url)
        server = app.listen(where.port or 80, where.hostname or "127.0.0.1", xheaders=True)
        self.log.info(
            "jupyter-secrets-hub %s serving %s%s (database: %s)",
            __version__,
            self.url.rstrip("/"),
            self.prefix,
            _redacted(self.db_url),
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        server.stop()
        await server.close_all_connections()
        await repository.engine.dispose()
        self.log.info("jupyter-secrets-hub stopped")

    def start(self) -> None:
        if self.subapp is not None:
            self.subapp.start()
            return
        asyncio.run(self.serve())


class _Subcommand(SecretsHub):
    subcommands: dict = {}

    def initialize(self, argv: Any = None) -> None:
        Application.initialize(self, argv)
        if self.config_file and os.path.exists(self.config_file):
            self.load_config_file(self.config_file)


class UpgradeDB(_Subcommand):
    name = "jupyter-secrets-hub upgrade-db"
    description = "Bring the database to the current schema, then exit."

    def start(self) -> None:
        db.upgrade(self.db_url)
        print(f"database at {_redacted(self.db_url)} is at the current schema")


class RotateKeys(_Subcommand):
    name = "jupyter-secrets-hub rotate-keys"
    description = f"""Re-wrap every user's data key under the first key of ${KEYS_ENV} (or the
    key file); the values are not re-encrypted.  Keep the old key listed after the new one
    until this has run, then remove it."""

    def start(self) -> None:
        async def go() -> int:
            repository = await self.open_repository()
            try:
                if repository.locked:
                    raise SystemExit(f"cannot rotate: {repository.lock_reason}")
                return await repository.rotate()
            finally:
                await repository.engine.dispose()

        count = asyncio.run(go())
        print(f"re-wrapped {count} data key(s) under the first service key")


def _redacted(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


def _log_request(handler: Any) -> None:
    import logging

    status = handler.get_status()
    log = logging.getLogger("tornado.access")
    level = logging.INFO if status < 400 else logging.WARNING
    if status < 400 and handler.request.path.endswith(("/api/state", "/api/status", "/api/health")):
        level = logging.DEBUG  # the refresh of every server: not worth a line each
    # The path and status only: no query, no body, no header.
    log.log(
        level,
        "%d %s %s %.1fms",
        status,
        handler.request.method,
        handler.request.path,
        1000 * handler.request.request_time(),
    )


def main(argv: list[str] | None = None) -> None:
    app = SecretsHub.instance()
    app.initialize(argv if argv is not None else sys.argv[1:])
    app.start()
