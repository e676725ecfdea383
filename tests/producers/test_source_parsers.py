"""The pure parsers of the sources beyond RSS, table-driven: article-looking links, sitemap dates, gzip caps,
robots.txt lines, Telegram posts."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from marsad.producers.feeds.entries import FeedParseError
from marsad.producers.feeds.section import looks_like_article
from marsad.producers.feeds.sitemap import inflate, parse_w3c_date, robots_sitemaps
from marsad.producers.feeds.telegram import parse_preview
from tests.producers.scripted_sources import ChannelPost, telegram_preview

SITE = "https://news.example"

LINKS = [
    pytest.param(f"{SITE}/2024/11/16/some-story/", True, id="dated-path"),
    pytest.param(f"{SITE}/archives/2024-11-16-checkpoint", True, id="dated-slug"),
    pytest.param(f"{SITE}/news/348812", True, id="article-number"),
    pytest.param(f"{SITE}/news/348812.html", True, id="article-number-html"),
    pytest.param(f"{SITE}/syria/%D9%82%D8%B5%D9%81-%D9%85%D8%AF%D9%81%D8%B9%D9%8A-%D8%B9%D9%84%D9%89-%D8%B1%D9%8A%D9%81-%D8%A5%D8%AF%D9%84%D8%A8",
                 True, id="arabic-slug-percent-encoded"),
    pytest.param("https://www.news.example/2024/11/16/story", True, id="www-is-the-same-site"),
    pytest.param(f"{SITE}/category/syria/", False, id="category"),
    pytest.param(f"{SITE}/tag/a-very-long-tag-name-with-many-words/", False, id="tag-with-long-slug"),
    pytest.param(f"{SITE}/page/2/", False, id="pagination"),
    pytest.param(f"{SITE}/wp-content/uploads/2024/11/photo.jpg", False, id="media-file"),
    pytest.param(f"{SITE}/about", False, id="short-page"),
    pytest.param("https://other.example/2024/11/16/story", False, id="another-site"),
]


@pytest.mark.parametrize(("url", "article"), LINKS)
def test_links_that_look_like_articles(url: str, article: bool) -> None:
    assert looks_like_article(url, "news.example") is article


DATES = [
    pytest.param("2024-11-16", datetime(2024, 11, 16, tzinfo=UTC), id="day"),
    pytest.param("2024-11-16T10:30:00+03:00", datetime(2024, 11, 16, 7, 30, tzinfo=UTC), id="offset"),
    pytest.param("2024-11-16T10:30:00Z", datetime(2024, 11, 16, 10, 30, tzinfo=UTC), id="zulu"),
    pytest.param("yesterday", None, id="words"),
    pytest.param("  ", None, id="blank"),
]


@pytest.mark.parametrize(("text", "moment"), DATES)
def test_sitemap_dates(text: str, moment: datetime | None) -> None:
    assert parse_w3c_date(text) == moment


def test_a_gzip_bomb_is_refused_at_the_cap() -> None:
    bomb = gzip.compress(b"<" * 2_000_000)
    with pytest.raises(FeedParseError, match="inflates past 1000 bytes"):
        inflate(bomb, cap=1000)
    assert inflate(b"<urlset/>") == b"<urlset/>"


def test_robots_sitemap_lines() -> None:
    text = "User-agent: *\nDisallow: /x\nsitemap: /news-sitemap.xml\nSITEMAP:https://a.example/s.xml.gz\n" \
           "Sitemap: /news-sitemap.xml\n# Sitemap: https://commented.example/\n"
    assert robots_sitemaps(text, "https://a.example/robots.txt") == [
        "https://a.example/news-sitemap.xml", "https://a.example/s.xml.gz"]


def test_telegram_posts_with_their_details() -> None:
    when = datetime(2024, 11, 16, 9, 0, tzinfo=UTC)
    page = telegram_preview("chan_name", "قناة", [
        ChannelPost(7, "سطر أول\nسطر ثان", when, views="15.3K", forwarded_from="مصدر", link="https://x.example/a",
                    edited=True),
        ChannelPost(8, "", when, views="870"),
    ], host="t.me").decode()
    first, second = parse_preview(page, "https://t.me/s/chan_name")
    assert (first.number, first.url, first.text) == (7, "https://t.me/chan_name/7", "سطر أول\nسطر ثان")
    assert (first.views, first.forwarded_from, first.attached_link, first.edited) == (
        15300, "مصدر", "https://x.example/a", True)
    assert first.published == when and (second.text, second.views, second.edited) == ("", 870, False)
