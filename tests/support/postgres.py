"""A throwaway PostgreSQL server from Debian's package, for tests and benchmarks.

``initdb`` into a temporary folder, ``pg_ctl start`` on a unix socket in that
folder (no TCP port is opened), ``stop`` removes everything. PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres``
system user (``runuser -u postgres --``), which the package creates.
`PostgresUnavailable` says why a server cannot be had, for a skip message.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from marsad.deploy.kafka.local import free_port


class PostgresUnavailable(RuntimeError):
    pass


def pg_bin() -> Path:
    """The folder of initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(os.path.realpath(on_path)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise PostgresUnavailable("PostgreSQL is not installed (apt-get install -y postgresql)")
    return Path(found[-1]).parent


class LocalPostgres:
    """One server; ``durable=False`` turns fsync off (tests), True keeps PostgreSQL's defaults (benchmarks)."""

    def __init__(self, *, durable: bool = False) -> None:
        self.bin = pg_bin()
        self.durable = durable
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="marsad-pg-"))
        self.data = self.root / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable("running as root and there is no `postgres` user to run the "
                                          "server as") from None
            if not shutil.which("runuser"):
                raise PostgresUnavailable("running as root and `runuser` is missing")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            os.chmod(self.root, 0o700)
            self._as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.root}&port={self.port}"

    def _run(self, *args: str, timeout: float = 60) -> None:
        proc = subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise PostgresUnavailable(f"{Path(args[0]).name} failed: {(proc.stderr or proc.stdout).strip()[-500:]}")

    def start(self) -> LocalPostgres:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", *(() if self.durable else ("--no-sync",)))
        options = f"-p {self.port} -k {self.root} -c listen_addresses=''"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start", timeout=90)
        return self

    def stop(self) -> None:
        try:
            subprocess.run([*self._as, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                           capture_output=True, timeout=60)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
