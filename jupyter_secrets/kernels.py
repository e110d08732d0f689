"""Give kernels their project's secrets: a kernel provisioner that extends the launch environment.

``pre_launch`` is jupyter_client's supported place to shape a kernel's environment, and it
runs for every start and restart, whether the kernel came from a session (``POST
/api/sessions``, what JupyterLab does) or directly (``POST /api/kernels``).  The project comes
from the kernel's working directory, which jupyter_server derives from the notebook's path.

Values are added *after* the base class has applied the kernelspec's ``env`` templates, so a
``$`` in a value is never substituted.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner

PROVISIONER_NAME = "jupyter-secrets-provisioner"

# The environment source of each server's kernel manager (a MultiKernelManager).  Keyed weakly
# by that manager, so several servers in one process (tests) each reach their own service.
EnvSource = Callable[[str | None], dict[str, str]]
_env_sources: "weakref.WeakKeyDictionary[Any, EnvSource]" = weakref.WeakKeyDictionary()


class SecretsProvisioner(LocalProvisioner):
    """A LocalProvisioner that adds ``JUPYTER_SECRETS_DIR`` and the project's ``env`` slots."""

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        kwargs = await super().pre_launch(**kwargs)
        source = _env_sources.get(getattr(self.parent, "parent", None))
        if source is not None:
            kwargs["env"].update(source(kwargs.get("cwd")))
        return kwargs


def install(kernel_manager: Any, env_source: EnvSource, log: Any) -> bool:
    """Make this server's kernels launch through SecretsProvisioner.

    Only the default provisioner is replaced, and only while it is jupyter_client's own: a
    deployment that chose another provisioner keeps it (and its kernels get no secrets env;
    we say so in the log).  Returns whether kernels will get the environment.
    """
    _env_sources[kernel_manager] = env_source
    factory = KernelProvisionerFactory.instance(parent=kernel_manager)
    if factory.default_provisioner_name in ("local-provisioner", PROVISIONER_NAME):
        factory.default_provisioner_name = PROVISIONER_NAME
        return True
    log.warning(
        "jupyter_secrets: kernels use the provisioner %r, so they will not get "
        "JUPYTER_SECRETS_DIR; use `jupyter secrets run` or set it in that provisioner",
        factory.default_provisioner_name,
    )
    return False


def uninstall(kernel_manager: Any) -> None:
    _env_sources.pop(kernel_manager, None)
