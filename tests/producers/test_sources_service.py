"""Every kind of source through the producer service: real HTTP server on 127.0.0.1, real Kafka broker."""

from __future__ import annotations

import dataclasses
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad.producers.feeds.registry import Feed
from marsad.producers.feeds.state import STATE_FILE
from marsad.producers.urls import article_id
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import ArticleDiscovered, ArticleFetched
from marsad.schemas.topics import Topics
from tests.producers.scripted_feeds import serve_articles
from tests.producers.scripted_server import Reply, ScriptedServer
from tests.producers.scripted_sources import (
    XML,
    ChannelPost,
    gzipped,
    news_sitemap,
    section_page,
    telegram_preview,
)
from tests.producers.test_service import config, counts, on_topics, produce_once, registry, report_counts

CHANNEL = "khabour_net"


def channel(server: ScriptedServer, posts: list[ChannelPost]) -> str:
    body = telegram_preview(CHANNEL, "شبكة الخابور", posts, host="t.me")
    return server.route(f"s/{CHANNEL}", Reply(body=body, headers={"Content-Type": "text/html; charset=utf-8"}))


def posts(now: datetime, *, extra: bool = False) -> list[ChannelPost]:
    made = [
        ChannelPost(40, "الحسكة: انقطاع المياه عن أحياء المدينة لليوم الثالث بسبب توقف محطة علوك", now - timedelta(hours=5)),
        ChannelPost(41, "", now - timedelta(hours=4)),  # a photo alone
        ChannelPost(42, "الشدادي: دورية مشتركة تفتش المنازل في قرية شمال المدينة", now - timedelta(hours=2),
                    forwarded_from="مراسل الجزيرة السورية"),
    ]
    if extra:
        made[2] = ChannelPost(42, "الشدادي: دورية مشتركة تفتش المنازل في قريتين شمال المدينة", made[2].when,
                              forwarded_from="مراسل الجزيرة السورية", edited=True)
        made.append(ChannelPost(43, "القامشلي: افتتاح معبر جديد أمام حركة المدنيين صباح اليوم", now - timedelta(hours=1)))
    return made


