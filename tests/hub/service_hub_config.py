"""JupyterHub configuration of the hub secrets service's tests: the base test hub
(jupyterhub_config.py: loopback, alice and bob, local single-user servers with this package)
plus what an admin adds for hub mode (docs/DEPLOYMENT.md shows the same for a real hub):

- the service ``jupyter-secrets``, registered by URL (the tests run it themselves, so that
  they can kill, restart and re-key it; a managed service is the same process started by the
  hub with ``command``);
- the scopes: users may access the service, and each server's own token
  (``server_token_scopes``) too;
- every single-user server told where the service is (``JUPYTER_SECRETS_HUB_URL``), which
  selects ``HubSecretStore``; named servers; a short refresh interval.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file
load_subconfig(str(Path(__file__).with_name("jupyterhub_config.py")))  # noqa: F821

service = json.loads(os.environ["JS_HUB_SECRETS_SERVICE"])  # {name, url, token}
name = service["name"]

c.JupyterHub.services.append({"name": name, "url": service["url"], "api_token": service["token"]})
c.JupyterHub.load_roles = [
    {"name": "user", "scopes": ["self", f"access:services!service={name}"]},
    {"name": "admin", "services": ["secrets-test-admin"]},
]
c.JupyterHub.allow_named_servers = True
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    f"access:services!service={name}",
]
c.Spawner.environment["JUPYTER_SECRETS_HUB_URL"] = service["url"].rstrip("/") + f"/services/{name}/"
c.Spawner.environment["JS_HUB_MARKER"] = os.environ["JS_HUB_MARKER"]

_base_hook = c.Spawner.pre_spawn_hook


def pre_spawn_hook(spawner):
    _base_hook(spawner)
    spawner.args += [
        f"--SecretsExtension.refresh_interval={os.environ.get('JS_HUB_REFRESH', '2')}",
        "--HubSecretStore.retry_seconds=1",
        "--HubSecretStore.snapshot_ttl=0.5",
    ]
    if spawner.name:
        # A named server gets its own secrets directory (its own tree of files).
        run = (
            Path(os.environ["JS_HUB_WORKDIR"]) / "users" / spawner.user.name / f"run-{spawner.name}"
        )
        run.mkdir(mode=0o700, exist_ok=True)
        spawner.args = [
            a for a in spawner.args if not a.startswith("--SecretsExtension.secrets_dir=")
        ]
        spawner.args.append(f"--SecretsExtension.secrets_dir={run}")


c.Spawner.pre_spawn_hook = pre_spawn_hook
