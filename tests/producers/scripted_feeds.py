"""Feeds and article pages made up for the service tests, served by ``ScriptedServer`` routes.

Each article page is a plausible Arabic news page (headline, dateline,
paragraphs, share buttons, a "read also" teaser, a footer), long enough for
the extractor to accept; its body names its own number so every page's text
is distinct.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from tests.producers.scripted_server import Reply, ScriptedServer

PLACES = ("درعا", "دير الزور", "الحسكة", "إدلب", "حمص", "القامشلي", "البوكمال", "السويداء")
START = datetime(2024, 11, 16, 8, 0, tzinfo=UTC)

HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"


def headline(number: int) -> str:
    return f"مصادر محلية: توتر أمني في ريف {PLACES[number % len(PLACES)]} (تقرير رقم {number})"


def article_page(number: int) -> bytes:
    place = PLACES[number % len(PLACES)]
    paragraphs = [
        f"أفادت مصادر محلية في ريف {place} بأن دوريات مشتركة انتشرت صباح اليوم على الطرق الرئيسية "
        f"المؤدية إلى المدينة، في إطار ما وصفته الجهات الرسمية بإجراءات احترازية، وذلك في التقرير رقم {number}.",
        "وقال شهود عيان إن الحواجز الجديدة أدت إلى ازدحام كبير عند مداخل البلدات، وإن عناصر الأمن "
        "فتشوا السيارات والمارة بدقة، من دون أن تعلن أي جهة عن اعتقالات حتى ساعة إعداد هذا الخبر.",
        "ويأتي ذلك بعد أيام من اشتباكات متقطعة شهدتها المنطقة، أسفرت عن إصابة عدد من المدنيين "
        "بحسب ناشطين، فيما دعت وجهاء العشائر إلى التهدئة وتغليب لغة الحوار.",
    ]
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{escape(headline(number))}</title></head>
<body>
<nav><a href="/">الرئيسية</a> | <a href="/syria">سوريا</a> | <a href="/world">العالم</a></nav>
<article>
<h1>{escape(headline(number))}</h1>
<p class="dateline">{place} — خاص</p>
{body}
</article>
<div class="share">شارك: فيسبوك | تويتر | واتساب</div>
<aside><h3>اقرأ أيضا</h3><ul><li><a href="/x">أسعار المحروقات ترتفع مجددا</a></li></ul></aside>
<footer>جميع الحقوق محفوظة © 2024</footer>
</body></html>""".encode()


def rss(title: str, items: list[tuple[str, str]], *, full_text: dict[str, str] | None = None) -> bytes:
    """RSS 2.0 with one item per (headline, absolute link); ``full_text`` maps links to content:encoded."""
    full_text = full_text or {}
    parts = []
    for position, (item_title, link) in enumerate(items):
        published = format_datetime(START + timedelta(minutes=position))
        content = ""
        if link in full_text:
            content = f"<content:encoded><![CDATA[{full_text[link]}]]></content:encoded>"
        parts.append(
            f"<item><title>{escape(item_title)}</title><link>{escape(link)}</link>"
            f"<pubDate>{published}</pubDate><description>{escape(item_title)}</description>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>http://example.invalid/</link><description>test</description>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def serve_articles(
    server: ScriptedServer, prefix: str, numbers: range, *, delay: float = 0.0
) -> list[tuple[str, str]]:
    """Route one article page per number under ``prefix``; return (headline, URL) items for a feed."""
    items = []
    for number in numbers:
        url = server.route(f"{prefix}/a{number}.html", Reply(body=article_page(number), delay=delay,
                                                            headers={"Content-Type": HTML}))
        items.append((headline(number), url))
    return items


def serve_feed(server: ScriptedServer, path: str, items: list[tuple[str, str]], **reply: object) -> str:
    """Route an RSS feed of ``items`` at ``path``; return its URL."""
    return server.route(path, Reply(body=rss(path, items), headers={"Content-Type": RSS}, **reply))
