"""The fetcher service (`marsad fetch`) and the poller alone (`marsad poll`): real broker, real HTTP server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from marsad.producers.events import discovered_event, outcome_event_id
from marsad.producers.feeds.registry import Feed
from marsad.producers.fetch_service import FetcherConfig, FetcherReport, fetcher_group, run_fetcher
from marsad.producers.http import FetchOptions
from marsad.producers.poller import DiscoveredEntry, PollOptions
from marsad.producers.service import run_producer
from marsad.producers.urls import article_id, canonical_url
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.lag import LagProbe
from marsad.schemas.events import ArticleDiscovered, ArticleFetched, DeadLetter
from marsad.schemas.topics import Topics
from tests.producers.scripted_feeds import serve_articles, serve_feed
from tests.producers.scripted_server import ScriptedServer
from tests.producers.test_service import VENV_BIN, config, counts, events, on_topics, registry


def fetcher_config(bootstrap: str, prefix: str) -> FetcherConfig:
    return FetcherConfig(
        bootstrap=bootstrap, topic_prefix=prefix,
        fetch=FetchOptions(connect_timeout=2.0, read_timeout=2.0, total_timeout=5.0, allow_private=True,
                           max_connections=16, per_host_connections=8),
        poll=PollOptions(retry_base_delay=0.01, retry_max_delay=0.05), fetch_workers=8, shutdown_grace=5.0,
        commit_interval=0.2)


def fetch_once(bootstrap: str, prefix: str) -> FetcherReport:
    return asyncio.run(run_fetcher(fetcher_config(bootstrap, prefix), once=True, handle_signals=False))


def announce(bootstrap: str, prefix: str, links: list[str], *, content: dict[str, str] | None = None,
             garbage: int = 0) -> dict[str, ArticleDiscovered]:
    """Publish an ArticleDiscovered per link (and ``garbage`` undecodable records), as the poller would."""
    topics = Topics(prefix)
    out = {}
    with EventPublisher(bootstrap) as publisher:
        for link in links:
            url = canonical_url(link)
            entry = DiscoveredEntry(feed_id="t", article_id=article_id(url), url=url, link=link, source="test",
                                    title="عنوان", content_text=(content or {}).get(link))
            event = discovered_event(entry)
            publisher.publish(topics.discovered, entry.article_id, event)
            out[entry.article_id] = event
        for n in range(garbage):
            publisher.publish_raw(topics.discovered, f"junk-{n}", b"{not json")
    return out


def group_lag(bootstrap: str, prefix: str) -> int:
    probe = LagProbe(bootstrap)
    try:
        return sum(probe.group(fetcher_group(prefix), [Topics(prefix).discovered]).values())
    finally:
        probe.close()


@pytest.mark.kafka
def test_fetcher_publishes_fetched_and_dead_letters_then_commits(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str
) -> None:
    pages = [url for _, url in serve_articles(server, "fetcher", range(4))]
    missing = server.url("fetcher/missing.html")  # 404
    in_feed = server.url("fetcher/only-in-the-feed.html")  # never requested: the feed had the text
    announced = announce(kafka_bootstrap, kafka_topics, [*pages, missing, in_feed],
                         content={in_feed: "نص المقال الكامل كما ورد في الخلاصة. " * 20}, garbage=1)

    report = fetch_once(kafka_bootstrap, kafka_topics)
    topics = Topics(kafka_topics)
    found = {"fetched": events(kafka_bootstrap, topics.fetched),
             "dead letters": events(kafka_bootstrap, topics.deadletter("producers"))}

    assert (report.read, report.fetched, report.dead_letters, report.undelivered) == (7, 5, 2, 0)
    fetched = dict(found["fetched"])
    assert set(fetched) == {article_id(canonical_url(u)) for u in [*pages, in_feed]}
    for key, event in fetched.items():  # the id is derived from the announcement: a re-fetch repeats it
        assert isinstance(event, ArticleFetched) and event.causation_id == announced[key].event_id
        assert event.event_id == outcome_event_id(announced[key], "fetched")
    assert fetched[article_id(canonical_url(in_feed))].origin == "feed"
    assert not server.requested("fetcher/only-in-the-feed.html")
    letters = {event.url or event.key: event for _, event in found["dead letters"]}
    assert isinstance(letters[missing], DeadLetter) and letters[missing].error == "http_status"
    assert "HTTP 404" in letters[missing].reason
    assert letters["junk-0"].error == "schema" and letters["junk-0"].source_topic == topics.discovered
    assert group_lag(kafka_bootstrap, kafka_topics) == 0  # everything committed

    assert fetch_once(kafka_bootstrap, kafka_topics).read == 0  # a restart reads nothing again


@pytest.mark.kafka
def test_fetcher_killed_mid_batch_loses_nothing(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    total = 24
    links = [url for _, url in serve_articles(server, "slow", range(total), delay=0.8)]
    announced = announce(kafka_bootstrap, kafka_topics, links)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": kafka_topics,
           "MARSAD_DATA_DIR": str(tmp_path), "MARSAD_ALLOW_PRIVATE": "1", "MARSAD_PER_HOST_INTERVAL": "0",
           "MARSAD_POLL_CONCURRENCY": "4", "MARSAD_PER_HOST_CONCURRENCY": "4", "MARSAD_FETCHER_METRICS_PORT": "0",
           "MARSAD_CONFIG": os.devnull}
    process = subprocess.Popen([str(VENV_BIN / "marsad"), "fetch"], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len([r for r in server.requests if r.path.startswith("/slow/a")]) < 10:  # some done, some in flight
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        process.kill()

    report = fetch_once(kafka_bootstrap, kafka_topics)  # the group's next reader finishes the rest

    assert report.undelivered == 0 and report.read <= total
    by_key: dict[str, set[str]] = defaultdict(set)
    for key, event in on_topics(kafka_bootstrap, kafka_topics)["fetched"]:
        by_key[key].add(event.event_id)
    assert set(by_key) == set(announced)  # nothing lost
    assert all(len(ids) == 1 for ids in by_key.values())  # fetched twice at most, as the same event
    assert group_lag(kafka_bootstrap, kafka_topics) == 0


@pytest.mark.kafka
def test_poller_alone_announces_and_fetches_nothing(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    items = serve_articles(server, "announced", range(3))
    feed = Feed(id="announced", url=serve_feed(server, "announced/rss.xml", items))
    cfg = replace(config(kafka_bootstrap, kafka_topics, registry(tmp_path / "feeds.yaml", [feed]), tmp_path),
                  fetch_inline=False)

    report = asyncio.run(run_producer(cfg, once=True, handle_signals=False))

    assert (report.discovered, report.fetched, report.left_unfinished) == (3, 0, 0)
    assert counts(on_topics(kafka_bootstrap, kafka_topics)) == (3, 0, 0)
    assert not [r for r in server.requests if r.path.startswith("/announced/a")]
    assert fetch_once(kafka_bootstrap, kafka_topics).fetched == 3  # the fetcher takes it from there


@pytest.mark.kafka
def test_fetcher_survives_a_page_that_crashes_the_extractor(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str
) -> None:
    """Extraction in a worker process: the page that aborts it is a dead letter, the others are published."""
    from marsad.producers.pages.isolation import IsolationOptions
    from tests.producers.hostile_jobs import ABORT, decode_and_extract_or_misbehave
    from tests.producers.scripted_server import Reply

    pages = [url for _, url in serve_articles(server, "isolated", range(3))]
    boom = server.route("isolated/boom.html", Reply(body=b"<html><body><p>x</p></body></html>" + ABORT,
                                                    headers={"Content-Type": "text/html"}))
    announced = announce(kafka_bootstrap, kafka_topics, [*pages, boom])
    isolated = replace(fetcher_config(kafka_bootstrap, kafka_topics),
                       isolation=IsolationOptions(workers=1, timeout=20.0, job=decode_and_extract_or_misbehave))
    report = asyncio.run(run_fetcher(isolated, once=True, handle_signals=False))
    assert (report.fetched, report.dead_letters) == (3, 1)
    letters = [e for _, e in events(kafka_bootstrap, Topics(kafka_topics).deadletter("producers"))
               if isinstance(e, DeadLetter)]
    assert [(letter.key, letter.error) for letter in letters] == [(article_id(canonical_url(boom)), "crashed")]
    assert "SIGABRT" in letters[0].reason and letters[0].url == boom
    fetched = {e.article_id for _, e in events(kafka_bootstrap, Topics(kafka_topics).fetched)}
    assert set(announced) == fetched | {letters[0].key}
