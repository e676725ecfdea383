"""Sources beyond RSS made up for the tests: sitemaps, robots.txt, a section page, a Telegram channel preview.

Every document is written here in the real structure of its kind (the
sitemaps.org and Google News namespaces; the markup of Telegram's
``t.me/s/NAME`` preview: ``div.tgme_widget_message[data-post]``,
``.tgme_widget_message_text``, ``time[datetime]``, views, forwarded-from,
link preview, the "edited" mark), with texts made up for the tests.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XML = "application/xml; charset=utf-8"


def w3c(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def sitemap_index(children: list[tuple[str, datetime | None]]) -> bytes:
    """A sitemap index naming (address, lastmod) children."""
    items = "".join(
        f"<sitemap><loc>{escape(url)}</loc>" + (f"<lastmod>{w3c(mod)}</lastmod>" if mod else "") + "</sitemap>"
        for url, mod in children
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">{items}</sitemapindex>'.encode()


def urlset(urls: list[tuple[str, datetime | None]]) -> bytes:
    """A plain urlset of (address, lastmod)."""
    items = "".join(
        f"<url><loc>{escape(url)}</loc>" + (f"<lastmod>{w3c(mod)}</lastmod>" if mod else "")
        + "<changefreq>daily</changefreq></url>"
        for url, mod in urls
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">{items}</urlset>'.encode()


def news_sitemap(items: list[tuple[str, str, datetime]], *, publication: str = "عنب بلدي",
                 language: str = "ar") -> bytes:
    """A Google News sitemap of (address, headline, publication date)."""
    parts = "".join(
        f"<url><loc>{escape(url)}</loc><news:news><news:publication><news:name>{escape(publication)}</news:name>"
        f"<news:language>{language}</news:language></news:publication>"
        f"<news:publication_date>{w3c(when)}</news:publication_date>"
        f"<news:title>{escape(title)}</news:title></news:news></url>"
        for url, title, when in items
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">'
            f"{parts}</urlset>").encode()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def robots_txt(sitemaps: list[str]) -> bytes:
    lines = ["User-agent: *", "Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php", ""]
    lines += [f"Sitemap: {url}" for url in sitemaps]
    return ("\n".join(lines) + "\n").encode()


def section_page(articles: list[tuple[str, str]], *, other_links: list[tuple[str, str]]) -> bytes:
    """A category page: a headline list of (address, headline), plus navigation and teasers (``other_links``)."""
    nav = "".join(f'<li><a href="{escape(url)}">{escape(text)}</a></li>' for url, text in other_links)
    cards = "".join(
        f'<div class="card"><h2><a href="{escape(url)}">{escape(title)}</a></h2>'
        f'<a class="more" href="{escape(url)}#comments">اقرأ المزيد</a></div>'
        for url, title in articles
    )
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>أخبار سوريا - الأرشيف</title></head>
<body><header><ul class="menu">{nav}</ul></header>
<main><h1>أخبار سوريا</h1>{cards}</main>
<footer><a href="/about/">من نحن</a> <a href="/privacy/">الخصوصية</a></footer></body></html>""".encode()


@dataclass(frozen=True)
class ChannelPost:
    """One post of the made-up channel preview."""

    number: int
    text: str  # "" for a photo without caption; lines become <br>
    when: datetime
    views: str = "1.2K"
    forwarded_from: str = ""
    link: str = ""  # an attached link preview
    edited: bool = False


def telegram_preview(channel: str, title: str, posts: list[ChannelPost], *, host: str) -> bytes:
    """A channel's web preview page (oldest post first, as Telegram shows them)."""
    blocks = []
    for post in sorted(posts, key=lambda p: p.number):
        forwarded = ""
        if post.forwarded_from:
            forwarded = ('<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
                         f'<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/other/9">'
                         f"<span>{escape(post.forwarded_from)}</span></a></div>")
        photo = ("" if post.text else
                 '<a class="tgme_widget_message_photo_wrap" href="#" style="background-image:url(x.jpg)"></a>')
        text = ""
        if post.text:
            text = ('<div class="tgme_widget_message_text js-message_text" dir="auto">'
                    + "<br/>".join(escape(line) for line in post.text.split("\n")) + "</div>")
        preview = ""
        if post.link:
            preview = (f'<a class="tgme_widget_message_link_preview" href="{escape(post.link)}">'
                       '<div class="link_preview_site_name accent_color">site</div>'
                       '<div class="link_preview_title">عنوان الرابط</div></a>')
        edited = "edited " if post.edited else ""
        blocks.append(f"""
<div class="tgme_widget_message_wrap js-widget_message_wrap">
 <div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{channel}/{post.number}"
      data-view="eyJjIjotMTAwMSwicCI6MSwidCI6MH0">
  <div class="tgme_widget_message_user"><a href="https://t.me/{channel}"><i class="tgme_widget_message_user_photo"></i></a></div>
  <div class="tgme_widget_message_bubble">
   <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/{channel}"><span dir="auto">{escape(title)}</span></a></div>
   {forwarded}{photo}{text}{preview}
   <div class="tgme_widget_message_footer compact js-message_footer">
    <div class="tgme_widget_message_info short js-message_info">
     <span class="tgme_widget_message_views">{post.views}</span>
     <span class="copyonly"> views</span>
     <span class="tgme_widget_message_meta">{edited}<a class="tgme_widget_message_date" href="https://t.me/{channel}/{post.number}"><time datetime="{w3c(post.when)}" class="time">{post.when:%H:%M}</time></a></span>
    </div>
   </div>
  </div>
 </div>
</div>""")
    oldest = min((p.number for p in posts), default=0)
    more = (f'<div class="tme_messages_more_wrap"><a class="tme_messages_more js-messages_more" data-before="{oldest}" '
            f'href="/s/{channel}?before={oldest}"></a></div>') if posts else ""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)} – Telegram</title>
<meta property="og:title" content="{escape(title)}">
<meta property="og:url" content="https://{host}/s/{channel}"></head>
<body class="widget_frame_base tgme_webpage">
<main class="tgme_main"><section class="tgme_channel_history js-message_history">{more}{"".join(blocks)}
</section></main></body></html>""".encode()
