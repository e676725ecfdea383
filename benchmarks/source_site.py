"""The documents of made-up outlets, one source of each kind, for the polling benchmark.

Each source numbered ``N`` is served under its own paths, in the real
structure of its kind, with texts made up here. The sitemaps and Telegram
pages come from the builders the source tests use
(``tests.producers.scripted_sources``); the section page is written here.

- ``rss``: ``/feeds/N.xml``, a small RSS 2.0 feed;
- ``sitemap``: ``/site-N/sitemap_index.xml``, an index naming a Google News
  sitemap (served with ``Content-Encoding: gzip``), this month's gzipped
  urlset (``.xml.gz``) and older monthly urlsets the poller skips by their
  ``lastmod``; the urlset runs back a month, so most of it is too old;
- ``page``: ``/site-N/category/syria/``, a section page as a news site
  serves it (styles, scripts, menus, article cards with image, headline,
  teaser and "read more", a "most read" sidebar, a footer; the tests'
  ``section_page`` is the bare listing);
- ``telegram``: ``/s/channelN`` and its older pages ``?before=K``, a
  channel's web preview (``div.tgme_widget_message``) with posts of several
  lines, some forwarded, some with a link preview, some edited, and photos
  without a caption (skipped as too short).

Dates are relative to ``now`` so that the sitemaps' age cut-off bites as it
would on a live site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from marsad.schemas.wire import FEED_KINDS
from tests.producers.scripted_sources import (
    XML,
    ChannelPost,
    gzipped,
    news_sitemap,
    sitemap_index,
    telegram_preview,
    urlset,
)

KINDS: tuple[str, ...] = FEED_KINDS  # the site serves a source of each kind
RSS_TYPE = "application/rss+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
NEWS_ENTRIES = 40  # a news sitemap lists the last two days
MONTH_URLS = 150  # this month's urlset, back 30 days
OLD_MONTHS = 10  # older monthly urlsets named by the index (not fetched: too old)
SECTION_ARTICLES = 30
MOST_READ = 10  # the sidebar's older articles (also announced: they are articles of the site)
SECTIONS = (("syria", "سوريا"), ("iraq", "العراق"), ("economy", "اقتصاد"), ("opinion", "رأي"),
            ("reports", "تقارير"), ("videos", "فيديو"))
POSTS_PER_PAGE = 20  # what t.me/s/NAME shows
TELEGRAM_PAGES = 3  # the poller's default pages on a first poll

PLACES = ("درعا", "دير الزور", "إدلب", "الرقة", "حمص", "الموصل", "كركوك", "الأنبار", "حلب", "القامشلي")
EVENTS = ("اشتباكات", "قصف مدفعي", "انفجار عبوة ناسفة", "حملة دهم", "استهداف حاجز", "نزوح عائلات")
DETAILS = ("وسط أنباء عن إصابات بين المدنيين", "ولم تصدر الجهات الرسمية أي تعليق حتى الآن",
           "وأفادت مصادر محلية بإغلاق الطرق المؤدية إلى المنطقة", "وتبع ذلك تحليق مكثف للطيران في الأجواء")


@dataclass(frozen=True, slots=True)
class Document:
    """One response body with its headers."""

    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def headline(number: int, i: int) -> str:
    return (f"{EVENTS[(number + i) % len(EVENTS)]} في ريف {PLACES[(number * 7 + i) % len(PLACES)]} "
            f"(خبر {i} من المصدر {number})")


def documents(kind: str, number: int, *, origin: str, items: int, now: datetime) -> dict[str, Document]:
    """The paths and documents of source ``number`` of ``kind``, served at ``origin`` (``http://host:port``)."""
    return {"rss": rss_documents, "sitemap": sitemap_documents, "page": page_documents,
            "telegram": telegram_documents}[kind](number, origin=origin, items=items, now=now)


def source_path(kind: str, number: int) -> str:
    """The path a registry entry of source ``number`` of ``kind`` points at."""
    return {"rss": f"/feeds/{number}.xml", "sitemap": f"/site-{number}/sitemap_index.xml",
            "page": f"/site-{number}/category/syria/", "telegram": f"/s/channel{number}"}[kind]


def rss_documents(number: int, *, origin: str, items: int, now: datetime) -> dict[str, Document]:
    entries = "".join(
        f"<item><title>{headline(number, i)}</title>"
        f"<link>{origin}/outlet-{number}/news/{i}.html?utm_source=rss</link>"
        f"<pubDate>Sat, 16 Nov 2024 {i % 24:02d}:00:00 GMT</pubDate>"
        f"<description>ملخص قصير للخبر رقم {i} يتحدث عن تطورات ميدانية في المنطقة.</description></item>"
        for i in range(items)
    )
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>المصدر {number}</title><link>{origin}/outlet-{number}/</link>"
            f"<description>bench</description>{entries}</channel></rss>").encode()
    return {source_path("rss", number): Document(body, RSS_TYPE)}


