"""``jupyter secrets scan [PATH ...]``: your own secret values in files, before you commit them.

It reads every value of your store (the one ``jupyter server`` and the other commands use:
``c.SecretsExtension.store_path``, ``JUPYTER_SECRETS_KEY`` or the key file) and searches the
files for them with ``guards/scan.py``: every saved secret, text or bytes, expired ones
included (a value past its date may still open the door it was for), linked to a slot or not,
the ones JupyterLab extensions keep too.  Not searched for: values replaced or deleted
earlier (the store keeps no history), and references (their values stay in a vault; a scan
at every commit does not run vault commands) — both are said on standard error.

Output: one line per finding on standard output, ``path:line: 'secret name' (form, where)``,
never the value; a summary on standard error.  Exit codes: 0 nothing found, 1 found, 2 the
command line, a path or the store is wrong (a locked store, no store) — the message says what
to do.  Published as the pre-commit hook ``jupyter-secrets-scan`` (``.pre-commit-hooks.yaml``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from traitlets import Bool, Int

from jupyter_secrets.cli.application import CLIError
from jupyter_secrets.cli.commands import Command
from jupyter_secrets.core.references import is_stored_reference
from jupyter_secrets.errors import SecretsError
from jupyter_secrets.files import choose_base_dir
from jupyter_secrets.guards.redact import DEFAULT_MIN_LENGTH
from jupyter_secrets.guards.scan import ValueScanner, walk
from jupyter_secrets.store.sqlite import SQLiteSecretStore

EXIT_FOUND, EXIT_SCAN_ERROR = 1, 2


class ScanApp(Command):
    name = "jupyter secrets scan"
    synopsis = "[PATH ...] [options]"
    description = """Look for your own secret values (and their encoded forms: escaped,
    URL-encoded, base64, notebook attachments and image outputs) in files and directories
    (default: the current directory).  Prints `file:line: 'secret name'` for each, never the
    value.  Exit code 0: nothing found, 1: found, 2: a wrong path or store (e.g. locked)."""
    examples = """\
jupyter secrets scan                         # the current directory
jupyter secrets scan analysis.ipynb data/    # these files, and every file under data/
git diff --cached --name-only -z | xargs -0 jupyter secrets scan
"""

    min_length = Int(
        DEFAULT_MIN_LENGTH,
        config=True,
        help="Values shorter than this are not searched for (they would match ordinary text).",
    )
    missing_store_ok = Bool(
        False,
        config=True,
        help="""Exit 0 when there is no store at all (someone with no saved secrets), instead
        of 2.  Without it, a hook that cannot find your store says so rather than passing.""",
    )
    aliases = {**Command.aliases, "min-length": "ScanApp.min_length"}
    flags = {
        **Command.flags,
        "missing-store-ok": (
            {"ScanApp": {"missing_store_ok": True}},
            "Exit 0 (with a note) when there is no secret store, instead of 2.",
        ),
    }

    def check_arguments(self) -> None:
        """Any number of paths (pre-commit passes the staged files)."""

    def execute(self) -> int:
        paths = [Path(arg) for arg in self.extra_args] or [Path(".")]
        try:
            values = self._values()
        except SecretsError as err:
            raise CLIError(err.message, EXIT_SCAN_ERROR) from None
        if values is None:
            return 0
        scanner = ValueScanner(values, self.min_length)
        if scanner.skipped:
            names = ", ".join(f"'{name}'" for name in scanner.skipped)
            print(
                f"jupyter secrets scan: not searched for (shorter than {self.min_length} "
                f"characters): {names}",
                file=sys.stderr,
            )
        found, problems = 0, 0
        files: set[str] = set()
        for path, problem in walk(paths, self._not_scanned()):
            if problem is not None:
                print(f"jupyter secrets scan: {path}: {problem}", file=sys.stderr)
                problems += 1
                continue
            try:
                findings = scanner.scan_file(path)
            except OSError as err:
                print(f"jupyter secrets scan: {path}: {err.strerror}", file=sys.stderr)
                problems += 1
                continue
            for finding in findings:
                print(finding.describe())
            found += len(findings)
            files.update(f.path for f in findings)
        sys.stdout.flush()
        if found:
            print(
                f"jupyter secrets scan: {found} finding(s) in {len(files)} file(s). Remove the "
                "values (read them with get_secret() instead); a value already committed or "
                "shared is leaked: replace it where it was issued, then with `jupyter secrets set`.",
                file=sys.stderr,
            )
            return EXIT_FOUND
        if problems:
            print(
                f"jupyter secrets scan: {problems} path(s) could not be searched.", file=sys.stderr
            )
            return EXIT_SCAN_ERROR
        return 0

    def _values(self) -> dict[str, str | bytes] | None:
        """{secret name: value} of every saved secret; None when there is nothing to look for."""
        settings = self.settings
        if (
            issubclass(settings.store_class, SQLiteSecretStore)
            and not Path(settings.store_path).exists()
        ):
            where = f"no secret store at {settings.store_path}"
            if self.missing_store_ok:
                print(f"jupyter secrets scan: {where}: no values to look for.", file=sys.stderr)
                return None
            raise CLIError(
                f"{where}. Point to yours with --store PATH (or c.SecretsExtension.store_path "
                "in jupyter_server_config.py), or pass --missing-store-ok if you have none.",
                EXIT_SCAN_ERROR,
            )
        service = self.service()
        store = service.store
        try:
            if store.locked:
                raise CLIError(
                    f"the secret store is locked: {store.lock_reason.rstrip('.')}. The scan needs your key "
                    "(JUPYTER_SECRETS_KEY, or the key file: --key-file PATH).",
                    EXIT_SCAN_ERROR,
                )
            metas = store.list_secrets(service.owner)
            if not metas:
                print(
                    "jupyter secrets scan: no saved secrets: no values to look for.",
                    file=sys.stderr,
                )
                return None
            batch = store.read_values(service.owner, [meta.id for meta in metas])
        finally:
            store.close()
        names = {meta.id: meta.name for meta in metas}
        unreadable = sorted(names[secret_id] for secret_id in batch.errors)
        if unreadable:
            print(
                "jupyter secrets scan: cannot read (and so not searched for): "
                + ", ".join(f"'{name}'" for name in unreadable),
                file=sys.stderr,
            )
        values = {}
        references = []
        for secret_id, value in batch.values.items():
            if is_stored_reference(value):
                references.append(names[secret_id])
            else:
                values[names[secret_id]] = value
        if references:
            print(
                "jupyter secrets scan: references (their values stay in a vault, and are not "
                "fetched for a scan) not searched for: "
                + ", ".join(f"'{name}'" for name in sorted(references)),
                file=sys.stderr,
            )
        return values

    def _not_scanned(self) -> list[Path]:
        """The store, its key file and companions, and where values are materialized."""
        settings = self.settings
        store = Path(settings.store_path)
        paths = [store, Path(f"{store}-wal"), Path(f"{store}-shm"), Path(f"{store}-journal")]
        if settings.key_file:
            paths.append(Path(settings.key_file))
        try:  # looked at as a server would choose it, creating nothing
            paths.append(choose_base_dir(settings.secrets_dir or None, create=False).path)
        except OSError:
            pass
        if settings.secrets_dir:
            paths.append(Path(settings.secrets_dir))
        return paths
