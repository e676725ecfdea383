"""Render the sample site, its feeds and the JSONL import file from ``stories.yaml``.

Run ``python -m marsad.producers.samples.build_site`` after editing the stories;
the output is deterministic and checked in, so tests and the demo never
build anything. Feeds use root-relative links (the host is wherever the
demo serves ``site/``), which also exercises link absolutisation.

Per outlet: windows-1256 RSS and pages (horan-today), WordPress RSS with
full ``content:encoded`` (sawt-alfurat), Atom (al-rafidain), RSS whose links
carry ``utm_*`` parameters (al-mashriq), and an English RSS with an
unescaped ``&`` that makes it bozo but still readable (levant-monitor).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import yaml

from marsad.producers.samples import ARTICLES_JSONL, SAMPLES_DIR, SITE_DIR
from marsad.producers.samples.templates import READ_ALSO, TEMPLATES, ArticlePage, Link, sawt_alfurat_content
from marsad.producers.urls import article_id

PATHS: dict[str, Callable[[str, datetime], str]] = {
    "horan-today": lambda slug, d: f"/horan-today/article/{d:%Y%m%d}-{slug}.html",
    "sawt-alfurat": lambda slug, d: f"/sawt-alfurat/news/{d:%Y/%m}/{slug}.html",
    "al-rafidain": lambda slug, d: f"/al-rafidain/news/{slug}.html",
    "al-mashriq": lambda slug, d: f"/al-mashriq/news/{d:%Y/%m/%d}/{slug}.html",
    "levant-monitor": lambda slug, d: f"/levant-monitor/{d:%Y/%m}/{slug}.html",
}
FEED_LINK_SUFFIX = {"al-mashriq": "?utm_source=rss&utm_medium=feed&utm_campaign=syria"}
# Stories also shipped as already-extracted text in articles.jsonl, on fictional .example hosts.
JSONL_SLUGS = (
    "daraa-captagon-nassib", "captagon-lab-musayfira", "isis-cell-arrested-dhiban", "irgc-redeploy-bukamal",
    "al-hol-security-campaign", "anbar-captagon-seizure", "iraq-youth-team-wins", "daraa-captagon-seizure",
    "asayish-raids-hasakah-qamishli", "us-strikes-albukamal",
)


def load(path: Path = SAMPLES_DIR / "stories.yaml") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    stories = data["stories"]
    for story in stories:
        story["href"] = PATHS[story["outlet"]](story["slug"], story["date"])
        story["paragraphs"] = [line.strip() for line in story["body"].splitlines() if line.strip()]
    by_slug = {story["slug"]: story for story in stories}
    for story in stories:
        target = by_slug[story["read_also"]]
        if target["outlet"] != story["outlet"]:
            raise ValueError(f"{story['slug']}: read_also must link within the same outlet")
    return data["outlets"], stories


def pages(outlet: str, name: str, stories: list[dict[str, Any]], everything: list[dict[str, Any]]) -> list[ArticlePage]:
    own = sorted((s for s in stories if s["outlet"] == outlet), key=lambda s: s["date"])
    by_slug = {s["slug"]: s for s in everything}
    result = []
    for index, story in enumerate(own):
        others = [s for s in own if s is not story]
        most_read = sorted(others, key=lambda s: hashlib.md5(s["slug"].encode()).hexdigest())[:5]
        result.append(
            ArticlePage(
                outlet_name=name,
                title=story["title"],
                summary=story["summary"],
                author=story["author"],
                section=story["section"],
                date=story["date"],
                href=story["href"],
                paragraphs=story["paragraphs"],
                caption=story.get("caption"),
                read_also=_link(by_slug[story["read_also"]]),
                previous=_link(own[index - 1]) if index > 0 else None,
                next=_link(own[index + 1]) if index + 1 < len(own) else None,
                most_read=[_link(s) for s in most_read],
                ticker=[_link(s) for s in reversed(own[-4:])],
            )
        )
    return result


def rss(outlet: str, meta: dict[str, Any], items: list[ArticlePage]) -> str:
    kind = meta["feed_kind"]
    suffix = escape(FEED_LINK_SUFFIX.get(outlet, ""))
    entries = []
    for page in sorted(items, key=lambda p: p.date, reverse=True):
        title = page.title if kind == "rss-bozo" else escape(page.title)  # that CMS forgets to escape titles
        parts = [
            f"<title>{title}</title>",
            f"<link>{escape(page.href)}{suffix}</link>",
            f"<pubDate>{format_datetime(page.date)}</pubDate>",
            f"<category>{escape(page.section)}</category>",
            f'<guid isPermaLink="false">{outlet}-{_short(page.href)}</guid>',
        ]
        if kind == "rss-full":
            parts.append(f"<dc:creator>{escape(page.author)}</dc:creator>")
            more = f"ظهر المقال {page.title} أولاً على {meta['name']}."
            parts.append(f"<description><![CDATA[<p>{escape(page.summary)} [&#8230;]</p><p>{escape(more)}</p>]]></description>")
            parts.append(f"<content:encoded><![CDATA[{sawt_alfurat_content(page)}]]></content:encoded>")
        elif outlet == "al-mashriq":
            image = f'<img src="/al-mashriq/media/thumb-{_short(page.href)}.webp" />'
            parts.append(f"<description><![CDATA[{image}<p>{escape(page.summary)}</p>]]></description>")
        else:
            parts.append(f"<description>{escape(page.summary)}</description>")
            if kind == "rss-bozo":
                parts.append(f"<dc:creator>{escape(page.author)}</dc:creator>")
        entries.append("<item>\n  " + "\n  ".join(parts) + "\n</item>")
    newest = max(p.date for p in items)
    return f"""<?xml version="1.0" encoding="{meta['encoding']}"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{escape(meta['name'])}</title>
