"""Fault drills on real processes: the broker restarted mid-stream, and a worker's partitions taken over.

- Broker: a broker of this test's own (the session's must not be restarted),
  `marsad up` on it (the alert services too, delivering to a webhook
  receiver), a batch in flight when it stops; it starts again and the
  pipeline catches up: every discovered article is in the views once or
  dead-lettered with its reason, every alert the rules give is raised and
  reaches the webhook once per event, and the lag returns to 0.
- Scale-out: two `marsad worker` processes share the two partitions; the one
  that saw an article first is killed with SIGKILL; the other takes over its
  partitions and its dedup state (a near copy of that article, keyed to the
  dead worker's partition, is still found to be a near duplicate).
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

import pytest
from kafka.partitioner.default import murmur2

from marsad.deploy.kafka.local import LocalKafka, free_port
from marsad.deploy.services.state import alive
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.kafka.read import read_all
from marsad.runtime.metrics import parse_figures
from marsad.schemas.events import AlertRaised, ArticleFetched, ArticleProcessed
from marsad.schemas.topics import Topics
from tests.deploy.alert_site import SECRET, alert_events, alert_settings, expected_alerts, topic_keys
from tests.deploy.services_site import GrowingSite, Pipeline, wait_for
from tests.streams.alerts.delivery.receiver import Receiver
from tests.streams.test_dedup import EDITED, OTHER, STORY
from tests.support.service_process import stop_process

pytestmark = pytest.mark.kafka


def test_broker_restart_mid_stream_loses_nothing(tmp_path: Path):
    broker = LocalKafka(tmp_path / "broker", port=free_port(), controller_port=free_port(),
                        cache_dir=os.environ.get("MARSAD_CACHE_DIR", Path.home() / ".cache" / "marsad"),
                        start_timeout=120)
    broker.start(quiet=True)
    site = GrowingSite(12, missing=(3,))
    hook = Receiver(SECRET.encode(), lambda key, n: 200)
    settings = alert_settings(tmp_path, hook.url)
    p = Pipeline(broker.bootstrap, "drill", tmp_path / "data", site.write_registry(tmp_path / "feeds.yaml"),
                 **settings)
    try:
        p.marsad("up", "--skip", "api")
        site.release(6)
        wait_for("the first articles in the views", lambda: p.view_rows(), 120, 0.2, p.logs)
        broker.stop(quiet=True)
        site.release(12)  # found while the broker is away: the producer's sends wait and retry
        broker.start(quiet=True)
        discovered, dead, views = wait_for("every discovered article in the views or dead-lettered",
                                           lambda: p.settled(12), 300, 2.0, p.report)
        assert not [a for a, n in collections.Counter(p.view_rows()).items() if n > 1]
        assert set(dead) == discovered - views and len(dead) == 1
        assert all("404" in reason for reason in dead.values()), dead
        # every alert the rules give on the processed log was raised, and every alert event reached the webhook
        expected = expected_alerts(p, Path(settings["MARSAD_ALERT_RULES"]))
        assert len(expected) >= 6
        wait_for("every alert raised and accepted by the webhook",
                 lambda: expected <= {e.alert_id for e in alert_events(p) if isinstance(e, AlertRaised)}
                 and topic_keys(p) == set(hook.accepted), 120, 2.0, p.logs)
        assert all(r.signed and r.status == 200 for r in hook.requests)
        assert not [k for k, n in collections.Counter(hook.accepted).items() if n > 1]  # no kill: each key once
        wait_for("lag 0", lambda: (r := p.ps()) and all(r[s]["lag"] == 0 for s in ("worker-1", "alerter", "deliver",
                                                                                   "views")), 120, 2.0, p.logs)
        pids = p.pids()
        p.marsad("down")
        assert not [pid for pid in pids if alive(pid)]
    finally:
        p.marsad("down", check=False)
        broker.stop(quiet=True)
        hook.stop()
        site.close()


class Worker:
    """One `marsad worker` process with its own web port and data dir."""

    def __init__(self, name: str, bootstrap: str, prefix: str, tmp: Path) -> None:
        self.port = free_port()
        self.log = tmp / f"{name}.log"
        (tmp / name).mkdir()
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
               "MARSAD_PARTITIONS": "2", "MARSAD_DATA_DIR": str(tmp / name), "MARSAD_WORKER_WEB_PORT": str(self.port),
               "MARSAD_WORKER_SESSION_TIMEOUT": "10"}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-c", "from marsad.deploy.cli.main import main; main()", "worker"],
                                         env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=3) as r:
                return r.status, r.read().decode()
        except OSError as e:
            return getattr(e, "code", 0), ""

    def analysed(self) -> float:
        """Articles this worker's `process` agent analysed (its fetched partitions)."""
        status, text = self.get("/metrics")
        return parse_figures(text).get('marsad_processing_latency_seconds_count{stage="streams"}', 0) if status else 0

    def stop(self) -> None:
        stop_process(self.proc, 60)


