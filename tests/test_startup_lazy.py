"""Server start stays light (issue 16): the leak guards' matcher, the kernel extension and
the extension secrets' use cases are imported on first use, and the kernel provisioner is chosen in the configuration instead of
making jupyter_client's provisioner factory (which scans every package's entry points)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap


def test_a_started_server_has_not_loaded_the_matcher_nor_the_provisioner_factory(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    code = textwrap.dedent(
        f"""
        import json, sys
        from jupyter_server.serverapp import ServerApp
        from jupyter_client.provisioning import KernelProvisionerFactory
        app = ServerApp()
        app.initialize(argv=[
            "--ServerApp.jpserver_extensions={{'jupyter_secrets': True}}",
            "--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
            "--ServerApp.port=0", "--ServerApp.allow_root=True",
            "--SecretsExtension.store_path={tmp_path / "store" / "s.sqlite3"}",
            "--SecretsExtension.secrets_dir={run}",
            "--SecretsExtension.prompt_on_start=never",
        ])
        apps = app.extension_manager.extension_apps["jupyter_secrets"]
        loaded = bool(apps) and all(hasattr(e, "service") for e in apps)
        config = app.kernel_manager.config.KernelProvisionerFactory.get("default_provisioner_name")
        report = {{
            "loaded": loaded,
            "modules": sorted(m for m in ("jupyter_secrets.guards.redact", "ahocorasick",
                "ahocorasick_rs", "jupyter_secrets.guards.kernel_redact",
                "jupyter_secrets.core.extension_secrets") if m in sys.modules),
            "factory_made": KernelProvisionerFactory.initialized(),
            "configured": config,
        }}
        # The first kernel's factory takes the configured default.
        factory = KernelProvisionerFactory.instance(parent=app.kernel_manager)
        report["factory_default"] = factory.default_provisioner_name
        print(json.dumps(report))
        """
    )
    env = {
        **os.environ,
        "JUPYTER_SECRETS_KEY": base64.b64encode(os.urandom(32)).decode(),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    env.pop("JUPYTER_DEFAULT_PROVISIONER_NAME", None)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] is True
    assert report["modules"] == []
    assert report["factory_made"] is False
    assert report["configured"] == "jupyter-secrets-provisioner"
    assert report["factory_default"] == "jupyter-secrets-provisioner"
