"""The issue's proof, on the real broker and on each database: exactly N, through kill -9 and replay.

1. N processed articles, a poison message and updates of some articles go on the log;
2. `marsad views` (paused inside each write transaction) is killed with SIGKILL mid-batch;
3. a plain `marsad views` resumes: the views hold exactly N articles and the expected counts;
4. `marsad replay` prints the same content hash as the live view, and swaps in while the live
   consumer keeps running: it continues on the rebuilt view, still exactly;
5. SIGTERM stops it cleanly; the poison message is on the dead-letter topic, once per offset.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from marsad.consumers.query.model import CountQuery
from marsad.consumers.store import StoreError, open_store
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.codec import decode
from marsad.schemas.topics import Topics
from tests.conftest import ROOT
from tests.consumers.factory import article, corpus

pytestmark = pytest.mark.kafka

N = 1500
UPDATED = 100  # articles 0..99 re-processed with topic "arms"
LATE = 50


def views_state(url: str, table: str = "articles") -> tuple[int, int]:
    """(rows of ``table``, messages applied) as committed; (0, 0) before the schema exists."""
    try:
        with open_store(url) as s:
            return s.stats()[table], sum(s.offsets().values())
    except StoreError:
        return 0, 0


def wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def marsad(env: dict, *args: str, module: str = "marsad.deploy.cli.main", **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module, *args], env=env, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def views_env(bootstrap: str, prefix: str, views_url: str, data: Path) -> dict:
    """The environment of `marsad views` (and of tests.consumers.views_process: marker and pause) for a test."""
    return {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
            "MARSAD_VIEWS_URL": views_url, "MARSAD_DATA_DIR": str(data), "MARSAD_PARTITIONS": "2",
            "MARSAD_LOG_LEVEL": "warning", "MARSAD_TEST_MARKER": str(data / "in-batch"),
            "MARSAD_TEST_PAUSE": "0.15"}


def kill_mid_batch(env: dict, batch_size: int, state: Callable[[], tuple[int, int]], at_least: int, rows: int,
                   messages: int) -> None:
    """Run `marsad views` paused inside each write transaction; kill -9 it once ``at_least`` rows are committed
    and a batch is in hand; check that batch was lost, not half-written (``state()``: rows, messages applied)."""
    slow = marsad(env, "--batch-size", str(batch_size), module="tests.consumers.views_process")
    marker = Path(env["MARSAD_TEST_MARKER"])
    try:
        wait_for(lambda: state()[0] >= at_least and marker.exists(), "a batch in progress")
        slow.kill()
        slow.wait(10)
    finally:
        if slow.poll() is None:
            slow.kill()
    written, applied = state()
    assert at_least <= written < rows and applied < messages


@contextmanager
def live_views(env: dict, applied: Callable[[], int], messages: int) -> Iterator[subprocess.Popen]:
    """A plain `marsad views`, once it has applied ``messages``; killed on leaving if still running."""
    live = marsad(env, "views")
    try:
        wait_for(lambda: applied() == messages, "the live view to catch up")
        yield live
    finally:
        if live.poll() is None:
            live.kill()


@pytest.fixture
def env(kafka_bootstrap, kafka_topics, views_url, tmp_path) -> dict:
    return views_env(kafka_bootstrap, kafka_topics, views_url, tmp_path)


def publish(bootstrap: str, topics: Topics, events, poison: bytes | None = None) -> int:
    with EventPublisher(bootstrap) as pub:
        for e in events:
            pub.publish(topics.processed, e.article_id, e)
        if poison is not None:
            pub.publish_raw(topics.processed, "poison", poison)
    return pub.delivered


def test_exactly_n_through_kill_and_replay(env, kafka_bootstrap, kafka_topics, views_url, tmp_path):
    topics = Topics(kafka_topics)
    updates = [article(i, topics=["arms"], version="t2") for i in range(UPDATED)]
    messages = publish(kafka_bootstrap, topics, corpus(N), poison=b'{"type": "ArticleProcessed", "version": 2}')
    messages += publish(kafka_bootstrap, topics, updates)
    assert messages == N + 1 + UPDATED
    expected_topics = Counter(["arms"] * UPDATED + [t.id for e in corpus(N)[UPDATED:] for t in e.topics])

    # 2. kill -9 while a batch is written but not committed
    kill_mid_batch(env, 50, lambda: views_state(views_url), 200, N, messages)

    # 3. restart: exactly N
    with live_views(env, lambda: views_state(views_url)[1], messages) as live:
        with open_store(views_url) as s:
            assert s.stats()["articles"] == N
            counts = {r["key"]: r["articles"] for r in s.counts(CountQuery(by="topic", limit=1000))}
            live_hash = s.content_hash()
        assert counts == expected_topics

        # 4. replay while the live consumer runs: same hash, swapped in
        replay = subprocess.run([sys.executable, "-m", "marsad.deploy.cli.main", "replay"], env=env, cwd=ROOT, text=True,
                                capture_output=True, timeout=120)
        assert replay.returncode == 0, replay.stderr
        assert f"replayed {messages:,} events in " in replay.stdout
        assert "replay:" not in replay.stderr  # no progress bar off a terminal
        assert f"views hash {live_hash}" in replay.stdout
        views_hash = subprocess.run([sys.executable, "-m", "marsad.deploy.cli.main", "views", "hash"], env=env, cwd=ROOT,
                                    text=True, capture_output=True, timeout=60)
        assert views_hash.stdout.strip() == live_hash

        publish(kafka_bootstrap, topics, [article(N + i) for i in range(LATE)])
        wait_for(lambda: views_state(views_url) == (N + LATE, messages + LATE), "the live consumer to go on")

        # 5. SIGTERM: finish, commit, exit 0
        live.send_signal(signal.SIGTERM)
        assert live.wait(20) == 0, live.stderr.read()
    assert views_state(views_url) == (N + LATE, messages + LATE)
    letters = dead_letters(kafka_bootstrap, topics.deadletter("consumers"))
    assert {(d.stage, d.error, d.key, d.source_offset is not None) for d in letters} == {
        ("views", "schema", "poison", True)}
    assert len({d.event_id for d in letters}) == 1  # re-sent after the kill, the same letter


def dead_letters(bootstrap: str, topic: str) -> list:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=3000)
    try:
        return [decode(m.value) for m in consumer]
    finally:
        consumer.close()
