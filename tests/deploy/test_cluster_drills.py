"""Fail-over drills on a local three-broker cluster (issue #24): a broker killed, restarted, then all rolled.

`marsad kafka start --brokers 3` makes the cluster (each node a broker and a
controller; a 3-voter quorum), `marsad up --workers 2 --fetchers 2` runs the
whole pipeline on it (topics with replication factor 3 and
``min.insync.replicas`` 2, every producer acks=all and idempotent), with the
alert services delivering to a webhook receiver on 127.0.0.1. Two streams
of articles run the whole time:

- the site's: a `GrowingSite` feed of ``N_SITE`` pages (one missing: a dead
  letter) released in batches, polled, fetched by two fetchers;
- probes: one article every ``PROBE_EVERY`` seconds published straight to
  ``articles.fetched`` (as `marsad import` does), whose time from publication
  to ``articles.processed`` (the records' own timestamps) is the pipeline's
  latency: the longest one around a fault is how long the pipeline paused.

In order: the broker that leads most of the test's partitions is killed with
SIGKILL mid-stream; later it is started again (`marsad kafka start`); then
all three are restarted one by one (`marsad kafka restart`). At the end:
every article is in the views exactly once (N rows for N articles, the
missing page dead-lettered with its 404), every alert the back-test gives on
the processed log was raised and reached the webhook, each alert event once,
and the pauses are printed (run with ``-s`` to see them; README "Fail-over on
three brokers").

Run it alone with ``pytest -m cluster``; it is part of the default suite.
"""

from __future__ import annotations

import collections
import os
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from benchmarks.corpus import articles as corpus
from marsad.deploy.kafka.cluster import LocalCluster, leaders, partitions
from marsad.deploy.services.state import alive
from marsad.runtime.kafka.connection import kafka_python_options
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import AlertRaised, ArticleFetched
from tests.deploy.alert_site import SECRET, alert_events, alert_settings, expected_alerts, topic_keys
from tests.deploy.services_site import GrowingSite, Pipeline, wait_for
from tests.streams.alerts.delivery.receiver import Receiver
from tests.support.ports import port_block

pytestmark = [pytest.mark.kafka, pytest.mark.cluster]

N_SITE = 20  # pages on the site; page 5 is missing (a dead letter)
MISSING = (5,)
PROBE_EVERY = 0.5  # seconds between two probe articles
BROKERS = 3


