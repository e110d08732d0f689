"""Who is who: whose secrets a process serves, and which operating-system user runs it."""

from __future__ import annotations

import getpass
import os


def default_owner() -> str:
    """Whose secrets: the JupyterHub user in a hub's single-user server, else the OS user."""
    return os.environ.get("JUPYTERHUB_USER") or process_user()


def process_user() -> str:
    """The operating-system user running this process."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers with an arbitrary uid)
        return f"uid {os.getuid()}"
