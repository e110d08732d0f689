"""The Jupyter server extension: every setting as a documented trait, and the wiring.

``SecretsExtension`` builds one ``SecretsService`` for the server and hands it to the REST
handlers (through handler kwargs), to the kernel provisioner and to terminals.  It owns the
materialized files: they are removed when the server stops.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_server.extension.application import ExtensionApp
from tornado.ioloop import PeriodicCallback
from traitlets import Bool, Enum, Int

from jupyter_secrets._version import __version__
from jupyter_secrets.cli.prompt import call_on_loop, direct_call, prompt_or_log
from jupyter_secrets.core.service import SecretsService
from jupyter_secrets.core.settings import SecretsSettings
from jupyter_secrets.errors import SecretsError
from jupyter_secrets.files import Materializer, choose_base_dir, cleanup_all_stale, new_server_dir
from jupyter_secrets.guards.save_guard import MODES as SAVE_MODES
from jupyter_secrets.guards.save_guard import install_save_guard
from jupyter_secrets.server import kernels, terminals, unserved
from jupyter_secrets.server.access import Access, gives_stable_names
from jupyter_secrets.server.events import Events
from jupyter_secrets.server.handlers import handlers
from jupyter_secrets.store.base import SecretStore
from jupyter_secrets.store.crypto import ENV_VAR
from jupyter_secrets.store.hub import HUB_TOKEN_VARS, HubSecretStore

if TYPE_CHECKING:
    from jupyter_server.serverapp import ServerApp

    # The leak guards' matcher (pyahocorasick, ahocorasick_rs) and the kernel extension are
    # imported when first used, not at server start (issue 16).
    from jupyter_secrets.guards.redact import Redactor


class SecretsExtension(SecretsSettings, ExtensionApp):
    """Per-user encrypted secrets for Jupyter projects."""

    name = "jupyter_secrets"
    description = "Per-user encrypted secrets, filled into project slots and read by kernels."

    # The settings shared with `jupyter secrets` (store, owner, secrets_dir, size limit) are
    # declared once, in core/settings.py (SecretsSettings); the server-only ones follow.

    prompt_on_start = Enum(
        ["auto", "always", "never"],
        default_value="auto",
        config=True,
        help="""Ask for the default project's missing values in the terminal at start:
        "auto" when the server's standard input and output are a terminal, "always" (fails
        over to logging when there is no terminal), "never".""",
    )

    on_save = Enum(
        list(SAVE_MODES),
        default_value="redact",
        config=True,
        help="""What the save guard does when a file saved through the contents API contains a
        materialized secret value: replace it with [REDACTED:<slot name>], refuse the save,
        or nothing.""",
    )

    redact_min_length = Int(
        6,
        config=True,
        help="""Values shorter than this are not redacted (in saves and kernel output): short
        values would match ordinary text.""",
    )

    kernel_output_redaction = Bool(
        True,
        config=True,
        help="Redact secret values in the output of IPython kernels started by this server.",
    )

    kernel_hub_token = Bool(
        False,
        config=True,
        help="""Hub mode only: whether kernels keep the server's hub token
        ($JUPYTERHUB_API_TOKEN, $JPY_API_TOKEN).  False (the default): kernels started by this
        server do not get it, so code that reads a kernel's environment cannot call the hub
        secrets service (or the hub) as the server.  Set True only for kernels whose code needs
        the hub API.  A kernel runs as the server's OS user and can still read the server's
        environment from /proc: see the threat model in docs/DEPLOYMENT.md.""",
    )

    allow_command_references = Bool(
        True,
        config=True,
        help="""Whether user secrets may be command references (a command the server runs as
        its user to fetch a value, e.g. `op read ...`).  False: saving one is a 400 and stored
        ones are not run (their slots show fetch-failed); vault references and values work.""",
    )

    refresh_interval = Int(
        30,
        config=True,
        help="""Seconds between checks for changes made outside this server (the CLI, another
        server) and for expired values; 0 turns the check off.""",
    )

    owner_only = Enum(
        ["auto", "always"],
        default_value="auto",
        config=True,
        help="""Who may use the secrets API.  "auto": where the server's identity provider gives
        stable user names (JupyterHub's, or any provider other than jupyter_server's own, whose
        token logins are all anonymous), only the user named `owner`; a guest of a shared
        server gets 403 on every route.  "always": only `owner`, whatever the provider (a login
        whose name is not `owner` is refused).""",
    )

    _redactor: tuple[int, Redactor] | None = None

    # ------------------------------------------------------------------ set-up

    def initialize_settings(self) -> None:
        # The key must reach no child process (kernels, terminals, anything the server starts):
        # take it out of the server's environment once the store has read it.
        key_text = os.environ.get(ENV_VAR, "")
        store_class: type[SecretStore] = self.store_class  # type: ignore[assignment]  # a Type trait of SecretStore
        self.store = store_class.open(
            self.store_path,
            key_file=self.key_file,
            max_value_bytes=self.max_value_bytes,
            parent=self,
        )
        os.environ.pop(ENV_VAR, None)
        self._key_material = {
            part.strip(): "store key" for part in key_text.split(";") if part.strip()
        }
        if self.store.locked:
            self.log.error(
                "jupyter_secrets: the secret store is locked: %s", self.store.lock_reason
            )
        self._announce_new_store()
        self._base = choose_base_dir(self.secrets_dir or None)
        for warning in self._base.warnings:
            self.log.warning("jupyter_secrets: %s", warning)
        removed = cleanup_all_stale(self._base.path)
        if removed:
            self.log.info(
                "jupyter_secrets: removed %d stale secrets tree(s) of stopped servers", removed
            )
        self.materializer = Materializer(new_server_dir(self._base.path))
        # A server stopped by Ctrl-C without a terminal leaves through KeyboardInterrupt and
        # skips stop_extension(): atexit still removes the files.
        atexit.register(self.materializer.remove_all)
        self.events = Events(getattr(self.serverapp, "event_logger", None), self.owner)
        io_loop = getattr(self.serverapp, "io_loop", None)  # made before extensions load
        self.events.loop = getattr(io_loop, "asyncio_loop", None)
        self.access = Access(self.owner, self._owner_only())
        root = Path(self._server.root_dir)
        self.service = SecretsService(
            self.store, root, self.owner, self.materializer, on_change=self.events.change
        )
        self.service.models.expiry_warning_days = self.expiry_warning_days
        self.service.allow_command_references = self.allow_command_references
        self.service.materialize_known_projects()
        self._warn_of_expiries()
        kernels.install(
            self._server.kernel_manager,
            kernels.KernelHooks(
                self._kernel_env,
                self.kernel_output_redaction,
                strip_env=(
                    HUB_TOKEN_VARS
                    if isinstance(self.store, HubSecretStore) and not self.kernel_hub_token
                    else ()
                ),
            ),
            self.log,
        )
        install_save_guard(
            self._server.contents_manager,
            self._current_redactor,
            lambda: self.on_save,
            self.events.save_guard,
        )
        # The prompt waits in a thread once the server listens (its URL printed first); its
        # service calls run on the server's loop, with every other request.
        prompt_or_log(
            self.service,
            self.prompt_on_start,
            self.log,
            in_background=self._prompt_in_background if io_loop is not None else None,
            call=call_on_loop(io_loop.asyncio_loop) if io_loop is not None else direct_call,
        )
        self.log.info(
            "jupyter_secrets %s: store %s, files under %s, %s",
            __version__,
            self.store_path,
            self.materializer.root,
            f"only {self.owner} may use the secrets"
            if self.access.owner_only
            else "every login of this server acts as its owner",
        )

    def _prompt_in_background(self, ask: Callable[[], None]) -> None:
        """Start the launch prompt's thread when the server's loop runs (after the URL)."""

        def start() -> None:
            threading.Thread(target=ask, name="jupyter-secrets-prompt", daemon=True).start()

        self._server.io_loop.add_callback(start)

    @property
    def _server(self) -> ServerApp:
        assert self.serverapp is not None, "the extension runs inside a server"
        return self.serverapp

    def _owner_only(self) -> bool:
        if self.owner_only == "always":
            return True
        return gives_stable_names(getattr(self.serverapp, "identity_provider", None))

    def _warn_of_expiries(self) -> None:
        """Values about to stop being written: their names (never a value) in the log at start."""
        if self.expiry_warning_days <= 0:
            return
        try:
            # One model at a time (issue 16): 10,000 secrets are never 10,000 models at start.
            soon = [s for s in self.service.iter_user_secrets() if s.expires_soon]
        except SecretsError as err:  # an unusable store is said elsewhere
            self.log.debug("jupyter_secrets: expiries not checked: %s", err.message)
            return
        if soon:
            self.log.warning(
                "jupyter_secrets: %d secret(s) expire within %d day(s), then are no longer "
                "written for kernels: %s. Replace them (Secrets panel, User secrets, or "
                "`jupyter secrets set NAME --expires DATE`).",
                len(soon),
                self.expiry_warning_days,
                ", ".join(f"'{s.name}' ({s.expires})" for s in soon),
            )

    def _announce_new_store(self) -> None:
        """A store created just now, where the owner may have expected one: say so loudly.

        On JupyterHub an empty store usually means a lost or unmounted volume, not a new user;
        the admin tells them apart from this warning and from `store_created` in the status.
        """
        if not getattr(self.store, "created_now", False):
            return
        self.log.warning(
            "jupyter_secrets: created a new, empty secret store at %s%s. If this user had "
            "secrets before, the volume holding the old store was lost or is not mounted.",
            self.store_path,
            " (JupyterHub user " + os.environ["JUPYTERHUB_USER"] + ")"
            if os.environ.get("JUPYTERHUB_USER")
            else "",
        )

    def _status(self) -> dict[str, Any]:
        return {
            "version": __version__,
            "on_save": self.on_save,
            "secrets_dir": str(self.materializer.root),
            "secrets_dir_memory_backed": self._base.memory_backed,
            "secrets_dir_warnings": list(self._base.warnings),
            "store_created": getattr(self.store, "created_at", None),
            "store_created_now": bool(getattr(self.store, "created_now", False)),
        }

    def _kernel_env(self, cwd: str | None) -> dict[str, str]:
        from jupyter_secrets.guards.kernel_redact import MIN_LENGTH_VAR

        return {**self.service.kernel_env(cwd), MIN_LENGTH_VAR: str(self.redact_min_length)}

    def _current_redactor(self) -> Redactor:
        """The save guard's matcher, rebuilt only when the materialized values changed."""
        version = self.service.values_version
        if self._redactor is None or self._redactor[0] != version:
            # The store key too: a server started with JUPYTER_SECRETS_KEY had it in its
            # environment, which code run as the owner can still read from /proc.
            values = {**self._key_material, **self.service.materialized_values()}
            from jupyter_secrets.guards.redact import Redactor

            self._redactor = (version, Redactor(values, self.redact_min_length))
        return self._redactor[1]

    def initialize_handlers(self) -> None:
        self.handlers.extend(
            handlers(service=self.service, access=self.access, status=self._status)
        )
        web_app = getattr(self.serverapp, "web_app", None)
        if web_app is not None:
            protected = unserved.protected_paths(self.store_path, self.key_file, self._base.path)
            unserved.install(
                web_app,
                unserved.UnservedMatcher(self._server.base_url, self._server.root_dir, protected),
            )

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        # Terminals load after us (their extension sorts later), so their manager exists only now.
        terminal_manager = serverapp.web_app.settings.get("terminal_manager")
        if terminal_manager is not None:
            root = str(Path(serverapp.root_dir))
            terminals.install(
                terminal_manager,
                lambda cwd, from_store=True: self.service.kernel_env(
                    cwd or root, from_store=from_store
                ),
                Path(root),
            )
        if self.refresh_interval > 0:
            self._refresher = PeriodicCallback(self._refresh, self.refresh_interval * 1000)
            self._refresher.start()
        self._stop_on_hangup(serverapp)

    async def _refresh(self) -> None:
        # Off the event loop, like every store call of the handlers; PeriodicCallback waits
        # for it, so two refreshes never overlap.
        await asyncio.to_thread(self.service.refresh)

    def _stop_on_hangup(self, serverapp) -> None:
        """SIGHUP (the terminal that started the server closed) stops it as SIGTERM does.

        Its default action ends the process on the spot, leaving every value in the secrets
        directory until the next start.  A handler someone else installed (or ``nohup``'s
        ignore) is left alone.
        """
        if threading.current_thread() is not threading.main_thread():
            return  # signals can only be set from the main thread (servers started in tests)
        if signal.getsignal(signal.SIGHUP) is not signal.SIG_DFL:
            return

        def stop(signum, _frame):
            self.log.critical("jupyter_secrets: received SIGHUP, stopping the server")
            serverapp.stop(from_signal=True)

        signal.signal(signal.SIGHUP, stop)

    async def stop_extension(self) -> None:
        """Clean up whatever was set up: a start that failed half-way must still stop."""
        steps = (
            ("stop the refresh", lambda: self._refresher.stop(), "_refresher"),
            (
                "restore the kernel provisioner",
                lambda: kernels.uninstall(self._server.kernel_manager),
                "service",
            ),
            (
                "stop the reference fetches",
                lambda: self.service.sync.fetcher.close(),
                "service",
            ),
            (
                "remove the materialized secrets",
                lambda: self.materializer.remove_all(),
                "materializer",
            ),
            ("close the store", lambda: self.store.close(), "store"),
        )
        for what, step, needs in steps:
            if getattr(self, needs, None) is None:
                continue  # never set up: the start stopped before it
            try:
                step()
            except Exception:  # one failed step must not keep the server (and kernels) running
                self.log.exception("jupyter_secrets: could not %s", what)
        if getattr(self, "materializer", None) is not None:
            self.log.info("jupyter_secrets: removed the materialized secrets")
