"""A marsad service started by a test as its own process, as it runs in production (`marsad worker`, ...)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path


def stop_process(proc: subprocess.Popen | None, timeout: float = 90) -> None:
    """SIGTERM (a graceful stop), then SIGKILL when ``proc`` is still running after ``timeout`` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class ServiceProcess:
    """`marsad <command>` with the environment ``env``, its output appended to ``log``; `stop` ends it."""

    def __init__(self, command: str, env: dict[str, str], log: Path) -> None:
        self.command = command
        self.env = env
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "marsad.deploy.cli.main", self.command], env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        stop_process(self.proc)
