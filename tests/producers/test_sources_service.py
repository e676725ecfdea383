"""Every kind of source through the producer service: real HTTP server on 127.0.0.1, real Kafka broker."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from producers.feeds.registry import Feed
from producers.feeds.state import STATE_FILE
from producers.urls import article_id
from schemas.events import ArticleDiscovered, ArticleFetched
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

    from deploy.cli import cli
    listing = CliRunner().invoke(cli, ["feeds", "list", "--feeds", str(path)],
                                 env={"MARSAD_DATA_DIR": str(tmp_path), "MARSAD_CONFIG": os.devnull})
    rows = {line.split()[0]: line.split() for line in listing.output.splitlines()[2:]}
    assert [rows[feed][1] for feed in ("mapped", "broken-map", "listed", "khabour")] == [
        "sitemap", "sitemap", "page", "telegram"]
    assert "not well-formed XML" in listing.output and "1 (backoff)" in " ".join(rows["broken-map"])

    (tmp_path / STATE_FILE).unlink()  # only Kafka knows what was published now
    assert report_counts(produce_once(cfg)) == (0, 0, 0)

    channel(server, posts(now, extra=True))  # post 42 edited, post 43 new
    (tmp_path / STATE_FILE).unlink()
    assert report_counts(produce_once(cfg)) == (1, 1, 0)  # the edit is not announced again
    assert counts(on_topics(kafka_bootstrap, kafka_topics)) == (8, 8, 0)
