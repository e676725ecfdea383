"""Where `marsad up` keeps its pid file, state file and logs, and how it reads them back.

    {data_dir}/services/supervisor.pid   pid of the running supervisor
    {data_dir}/services/state.json       the supervisor's view of every service (rewritten on each change)
    {data_dir}/logs/{service}.log        each service's output; supervisor.log for the supervisor's own

The state file is the contract between the supervisor and `marsad ps` /
`marsad down`, which run in other processes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson


@dataclass(frozen=True)
class Paths:
    data_dir: Path

    @property
    def root(self) -> Path:
        return self.data_dir / "services"

    @property
    def pid_file(self) -> Path:
        return self.root / "supervisor.pid"

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Replace the state file at once (readers never see half of it), readable by its owner only: it names
    the views database, whose PostgreSQL URL may carry a password."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(fd, 0o600)  # a left-over .tmp keeps its mode otherwise
        out.write(orjson.dumps(state, option=orjson.OPT_INDENT_2))
    os.replace(tmp, path)


def read_state(path: Path) -> dict[str, Any] | None:
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def alive(pid: int | None) -> bool:
    """Does ``pid`` run (a zombie does not count)?"""
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return not stat.split(") ", 1)[1].startswith("Z")


def is_marsad(pid: int) -> bool:
    """Is ``pid`` a marsad process (so a recycled pid is never signalled)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"marsad.deploy.cli.main" in cmdline or b"marsad.deploy.services" in cmdline


def supervisor_pid(paths: Paths) -> int | None:
    """The running supervisor's pid, or None (a stale pid file is ignored)."""
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) and is_marsad(pid) else None


def kill_group(pid: int, sig: int) -> None:
    """Signal a service's process group (each service is the leader of its own)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return not alive(pid)


def kill_leftovers(state: dict[str, Any]) -> list[str]:
    """SIGKILL the services a dead supervisor left running; return their names."""
    killed = []
    for svc in state.get("services", []):
        pid = svc.get("pid")
        if pid and alive(pid) and is_marsad(pid):
            kill_group(pid, signal.SIGKILL)
            wait_gone(pid, 10)
            killed.append(svc["name"])
    return killed
