"""Section pages as a source: a listing page (a category, "latest news") whose links are the articles.

Only links to the page's own site count (``www.`` aside). Which of them
are articles is the source's ``link_pattern`` (a regex searched in the
absolute URL) when the registry gives one; otherwise a link counts when its
path looks like an article's: a
date in it (``/2024/05/12/``, ``/2024-05-12-``), a long slug in its last
segment, or a long number (``/news/123456``). Navigation (tags, authors,
pagination, feeds, media files) is left out. The rules are data below, kept
apart from the function that applies them.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html

from marsad.producers.feeds.entries import FeedEntry, FeedParseError, usable_link

# A path that holds a date: /2024/05/12/, /2024/05/, 2024-05-12, 20240512.
DATED_PATH = re.compile(r"/(19|20)\d{2}/(0?[1-9]|1[0-2])(/|$)|(19|20)\d{2}-(0[1-9]|1[0-2])-[0-3]\d|/(19|20)\d{6}\b")
LONG_NUMBER = re.compile(r"(^|[/_-])\d{5,}(\.html?|\.php|\.aspx?)?/?$")  # an article number at the end
SLUG_MIN_CHARS = 20  # a last segment (decoded) this long with ...
SLUG_MIN_WORDS = 4  # ... this many words joined by "-" or "_" reads as an article's slug
NOT_ARTICLE_SEGMENTS = frozenset({
    "tag", "tags", "category", "categories", "author", "authors", "page", "search", "feed", "rss",
    "login", "register", "account", "contact", "about", "privacy", "terms", "wp-admin", "wp-login.php",
    "wp-json", "cdn-cgi", "ads", "newsletter", "subscribe", "اتصل-بنا", "من-نحن",
})
# Anchor texts that are no headline ("read more" buttons beside the headline's own link).
NOT_A_TITLE = frozenset({"اقرأ المزيد", "اقرأ أيضا", "المزيد", "تابع القراءة", "التفاصيل", "read more", "more",
                         "continue reading", "details"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
NOT_ARTICLE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".mp3", ".mp4", ".zip",
                        ".xml", ".rss", ".css", ".js")


def section_links(text: str, base_url: str, *, link_pattern: str | None = None) -> tuple[list[FeedEntry], int]:
    """The article links of a listing page, in page order without repeats, titled by their anchor text.

    Returns the entries and how many distinct links were left out (not an
    article by the rule in force). Raises ``FeedParseError`` when the
    document is not HTML at all.
    """
    try:
        document = lxml_html.document_fromstring(text) if text.strip() else None
    except (etree.ParserError, ValueError) as exc:
        raise FeedParseError(f"not an HTML page: {exc}") from None
    if document is None or (document.find(".//body") is None and not document.findall(".//a")):
        raise FeedParseError("not an HTML page: no body and no links")
    base = _base_href(document, base_url)
    pattern = re.compile(link_pattern) if link_pattern else None
    site = _site(base_url)
    titles: dict[str, str] = {}
    ranks: dict[str, tuple[bool, int]] = {}
    rejected: set[str] = set()
    for anchor in document.iter("a"):
        link = usable_link(base, anchor.get("href"))
        if link is None:
            continue
        link = link.split("#", 1)[0]
        if pattern is not None:
            accepted = _site(link) == site and pattern.search(link) is not None
        else:
            accepted = looks_like_article(link, site)
        if not accepted:
            rejected.add(link)
            continue
        title = " ".join(anchor.text_content().split())
        if title.lower() in NOT_A_TITLE:
            title = ""
        rank = (_in_heading(anchor), len(title))  # the headline, not the "read more" of the same link
        if link not in titles or rank > ranks[link]:
            titles[link], ranks[link] = title, rank
    entries = [FeedEntry(link=link, title=title) for link, title in titles.items()]
    return entries, len(rejected - titles.keys())


def looks_like_article(url: str, site: str) -> bool:
    """A link on ``site`` whose path has a date, a long slug or an article number (see the module doc)."""
    parts = urlsplit(url)
    if _site(url) != site:
        return False
    path = unquote(parts.path)
    segments = [segment for segment in path.lower().split("/") if segment]
    if not segments or any(segment in NOT_ARTICLE_SEGMENTS for segment in segments[:-1]):
        return False
    if segments[-1].endswith(NOT_ARTICLE_SUFFIXES):
        return False
    if DATED_PATH.search(path) or LONG_NUMBER.search(path):
        return True
    last = segments[-1].rsplit(".", 1)[0]
    words = [word for word in re.split(r"[-_]+", last) if word]
    return len(last) >= SLUG_MIN_CHARS and len(words) >= SLUG_MIN_WORDS


def _in_heading(anchor: etree._Element) -> bool:
    return any(isinstance(node.tag, str) and node.tag.lower() in HEADINGS for node in anchor.iterancestors())


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _base_href(document: etree._Element, base_url: str) -> str:
    base = document.find(".//base[@href]")
    return (usable_link(base_url, base.get("href")) or base_url) if base is not None else base_url
