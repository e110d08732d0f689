"""Whose is a server's tree: the ``.owner`` record at its root, and whether that server lives.

A tree is stale (its server gone without cleaning up) when the process that wrote ``.owner``
no longer runs: checked by pid, process start time and boot id, so that a reused pid or a
reboot is never mistaken for the server that is still there.
"""

from __future__ import annotations

import json
import os
import time

from jupyter_secrets.fileio import _DIR_FLAGS, _atomic_write, _read_small

#: Marker at the root of a server's tree; a project id cannot start with a dot, so no clash.
OWNER_FILENAME = ".owner"


def _owner_record() -> dict[str, object]:
    pid = os.getpid()
    return {
        "pid": pid,
        "start_time": _process_start(pid),
        "boot_id": _boot_id(),
        "host": os.uname().nodename,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _write_owner(root_fd: int) -> None:
    data = json.dumps(_owner_record(), sort_keys=True) + "\n"
    _atomic_write(root_fd, OWNER_FILENAME, data.encode())


def _read_owner(base_fd: int, name: str) -> dict | None:
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=base_fd)
    except OSError:
        return None
    try:
        record = json.loads(_read_small(fd, OWNER_FILENAME, 4096) or b"null")
    except ValueError:
        record = None
    finally:
        os.close(fd)
    return record if isinstance(record, dict) else None


def _is_stale(name_pid: int, owner: dict | None) -> bool:
    owner = owner or {}
    pid = owner.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool):
        pid = name_pid
    host = owner.get("host")
    if isinstance(host, str) and host != os.uname().nodename:
        return False  # cannot see that host's processes
    boot = owner.get("boot_id")
    current_boot = _boot_id()
    if isinstance(boot, str) and current_boot and boot != current_boot:
        return True
    if not _pid_alive(pid):
        return True
    started = owner.get("start_time")
    now_started = _process_start(pid)
    return isinstance(started, int) and now_started is not None and started != now_started


def _pid_alive(pid: int) -> bool:
    if pid <= 0:  # 0 and negatives name process groups for kill()
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, another user's
    except (OverflowError, OSError):
        return False
    stat_fields = _proc_stat(pid)
    return not (stat_fields and stat_fields[0] == "Z")  # a zombie has exited


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name (state first); None off Linux."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def _process_start(pid: int) -> int | None:
    # Field 22, start time in clock ticks after boot: tells a reused pid from the original.
    fields = _proc_stat(pid)
    try:
        return int(fields[19]) if fields else None
    except (IndexError, ValueError):
        return None


def _boot_id() -> str | None:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip() or None
    except OSError:
        return None
