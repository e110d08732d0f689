"""A real PostgreSQL for the hub secrets service's tests: Debian's ``postgresql`` package,
``initdb`` into a fresh temporary directory, listening on 127.0.0.1 and a free port only,
started and stopped by the test fixtures.

initdb refuses to run as root: as root the server runs as the unprivileged ``postgres`` user
the package creates (``runuser -u postgres --``), in a directory that user owns.  ``make
test`` installs the package when it is missing (``make postgres``).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .hub_process import free_ports

INSTALL_HINT = (
    "The hub secrets service tests need PostgreSQL's server binaries (Debian: "
    "`apt-get update && apt-get install -y postgresql`, which `make postgres` runs as root)."
)


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing() -> str | None:
    if pg_bin() is None:
        return "no PostgreSQL initdb found. " + INSTALL_HINT
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return (
                "running as root but there is no `postgres` user to run PostgreSQL. " + INSTALL_HINT
            )
    return None


class Postgres:
    def __init__(self) -> None:
        bin_dir = pg_bin()
        assert bin_dir is not None, INSTALL_HINT
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="jsecrets-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log_path = self.root / "postgres.log"
        (self.port,) = free_ports(1)
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")
        self.database = "jupyter_secrets"

    def _run(self, *argv: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        command = [*(["runuser", "-u", "postgres", "--"] if self.as_root else []), *argv]
        return subprocess.run(command, check=check, capture_output=True, text=True, **kwargs)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    def start(self) -> Postgres:
        self.sockets.mkdir(parents=True)
        if self.as_root:
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-instructions",
        )
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
            self.log_path.touch()
            shutil.chown(self.log_path, "postgres", "postgres")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets} "
            "-c max_connections=200 -c shared_buffers=32MB"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log_path),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self.psql(f"CREATE DATABASE {self.database}", database="postgres")
        return self

    def psql(self, sql: str, database: str | None = None) -> str:
        result = self._run(
            str(self.bin / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database or self.database,
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-c",
            sql,
        )
        return result.stdout

    def dump(self) -> bytes:
        command = [
            *(["runuser", "-u", "postgres", "--"] if self.as_root else []),
            str(self.bin / "pg_dump"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            self.database,
        ]
        return subprocess.run(command, check=True, capture_output=True).stdout

    def stop(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False
        )
        deadline = time.monotonic() + 10
        while (self.data / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""