def sitemap_documents(number: int, *, origin: str, items: int, now: datetime) -> dict[str, Document]:
    base = f"/site-{number}/"
    site = origin + base  # the entries' own addresses: never fetched by a poll
    hour = timedelta(hours=1)

    def article(moment: datetime, i: int) -> str:
        return f"{site}{moment:%Y/%m/%d}/{i}-{PLACES[i % len(PLACES)].replace(' ', '-')}-news"

    news = [(article(now - i * hour, i), headline(number, i), now - i * hour) for i in range(NEWS_ENTRIES)]
    month = [(article(now - i * 5 * hour, i), now - i * 5 * hour) for i in range(MONTH_URLS)]  # some also in the news
    month_name = f"posts-{now:%Y-%m}.xml.gz"
    children: list[tuple[str, datetime | None]] = [(base + "news-sitemap.xml", now - hour / 2),
                                                   (base + month_name, now - hour)]
    old = {f"posts-2019-{k + 1:02d}.xml.gz": datetime(2019, k + 1, 28, tzinfo=now.tzinfo) for k in range(OLD_MONTHS)}
    children += [(base + name, moment) for name, moment in old.items()]
    index = sitemap_index([(origin + path, moment) for path, moment in children])
    served = {
        base + "sitemap_index.xml": Document(index, XML),
        base + "news-sitemap.xml": Document(gzipped(news_sitemap(news, publication=f"المصدر {number}")), XML,
                                            {"Content-Encoding": "gzip"}),
        base + month_name: Document(gzipped(urlset(month)), "application/gzip"),
    }
    for name in old:
        served[base + name] = Document(gzipped(urlset([(f"{site}2019/01/{name}", None)])), "application/gzip")
    return served


def page_documents(number: int, *, origin: str, items: int, now: datetime) -> dict[str, Document]:
    base = f"/site-{number}/"
    articles = [(f"{base}{(now - timedelta(hours=i)):%Y/%m/%d}/{number}{i:04d}", headline(number, i))
                for i in range(SECTION_ARTICLES)]
    most_read = [(f"{base}{(now - timedelta(days=1 + i)):%Y/%m/%d}/{number}9{i:03d}", headline(number, 50 + i))
                 for i in range(MOST_READ)]
    navigation = [(f"{base}category/{name}/", label) for name, label in SECTIONS]
    navigation += [(f"{base}tag/{place.replace(' ', '-')}/", place) for place in PLACES]
    navigation += [(f"{base}author/editor-{k}/", f"المحرر {k}") for k in range(3)]
    navigation += [(f"{base}category/syria/page/{k}/", str(k)) for k in range(2, 6)]
    navigation += [(f"{base}feed/", "RSS"), ("https://facebook.com/outlet", "فيسبوك")]
    body = section_page_markup(number, articles, most_read, navigation, now=now)
    return {source_path("page", number): Document(body, HTML)}


