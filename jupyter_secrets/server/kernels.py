"""Give kernels their project's secrets: a kernel provisioner that extends the launch environment.

``pre_launch`` is jupyter_client's supported place to shape a kernel's environment, and it
runs for every start and restart, whether the kernel came from a session (``POST
/api/sessions``, what JupyterLab does) or directly (``POST /api/kernels``).  The project comes
from the kernel's working directory, which jupyter_server derives from the notebook's path.

Values are added *after* the base class has applied the kernelspec's ``env`` templates, so a
``$`` in a value is never substituted.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner

from jupyter_secrets.store.crypto import ENV_VAR as KEY_ENV_VAR

PROVISIONER_NAME = "jupyter-secrets-provisioner"
# Loads the output redaction into IPython kernels; a kernel without jupyter_secrets installed
# only logs that the extension is missing, and runs on.
REDACTION_ARGUMENT = "--IPKernelApp.extra_extensions=jupyter_secrets.guards.kernel_redact"

EnvSource = Callable[[str | None], dict[str, str]]


@dataclass(frozen=True)
class KernelHooks:
    """What one server adds to its kernels."""

    env: EnvSource
    redact_output: bool = True
    #: Variables removed from every kernel's environment (hub mode: the server's hub token,
    #: unless ``c.SecretsExtension.kernel_hub_token`` is True; see docs/DEPLOYMENT.md).
    strip_env: tuple[str, ...] = ()


# The hooks of each server's kernel manager (a MultiKernelManager).  Keyed weakly by that
# manager, so several servers in one process (tests) each reach their own service.
_hooks: weakref.WeakKeyDictionary[Any, KernelHooks] = weakref.WeakKeyDictionary()


def is_ipykernel(cmd: list[str]) -> bool:
    return any("ipykernel" in part for part in cmd)


class SecretsProvisioner(LocalProvisioner):
    """A LocalProvisioner that adds ``JUPYTER_SECRETS_DIR`` and the project's ``env`` slots."""

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        kwargs = await super().pre_launch(**kwargs)
        # A kernel manager made outside a server (no parent) gets a plain local launch.
        manager = getattr(self.parent, "parent", None)
        hooks = _hooks.get(manager) if manager is not None else None
        if hooks is not None:
            # The store key never reaches a kernel, even if the server's environment had it.
            kwargs["env"].pop(KEY_ENV_VAR, None)
            for name in hooks.strip_env:
                kwargs["env"].pop(name, None)
            # Off the event loop: finding the project and writing its files reads the store.
            kwargs["env"].update(await asyncio.to_thread(hooks.env, kwargs.get("cwd")))
            cmd = kwargs.get("cmd") or []
            if hooks.redact_output and is_ipykernel(cmd) and REDACTION_ARGUMENT not in cmd:
                kwargs["cmd"] = [*cmd, REDACTION_ARGUMENT]
        return kwargs


def install(kernel_manager: Any, hooks: KernelHooks, log: Any) -> bool:
    """Make this server's kernels launch through SecretsProvisioner.

    Only the default provisioner is replaced, and only while it is jupyter_client's own: a
    deployment that chose another provisioner keeps it (and its kernels get no secrets env;
    we say so in the log).  Returns whether kernels will get the environment.

    The choice is made in the kernel manager's configuration, which the provisioner factory
    reads when the first kernel starts: making the factory now would scan every installed
    package's entry points at server start (issue 16).  A factory that already exists (made
    by another server in this process, or by other code) is changed directly.
    """
    _hooks[kernel_manager] = hooks
    if KernelProvisionerFactory.initialized():
        factory = KernelProvisionerFactory.instance()
        chosen = factory.default_provisioner_name
        if chosen in ("local-provisioner", PROVISIONER_NAME):
            factory.default_provisioner_name = PROVISIONER_NAME
            return True
    else:
        chosen = _configured_default(kernel_manager)
        if chosen in ("local-provisioner", PROVISIONER_NAME):
            kernel_manager.config.KernelProvisionerFactory.default_provisioner_name = (
                PROVISIONER_NAME
            )
            return True
    log.warning(
        "jupyter_secrets: kernels use the provisioner %r, so they will not get "
        "JUPYTER_SECRETS_DIR; use `jupyter secrets run` or set it in that provisioner",
        chosen,
    )
    return False


def _configured_default(kernel_manager: Any) -> str:
    """The default provisioner the factory will take: its config, else jupyter_client's
    environment variable, else ``local-provisioner`` (as ``KernelProvisionerFactory`` does)."""
    section = kernel_manager.config.get("KernelProvisionerFactory", {})
    if "default_provisioner_name" in section:
        return str(section["default_provisioner_name"])
    return os.environ.get(
        KernelProvisionerFactory.default_provisioner_name_env, "local-provisioner"
    )


def uninstall(kernel_manager: Any) -> None:
    """Forget this server's hooks; the last server to go gives the default provisioner back."""
    _hooks.pop(kernel_manager, None)
    section = kernel_manager.config.get("KernelProvisionerFactory", {})
    if section.get("default_provisioner_name") == PROVISIONER_NAME:
        del section["default_provisioner_name"]
    if not _hooks and KernelProvisionerFactory.initialized():
        factory = KernelProvisionerFactory.instance()
        if factory.default_provisioner_name == PROVISIONER_NAME:
            factory.default_provisioner_name = "local-provisioner"