<link>/{outlet}/</link>
<atom:link href="/{outlet}/{meta['feed']}" rel="self" type="application/rss+xml" />
<description>{escape(meta['name'])}</description>
<language>{meta['language']}</language>
<lastBuildDate>{format_datetime(newest)}</lastBuildDate>
{chr(10).join(entries)}
</channel>
</rss>
"""


def atom(outlet: str, meta: dict[str, Any], items: list[ArticlePage]) -> str:
    entries = []
    for page in sorted(items, key=lambda p: p.date, reverse=True):
        entries.append(f"""<entry>
  <title>{escape(page.title)}</title>
  <link rel="alternate" type="text/html" href="{escape(page.href)}" />
  <id>tag:al-rafidain.example,2024:{_short(page.href)}</id>
  <published>{page.date.isoformat()}</published>
  <updated>{page.date.isoformat()}</updated>
  <author><name>{escape(page.author)}</name></author>
  <category term="{escape(page.section)}" />
  <summary type="text">{escape(page.summary)}</summary>
</entry>""")
    newest = max(p.date for p in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">
<title>{escape(meta['name'])}</title>
<subtitle>أخبار العراق والمنطقة</subtitle>
<link rel="alternate" href="/{outlet}/" />
<link rel="self" href="/{outlet}/{meta['feed']}" />
<id>tag:al-rafidain.example,2024:feed</id>
<updated>{newest.isoformat()}</updated>
{chr(10).join(entries)}
</feed>
"""


def index_page(title: str, links: list[Link]) -> str:
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body><h1>{escape(title)}</h1><ul>
{chr(10).join(f'<li><a href="{escape(x.href)}">{escape(x.title)}</a></li>' for x in links)}
</ul></body></html>
"""


def jsonl_records(outlets: dict[str, Any], stories: list[dict[str, Any]]) -> list[dict[str, str]]:
    by_slug = {s["slug"]: s for s in stories}
    records = []
    for slug in JSONL_SLUGS:
        story = by_slug[slug]
        url = f"https://{story['outlet']}.example{story['href'].removeprefix('/' + story['outlet'])}"
        teaser = "Read more: " if outlets[story["outlet"]]["language"] == "en" else "اقرأ أيضاً: "
        lines = [story["caption"]] if story.get("caption") else []
        lines += [teaser + by_slug[story["read_also"]]["title"] if p == READ_ALSO else p for p in story["paragraphs"]]
        records.append(
            {
                "id": article_id(url),
                "title": story["title"],
                "text": "\n".join(lines),
                "url": url,
                "published": story["date"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "source": outlets[story["outlet"]]["name"],
                "lang": outlets[story["outlet"]]["language"],
            }
        )
    return records


def build(site: Path = SITE_DIR, jsonl: Path = ARTICLES_JSONL) -> int:
    """Write every page, feed and index; return the number of article pages."""
    outlets, stories = load()
    count = 0
    home: list[Link] = []
    for outlet, meta in outlets.items():
        items = pages(outlet, meta["name"], stories, stories)
        for page in items:
            _write(site / page.href.lstrip("/"), TEMPLATES[outlet](page), meta["encoding"])
            count += 1
        feed = atom(outlet, meta, items) if meta["feed_kind"] == "atom" else rss(outlet, meta, items)
        _write(site / outlet / meta["feed"], feed, meta["encoding"])
        _write(site / outlet / "index.html", index_page(meta["name"], [_page_link(p) for p in items]), "utf-8")
        home.append(Link(f"{meta['name']} ({meta['feed']})", f"/{outlet}/{meta['feed']}"))
    _write(site / "index.html", index_page("مواقع العينة", home), "utf-8")
    lines = [json.dumps(r, ensure_ascii=False) for r in jsonl_records(outlets, stories)]
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return count


def _link(story: dict[str, Any]) -> Link:
    return Link(story["title"], story["href"])


def _page_link(page: ArticlePage) -> Link:
    return Link(page.title, page.href)


def _short(href: str) -> str:
    return hashlib.sha1(href.encode()).hexdigest()[:8]


def _write(path: Path, text: str, encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))  # strict: a character the outlet's charset lacks is a bug here


if __name__ == "__main__":
    print(f"wrote {build()} article pages under {SITE_DIR}")