def key_in(partition: int, stem: str) -> str:
    """An article id that Kafka's default partitioner puts in ``partition`` of 2."""
    return next(f"{stem}-{i}" for i in range(100) if (murmur2(f"{stem}-{i}".encode()) & 0x7FFFFFFF) % 2 == partition)


def test_two_workers_share_partitions_and_one_takes_over_the_others_dedup_state(
        kafka_bootstrap, kafka_topics, tmp_path):
    topics = Topics(kafka_topics)
    workers = [Worker(f"w{i}", kafka_bootstrap, kafka_topics, tmp_path) for i in (1, 2)]
    logs = lambda: "\n".join(f"--- {w.log.name}\n{w.log.read_text(errors='replace')[-3000:]}" for w in workers)  # noqa: E731
    pub = EventPublisher(kafka_bootstrap)

    def processed() -> dict[str, ArticleProcessed]:
        return {e.article_id: e for e in read_all(kafka_bootstrap, topics.processed) if isinstance(e, ArticleProcessed)}

    try:
        def ready() -> bool:
            assert all(w.proc.poll() is None for w in workers), logs()
            return all(w.get("/health/ready")[0] == 200 for w in workers)

        wait_for("both workers ready", ready, 180, 1.0, logs)
        first, other = key_in(0, "first"), key_in(1, "other")
        pub.publish(topics.fetched, first, ArticleFetched(article_id=first, text=STORY, source="outlet-a"))
        pub.flush()
        wait_for("the first article processed", lambda: first in processed(), 180, 1.0, logs)
        owner = next(w for w in workers if w.analysed() == 1)  # it holds partition 0
        survivor = next(w for w in workers if w is not owner)
        assert survivor.analysed() == 0
        pub.publish(topics.fetched, other, ArticleFetched(article_id=other, text=OTHER, source="outlet-a"))
        pub.flush()
        wait_for("the other article processed", lambda: other in processed(), 180, 1.0, logs)
        assert (owner.analysed(), survivor.analysed()) == (1, 1)  # one partition each: they share the load

        owner.proc.send_signal(signal.SIGKILL)
        owner.proc.wait()
        copy = key_in(0, "copy")  # the dead worker's partition
        pub.publish(topics.fetched, copy, ArticleFetched(article_id=copy, text=EDITED, source="outlet-b"))
        pub.flush()
        got = wait_for("the near copy processed by the survivor", lambda: processed().get(copy), 240, 1.0, logs)
        assert (got.duplicate.status, got.duplicate.first_id) == ("near", first)
        # its own article and the copy from the partition it took over; at least once, it may also process
        # again the dead worker's article whose offset was not committed yet before the kill
        assert survivor.analysed() in (2, 3)
        assert processed()[first].duplicate.status == "original"  # processed again, still the original
    finally:
        pub.close()
        for w in workers:
            w.stop()