@pytest.mark.kafka
def test_sitemaps_sections_and_channels_publish_once_across_restarts(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    mapped = serve_articles(server, "mapped", range(3))
    news = news_sitemap([(url, title, now - timedelta(hours=n)) for n, (title, url) in enumerate(mapped)]
                        + [(server.url("mapped/old.html"), "قديم", now - timedelta(days=9))])
    sitemap = Feed(id="mapped", kind="sitemap", url=server.route(
        "mapped/news.xml.gz", Reply(body=gzipped(news), headers={"Content-Type": "application/gzip"})))
    listed = serve_articles(server, "listed", range(10, 12))
    section = Feed(id="listed", kind="page", link_pattern=r"/a\d+\.html$", url=server.route(
        "listed/", Reply(body=section_page([(url, title) for title, url in listed], other_links=[("/", "home")]),
                         headers={"Content-Type": "text/html; charset=utf-8"})))
    telegram = Feed(id="khabour", kind="telegram", title="شبكة الخابور", min_chars=20,
                    url=channel(server, posts(now)))
    broken = Feed(id="broken-map", kind="sitemap", url=server.route(
        "broken/sitemap.xml", Reply(body=b"<urlset><url><loc>http://x/1</loc>", headers={"Content-Type": XML})))
    path = registry(tmp_path / "feeds.yaml", [sitemap, broken, section, telegram])
    cfg = config(kafka_bootstrap, kafka_topics, path, tmp_path)

    first = produce_once(cfg)

    assert report_counts(first) == (3 + 2 + 2, 3 + 2 + 2, 0)
    found = on_topics(kafka_bootstrap, kafka_topics)
    assert counts(found) == report_counts(first)
    fetched = {key: event for key, event in found["fetched"]}
    post = fetched[article_id(server.url(f"{CHANNEL}/42"))]
    assert isinstance(post, ArticleFetched) and post.origin == "telegram" and post.raw is None
    assert post.text.startswith("الشدادي: دورية مشتركة") and post.author == "مراسل الجزيرة السورية"
    announced = {key: event for key, event in found["discovered"]}
    assert isinstance(announced[post.article_id], ArticleDiscovered)
    assert announced[post.article_id].content_origin == "telegram" and announced[post.article_id].has_content
    assert not server.requested(f"{CHANNEL}/42")  # a post is never fetched as a page
    assert {event.origin for key, event in fetched.items() if key != post.article_id
            and event.feed_id in ("mapped", "listed")} == {"page"}
    assert article_id(server.url("mapped/old.html")) not in announced

    from marsad.deploy.cli.main import cli
    listing = CliRunner().invoke(cli, ["feeds", "list", "--feeds", str(path)],
                                 env={"MARSAD_DATA_DIR": str(tmp_path), "MARSAD_CONFIG": os.devnull})
    rows = {line.split()[0]: line.split() for line in listing.output.splitlines()[2:]}
    assert [rows[feed][1] for feed in ("mapped", "broken-map", "listed", "khabour")] == [
        "sitemap", "sitemap", "page", "telegram"]
    assert "not well-formed XML" in listing.output and "1 (backoff)" in " ".join(rows["broken-map"])

    (tmp_path / STATE_FILE).unlink()  # only Kafka knows what was published now
    assert report_counts(produce_once(cfg)) == (0, 0, 0)

    assert {event.feed_id: event.source_kind for event in fetched.values()} == {
        "mapped": "sitemap", "listed": "page", "khabour": "telegram"}  # each article names its kind of source

    channel(server, posts(now, extra=True))  # post 42 edited, post 43 new
    (tmp_path / STATE_FILE).unlink()
    assert report_counts(produce_once(cfg)) == (2, 2, 0)  # 43, and 42's new text as its second revision
    found = on_topics(kafka_bootstrap, kafka_topics)
    assert counts(found) == (9, 9, 0)
    first, second = [event for key, event in found["fetched"] if key == post.article_id]
    assert isinstance(second, ArticleFetched) and (second.revision, second.edited) == (2, True)
    assert (first.revision, first.edited) == (1, False) and second.url == first.url
    assert "قريتين" in second.text and second.source_kind == "telegram"
    (tmp_path / STATE_FILE).unlink()
    assert report_counts(produce_once(cfg)) == (0, 0, 0)  # the edit is in Kafka: announced once


def edited_channel(server: ScriptedServer, now: datetime, texts: dict[int, str], *, edited: set[int]) -> str:
    posts = [ChannelPost(number, text, now - timedelta(hours=50 - number), edited=number in edited)
             for number, text in sorted(texts.items())]
    return channel(server, posts)


@pytest.mark.kafka
def test_an_edited_post_is_announced_once_per_new_text_and_a_deleted_one_is_logged(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = datetime.now(UTC)
    texts = {40: "منبج: فتح طريق حلب الدولي أمام حركة السيارات بعد إغلاق دام أسبوعاً",
             42: "الرقة: حريق في سوق الهال وسط المدينة ولا إصابات بين المدنيين",
             44: "الطبقة: انقطاع الكهرباء عن الأحياء الغربية بسبب عطل في المحطة"}
    url = edited_channel(server, now, texts, edited=set())
    cfg = dataclasses.replace(config(kafka_bootstrap, kafka_topics, registry(tmp_path / "feeds.yaml", [
        Feed(id="raqqa", kind="telegram", url=url, min_chars=20, pages=1)]), tmp_path), poll_now=True)
    key = article_id(server.url(f"{CHANNEL}/42"))
    assert report_counts(produce_once(cfg)) == (3, 3, 0)

    edits = ["الرقة: حريق في سوق الهال وسط المدينة وإصابة شخصين بحروق طفيفة",
             "الرقة: حريق في سوق الهال وسط المدينة وإصابة ثلاثة أشخاص بحروق"]
    edited_channel(server, now, {**texts, 42: edits[0]}, edited={42})
    assert report_counts(produce_once(cfg)) == (1, 1, 0)  # revision 2
    assert report_counts(produce_once(cfg)) == (0, 0, 0)  # the same edit again: nothing
    edited_channel(server, now, {**texts, 42: edits[1]}, edited={42})
    assert report_counts(produce_once(cfg)) == (1, 1, 0)  # edited again: revision 3

    # A run died after announcing a fourth version: the next run fetches it and announces it no more.
    fourth = "الرقة: حريق في سوق الهال وسط المدينة وإصابة أربعة أشخاص بحروق"
    announced = ArticleDiscovered(article_id=key, url=server.url(f"{CHANNEL}/42"), feed_id="raqqa", source="@r",
                                  has_content=True, content_text=fourth, content_origin="telegram",
                                  source_kind="telegram", edited=True, revision=4)
    with EventPublisher(kafka_bootstrap) as publisher:
        publisher.publish(Topics(kafka_topics).discovered, key, announced)
    edited_channel(server, now, {**texts, 42: fourth}, edited={42})
    (tmp_path / STATE_FILE).unlink()
    assert report_counts(produce_once(cfg)) == (0, 1, 0)

    found = on_topics(kafka_bootstrap, kafka_topics)
    versions = [event for k, event in found["fetched"] if k == key]
    assert [(v.revision, v.edited) for v in versions] == [(1, False), (2, True), (3, True), (4, True)]
    assert [v.text for v in versions[1:]] == [*edits, fourth]
    assert versions[3].causation_id == announced.event_id
    assert len({k for k, _ in found["fetched"]}) == 3  # three articles, one of them in four versions

    caplog.set_level(logging.INFO, logger="marsad.producers.service")
    edited_channel(server, now, {40: texts[40], 44: texts[44]}, edited=set())  # 42 deleted
    assert report_counts(produce_once(cfg)) == (0, 0, 0)
    deleted = [r.getMessage() for r in caplog.records if "deleted at the source" in r.getMessage()]
    assert deleted == [f"feed raqqa: 1 post(s) deleted at the source (what was announced of them stays): "
                       f"{server.url(f'{CHANNEL}/42')}"]
    caplog.clear()
    assert report_counts(produce_once(cfg)) == (0, 0, 0)
    assert not [r for r in caplog.records if "deleted at the source" in r.getMessage()]  # reported once
