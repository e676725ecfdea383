"""A local KRaft cluster of several Apache Kafka nodes on 127.0.0.1, from the same jars as the single broker.

`marsad kafka start --brokers 3` makes one. Every node is a broker and a
controller (combined mode), and the nodes' controllers form a static quorum
of voters, so the cluster keeps working while a majority of them runs. Each
node is a `marsad.deploy.kafka.local.LocalKafka` with its own ports, data and log::

    {data_dir}/kafka/cluster.json   the node count and the cluster id (written once: marks the layout)
    {data_dir}/kafka/broker-1/      node 1: server.properties, data/, broker.log, broker.pid
    {data_dir}/kafka/broker-2/ ...

Node ``i`` (from 1) listens for clients on ``kafka_port + 2(i-1)`` and for
its controller on ``kafka_controller_port + 2(i-1)`` (19092/19093,
19094/19095, 19096/19097 by default). Clients bootstrap from every node, so
any one that runs is enough to find the others. The internal topics (group
offsets, transactions) get replication factor 3 and ``min.insync.replicas``
2 on three nodes; marsad's own topics get theirs from `marsad.runtime.kafka.admin`.

`start` launches the nodes that are not running all together (a node
answers only once a quorum of controllers runs), then waits until each
answers. `stop` stops them gracefully; `restart` is a rolling restart, one
node at a time, each time waiting until every partition is fully replicated
again (so at most one replica of any partition is ever away).
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from marsad.deploy.kafka.local import BrokerError, BrokerStatus, LocalKafka, new_cluster_id
from marsad.runtime.kafka.connection import Kafka, KafkaConnection, kafka_python_options
from marsad.runtime.kafka.local_files import LAYOUT


@dataclass
class ClusterStatus:
    nodes: list[BrokerStatus]
    connection: KafkaConnection
    data_dir: Path

    @property
    def running(self) -> bool:
        return any(n.running for n in self.nodes)

    @property
    def pid(self) -> int | None:
        """The first running node's pid (every node's: ``pids``)."""
        return next((n.pid for n in self.nodes if n.pid), None)

    @property
    def pids(self) -> list[int]:
        return [n.pid for n in self.nodes if n.pid]

    @property
    def bootstrap(self) -> str:
        return self.connection.servers

    @property
    def label(self) -> str:
        return f"local cluster of {len(self.nodes)} brokers, pids {', '.join(map(str, self.pids)) or '-'}"






class LocalCluster:
    def __init__(self, data_dir: str | Path, *, brokers: int, ports: list[int], controller_ports: list[int],
                 cache_dir: str | Path, kafka_home: str = "", heap: str = "512m", start_timeout: float = 90.0,
                 isr_timeout: float = 120.0) -> None:
        if not (len(ports) == len(controller_ports) == brokers >= 2):
            raise ValueError("a local cluster needs at least 2 nodes, each with a client and a controller port")
        taken = [*ports, *controller_ports]
        if len(set(taken)) != len(taken):
            raise BrokerError(f"the cluster's ports overlap ({', '.join(map(str, taken))}): node i listens on "
                              "MARSAD_KAFKA_PORT + 2(i-1) and MARSAD_KAFKA_CONTROLLER_PORT + 2(i-1); choose two "
                              "ports an odd number apart (19092 and 19093, say)")
        self.home = Path(data_dir) / "kafka"
        self.brokers = brokers
        self.isr_timeout = isr_timeout
        self.cluster_id = self._cluster_id()
        voters = tuple((i + 1, c) for i, c in enumerate(controller_ports))
        self.nodes = [LocalKafka(data_dir, port=p, controller_port=c, cache_dir=cache_dir, kafka_home=kafka_home,
                                 heap=heap, start_timeout=start_timeout, home=self.home / f"broker-{i + 1}",
                                 node_id=i + 1, voters=voters, cluster_id=self.cluster_id)
                      for i, (p, c) in enumerate(zip(ports, controller_ports, strict=True))]

    @classmethod
    def from_settings(cls, settings, brokers: int) -> LocalCluster:  # settings: marsad.runtime.settings.Settings
        return cls(settings.data_dir, brokers=brokers,
                   ports=[settings.kafka_port + 2 * i for i in range(brokers)],
                   controller_ports=[settings.kafka_controller_port + 2 * i for i in range(brokers)],
                   cache_dir=settings.cache_dir, kafka_home=settings.kafka_home, heap=settings.kafka_heap,
                   start_timeout=settings.kafka_start_timeout)

    # what clients see ----------------------------------------------------------
    @property
    def bootstrap(self) -> str:
        return ",".join(n.bootstrap for n in self.nodes)

    @property
    def connection(self) -> KafkaConnection:
        return KafkaConnection(self.bootstrap)

    @property
    def secured(self) -> bool:
        return False

    def node(self, number: int) -> LocalKafka:
        """Node ``number`` (from 1), or a `BrokerError` naming the ones there are."""
        if not 1 <= number <= self.brokers:
            raise BrokerError(f"no broker {number}: the local cluster has brokers 1 to {self.brokers}")
        return self.nodes[number - 1]

    def pid(self) -> int | None:
        return next((pid for n in self.nodes if (pid := n.pid()) is not None), None)

    def status(self) -> ClusterStatus:
        return ClusterStatus([n.status() for n in self.nodes], self.connection, self.home)

    # actions -------------------------------------------------------------------
    def start(self, *, quiet: bool = False, secure: bool = False) -> ClusterStatus:
        """Start every node that is not running (all together), then wait until each answers."""
        say = (lambda *_: None) if quiet else (lambda msg: print(msg, flush=True))
        if secure:
            raise BrokerError("--secure is for a single local broker; a local cluster listens in plaintext "
                              "(start it without --secure)")
        self._write_layout()
        launched = []
        try:
            for i, node in enumerate(self.nodes, 1):
                if node.pid() is None:
                    say(f"starting kafka broker {i} at {node.bootstrap} (log: {node.log_file})")
                    launched.append((node, node.launch(quiet=quiet)))
            for node, proc in launched:
                node.wait_ready(proc)
            for node in self.nodes:
                node.wait_ready(None)
        except BaseException:
            for node, _ in launched:
                node.stop(quiet=True, timeout=10)
            raise
        st = self.status()
        say(f"kafka cluster of {self.brokers} brokers ready at {self.bootstrap} "
            f"(pids {', '.join(map(str, st.pids))}; logs: {self.home}/broker-*/broker.log)"
            if launched else f"kafka cluster already running at {self.bootstrap} (pids {', '.join(map(str, st.pids))})")
        return st

    def stop(self, *, quiet: bool = False, timeout: float = 30.0) -> bool:
        """Stop every node gracefully, all at once; True if one was running.

        One after the other, the last node's controlled shutdown would wait for a controller quorum that
        had already gone (30 s, then SIGKILL)."""
        ran = [(n, pid) for n in self.nodes if (pid := n.pid()) is not None]
        if not ran:
            if not quiet:
                print("kafka is not running")
            return False
        for _, pid in ran:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for node, _ in ran:
            node.stop(quiet=True, timeout=timeout)
        if not quiet:
            print(f"kafka stopped ({len(ran)} broker(s))")
        return True

    def reset(self) -> None:
        """Stop the nodes and wipe the cluster's data and layout."""
        import shutil
        self.stop(quiet=True)
        shutil.rmtree(self.home, ignore_errors=True)

    def restart(self, *, quiet: bool = False, numbers: list[int] | None = None) -> None:
        """A rolling restart: each node (or those of ``numbers``) stopped gracefully and started again, the next
        only once every partition is fully replicated again."""
        say = (lambda *_: None) if quiet else (lambda msg: print(msg, flush=True))
        for number in numbers or range(1, self.brokers + 1):
            node = self.node(number)
            self.wait_replicated()
            say(f"restarting broker {number} ({node.bootstrap}) ...")
            node.stop(quiet=True)
            node.wait_ready(node.launch(quiet=True))
            self.wait_replicated()
            say(f"broker {number} back, every partition fully replicated")

    def wait_replicated(self) -> None:
        """Wait until no partition misses a replica in its in-sync set (a `BrokerError` after ``isr_timeout``)."""
        deadline = time.monotonic() + self.isr_timeout
        while (lagging := under_replicated(self.connection)) and time.monotonic() < deadline:
            time.sleep(0.5)
        if lagging:
            raise BrokerError(f"{len(lagging)} partition(s) still under-replicated after {self.isr_timeout:.0f}s "
                              f"(e.g. {', '.join(lagging[:3])}); see {self.home}/broker-*/broker.log")

    # internals -------------------------------------------------------------------
    def _cluster_id(self) -> str:
        layout = self.home / LAYOUT
        if layout.is_file():
            data = json.loads(layout.read_text())
            if data["brokers"] != self.brokers:
                raise BrokerError(f"the local cluster in {self.home} has {data['brokers']} brokers: run "
                                  f"`marsad kafka reset --yes` first to make one of {self.brokers}")
            return str(data["cluster_id"])
        if (self.home / "data" / "meta.properties").exists():
            raise BrokerError(f"{self.home} holds a single local broker's data: run `marsad kafka reset --yes` "
                              f"first to make a cluster of {self.brokers}")
        return new_cluster_id()

    def _write_layout(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        layout = self.home / LAYOUT
        if not layout.is_file():
            layout.write_text(json.dumps({"brokers": self.brokers, "cluster_id": self.cluster_id}) + "\n")


# -- what the cluster says about its partitions ------------------------------------------------------------
def partitions(kafka: Kafka, prefix: str = "") -> list[dict]:
    """Every partition of the cluster's topics (those starting with ``prefix``): topic, partition, leader,
    replicas and in-sync replicas, from a metadata request."""
    from kafka import KafkaAdminClient
    quiet = logging.getLogger("kafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # a stopped node's refused connections are what we ask about, not errors
    try:
        admin = KafkaAdminClient(**kafka_python_options(kafka), client_id="marsad-admin", request_timeout_ms=10_000)
    finally:
        quiet.setLevel(level)
    try:
        out = []
        for topic in admin.describe_topics():
            if topic.get("error_code") or not topic["name"].startswith(prefix):
                continue
            for p in topic["partitions"]:
                out.append({"topic": topic["name"], "partition": p["partition_index"], "leader": p["leader_id"],
                            "replicas": list(p["replica_nodes"]), "isr": list(p["isr_nodes"])})
        return out
    finally:
        admin.close()


def under_replicated(kafka: Kafka) -> list[str]:
    """``topic-partition`` of every partition whose in-sync replicas are fewer than its replicas."""
    from kafka.errors import KafkaError
    try:
        return [f"{p['topic']}-{p['partition']}" for p in partitions(kafka) if len(p["isr"]) < len(p["replicas"])]
    except (KafkaError, OSError) as e:  # the cluster does not answer (yet): not known to be replicated
        return [f"(no answer: {e})"]


def leaders(kafka: Kafka, prefix: str = "") -> collections.Counter[int]:
    """Node id -> how many partitions (of topics starting with ``prefix``) it leads."""
    return collections.Counter(p["leader"] for p in partitions(kafka, prefix) if p["leader"] >= 0)
