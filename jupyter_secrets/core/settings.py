"""The settings the server and ``jupyter secrets`` share, read from ``c.SecretsExtension``.

``SecretsSettings`` declares them once, with their defaults and help: which store (its class,
file, key file and size limit), whose secrets, and where values are materialized.  The server's
``SecretsExtension`` (``server/app.py``) and the CLI's view of the same config section,
``SecretsExtension`` below, both take them from here, so that a setting in
``jupyter_server_config.py`` reaches the server and the CLI alike and no default is written
twice.  The defaults themselves come from the layers that own them (``store``, ``core``).
"""

from __future__ import annotations

from typing import Any

from traitlets import HasTraits, Int, TraitError, Type, Unicode, default, validate
from traitlets.config import Config, Configurable

from jupyter_secrets.core.identity import default_owner
from jupyter_secrets.core.states import DEFAULT_EXPIRY_WARNING_DAYS
from jupyter_secrets.store.base import DEFAULT_MAX_VALUE_BYTES, SecretStore
from jupyter_secrets.store.hub import HubSecretStore, hub_service_configured
from jupyter_secrets.store.sqlite import SQLiteSecretStore, default_key_file, default_store_path

SECTION = "SecretsExtension"  # the config section: c.SecretsExtension.<name>


class SecretsSettings(HasTraits):
    """Mixed into a ``Configurable`` whose config section is ``SecretsExtension``."""

    store_class = Type(
        default_value=SQLiteSecretStore,
        klass=SecretStore,
        config=True,
        help="""The user-secret store.  The default keeps encrypted values in a SQLite file
        (`store_path`), or, when the hub sets $JUPYTER_SECRETS_HUB_URL, the JupyterHub secrets
        service (`jupyter_secrets.store.hub.HubSecretStore`, docs/DEPLOYMENT.md); another
        backend implements jupyter_secrets.store.base.SecretStore.""",
    )

    @default("store_class")
    def _default_store_class(self) -> type[SecretStore]:
        # Hub mode is chosen by the hub admin (through the spawner's environment).
        if hub_service_configured():
            return HubSecretStore
        return SQLiteSecretStore

    store_path = Unicode(
        config=True,
        help="""Where the default SQLite store lives.  Default: `secrets.sqlite3` in the
        `jupyter_secrets` folder of the Jupyter data directory (`jupyter --data-dir`).""",
    )

    @default("store_path")
    def _default_store_path(self) -> str:
        return str(default_store_path())

    key_file = Unicode(
        config=True,
        help="""The key file used when JUPYTER_SECRETS_KEY is not set: created on first use
        with mode 0600, beside the store.  Default: `secrets.key` next to `store_path`.""",
    )

    @default("key_file")
    def _default_key_file(self) -> str:
        return str(default_key_file(self.store_path))

    secrets_dir = Unicode(
        "",
        config=True,
        help="""Parent directory of the materialized secret files.  Each server writes into its
        own private subdirectory, `<secrets_dir>/<server>/<project-id>/<filename>`.  Default
        (empty): a memory-backed place, `$XDG_RUNTIME_DIR/jupyter-secrets` or
        `/dev/shm/jupyter-secrets-<uid>`, else a private temporary directory.""",
    )

    max_value_bytes = Int(
        DEFAULT_MAX_VALUE_BYTES,
        config=True,
        help="Largest secret value accepted, in bytes of UTF-8.",
    )

    @validate("max_value_bytes")
    def _check_max_value_bytes(self, proposal: dict[str, Any]) -> int:
        if proposal["value"] < 1:
            raise TraitError("max_value_bytes must be at least 1")
        return proposal["value"]

    expiry_warning_days = Int(
        DEFAULT_EXPIRY_WARNING_DAYS,
        config=True,
        help="""Days before a value's expiry from which it is said to expire soon: a warning in
        the Secrets panel, the User secrets view, the launch dialog, `jupyter secrets status`
        and the server's log at start (names only).  0 turns the warning off.""",
    )

    @validate("expiry_warning_days")
    def _check_expiry_warning_days(self, proposal: dict[str, Any]) -> int:
        if proposal["value"] < 0:
            raise TraitError("expiry_warning_days must be 0 (off) or more")
        return proposal["value"]

    owner = Unicode(
        config=True,
        help="""Whose secrets this server serves.  Default: $JUPYTERHUB_USER, else the user
        running the server.  Every identity holding this server's token acts as this owner.""",
    )

    @default("owner")
    def _default_owner(self) -> str:
        return default_owner()


SHARED_SETTINGS = tuple(SecretsSettings.class_trait_names(config=True))


class SecretsExtension(SecretsSettings, Configurable):
    """The server's ``c.SecretsExtension`` section, as ``jupyter secrets`` reads it.

    The same section name as the server's extension app, so that ``c.SecretsExtension.<name>``
    in a config file and ``--SecretsExtension.<name>=...`` on the command line mean the same
    to both.  Only the shared settings are read here: the server's other settings in that
    section (``on_save``, ...) are the server's to check, and are not warned about here.
    """

    def _find_my_config(self, cfg: Config) -> Config:
        mine = super()._find_my_config(cfg)
        return Config({name: value for name, value in mine.items() if name in SHARED_SETTINGS})
