"""JupyterHub configuration of the real-hub tests (tests/hub/hub_process.py starts it).

Everything comes from the environment the test sets for the hub process (``JS_HUB_*``), so this
file stays readable as what a hub admin writes: loopback ports, a shared-password login for
alice and bob, every single-user server run as the current OS user (no ``useradd``), sharing
enabled, and each server started from this venv with ``jupyter_secrets`` enabled, its own key,
store, secrets directory and Jupyter directories under the test's temporary directory.
"""

import json
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

work = Path(os.environ["JS_HUB_WORKDIR"])
ports = json.loads(os.environ["JS_HUB_PORTS"])
keys = json.loads(os.environ["JS_HUB_SECRETS_KEYS"])  # {user: JUPYTER_SECRETS_KEY}
users = sorted(keys)
marker = os.environ["JS_HUB_MARKER"]  # lets the fixture find every process of this hub

# ---- the hub, its proxy, its state: loopback only, all inside the temporary directory
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = ports["public"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = ports["hub"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{ports['proxy_api']}"
c.ConfigurableHTTPProxy.command = [os.environ["JS_HUB_CHP"]]
c.ConfigurableHTTPProxy.pid_file = str(work / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{work / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(work / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(work / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# ---- who: alice and bob, one password (never used by the test itself: tokens come from
# the admin service below)
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ["JS_HUB_PASSWORD"]
c.Authenticator.allowed_users = set(users)

# The test drives the hub as an admin service: starts servers, issues user tokens.
c.JupyterHub.services = [
    {"name": "secrets-test-admin", "api_token": os.environ["JS_HUB_ADMIN_TOKEN"]},
]

# Sharing (JupyterHub 5+): users may share their own servers, with users named by name.
c.JupyterHub.load_roles = [
    {"name": "user", "scopes": ["self", "shares!user", "read:users:name"]},
    {"name": "admin", "services": ["secrets-test-admin"]},
]

# ---- the single-user servers: this venv's jupyterhub-singleuser, as the current OS user
c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 90
c.SimpleLocalProcessSpawner.home_dir_template = str(work / "users" / "{username}" / "home")


def user_dir(spawner, *parts: str) -> str:
    return str(work / "users" / spawner.user.name / Path(*parts))


c.Spawner.environment = {
    "JUPYTER_SECRETS_KEY": lambda spawner: keys[spawner.user.name],
    "JUPYTER_CONFIG_DIR": lambda spawner: user_dir(spawner, "config"),
    "JUPYTER_DATA_DIR": lambda spawner: user_dir(spawner, "data"),
    "JUPYTER_RUNTIME_DIR": lambda spawner: user_dir(spawner, "runtime"),
    "JUPYTER_PLATFORM_DIRS": "1",
    "JS_HUB_MARKER": marker,
}


def pre_spawn_hook(spawner):
    """Each user's own directories and command line (paths depend on the user's name)."""
    base = work / "users" / spawner.user.name
    for name in ("home", "config", "data", "runtime", "store"):
        (base / name).mkdir(parents=True, exist_ok=True)
    (base / "run").mkdir(mode=0o700, exist_ok=True)
    spawner.args = [
        "--ServerApp.jpserver_extensions=jupyter_secrets=True",
        f"--SecretsExtension.store_path={base / 'store' / 'secrets.sqlite3'}",
        f"--SecretsExtension.secrets_dir={base / 'run'}",
        "--SecretsExtension.prompt_on_start=never",
    ]
    if os.geteuid() == 0:
        # jupyter_server refuses to run as root without it; a non-root run needs nothing.
        spawner.args.append("--allow-root")


c.Spawner.pre_spawn_hook = pre_spawn_hook