class Probes:
    """Publishes one article to ``articles.fetched`` every ``PROBE_EVERY`` s from a thread, until stopped."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.ids: list[str] = []
        self._texts = corpus(1000, size=1200, seed=29)
        self._publisher = EventPublisher(bootstrap, client_id="drill-probes")
        self._topic = topic
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(PROBE_EVERY) and len(self.ids) < len(self._texts):
            doc = self._texts[len(self.ids)]
            article_id = f"probe-{len(self.ids):04d}"
            self._publisher.publish(self._topic, article_id, ArticleFetched(
                article_id=article_id, text=doc["text"], title=doc["title"], source="drill-probe"))
            self.ids.append(article_id)

    def stop(self) -> list[str]:
        self._stop.set()
        self._thread.join(30)
        self._publisher.close()
        assert self._publisher.failed == 0
        return self.ids


@dataclass
class Drill:
    p: Pipeline
    site: GrowingSite
    hook: Receiver
    rules: Path
    cluster: LocalCluster
    faults: list[tuple[str, float, float]] = field(default_factory=list)  # (what, start, end) unix times
    probes: Probes | None = None


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    tmp = tmp_path_factory.mktemp("cluster-drills")
    site = GrowingSite(N_SITE, missing=MISSING)
    hook = Receiver(SECRET.encode(), lambda key, n: 200)
    settings = alert_settings(tmp, hook.url)
    base = port_block(2 * BROKERS)  # the cluster's nodes take consecutive ports
    p = Pipeline("", "drill3", tmp / "data", site.write_registry(tmp / "feeds.yaml"), **settings,
                 MARSAD_KAFKA_PORT=str(base), MARSAD_KAFKA_CONTROLLER_PORT=str(base + 1), MARSAD_KAFKA_HEAP="384m",
                 MARSAD_KAFKA_START_TIMEOUT="150")
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "MARSAD_REPLICATION_FACTOR", "MARSAD_MIN_INSYNC_REPLICAS"):
        p.env.pop(name, None)  # the local cluster, and the replication its size gives
    cluster = LocalCluster(p.data_dir, brokers=BROKERS, ports=[base + 2 * i for i in range(BROKERS)],
                           controller_ports=[base + 1 + 2 * i for i in range(BROKERS)],
                           cache_dir=os.environ.get("MARSAD_CACHE_DIR", Path.home() / ".cache" / "marsad"))
    p.bootstrap = cluster.bootstrap
    d = Drill(p, site, hook, Path(settings["MARSAD_ALERT_RULES"]), cluster)
    try:
        out = p.marsad("kafka", "start", "--brokers", str(BROKERS))
        assert f"kafka cluster of {BROKERS} brokers ready at {cluster.bootstrap}" in out.stdout, out.stdout
        yield d
    finally:
        if d.probes:
            d.probes.stop()
        p.marsad("down", check=False)
        p.marsad("kafka", "stop", check=False)
        hook.stop()
        site.close()


def test_status_names_every_broker(drill):
    out = drill.p.marsad("kafka", "status").stdout
    assert [line.split()[:3] for line in out.splitlines()[:BROKERS]] == [
        ["broker", str(i), "running"] for i in range(1, BROKERS + 1)]
    assert f"{BROKERS} of {BROKERS} brokers running" in out and "every partition fully replicated" in out


def test_up_on_the_cluster_makes_replicated_topics_and_runs_two_workers_and_two_fetchers(drill):
    p = drill.p
    out = p.marsad("up", "--workers", "2", "--fetchers", "2", "--skip", "api")
    assert f"kafka: {drill.cluster.bootstrap} (local cluster of {BROKERS} brokers" in out.stdout, out.stdout
    rows = wait_for("every service ready", lambda: (r := p.ps()) and all(x["ready"] for x in r.values()) and r,
                    120, 1.0, p.logs)
    assert list(rows) == ["poller", "fetcher-1", "fetcher-2", "worker-1", "worker-2", "alerter", "deliver", "views"]
    ours = partitions(drill.cluster.bootstrap, "drill3")
    assert ours and all(len(x["replicas"]) == BROKERS for x in ours)
    assert topic_config(drill.cluster.bootstrap, p.topics.fetched, "min.insync.replicas") == "2"
    drill.probes = Probes(drill.cluster.bootstrap, p.topics.fetched)
    drill.site.release(6)
    wait_for("the first site articles in the views", lambda: len(p.view_rows()) >= 4, 180, 0.5, p.report)


def test_kill_9_of_the_broker_leading_most_partitions(drill):
    p, cluster = drill.p, drill.cluster
    wait_for("ten probes processed before the faults (the calm latency)", lambda: len(latencies(drill)) >= 10,
             120, 1.0, p.report)
    counts = leaders(cluster.bootstrap, "drill3")
    victim = counts.most_common(1)[0][0]
    started = time.time()
    killed = cluster.node(victim).kill()
    assert killed and not alive(killed)
    drill.site.release(10)  # announced and fetched while the cluster fails over
    record_fault(drill, f"kill -9 of broker {victim} (led {counts[victim]} of {sum(counts.values())} partitions)",
                 started, after="the kill", since=started + 3)
    wait_for("the others leading the killed broker's partitions", lambda: not_leading(drill, victim), 60, 1.0,
             p.report)


def test_the_killed_broker_restarts_and_catches_up(drill):
    p, cluster = drill.p, drill.cluster
    started = time.time()
    out = p.marsad("kafka", "start")
    assert "starting kafka broker" in out.stdout and f"cluster of {BROKERS} brokers ready" in out.stdout
    cluster.wait_replicated()
    drill.site.release(14)
    record_fault(drill, "the killed broker started again, until fully replicated", started, after="the restart",
                 since=time.time())


def test_a_rolling_restart_of_all_three(drill):
    p = drill.p
    started = time.time()
    out = p.marsad("kafka", "restart", timeout=600)
    assert out.stdout.count("every partition fully replicated") == BROKERS, out.stdout
    drill.site.release(N_SITE)
    record_fault(drill, "rolling restart of the 3 brokers", started, after="the rolling restart", since=time.time())


def test_every_article_is_in_the_views_exactly_once(drill):
    p = drill.p
    probes = drill.probes.stop() if drill.probes else []
    drill.probes = None
    discovered, dead, _ = wait_for("every article in the views or dead-lettered",
                                       lambda: settled(drill, probes), 300, 2.0, p.report)
    rows = p.view_rows()
    n = len(discovered) + len(probes)
    assert len(discovered) == N_SITE and len(probes) > 50
    assert not [a for a, count in collections.Counter(rows).items() if count > 1]
    assert len(rows) == n - len(MISSING) and set(rows) == (discovered | set(probes)) - set(dead)
    assert len(dead) == len(MISSING) and all("404" in reason for reason in dead.values()), dead
    print(f"\n{n} articles ({N_SITE} from the site, {len(probes)} probes): {len(rows)} rows in the views, "
          f"{len(dead)} dead letter, none lost or doubled")


def test_the_live_alerts_are_the_back_tests_and_each_reached_the_webhook_once(drill):
    p = drill.p
    expected = expected_alerts(p, drill.rules)
    assert len(expected) >= 10
    wait_for("every alert the back-test gives raised", lambda: expected <= raised(p), 180, 2.0, p.logs)
    assert raised(p) == expected
    keys = wait_for("every alert event on the topic accepted by the webhook",
                    lambda: (k := topic_keys(p)) and k == set(drill.hook.accepted) and k, 180, 2.0, p.logs)
    assert len(keys) >= len(expected)
    assert all(r.signed and r.status == 200 for r in drill.hook.requests)
    twice = {k: c for k, c in collections.Counter(drill.hook.accepted).items() if c > 1}
    assert not twice, twice  # no service was killed: each alert event once


def test_pauses_during_fail_over(drill):
    """The longest publication-to-processed time of the probes around each fault, against the calm before."""
    times = latencies(drill)
    first = drill.faults[0][1]
    calm = [lat for sent, lat in times if sent < first - 1]
    assert calm, "no probe before the first fault"
    lines = [f"probe latency before the faults: median {statistics.median(calm):.1f}s, max {max(calm):.1f}s "
             f"({len(calm)} probes)"]
    for what, start, end in drill.faults:
        around = [(sent, lat) for sent, lat in times if start - 1 <= sent <= end]
        worst = max((lat for _, lat in around), default=0.0)
        lines.append(f"{what}: pipeline paused {worst:.1f}s at most (longest probe latency of {len(around)} "
                     f"published during it; back to normal {end - start:.0f}s after it began)")
    print("\n" + "\n".join(lines))
    assert all(lat >= 0 for _, lat in times)


def test_down_stops_the_services_and_kafka_stop_every_broker(drill):
    p = drill.p
    pids = p.pids()
    p.marsad("down")
    assert not [pid for pid in pids if alive(pid)]
    brokers = [n.pid() for n in drill.cluster.nodes]
    assert all(brokers)  # `up` found the cluster running: `down` leaves it
    p.marsad("kafka", "stop")
    assert not [pid for pid in brokers if alive(pid)]
    assert p.marsad("kafka", "status", check=False).returncode == 1


# -- reading back --------------------------------------------------------------------------------------------
def record_times(bootstrap: str, topic: str) -> dict[str, float]:
    """Article id -> the timestamp (s) of its first record in ``topic``, read up to the end offsets of now."""
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, i) for i in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        left = {tp: end for tp, end in consumer.end_offsets(parts).items() if end > 0}
        out: dict[str, float] = {}
        deadline = time.monotonic() + 60
        while left and time.monotonic() < deadline:
            for tp, records in consumer.poll(timeout_ms=500).items():
                for record in records:
                    if record.key:
                        out.setdefault(record.key.decode(), record.timestamp / 1000)
                if tp in left and consumer.position(tp) >= left[tp]:
                    del left[tp]
        return out
    finally:
        consumer.close()


def live(drill: Drill) -> str:
    """The running nodes' addresses: kafka-python takes tens of seconds to bootstrap when one listed is down."""
    return ",".join(n.bootstrap for n in drill.cluster.nodes if n.pid() is not None)


