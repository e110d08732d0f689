"""``jupyter secrets run -- CMD ...``: one command with a project's secrets, then clean up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from jupyter_secrets.cli.application import SECRETS_DIR_ALIAS, CLIError, UsageError
from jupyter_secrets.cli.commands import ProjectCommand
from jupyter_secrets.core.states import needs_value
from jupyter_secrets.store.crypto import ENV_VAR as KEY_ENV_VAR


class RunApp(ProjectCommand):
    name = "jupyter secrets run"
    synopsis = "[--project DIR] [--secrets-dir DIR] [options] -- CMD ..."
    arguments = ("CMD ...",)
    description = """Materialize a project's secrets for one command (papermill, cron jobs), set
    JUPYTER_SECRETS_DIR and env slots, and clean up after it, even when it fails.  Everything
    after `--` (or from the first argument that is not an option) is the command, passed on
    untouched; the exit code is the command's."""
    aliases = {**ProjectCommand.aliases, **SECRETS_DIR_ALIAS}
    examples = "jupyter secrets run -- papermill in.ipynb out.ipynb"

    def check_arguments(self) -> None:
        if not self.extra_args:
            raise UsageError("nothing to run: jupyter secrets run [--project DIR] -- CMD ...", self)

    def execute(self) -> int:
        service = self.service(with_files=True)
        try:
            model = self.project_model(service)
            # The store key stays with this process: the command gets the secrets, not the key.
            inherited = {name: value for name, value in os.environ.items() if name != KEY_ENV_VAR}
            env = {**inherited, **service.kernel_env(str(Path("/") / model.path))}
            missing = [slot.name for slot in model.slots if needs_value(slot.state)]
            if missing:
                print(f"jupyter secrets: no value for {', '.join(missing)}", file=sys.stderr)
            return _run_child(list(self.extra_args), env)
        finally:
            if service.materializer is not None:
                service.materializer.remove_all()


def _run_child(command: list[str], env: dict[str, str]) -> int:
    """Run the command; pass SIGINT/SIGTERM on to it, and return its exit code."""
    try:
        child = subprocess.Popen(command, env=env)
    except OSError as err:
        raise CLIError(f"cannot run {command[0]}: {err.strerror}", 127) from None

    def forward(signum, _frame):
        child.send_signal(signum)

    previous = {
        sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code
