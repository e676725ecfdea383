"""Run a single-node KRaft Apache Kafka on 127.0.0.1, its data in the data dir.

(A local cluster of several such nodes is `marsad.deploy.kafka.cluster.LocalCluster`; each of its nodes is a
`LocalKafka` with a home of its own. `marsad.deploy.kafka.reach.local_kafka` gives whichever the data dir holds.)

Layout under ``{data_dir}/kafka/``::

    server.properties   written from server.properties.template at each start
    data/               log.dirs (formatted once: meta.properties marks it)
    broker.log          the broker's log (log4j2)
    broker.out          what the JVM printed (start-up failures)
    broker.pid          pid of the running broker
    secure/             CA, broker keystore and SCRAM password (only after `start(secure=True)`,
                        see deploy/kafka/secure.py)

The client listener is PLAINTEXT, or SASL_SSL with SCRAM for a broker first
started with ``secure=True`` (`marsad kafka start --secure`): the data dir
keeps that choice, and `connection` says how to reach the broker either way.

`start` is idempotent and ignores a stale pid file; it returns once the broker
answers a metadata request. `stop` sends SIGTERM, waits for a clean shutdown
and only then SIGKILLs, so no java process is left behind.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from marsad.deploy.kafka import jars
from marsad.deploy.kafka import secure as listener
from marsad.runtime.kafka.connection import KafkaConnection
from marsad.runtime.kafka.local_files import is_secured, local_security
from marsad.runtime.preflight import broker_answers

HERE = Path(__file__).resolve().parent
MAIN_CLASS = "kafka.Kafka"


class BrokerError(RuntimeError):
    pass


@dataclass
class BrokerStatus:
    running: bool
    pid: int | None
    answering: bool
    connection: KafkaConnection
    data_dir: Path
    log_file: Path

    @property
    def bootstrap(self) -> str:
        return self.connection.servers

    @property
    def label(self) -> str:
        return f"local broker, pid {self.pid}"


class LocalKafka:
    def __init__(self, data_dir: str | Path, *, port: int, controller_port: int,
                 cache_dir: str | Path, kafka_home: str = "", heap: str = "512m",
                 start_timeout: float = 90.0, home: Path | None = None, node_id: int = 1,
                 voters: tuple[tuple[int, int], ...] = (), cluster_id: str = "") -> None:
        """One node; alone by default (``home`` = ``{data_dir}/kafka``), or one of a cluster's: its ``home``,
        ``node_id``, the ``voters`` of the controller quorum as (node id, controller port) pairs, and the
        ``cluster_id`` every node is formatted with (see deploy/kafka/cluster.py)."""
        self.home = home or Path(data_dir) / "kafka"
        self.port = port
        self.controller_port = controller_port
        self.node_id = node_id
        self.voters = voters
        self.cluster_id = cluster_id
        self.cache_dir = Path(cache_dir)
        self.kafka_home = kafka_home
        self.heap = heap
        self.start_timeout = start_timeout

    @classmethod
    def from_settings(cls, settings) -> LocalKafka:  # settings: marsad.runtime.settings.Settings
        return cls(settings.data_dir, port=settings.kafka_port,
                   controller_port=settings.kafka_controller_port, cache_dir=settings.cache_dir,
                   kafka_home=settings.kafka_home, heap=settings.kafka_heap,
                   start_timeout=settings.kafka_start_timeout)

    # paths -----------------------------------------------------------------
    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def secured(self) -> bool:
        """Does this broker listen with SASL_SSL (made so by its first secure start)?"""
        return is_secured(self.home)

    @property
    def connection(self) -> KafkaConnection:
        """How clients reach this broker: its address, and its login and CA when it is secured."""
        return KafkaConnection(self.bootstrap, local_security(self.home))

    @property
    def log_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "broker.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"

    @property
    def properties(self) -> Path:
        return self.home / "server.properties"

    # state -----------------------------------------------------------------
    def pid(self) -> int | None:
        """The pid of *our* running broker, or None (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if _is_our_broker(pid, self.properties):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def answering(self, timeout: float = 2.0) -> bool:
        return broker_answers(self.connection, timeout=timeout)

    def status(self) -> BrokerStatus:
        pid = self.pid()
        return BrokerStatus(pid is not None, pid, pid is not None and self.answering(),
                            self.connection, self.home, self.log_file)

    # actions ---------------------------------------------------------------
    def start(self, *, quiet: bool = False, secure: bool = False) -> BrokerStatus:
        """Start the broker unless it runs already; return once it answers.

        ``secure``: a new broker gets a SASL_SSL listener with SCRAM (its CA, certificate and login are
        made now); a broker whose data was made plaintext refuses, as switching would need a reset.
        """
        say = (lambda *_: None) if quiet else (lambda msg: print(msg, flush=True))
        if secure and not self.secured and (self.log_dir / "meta.properties").exists():
            raise BrokerError(f"the local broker's data in {self.home} was made without security: run "
                              "`marsad kafka reset --yes`, then `marsad kafka start --secure`")
        pid = self.pid()
        if pid is not None:
            self._wait_ready(None)
            say(f"kafka already running (pid {pid}) at {self.bootstrap}")
            return self.status()
        say(f"starting kafka at {self.bootstrap} (log: {self.log_file})")
        proc = self.launch(quiet=quiet, secure=secure)
        try:
            self._wait_ready(proc)
        except BaseException:
            self._kill(proc.pid)
            raise
        say(f"kafka ready at {self.bootstrap} (pid {proc.pid}, log: {self.log_file})")
        if self.secured:
            say("  SASL_SSL with SCRAM; connect with:\n" + "\n".join(
                f"    export {k}={v}" for k, v in self.connection.environment().items() if v))
        return self.status()

    def launch(self, *, quiet: bool = False, secure: bool = False) -> subprocess.Popen:
        """Start the JVM (formatting the data dir first if it is new) and return at once, not waiting for it
        to answer: a cluster's nodes are launched together, as none answers before a quorum of them runs."""
        java = jars.require("java")
        lib = jars.jars_dir(self.cache_dir, self.kafka_home)
        if not jars.have_jars(lib):
            lib = jars.fetch(self.cache_dir, quiet=quiet)
        for p in (self.port, self.controller_port):
            if not port_free(p):
                raise BrokerError(f"port {p} on 127.0.0.1 is in use by another program; "
                                  "set MARSAD_KAFKA_PORT / MARSAD_KAFKA_CONTROLLER_PORT")
        self.home.mkdir(parents=True, exist_ok=True)
        if secure:
            try:
                listener.make_secrets(self.home, jars.require("keytool"))
            except listener.SecureSetupError as e:
                raise BrokerError(str(e)) from None
        self._write_properties()
        classpath = f"{lib}/*"
        if not (self.log_dir / "meta.properties").exists():
            self._format(java, classpath)
        cmd = [java, f"-Xmx{self.heap}", f"-Xms{min(256, _megabytes(self.heap))}m", "-XX:+UseG1GC",
               "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={HERE / 'log4j2.yaml'}",
               f"-Dmarsad.kafka.logfile={self.log_file}",
               "-cp", classpath, MAIN_CLASS, str(self.properties)]
        with open(self.home / "broker.out", "ab") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True, cwd=self.home)
        self.pid_file.write_text(str(proc.pid))
        return proc

    def wait_ready(self, proc: subprocess.Popen | None) -> None:
        """Return once the node answers a metadata request; a node that exits or stays silent is an error."""
        self._wait_ready(proc)

    def kill(self) -> int | None:
        """SIGKILL the node (a crash, for fail-over drills); return the pid killed, None when none ran."""
        pid = self.pid()
        if pid is not None:
            _signal(pid, signal.SIGKILL)
            _wait_gone(pid, 10)
            self.pid_file.unlink(missing_ok=True)
        return pid

    def stop(self, *, quiet: bool = False, timeout: float = 30.0) -> bool:
        """Stop the broker gracefully; return True if one was running."""
        pid = self.pid()
        if pid is None:
            if not quiet:
                print("kafka is not running")
            return False
        if not quiet:
            print(f"stopping kafka (pid {pid}) ...", flush=True)
        self._kill(pid, timeout=timeout)
        if not quiet:
            print("kafka stopped")
        return True

    def reset(self) -> None:
        """Stop the broker and wipe its data (topics, messages, offsets)."""
        self.stop(quiet=True)
        shutil.rmtree(self.home, ignore_errors=True)

    # internals ---------------------------------------------------------------
    def _write_properties(self) -> None:
        template = (HERE / "server.properties.template").read_text()
        listeners = (listener.listener_properties(self.home, self.port, self.controller_port) if self.secured
                     else listener.plaintext_properties(self.port, self.controller_port))
        self.properties.touch(mode=0o600)  # a secured broker's holds its keystore password
        if self.voters:
            quorum = "controller.quorum.voters=" + ",".join(f"{n}@127.0.0.1:{c}" for n, c in self.voters)
        else:
            quorum = f"controller.quorum.bootstrap.servers=127.0.0.1:{self.controller_port}"
        replicas = min(3, max(1, len(self.voters)))  # the internal topics' (offsets, transactions)
        self.properties.write_text(template.format(
            listeners=listeners, node_id=self.node_id, quorum=quorum, log_dirs=self.log_dir, replicas=replicas,
            min_isr=max(1, replicas - 1)))

    def _format(self, java: str, classpath: str) -> None:
        tool = [java, "-Xmx256m", f"-Dlog4j2.configurationFile={HERE / 'log4j2.yaml'}",
                f"-Dmarsad.kafka.logfile={self.home / 'format.log'}", "-cp", classpath,
                "kafka.tools.StorageTool"]
        scram = listener.scram_arguments(self.home) if self.secured else []
        # a cluster's nodes share its id and name their voters in server.properties (a static quorum)
        quorum = [] if self.voters else ["--standalone"]
        done = subprocess.run([*tool, "format", *quorum, "-t", self.cluster_id or new_cluster_id(),
                               "-c", str(self.properties), *scram], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BrokerError(f"formatting {self.log_dir} failed: {(done.stdout + done.stderr)[-800:]}")

    def _wait_ready(self, proc: subprocess.Popen | None) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise BrokerError(f"kafka exited with code {proc.returncode} during start-up; "
                                  f"see {self.home / 'broker.out'} and {self.log_file}:\n{self._tail()}")
            if self.answering(timeout=1.0):
                return
            time.sleep(0.25)
        raise BrokerError(f"kafka did not answer within {self.start_timeout:.0f}s; see {self.log_file}")

    def _kill(self, pid: int, timeout: float = 30.0) -> None:
        _signal(pid, signal.SIGTERM)
        if not _wait_gone(pid, timeout):
            _signal(pid, signal.SIGKILL)
            _wait_gone(pid, 10)
        self.pid_file.unlink(missing_ok=True)

    def _tail(self, lines: int = 20) -> str:
        text = ""
        for f in (self.home / "broker.out", self.log_file):
            if f.exists():
                text += "\n".join(f.read_text(errors="replace").splitlines()[-lines:]) + "\n"
        return text


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes in URL-safe base64 without padding, as `kafka-storage random-uuid`
    makes (which also never starts one with a dash)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


def _megabytes(heap: str) -> int:
    """``512m``, ``1g`` or bytes, in MiB (256 when it cannot be read)."""
    text = heap.strip().lower()
    try:
        if text.endswith("g"):
            return int(text[:-1]) * 1024
        if text.endswith("m"):
            return int(text[:-1])
        if text.endswith("k"):
            return max(1, int(text[:-1]) // 1024)
        return max(1, int(text) // (1024 * 1024))
    except ValueError:
        return 256






def _is_our_broker(pid: int, properties: Path) -> bool:
    """Is ``pid`` a broker run on ``properties`` (named as given, or through its real path: a data dir
    reached through a symbolic link is the same broker)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    names = {str(properties).encode(), str(properties.resolve()).encode()}
    return MAIN_CLASS.encode() in cmdline and bool(names & set(cmdline))


def port_free(port: int) -> bool:
    """Can a server bind ``port`` on 127.0.0.1 now?"""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # reap it if it is our child, else just probe it
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                return True
        except ChildProcessError:
            pass
        if not Path(f"/proc/{pid}").exists() or _is_zombie(pid):
            return True
        time.sleep(0.1)
    return False


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
