"""Alerts in the views, on SQLite and PostgreSQL: one row per alert, the highest revision wins.

Store tests run on both databases (``views_url``); the last test runs the
views consumer and a replay on the real broker.
"""

from __future__ import annotations

import threading

import pytest

from marsad.consumers.query.model import AlertQuery, Cursor
from marsad.consumers.service import run_replay, run_views
from marsad.consumers.store import Record, StoreError, open_store
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.kafka.read import read_all
from marsad.schemas.events import DeadLetter
from marsad.schemas.topics import Topics
from tests.consumers.conftest import content_hashes
from tests.consumers.factory import PLACES, corpus
from tests.streams.alerts.delivery.runner import wait_until
from tests.streams.alerts.events import publish_alerts, raised, updated

ALERTS = "test.alerts"


def alert_log() -> list:
    """Twelve alerts (severity and place cycle with i), three of them updated."""
    alerts = [raised(i) for i in range(12)]
    return [*alerts, updated(alerts[0], 1), updated(alerts[0], 2), updated(alerts[4], 1)]


def records(events, start=0, partition=0):
    return [Record(ALERTS, partition, start + i, e) for i, e in enumerate(events)]


@pytest.fixture
def filled(store):
    store.write_batch(records(alert_log()))
    return store


def test_one_row_per_alert_and_the_highest_revision_wins(store):
    a = raised(0, pills=3_000_000.0)
    assert store.write_batch(records([a, updated(a, 1), updated(a, 2)])) == 1
    # a redelivered older update and the raise published again (new offsets): nothing changes
    before = store.content_hash()
    assert store.write_batch(records([updated(a, 1)], start=3)) == 0
    assert store.content_hash() == before
    store.write_batch(records([a], start=4))
    row = store.alert("al0000")
    assert row["revision"] == 2 and row["articles"] == 3 and row["distinct_sources"] == 3
    assert row["article_ids"] == ["a00000", "a00000-c1", "a00000-c2"]
    assert row["title"] == a.title and row["severity"] == "critical" and row["raised_at"] == "2024-02-01T06:05:00Z"
    assert row["evidence"]["quantities"][0]["value"] == 3_000_000.0  # the evidence is kept
    assert row["evidence"]["places"][0]["name"] == PLACES[0].name
    assert store.stats()["alerts"] == 1 and store.alert("nope") is None


def test_an_update_seen_before_its_raise_is_kept_and_completed(store):
    a = raised(5)
    store.write_batch(records([updated(a, 2)]))
    early = store.alert("al0005")
    assert early["revision"] == 2 and early["raised_at"] is None and early["articles"] == 3
    store.write_batch(records([a, updated(a, 1)], start=1))
    row = store.alert("al0005")
    assert row["revision"] == 2 and row["articles"] == 3 and row["title"] == a.title and row["raised_at"]
    assert store.alerts(AlertQuery(place=PLACES[0].name)).items[0]["alert_id"] == "al0005"


@pytest.mark.parametrize(("query", "expected"), [
    (AlertQuery(severity="critical"), [9, 6, 3, 0]),
    (AlertQuery(rule="rule-warning"), [10, 7, 4, 1]),
    (AlertQuery(place="البوكمال"), [10, 5, 0]),  # PLACES[0]: every fifth alert
    (AlertQuery(place="البوكمال", severity="critical"), [0]),
    (AlertQuery(country="JO"), [9, 4]),  # PLACES[4] is in Jordan
    (AlertQuery(since="2024-02-01T09:00:00Z", until="2024-02-01T12:00:00Z"), [5, 4, 3]),
    (AlertQuery(rule="no-such-rule"), []),
], ids=["severity", "rule", "place", "place+severity", "country", "dates", "none"])
def test_filters_newest_first(filled, query, expected):
    assert [int(it["alert_id"][2:]) for it in filled.alerts(query).items] == expected


def test_pages_cover_every_alert_once(filled):
    seen, after = [], None
    while True:
        page = filled.alerts(AlertQuery(limit=5, after=after))
        seen += [it["alert_id"] for it in page.items]
        if page.next is None:
            break
        after = page.next
    assert seen == [f"al{i:04d}" for i in range(11, -1, -1)]
    assert isinstance(after, Cursor)


def test_hash_ignores_batching_and_is_the_same_on_both_databases(sqlite_url, postgres_url, tmp_path):
    one_by_one = f"sqlite:///{tmp_path / 'one-by-one.sqlite'}"
    hashes = content_hashes(records(alert_log()), [sqlite_url, postgres_url], one_by_one)
    assert len(hashes) == 1


@pytest.mark.kafka
def test_the_views_consumer_and_replay_take_the_alerts_topic(views_url, kafka_bootstrap, kafka_topics, monkeypatch):
    topics = Topics(kafka_topics)
    articles = corpus(20)
    with EventPublisher(kafka_bootstrap) as pub:
        for e in articles:
            pub.publish(topics.processed, e.article_id, e)
        pub.publish_raw(topics.alerts, "rule-x", b'{"type": "AlertRaised", "version": 1}')  # poison
    events = alert_log()
    publish_alerts(kafka_bootstrap, topics, events)
    messages = len(articles) + 1 + len(events)
    stop = threading.Event()
    live = threading.Thread(target=run_views, args=(kafka_bootstrap, topics, views_url),
                            kwargs={"batch_size": 7, "batch_ms": 50, "stop": stop})
    live.start()
    try:
        def applied() -> int:
            try:
                with open_store(views_url) as s:
                    return sum(s.offsets().values())
            except StoreError:  # not set up yet
                return 0
        wait_until(lambda: applied() == messages, "the views to read both topics")
    finally:
        stop.set()
        live.join(60)
    with open_store(views_url) as s:
        assert s.stats()["articles"] == 20 and s.stats()["alerts"] == 12
        assert s.alert("al0000")["revision"] == 2 and s.alert("al0004")["revision"] == 1
        live_hash = s.content_hash()
    letters = [d for d in read_all(kafka_bootstrap, topics.deadletter("consumers")) if isinstance(d, DeadLetter)]
    assert [(d.stage, d.source_topic) for d in letters] == [("views", topics.alerts)]
    assert "missing required field `alert_id`" in letters[0].reason
    _, report = run_replay(kafka_bootstrap, topics, views_url, batch_size=5, batch_ms=50, stop=threading.Event(),
                           progress=False)
    assert report.hash == live_hash and report.events == messages
    from marsad.consumers import replay as replay_module
    monkeypatch.setattr(replay_module, "POOL_MIN", 0)  # each partition's alerts folded by its worker process
    _, report = run_replay(kafka_bootstrap, topics, views_url, batch_size=5, batch_ms=50, stop=threading.Event(),
                           progress=False, workers=2)
    assert report.hash == live_hash and report.events == messages
