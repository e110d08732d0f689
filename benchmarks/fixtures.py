"""Set-up shared by the benchmarks: projects, populated stores, real servers, loopback clients.

Servers are real ``jupyter server`` subprocesses (``tests/server_process.py``), each with its own
workdir under the system temp dir (on disk, like a real store), and their secrets dir on
``/dev/shm`` when there is one (memory-backed, like the extension's default).  Stores are filled
directly through ``SQLiteSecretStore`` before the server starts, with the server's own key.
All traffic goes to 127.0.0.1 and is bounded in count and time.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from jupyter_secrets.core import slotfile  # noqa: E402
from jupyter_secrets.store.crypto import Keyring  # noqa: E402
from jupyter_secrets.store.sqlite import SQLiteSecretStore  # noqa: E402
from tests.server_process import ServerProcess  # noqa: E402

OWNER = "bench"
MEMORY_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def value_of(i: int) -> str:
    """A value of realistic length (a 40-char token), different for each i."""
    return f"tok-{i:06d}-" + "x" * 29


@contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    """A temp workdir for servers, and its memory-backed secrets base; both removed after."""
    path = Path(tempfile.mkdtemp(prefix=f"jsbench-{prefix}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if MEMORY_DIR:
            shutil.rmtree(_secrets_base(path), ignore_errors=True)


def _secrets_base(work: Path) -> Path:
    return Path(MEMORY_DIR) / f"jsbench-run-{work.name}"


@contextmanager
def memory_dir(prefix: str) -> Iterator[Path]:
    """A private temp dir on a memory-backed file system when there is one."""
    path = Path(tempfile.mkdtemp(prefix=f"jsbench-{prefix}-", dir=MEMORY_DIR))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def use_bytecode_cache() -> str:
    """Let the subprocesses (servers, fresh interpreters) use a bytecode cache, and warm it.

    With ``PYTHONDONTWRITEBYTECODE`` set (as in some dev shells) the editable
    ``jupyter_secrets`` has no ``.pyc`` and is compiled from source at every start, which no
    installed copy does.  Subprocesses get ``PYTHONPYCACHEPREFIX``, a cache outside the tree
    (kept between runs), instead.  Returns a line for the report.
    """
    was_off = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    os.environ["PYTHONDONTWRITEBYTECODE"] = ""  # empty means unset for Python
    prefix = os.environ.setdefault(
        "PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / f"jsbench-pycache-{os.getuid()}")
    )
    # Compile (once) what a server and a kernel import, so no measurement pays for it.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import jupyter_server.serverapp, jupyterlab, jupyter_secrets.server.app",
        ],
        check=True,
        capture_output=True,
    )
    return f"subprocesses use the bytecode cache PYTHONPYCACHEPREFIX={prefix}" + (
        " (PYTHONDONTWRITEBYTECODE was set in this shell)" if was_off else ""
    )


# ---------------------------------------------------------------------------- projects, stores


def make_project(directory: Path, n_slots: int, name: str = "Bench project") -> slotfile.SlotFile:
    """Write ``directory/.jupyter/secret-slots.json`` with ``n_slots`` slots; return it."""
    slots = slotfile.new_slot_file(name)
    for i in range(n_slots):
        slots = slotfile.add_slot(
            slots, name=f"Secret {i}", filename=f"secret-{i}", description=f"bench slot {i}"
        )
    directory.mkdir(parents=True, exist_ok=True)
    slotfile.write_slot_file(directory, slots)
    return slots


def populate_store(
    store_path: Path,
    key: str,
    n_secrets: int,
    project: slotfile.SlotFile | None = None,
    project_dir: Path | None = None,
) -> list[str]:
    """Create ``n_secrets`` secrets (binding the first ones to the project's slots); their ids.

    Filled on a memory-backed copy (every commit of the store is fsynced, which on disk would
    make 10 000 secrets take ~10 s), then copied into place with mode 0600.
    """
    with memory_dir("store") as tmp:
        store = SQLiteSecretStore(tmp / "s.sqlite3", Keyring.from_string(key))
        ids = [store.create_secret(OWNER, f"secret-{i}", value_of(i)).id for i in range(n_secrets)]
        if project is not None:
            for slot, secret_id in zip(project.slots, ids):
                store.bind(OWNER, project.project_id, slot.id, secret_id)
            if project_dir is not None:
                store.remember_project(
                    OWNER, project.project_id, project.project_name, str(project_dir)
                )
        store.close()  # the last connection checkpoints the WAL into the main file
        store_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(tmp / "s.sqlite3", store_path)
        os.chmod(store_path, 0o600)
    return ids


# ---------------------------------------------------------------------------- servers


def server(work: Path, key: str, *, extension: bool = True) -> ServerProcess:
    """A ServerProcess on ``work`` (not started), owner ``bench``, no terminal prompt.

    Several may share one workdir (one at a time): same root, store and key.
    """
    sp = ServerProcess(
        work,
        extension=extension,
        env={"JUPYTER_SECRETS_KEY": key},
        extra_args=[
            f"--SecretsExtension.owner={OWNER}",
            "--SecretsExtension.prompt_on_start=never",
        ],
    )
    if MEMORY_DIR:
        # Memory-backed like the extension's default secrets dir (ServerProcess puts it on
        # disk); removed with the workdir (see workdir()).
        sp.secrets_base = _secrets_base(Path(work))
        sp.secrets_base.mkdir(mode=0o700, exist_ok=True)
    return sp


def cleanup_server(sp: ServerProcess) -> None:
    sp.stop()


@contextmanager
def running(sp: ServerProcess) -> Iterator[ServerProcess]:
    sp.start()
    try:
        yield sp
    finally:
        cleanup_server(sp)


def time_to_ready(sp: ServerProcess, timeout: float = 90) -> tuple[float, float]:
    """Start ``sp``; seconds from spawning the process to its first 200 on ``/api/status``,
    and the CPU seconds (user + system) the server process had used by then."""
    start = time.perf_counter()
    sp.start(wait=False)
    deadline = start + timeout
    while time.perf_counter() < deadline:
        if sp.proc.poll() is not None:
            raise RuntimeError(f"server exited with {sp.proc.returncode}:\n{sp.log()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", sp.port, timeout=5)
            conn.request("GET", "/api/status", headers={"Authorization": f"token {sp.token}"})
            if conn.getresponse().status == 200:
                return time.perf_counter() - start, cpu_seconds(sp.proc.pid)
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.005)
    raise TimeoutError(f"server not ready after {timeout}s:\n{sp.log()[-3000:]}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (less sensitive to a busy machine than wall)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of a process, in MB (10^6 bytes)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmHWM in /proc/<pid>/status")


# ---------------------------------------------------------------------------- loopback clients

# A request: (method, path, JSON body or None).
Request = tuple[str, str, object]


class Client:
    """One keep-alive HTTP/1.1 connection to a server, token-authenticated."""

    def __init__(self, sp: ServerProcess):
        self.conn = http.client.HTTPConnection("127.0.0.1", sp.port, timeout=30)
        self.headers = {"Authorization": f"token {sp.token}", "Content-Type": "application/json"}

    def send(self, method: str, path: str, body: object = None) -> int:
        data = None if body is None else json.dumps(body)
        self.conn.request(method, path, body=data, headers=self.headers)
        response = self.conn.getresponse()
        response.read()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status}")
        return response.status

    def close(self) -> None:
        self.conn.close()


def run_clients(
    sp: ServerProcess,
    requests: Callable[[int, int], Request],
    *,
    clients: int,
    per_client: int | None = None,
    seconds: float | None = None,
) -> tuple[list[float], float]:
    """``clients`` threads, each sending ``requests(client, i)`` back to back.

    Stops after ``per_client`` requests each, or after ``seconds``.  Returns every request's
    latency (seconds) and the wall time from the first send to the last answer.
    """
    assert per_client is not None or seconds is not None
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def work(n: int) -> None:
        client = Client(sp)
        own = latencies[n]
        clock = time.perf_counter
        try:
            barrier.wait()
            i = 0
            while (per_client is None or i < per_client) and (
                seconds is None or clock() < stop_at[0]
            ):
                method, path, body = requests(n, i)
                t = clock()
                client.send(method, path, body)
                own.append(clock() - t)
                i += 1
        except BaseException as err:  # reported below
            errors.append(err)
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    stop_at[0] = start + (seconds or 0)
    barrier.wait()
    for thread in threads:
        thread.join(timeout=(seconds or 0) + 120)
    wall = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"load client failed: {errors[0]!r}")
    return [x for own in latencies for x in own], wall
