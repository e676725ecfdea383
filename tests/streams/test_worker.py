"""The Faust worker on the real broker: articles in, processed out, duplicates, poison, restart."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer

from marsad.deploy.kafka.local import free_port
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.codec import decode
from marsad.schemas.events import ArticleFetched, ArticleProcessed, DeadLetter
from marsad.schemas.topics import Topics
from tests.streams.test_dedup import EDITED, OTHER, STORY
from tests.support.service_process import ServiceProcess

pytestmark = pytest.mark.kafka


class Worker(ServiceProcess):
    def __init__(self, bootstrap: str, prefix: str, data_dir: Path, store: str = "memory://", **settings: str) -> None:
        super().__init__("worker", {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
                                    "MARSAD_PARTITIONS": "2", "MARSAD_DATA_DIR": str(data_dir),
                                    "MARSAD_WORKER_WEB_PORT": str(free_port()), "MARSAD_WORKER_STORE": store,
                                    **settings}, data_dir / "worker.log")


class Reader:
    """Reads a topic from the beginning, keeping what it saw."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                      group_id=f"reader-{topic}", enable_auto_commit=False)
        self.seen: list = []

    def until(self, n: int, timeout: float, worker: Worker) -> list:
        deadline = time.monotonic() + timeout
        while len(self.seen) < n and time.monotonic() < deadline:
            for records in self.consumer.poll(timeout_ms=500).values():
                self.seen.extend(decode(r.value) for r in records)
            if worker.proc and worker.proc.poll() is not None:
                raise AssertionError(f"worker exited: {worker.log.read_text()[-3000:]}")
        assert len(self.seen) >= n, f"saw {len(self.seen)} of {n}; worker log:\n{worker.log.read_text()[-3000:]}"
        return self.seen


def _rocksdb() -> str:
    pytest.importorskip("rocksdict", reason="rocksdict does not install here: workers use memory:// tables")
    return "rocksdb://"


@pytest.mark.parametrize("store", ["memory", "rocksdb"])
def test_worker_processes_dedups_survives_poison_and_restart(kafka_bootstrap, kafka_topics, tmp_path, store):
    topics = Topics(kafka_topics)
    worker = Worker(kafka_bootstrap, kafka_topics, tmp_path, "memory://" if store == "memory" else _rocksdb())
    processed = Reader(kafka_bootstrap, topics.processed)
    dead = Reader(kafka_bootstrap, topics.deadletter("streams"))
    pub = EventPublisher(kafka_bootstrap)
    raw = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    worker.start()
    try:
        pub.publish(topics.fetched, "first", ArticleFetched(article_id="first", text=STORY, source="outlet-a"))
        pub.publish(topics.fetched, "other", ArticleFetched(article_id="other", text=OTHER, source="outlet-a"))
        pub.flush()
        processed.until(2, 120, worker)
        pub.publish(topics.fetched, "copy", ArticleFetched(article_id="copy", text=EDITED, source="outlet-b"))
        raw.send(topics.fetched, key=b"poison", value=b"\x00 not an event")
        raw.flush()
        pub.publish(topics.fetched, "after", ArticleFetched(article_id="after", text=f"<p>{STORY}</p>",
                                                            source="outlet-c"))
        pub.flush()
        by_id = {e.article_id: e for e in processed.until(4, 120, worker)}
        assert all(isinstance(e, ArticleProcessed) for e in by_id.values())
        assert by_id["first"].duplicate.status == "original"
        assert by_id["other"].duplicate.status == "original"
        assert (by_id["copy"].duplicate.status, by_id["copy"].duplicate.first_id) == ("near", "first")
        assert (by_id["after"].duplicate.status, by_id["after"].duplicate.first_id) == ("exact", "first")
        assert by_id["first"].taxonomy_version and by_id["first"].gazetteer_version
        assert by_id["first"].causation_id
        (poison,) = dead.until(1, 90, worker)
        assert isinstance(poison, DeadLetter)
        assert "not JSON" in poison.reason and poison.payload == b"\x00 not an event"

        worker.stop()
        assert worker.proc.returncode is not None
        worker.start()
        late = EDITED.replace("الشهر الماضي", "العام الماضي")
        pub.publish(topics.fetched, "late-copy", ArticleFetched(article_id="late-copy", text=late))
        pub.flush()
        by_id = {e.article_id: e for e in processed.until(5, 180, worker)}
        assert by_id["late-copy"].duplicate.status == "near"
        assert by_id["late-copy"].duplicate.first_id == "first"
    finally:
        worker.stop()
        pub.close()
        raw.close()
        processed.consumer.close()
        dead.consumer.close()


def test_dedup_forgets_an_article_dedup_days_after_its_fetch(kafka_bootstrap, kafka_topics, tmp_path):
    """By fetch time as the log records it: a copy fetched three days later is an original with a one-day limit."""
    topics = Topics(kafka_topics)
    worker = Worker(kafka_bootstrap, kafka_topics, tmp_path, MARSAD_DEDUP_DAYS="1")
    processed = Reader(kafka_bootstrap, topics.processed)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    worker.start()
    try:
        with EventPublisher(kafka_bootstrap) as pub:
            pub.publish(topics.fetched, "first", ArticleFetched(article_id="first", text=STORY, occurred_at=t0))
            pub.publish(topics.fetched, "copy-soon", ArticleFetched(
                article_id="copy-soon", text=EDITED, occurred_at=t0 + timedelta(hours=20)))
        processed.until(2, 120, worker)
        with EventPublisher(kafka_bootstrap) as pub:  # three days on: moves the clock of both partitions
            pub.publish(topics.fetched, "other", ArticleFetched(article_id="other", text=OTHER,
                                                                occurred_at=t0 + timedelta(days=3)))
        processed.until(3, 120, worker)
        with EventPublisher(kafka_bootstrap) as pub:
            pub.publish(topics.fetched, "copy-late", ArticleFetched(
                article_id="copy-late", text=EDITED, occurred_at=t0 + timedelta(days=3, hours=1)))
        by_id = {e.article_id: e for e in processed.until(4, 120, worker)}
    finally:
        worker.stop()
        processed.consumer.close()
    assert (by_id["copy-soon"].duplicate.status, by_id["copy-soon"].duplicate.first_id) == ("near", "first")
    assert by_id["copy-late"].duplicate.status == "original"
    assert "forgot" in worker.log.read_text()
