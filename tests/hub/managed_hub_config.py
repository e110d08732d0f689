"""JupyterHub configuration of the *managed* secrets service test: the base test hub
(jupyterhub_config.py) plus, nearly verbatim, the ``jupyterhub_config.py`` of
docs/DEPLOYMENT.md — the hub itself starts ``python -m jupyter_secrets.hub`` from
``command`` with the documented ``environment``.  Differences from the document, all forced
by the test machine: a free port instead of 10101, the services and roles *added* to the base
hub's (its admin service drives the test), and the marker variable that lets the test find
every process the hub started.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file
load_subconfig(str(Path(__file__).with_name("jupyterhub_config.py")))  # noqa: F821

port = os.environ["JS_HUB_MANAGED_PORT"]

# ---- docs/DEPLOYMENT.md, "jupyterhub_config.py"
# The secrets service, started and restarted by the hub (a "managed" service).
c.JupyterHub.services.append(
    {
        "name": "jupyter-secrets",
        "url": f"http://127.0.0.1:{port}",
        "command": [sys.executable, "-m", "jupyter_secrets.hub"],
        "environment": {
            "JUPYTER_SECRETS_HUB_DB_URL": os.environ["JUPYTER_SECRETS_HUB_DB_URL"],
            "JUPYTER_SECRETS_HUB_KEYS": os.environ["JUPYTER_SECRETS_HUB_KEYS"],
            "JS_HUB_MARKER": os.environ["JS_HUB_MARKER"],  # the test's, not the document's
        },
    }
)

# Who may use it: every user (their own rows only), and every server's own token.
c.JupyterHub.load_roles = [
    {"name": "user", "scopes": ["self", "access:services!service=jupyter-secrets"]},
    {"name": "admin", "services": ["secrets-test-admin"]},  # the test's admin service
]
c.Spawner.server_token_scopes = [
    "users:activity!user",  # the two scopes of the default `server` role
    "access:servers!server",
    "access:services!service=jupyter-secrets",
]

# Tell every single-user server where the service is: this selects hub mode.
c.Spawner.environment["JUPYTER_SECRETS_HUB_URL"] = (
    f"http://127.0.0.1:{port}/services/jupyter-secrets/"
)
