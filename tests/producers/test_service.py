"""The producer service end to end: real HTTP server on 127.0.0.1, real Kafka broker, events counted in Kafka."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from kafka import KafkaConsumer

from marsad.producers.feeds.registry import Feed, dump_registry, load_registry
from marsad.producers.feeds.state import STATE_FILE
from marsad.producers.http import FetchOptions
from marsad.producers.poller import PollOptions
from marsad.producers.samples import FEEDS_OPML, FEEDS_YAML
from marsad.producers.service import ProducerConfig, ProducerReport, run_producer
from marsad.producers.urls import article_id, canonical_url
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.kafka.read import RAISE, partitions_of, read_to_end
from marsad.schemas.codec import decode
from marsad.schemas.events import ArticleDiscovered, ArticleFetched, DeadLetter, Event
from marsad.schemas.topics import Topics
from tests.producers.scripted_feeds import HTML, article_page, rss, serve_articles, serve_feed
from tests.producers.scripted_server import Reply, ScriptedServer

SAMPLE_ARTICLES = 27  # entries of the five enabled sample feeds, one page each
NASSIB = "horan-today/article/20241112-daraa-captagon-nassib.html"  # served in windows-1256
NASSIB_TEXT = "جرى نقل المضبوطات إلى مقر اللواء في مدينة بصرى الشام"
VENV_BIN = Path(sys.executable).parent


# -- helpers ---------------------------------------------------------------------------------------------------
def config(bootstrap: str, prefix: str, registry: Path, data_dir: Path, **fetch: object) -> ProducerConfig:
    options = {"connect_timeout": 2.0, "read_timeout": 2.0, "total_timeout": 5.0, "allow_private": True,
               "max_connections": 16, "per_host_connections": 8} | fetch
    return ProducerConfig(
        bootstrap=bootstrap, topic_prefix=prefix, feeds_file=registry, data_dir=data_dir,
        fetch=FetchOptions(**options), poll=PollOptions(retry_base_delay=0.01, retry_max_delay=0.05),
        fetch_workers=8, shutdown_grace=5.0,
    )


def produce_once(cfg: ProducerConfig) -> ProducerReport:
    return asyncio.run(run_producer(cfg, once=True, handle_signals=False))


def registry(path: Path, feeds: list[Feed]) -> Path:
    path.write_text(dump_registry(feeds), encoding="utf-8")
    return path


def sample_feeds(server: ScriptedServer) -> list[Feed]:
    return [f for f in load_registry(FEEDS_YAML, base_url=server.base_url) if f.enabled]


def events(bootstrap: str, topic: str) -> list[tuple[str, Event]]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        parts = partitions_of(consumer, topic)
        records = read_to_end(consumer, consumer.end_offsets(parts), starts=consumer.beginning_offsets(parts), stall=RAISE)
        return [(r.key.decode(), decode(r.value)) for r in records]
    finally:
        consumer.close()


def on_topics(bootstrap: str, prefix: str) -> dict[str, list[tuple[str, Event]]]:
    topics = Topics(prefix)
    return {"discovered": events(bootstrap, topics.discovered), "fetched": events(bootstrap, topics.fetched),
            "dead letters": events(bootstrap, topics.deadletter("producers"))}


def counts(found: dict[str, list[tuple[str, Event]]]) -> tuple[int, int, int]:
    return len(found["discovered"]), len(found["fetched"]), len(found["dead letters"])


def report_counts(report: ProducerReport) -> tuple[int, int, int]:
    return report.discovered, report.fetched, report.dead_letters


# -- one pass over the sample site -----------------------------------------------------------------------------
@pytest.mark.kafka
def test_once_publishes_each_article_once_and_dead_letters_broken_pages(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    missing = server.url("broken/missing.html")  # no such file: 404
    thin = server.route("broken/thin.html", Reply(body=b"<html><body><p>short</p></body></html>",
                                                  headers={"Content-Type": HTML}))
    broken = Feed(id="broken", url=serve_feed(server, "broken/rss.xml", [("missing", missing), ("thin", thin)]))
    cfg = config(kafka_bootstrap, kafka_topics, registry(tmp_path / "feeds.yaml", [*sample_feeds(server), broken]),
                 tmp_path)

    report = produce_once(cfg)
    found = on_topics(kafka_bootstrap, kafka_topics)

    discovered = {key: event for key, event in found["discovered"]}
    assert len(found["discovered"]) == len(discovered) == SAMPLE_ARTICLES + 2  # one per distinct article
    assert counts(found) == report_counts(report) == (SAMPLE_ARTICLES + 2, SAMPLE_ARTICLES, 2)
    for key, event in found["fetched"] + found["dead letters"]:  # each outcome names its announcement
        assert event.causation_id == discovered[key].event_id
    assert {key for key, _ in found["fetched"]} | {key for key, _ in found["dead letters"]} == set(discovered)
    letters = {event.url: event for _, event in found["dead letters"]}
    assert isinstance(letters[missing], DeadLetter) and letters[missing].error == "http_status"
    assert "HTTP 404" in letters[missing].reason and letters[thin].error == "no_text"

    fetched = {key: event for key, event in found["fetched"]}
    nassib = fetched[article_id(server.url(NASSIB))]
    assert isinstance(nassib, ArticleFetched) and nassib.origin == "page" and nassib.feed_id == "horan-today"
    assert NASSIB_TEXT in nassib.text and "كبتاغون" in nassib.title and nassib.lang == "ar"
    assert nassib.raw is not None and nassib.raw.encoding == "windows-1256" and not nassib.raw.truncated
    raw = zlib.decompress(nassib.raw.data)
    assert len(raw) == nassib.raw.size and NASSIB_TEXT in raw.decode("cp1256")
    origins = Counter((event.feed_id, event.origin) for event in fetched.values())
    assert origins[("sawt-alfurat", "feed")] == 6  # full content in the feed: no page fetched


# -- restarts --------------------------------------------------------------------------------------------------
@pytest.mark.kafka
def test_restart_publishes_nothing_again_even_without_the_state_file(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    items = serve_articles(server, "growing", range(3))
    feed = Feed(id="growing", url=serve_feed(server, "growing/rss.xml", items))
    cfg = config(kafka_bootstrap, kafka_topics, registry(tmp_path / "feeds.yaml", [*sample_feeds(server), feed]),
                 tmp_path)
    state_file = tmp_path / STATE_FILE

    first = report_counts(produce_once(cfg))
    assert first == (SAMPLE_ARTICLES + 3, SAMPLE_ARTICLES + 3, 0) and state_file.exists()

    state_file.unlink()  # only Kafka knows what was published now
    again = produce_once(cfg)
    assert report_counts(again) == (0, 0, 0) and again.cycles == 1
    assert counts(on_topics(kafka_bootstrap, kafka_topics)) == first

    items += serve_articles(server, "growing", range(3, 4))  # the feed gains one entry
    serve_feed(server, "growing/rss.xml", items)
    state_file.unlink()
    assert report_counts(produce_once(cfg)) == (1, 1, 0)
    found = on_topics(kafka_bootstrap, kafka_topics)
    assert counts(found) == (first[0] + 1, first[1] + 1, 0)
    assert article_id(items[-1][1]) in dict(found["fetched"])


@pytest.mark.kafka
def test_articles_announced_but_never_fetched_are_fetched_on_restart(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    """As if a run died between ArticleDiscovered and ArticleFetched."""
    (_, orphan_url), = serve_articles(server, "orphan", range(1))  # in no feed any more: fetched from the event
    in_feed = server.url("full/story.html")  # still in its feed, which carries the full text
    text = "\n".join(f"<p>{line}</p>" for line in article_page(7).decode().split("<p>")[1:4])
    server.route("full/rss.xml", Reply(body=rss("full", [("story", in_feed)], full_text={in_feed: text})))
    cfg = config(kafka_bootstrap, kafka_topics,
                 registry(tmp_path / "feeds.yaml", [Feed(id="full", url=server.url("full/rss.xml"))]), tmp_path)
    earlier = {}
    with EventPublisher(kafka_bootstrap) as publisher:
        for url in (orphan_url, in_feed):
            event = ArticleDiscovered(article_id=article_id(url), url=canonical_url(url), feed_id="old", source="x")
            publisher.publish(Topics(kafka_topics).discovered, event.article_id, event)
            earlier[event.article_id] = event

    report = produce_once(cfg)

    assert report_counts(report) == (0, 2, 0)  # nothing announced twice
    fetched = dict(on_topics(kafka_bootstrap, kafka_topics)["fetched"])
    assert {key: event.causation_id for key, event in fetched.items()} == {
        key: event.event_id for key, event in earlier.items()}
    assert fetched[article_id(orphan_url)].origin == "page" and fetched[article_id(in_feed)].origin == "feed"
    assert not server.requested("full/story.html")


# -- failing feeds ---------------------------------------------------------------------------------------------
@pytest.mark.kafka
def test_failing_feeds_do_not_stop_the_others_and_feeds_list_shows_them(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    good = Feed(id="good", url=serve_feed(server, "good/rss.xml", serve_articles(server, "good", range(2))))
    error = Feed(id="error", url=server.route("error/rss.xml", Reply(status=500)))
    slow = Feed(id="slow", url=serve_feed(server, "slow/rss.xml", [], delay=3.0))
    path = registry(tmp_path / "feeds.yaml", [error, slow, good])

    report = produce_once(config(kafka_bootstrap, kafka_topics, path, tmp_path, total_timeout=1.5))

    assert report_counts(report) == (2, 2, 0)  # a feed failure is logged and scheduled, not dead-lettered
    from marsad.deploy.cli.main import cli
    result = CliRunner().invoke(cli, ["feeds", "list", "--feeds", str(path)],
                                env={"MARSAD_DATA_DIR": str(tmp_path), "MARSAD_CONFIG": os.devnull})
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()[2:]}
    assert "HTTP 500" in rows["error"] and "1 (backoff)" in rows["error"] and "in 30 min" in rows["error"]
    assert "timeout" in rows["slow"] and "1 (backoff)" in rows["slow"]
    assert "backoff" not in rows["good"] and "in 15 min" in rows["good"] and rows["good"].rstrip().endswith("-")


# -- SIGTERM ---------------------------------------------------------------------------------------------------
@pytest.mark.kafka
def test_sigterm_mid_run_loses_no_accepted_event(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    total = 30
    items = serve_articles(server, "busy", range(total), delay=0.8)
    path = registry(tmp_path / "feeds.yaml", [Feed(id="busy", url=serve_feed(server, "busy/rss.xml", items))])
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": kafka_topics,
           "MARSAD_DATA_DIR": str(tmp_path), "MARSAD_ALLOW_PRIVATE": "1", "MARSAD_PER_HOST_INTERVAL": "0",
           "MARSAD_POLL_CONCURRENCY": "4", "MARSAD_PER_HOST_CONCURRENCY": "4", "MARSAD_LOG_FORMAT": "text",
           "MARSAD_LOG_LEVEL": "info", "MARSAD_CONFIG": os.devnull}
    process = subprocess.Popen([str(VENV_BIN / "marsad"), "produce", "--feeds", str(path)], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while len([r for r in server.requests if r.path.startswith("/busy/a")]) < 6:  # fetches under way
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, log = process.communicate(timeout=30)
    finally:
        process.kill()

    assert process.returncode == 0, log
    summary = re.findall(r"published (\d+) discovered, (\d+) fetched, (\d+) dead letters", log)
    assert summary, log
    reported = tuple(int(n) for n in summary[-1])
    found = on_topics(kafka_bootstrap, kafka_topics)
    assert counts(found) == reported  # what the process said reached Kafka is exactly what is there
    pages_requested = len([r for r in server.requests if r.path.startswith("/busy/a")])
    assert reported[0] == total and reported[1] == pages_requested < total  # stopped mid-run; in-flight finished
    assert "SIGTERM: stopping" in log

    report = produce_once(config(kafka_bootstrap, kafka_topics, path, tmp_path))  # the next run finishes the rest
    assert report_counts(report) == (0, total - reported[1], 0)
    assert counts(on_topics(kafka_bootstrap, kafka_topics)) == (total, total, 0)


# -- feeds import ----------------------------------------------------------------------------------------------
def test_feeds_import_merges_opml_into_the_registry(tmp_path: Path) -> None:
    from marsad.deploy.cli.main import cli
    target = tmp_path / "feeds.yaml"
    target.write_text("# my feeds\nfeeds:\n  - id: mine\n    url: http://127.0.0.1:8765/al-rafidain/atom.xml\n",
                      encoding="utf-8")
    env = {"MARSAD_DATA_DIR": str(tmp_path), "MARSAD_CONFIG": os.devnull}

    first = CliRunner().invoke(cli, ["feeds", "import", str(FEEDS_OPML), "--into", str(target)], env=env)
    again = CliRunner().invoke(cli, ["feeds", "import", str(FEEDS_OPML), "--into", str(target)], env=env)

    assert first.exit_code == 0 and "5 feed(s): 4 added" in first.output and "1 already there" in first.output
    assert again.exit_code == 0 and "0 added" in again.output and "5 already there" in again.output
    feeds = load_registry(target)
    assert feeds[0].id == "mine" and len(feeds) == 5
    assert target.read_text(encoding="utf-8").startswith("# my feeds\n")  # the person's text is kept
