"""jupyter_secrets: per-user encrypted secrets for Jupyter projects.

Importing this package is cheap on purpose: kernels import it for the helper
(``get_secret``), so it must not pull in jupyter_server, tornado or cryptography.
The server extension is reached lazily through the entry points below.
"""

from jupyter_secrets._version import __version__
from jupyter_secrets.helper import (
    SecretNotFoundError,
    SecretNotTextError,
    get_secret,
    get_secret_bytes,
    list_secrets,
    secret_path,
)

__all__ = [
    "SecretNotFoundError",
    "SecretNotTextError",
    "__version__",
    "get_secret",
    "get_secret_bytes",
    "list_secrets",
    "secret_path",
]


def _jupyter_server_extension_points() -> list[dict]:
    from jupyter_secrets.server.app import SecretsExtension

    return [{"module": "jupyter_secrets", "app": SecretsExtension}]


def _jupyter_labextension_paths() -> list[dict]:
    return [{"src": "labextension", "dest": "jupyter-secrets"}]