def section_page_markup(number: int, articles: list[tuple[str, str]], most_read: list[tuple[str, str]],
                        navigation: list[tuple[str, str]], *, now: datetime) -> bytes:
    """A category page as a news site serves it: head with styles and scripts, menus, cards, a sidebar.

    The tests' ``section_page`` is the bare listing (cards and a menu); a live
    page carries several times more markup around the same links, and that
    markup is what parsing it costs.
    """
    style = "".join(f".card-{k} .title a{{color:#1a1a1a;font-size:1.{k % 9}rem;line-height:1.5}}"
                    f".card-{k}:hover{{box-shadow:0 2px 6px rgba(0,0,0,.{k % 9})}}\n" for k in range(120))
    menu = "".join(f'<li class="menu-item menu-item-{k}"><a href="{escape(url)}">{escape(text)}</a></li>'
                   for k, (url, text) in enumerate(navigation))
    cards = "".join(
        f'<article class="card card-{k}"><figure><a href="{escape(url)}"><img src="/img/{number}/{k}.jpg" '
        f'srcset="/img/{number}/{k}-300.jpg 300w, /img/{number}/{k}-768.jpg 768w" alt="{escape(title)}" '
        f'loading="lazy" width="768" height="432"></a></figure><div class="card-body">'
        f'<a class="cat" href="{navigation[0][0]}">{navigation[0][1]}</a>'
        f'<h2 class="title"><a href="{escape(url)}">{escape(title)}</a></h2>'
        f'<time datetime="{now - timedelta(hours=k):%Y-%m-%dT%H:%M}">{now - timedelta(hours=k):%d/%m/%Y}</time>'
        f"<p>{DETAILS[k % len(DETAILS)]}، {DETAILS[(k + 1) % len(DETAILS)]}.</p>"
        f'<a class="more" href="{escape(url)}#comments">اقرأ المزيد</a></div></article>'
        for k, (url, title) in enumerate(articles)
    )
    sidebar = "".join(f'<li><span class="rank">{k + 1}</span><h3><a href="{escape(url)}">{escape(title)}</a></h3></li>'
                      for k, (url, title) in enumerate(most_read))
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>سوريا - المصدر {number}</title><link rel="canonical" href="/site-{number}/category/syria/">
<link rel="alternate" type="application/rss+xml" href="/site-{number}/feed/"><style>{style}</style>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"CollectionPage","name":"سوريا"}}</script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments)}}</script></head>
<body class="archive category"><header class="site-header"><nav><ul class="menu">{menu}</ul></nav></header>
<div class="container"><main><h1>سوريا</h1>{cards}
<nav class="pagination"><a href="/site-{number}/category/syria/page/2/">التالي</a></nav></main>
<aside class="sidebar"><h2>الأكثر قراءة</h2><ol>{sidebar}</ol></aside></div>
<footer><ul>{menu}</ul><a href="/about/">من نحن</a> <a href="/privacy/">الخصوصية</a></footer>
<script src="/wp-includes/js/jquery.min.js"></script></body></html>""".encode()


def telegram_documents(number: int, *, origin: str, items: int, now: datetime) -> dict[str, Document]:
    channel = f"channel{number}"
    host = origin.split("://", 1)[-1]
    newest = TELEGRAM_PAGES * POSTS_PER_PAGE
    posts = [channel_post(number, k, now - timedelta(minutes=17 * (newest - k))) for k in range(1, newest + 1)]
    served = {}
    for page in range(TELEGRAM_PAGES):
        shown = posts[len(posts) - (page + 1) * POSTS_PER_PAGE: len(posts) - page * POSTS_PER_PAGE]
        path = f"/s/{channel}" if page == 0 else f"/s/{channel}?before={shown[-1].number + 1}"
        served[path] = Document(telegram_preview(channel, f"شبكة أخبار {number}", shown, host=host), HTML)
    return served


def channel_post(number: int, k: int, when: datetime) -> ChannelPost:
    """Post ``k`` of channel ``number``: every 7th a photo without caption, others a few lines."""
    if k % 7 == 0:
        return ChannelPost(number=k, text="", when=when, views="3.1K")
    lines = [f"عاجل | {headline(number, k)}", DETAILS[k % len(DETAILS)] + "."]
    if k % 3 == 0:
        lines.append(f"{DETAILS[(k + 1) % len(DETAILS)]}، بحسب ما نقله مراسلنا في {PLACES[k % len(PLACES)]}.")
    return ChannelPost(number=k, text="\n".join(lines), when=when, views=f"{k % 9 + 1}.{k % 10}K",
                       forwarded_from="مراسل ميداني" if k % 5 == 0 else "",
                       link=f"https://outlet.example/news/{number}{k:04d}" if k % 4 == 0 else "",
                       edited=k % 11 == 0)
