"""Replay on the real broker: identical rebuilds, on each database; and `replay --reprocess`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import msgspec
import pytest

from marsad.consumers.consume import DeadLetters, LogReader
from marsad.consumers.query.model import ArticleQuery, Filters, SeizureQuery
from marsad.consumers.replay import ReplayInterrupted, replay
from marsad.consumers.store import Record, open_store
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import ArticleFetched, ArticleProcessed, Duplicate
from marsad.schemas.facts import Topic
from marsad.schemas.topics import Topics
from marsad.streams.pipeline import Resources
from tests.conftest import RESOURCES, ROOT
from tests.consumers.factory import article, corpus

pytestmark = pytest.mark.kafka


def test_two_rebuilds_are_identical_and_match_the_events(views_url, kafka_bootstrap, kafka_topics, tmp_path,
                                                         monkeypatch):
    from marsad.consumers import replay as replay_module
    monkeypatch.setattr(replay_module, "POOL_MIN", 0)  # the worker processes even for this small log
    topics = Topics(kafka_topics)
    events = [*corpus(300), *(article(i, topics=["arms"], version="t2", title=f"تحديث الخبر {i}")
                              for i in range(0, 300, 3))]
    with EventPublisher(kafka_bootstrap) as pub:
        for e in events:
            pub.publish(topics.processed, e.article_id, e)
        pub.publish_raw(topics.processed, "bad", b"\xff not json")
        reports, progress = [], []
        with open_store(views_url) as live:
            live.setup()
            for workers in (0, 2):  # in this process, then on worker processes
                reader = LogReader(kafka_bootstrap, topics.processed, batch_size=64)
                try:
                    reports.append(replay(live, reader, DeadLetters(pub, topics.deadletter("consumers")),
                                          batch_ms=100, stop=threading.Event(), workers=workers,
                                          progress=lambda d, t: progress.append((d, t))))
                finally:
                    reader.close()
    assert reports[0].hash == reports[1].hash
    assert reports[0].events == len(events) + 1
    assert progress[-1] == (len(events) + 1, len(events) + 1)
    with open_store(views_url) as now:
        assert now.content_hash() == reports[0].hash and now.stats()["articles"] == 300
        # the worker processes' replay stores where the log ends, as the live consumer would
        reader = LogReader(kafka_bootstrap, topics.processed, batch_size=64)
        try:
            reader.assign_from({})
            assert now.offsets() == {(tp.topic, tp.partition): end for tp, end in reader.ends().items()}
        finally:
            reader.close()
    # what a replay holds is what the events say, whatever the database
    with open_store(f"sqlite:///{tmp_path / 'direct.sqlite'}") as direct:
        direct.setup()
        direct.write_batch([Record("x", 0, i, e) for i, e in enumerate(events)])
        assert direct.content_hash() == reports[0].hash
        # and its full-text index finds what the live way of indexing finds (revisions retitled included)
        with open_store(views_url) as now:
            assert len(now.articles(ArticleQuery(Filters(words=("تحديث",)), limit=1000)).items) == 100
            for words in (("تحديث",), ("خبر", "رقم"), ("الكبتاغون",), ("الحدود", "الاردنيه"), ("نقطه",)):
                query = ArticleQuery(Filters(words=words), limit=1000)
                assert sorted(a["article_id"] for a in now.articles(query).items) == \
                    sorted(a["article_id"] for a in direct.articles(query).items), words


def test_an_interrupted_replay_leaves_the_live_views_as_they_were(views_url, kafka_bootstrap, kafka_topics,
                                                                  monkeypatch):
    from marsad.consumers import replay as replay_module
    monkeypatch.setattr(replay_module, "POOL_MIN", 0)  # the worker processes even for this small log
    topics = Topics(kafka_topics)
    with EventPublisher(kafka_bootstrap) as pub:
        for e in corpus(200):
            pub.publish(topics.processed, e.article_id, e)
        pub.flush(timeout=30)
        with open_store(views_url) as live:
            live.setup()
            live.write_batch([Record("x", 0, 0, article(1))])
            before = live.content_hash()
            stop = threading.Event()
            reader = LogReader(kafka_bootstrap, topics.processed, batch_size=20)
            try:
                with pytest.raises(ReplayInterrupted, match="live views are unchanged"):
                    replay(live, reader, DeadLetters(pub, topics.deadletter("consumers")), batch_ms=100, stop=stop,
                           workers=2, progress=lambda done, total: done and stop.set())
            finally:
                reader.close()
    with open_store(views_url) as now:
        assert now.content_hash() == before and now.stats()["articles"] == 1
    if views_url.startswith("sqlite"):  # the fresh file is gone
        folder = Path(views_url.removeprefix("sqlite:///")).parent
        assert sorted(p.name for p in folder.iterdir() if p.suffix == ".sqlite") == ["views.sqlite"]


def test_reprocess_reclassifies_history_keeping_duplicate_verdicts(kafka_bootstrap, kafka_topics, sqlite_url,
                                                                  tmp_path):
    topics = Topics(kafka_topics)
    names = ["seizure_jordan_border", "airstrike_bukamal", "isis_cell_arrest", "football_match"]
    fetched = [ArticleFetched(article_id=f"f{i}", url=f"https://example.org/{n}", source="عنب بلدي", title="",
                              text=(RESOURCES / "articles" / f"{n}.txt").read_text(encoding="utf-8"), lang="ar")
               for i, n in enumerate(names)]
    stale = ArticleProcessed(article_id="f1", clean_text="old", topics=[Topic("arms", 0.9)],
                             duplicate=Duplicate("near", "f0", 0.8), taxonomy_version="old")
    with EventPublisher(kafka_bootstrap) as pub:
        for e in fetched:
            pub.publish(topics.fetched, e.article_id, e)
        pub.publish(topics.processed, stale.article_id, stale)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": kafka_topics,
           "MARSAD_VIEWS_URL": sqlite_url, "MARSAD_DATA_DIR": str(tmp_path), "MARSAD_PARTITIONS": "2"}
    run = subprocess.run([sys.executable, "-m", "marsad.deploy.cli.main", "replay", "--reprocess", "--no-progress"], env=env,
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    version = Resources.load().taxonomy_version
    assert f"reprocessed 4 articles with taxonomy {version}" in run.stdout
    with open_store(sqlite_url) as views:
        assert views.stats()["articles"] == 4
        f1 = views.article("f1")
        assert f1["taxonomy_version"] == version and f1["clean_text"] != "old"
        assert f1["duplicate"] == {"status": "near", "first_id": "f0", "similarity": 0.8}  # kept
        assert "military" in {t["id"] for t in f1["topics"]}
        assert views.article("f0")["duplicate"]["status"] == "original"
        narcotics = views.articles(ArticleQuery(Filters(topic="narcotics"))).items
        assert [a["article_id"] for a in narcotics] == ["f0"]
        ledger = views.seizures(SeizureQuery(Filters(item="captagon"))).items
        assert ledger and ledger[0]["value"] == 1_200_000 and ledger[0]["unit"] == "pill"


def test_reprocess_on_worker_processes_publishes_what_one_process_does(kafka_bootstrap, kafka_topics, monkeypatch):
    from marsad.consumers import reprocess as reprocess_module
    from marsad.runtime.kafka.read import read_all
    topics = Topics(kafka_topics)
    texts = sorted((RESOURCES / "articles").glob("*.txt"))
    with EventPublisher(kafka_bootstrap) as pub:
        for i in range(40):
            p = texts[i % len(texts)]
            pub.publish(topics.fetched, f"w{i}", ArticleFetched(article_id=f"w{i}", url=f"https://example.org/{i}",
                                                                 source="عنب بلدي", title=p.stem,
                                                                 text=p.read_text(encoding="utf-8"), lang="ar"))
        pub.publish_raw(topics.fetched, "bad", b"{not json")
    res = Resources.load()
    monkeypatch.setattr(reprocess_module, "POOL_MIN", 0)  # the pool even for this small log
    reports = []
    for workers in (1, 2):
        with EventPublisher(kafka_bootstrap) as pub:
            reports.append(reprocess_module.reprocess(kafka_bootstrap, topics, res, pub, workers=workers))
    assert reports[0] == reports[1] == reprocess_module.ReprocessReport(published=40, skipped=1)
    events = [e for e in read_all(kafka_bootstrap, topics.processed) if isinstance(e, ArticleProcessed)]
    by_run = {}
    for e in events:
        by_run.setdefault(e.event_id, []).append(e)
    assert len(by_run) == 40  # the same deterministic ids from both runs
    for copies in by_run.values():
        assert len(copies) == 2
        a, b = (msgspec.structs.replace(c, occurred_at=copies[0].occurred_at) for c in copies)
        assert a == b