def latencies(drill: Drill) -> list[tuple[float, float]]:
    """(published at, seconds to articles.processed) of every probe, in publication order."""
    bootstrap = live(drill)
    sent = {k: t for k, t in record_times(bootstrap, drill.p.topics.fetched).items() if k.startswith("probe-")}
    done = record_times(bootstrap, drill.p.topics.processed)
    return sorted((t, done[k] - t) for k, t in sent.items() if k in done)


def record_fault(drill: Drill, fault: str, started: float, *, after: str, since: float) -> None:
    """Wait for a probe published at or after ``since`` to be processed (``after``: what happened then), and
    record ``fault`` as the pause from ``started`` to that moment."""
    resumed = wait_for(f"a probe published after {after} processed", lambda: probe_after(drill, since), 240, 1.0,
                       drill.p.report)
    drill.faults.append((fault, started, resumed))


def probe_after(drill: Drill, since: float) -> float | None:
    """The time a probe published at or after ``since`` reached articles.processed, once one has (None before,
    and while the metadata this reader got still names a broker just killed)."""
    try:
        return next((sent + lat for sent, lat in latencies(drill) if sent >= since), None)
    except KafkaError:
        return None


def not_leading(drill: Drill, node: int) -> bool:
    try:
        return node not in leaders(live(drill), "drill3")
    except KafkaError:
        return False


def settled(drill: Drill, probes: list[str]) -> tuple[set[str], dict[str, str], set[str]] | None:
    site = drill.p.settled(N_SITE)
    if site is None:
        return None
    discovered, dead, views = site
    return (discovered, dead, views) if set(probes) <= views else None


def raised(p: Pipeline) -> set[str]:
    return {e.alert_id for e in alert_events(p) if isinstance(e, AlertRaised)}


def topic_config(bootstrap: str, topic: str, name: str) -> str | None:
    """The value of config ``name`` of ``topic``, as the cluster describes it."""
    from kafka import KafkaAdminClient
    from kafka.admin import ConfigResource, ConfigResourceType
    admin = KafkaAdminClient(**kafka_python_options(bootstrap))
    try:
        result = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        admin.close()

    def find(node: object) -> str | None:
        if isinstance(node, dict):
            if isinstance(node.get(name), dict):
                return node[name].get("value")
            children = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            return None
        return next((v for c in children if (v := find(c)) is not None), None)

    return find(result)
