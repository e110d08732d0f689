"""``jupyter secrets migrate --to-hub``: copy this user's local store into the hub service.

Every secret is copied under its own id with its value, name, times and expiry, then every
binding and every remembered project.  Each secret is one request that the service commits on
its own.  A secret already in the service under its id is left alone when it holds the same
value, name and expiry; when it differs, the local copy replaces it if its modified time is not
older than the hub's (a value changed locally since the last run is brought over), and the
hub's is kept, and named in the output, if it was changed in the hub after the local copy.  So
the command is idempotent and resumable: run again, it copies what is missing or changed.  The local
store is only read (its file is left as it was); remove it yourself once the servers use the
service.  Authenticates with ``$JUPYTERHUB_API_TOKEN`` (set in every hub server's terminals),
or ``--token-env`` naming another variable.
"""

from __future__ import annotations

import os
from pathlib import Path

from traitlets import Bool, Unicode

from jupyter_secrets.cli.application import CLIError
from jupyter_secrets.cli.commands import Command
from jupyter_secrets.errors import NotFound, SecretsError, SecretUnreadable
from jupyter_secrets.store.hub import TOKEN_ENV, URL_ENV, HubSecretStore
from jupyter_secrets.store.sqlite import SQLiteSecretStore


class MigrateApp(Command):
    name = "jupyter secrets migrate"
    description = """Copy your local secrets (store_path, key_file) into the JupyterHub
    secrets service: values, bindings and projects.  Idempotent and resumable; the local
    store is not changed."""
    examples = """\
jupyter secrets migrate --to-hub                       # the hub's service ($JUPYTER_SECRETS_HUB_URL)
jupyter secrets migrate --to-hub --hub-url http://hub:8081/services/jupyter-secrets/
"""
    aliases = {
        **Command.aliases,
        "hub-url": "MigrateApp.hub_url",
        "token-env": "MigrateApp.token_env",
    }
    flags = {
        **Command.flags,
        "to-hub": ({"MigrateApp": {"to_hub": True}}, "Copy the local store into the hub service."),
    }

    to_hub = Bool(False, config=True, help="Copy the local store into the hub service.")
    hub_url = Unicode(
        "", config=True, help=f"The service's URL (default: ${URL_ENV} or c.HubSecretStore.url)."
    )
    token_env = Unicode(
        TOKEN_ENV, config=True, help="The environment variable holding your hub token."
    )

    def execute(self) -> int:
        if not self.to_hub:
            raise CLIError("say where to: `jupyter secrets migrate --to-hub`")
        settings = self.settings
        store_path = Path(settings.store_path).expanduser()
        if not store_path.exists():
            raise CLIError(f"no local store at {store_path}: nothing to migrate")
        token = os.environ.get(self.token_env, "")
        if not token:
            raise CLIError(f"no hub token in ${self.token_env}")
        os.environ[TOKEN_ENV] = token
        local = SQLiteSecretStore.open(store_path, key_file=settings.key_file)
        try:
            if local.locked:
                raise CLIError(f"the local store cannot be read: {local.lock_reason}")
            try:
                if self.hub_url:
                    hub = HubSecretStore(parent=self, url=self.hub_url)
                else:
                    hub = HubSecretStore(parent=self)
            except SecretsError as err:
                raise CLIError(str(err)) from None
            try:
                return self._copy(local, hub, settings.owner)
            finally:
                hub.close()
        finally:
            local.close()

    def _copy(self, local: SQLiteSecretStore, hub: HubSecretStore, owner: str) -> int:
        if hub.locked:
            raise CLIError(f"the hub service cannot take the secrets: {hub.lock_reason}")
        copied = updated = present = kept = failed = 0
        for meta in local.list_secrets(owner):
            try:
                value = local.read_value(owner, meta.id)
            except (SecretUnreadable, NotFound) as err:
                print(f"skipped {meta.name!r}: {err}")
                failed += 1
                continue
            try:
                held, outcome = hub.import_secret(owner, meta, value)
            except SecretsError as err:  # e.g. a different secret of that name in the hub
                print(f"not copied {meta.name!r}: {err}")
                failed += 1
                continue
            del value
            copied += outcome == "created"
            updated += outcome == "updated"
            present += outcome == "unchanged"
            if outcome == "hub-newer":
                kept += 1
                print(
                    f"kept the hub's {held.name!r}: it was changed in the hub ({held.modified}) "
                    f"after the local copy ({meta.modified}); the local value was not copied"
                )
        bound = 0
        for binding in local.bindings(owner):
            if hub.bound_secret_id(owner, binding.project_id, binding.slot_id) == binding.secret_id:
                continue
            try:
                hub.bind(owner, binding.project_id, binding.slot_id, binding.secret_id)
                bound += 1
            except SecretsError as err:
                print(
                    f"binding of slot {binding.slot_id} in {binding.project_id} not copied: {err}"
                )
                failed += 1
        for record in local.projects(owner).values():
            hub.remember_project(owner, record.id, record.name, record.last_path)
        print(
            f"copied {copied} secret(s), {updated} updated (changed locally since copied), "
            f"{present} already in the hub unchanged, {kept} newer in the hub (kept), "
            f"{bound} binding(s) set, {failed} problem(s); the local store {local.path} is "
            "unchanged"
        )
        return 1 if failed else 0
