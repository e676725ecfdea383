"""Public Telegram channels as a source, read from their web preview (``https://t.me/s/NAME``).

Local networks and official bodies of the region publish first, often only,
on Telegram. The preview page serves a channel's latest posts as HTML
without an account: each post is a ``div.tgme_widget_message`` whose
``data-post`` is ``channel/123``, with its text, its time, its views, the
channel it was forwarded from and an attached link preview. Older posts are
on ``?before=123``. A post *is* the article: its text is the content, so
nothing is fetched after discovery.

This module is pure: it turns the bytes of one preview page into posts.
Paging and the min-length rule are applied by ``marsad.producers.sources``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from marsad.producers.feeds.entries import FeedEntry, FeedParseError, usable_link
from marsad.producers.feeds.sitemap import parse_w3c_date
from marsad.streams.clean.html import fragment_text, tidy_lines

TITLE_CHARS = 120  # a post has no headline: its first line, cut here, stands for one
_POST_ID = re.compile(r"^([A-Za-z0-9_]{3,64})/(\d+)$")
_VIEWS = re.compile(r"^([\d.]+)\s*([KM]?)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Post:
    """One channel post as the preview shows it."""

    channel: str
    number: int  # the post's id in its channel: the pages are ordered by it
    url: str  # the post's own address (https://t.me/channel/123 for the real host)
    text: str  # paragraphs as lines; "" for a photo or a video without caption
    published: datetime | None = None
    views: int | None = None
    forwarded_from: str = ""  # the channel or person the post was forwarded from
    attached_link: str | None = None  # the link preview's address
    edited: bool = False


def parse_preview(content: str, page_url: str) -> list[Post]:
    """The posts of one preview page, oldest first as the page shows them.

    Raises ``FeedParseError`` when the page is not a channel preview (no
    post container at all and no sign of an empty channel).
    """
    if not content.strip():
        raise FeedParseError("an empty page, not a Telegram channel preview")
    try:
        document = lxml_html.document_fromstring(content)
    except (etree.ParserError, ValueError) as exc:
        raise FeedParseError(f"not an HTML page: {exc}") from None
    messages = _by_class(document, "tgme_widget_message")
    if not messages and not _by_class(document, "tgme_channel_history"):
        raise FeedParseError("not a Telegram channel preview: no tgme_widget_message and no channel history")
    parts = urlsplit(page_url)
    posts = []
    for message in messages:
        match = _POST_ID.match(message.get("data-post") or "")
        if match is None:
            continue
        channel, number = match.group(1), int(match.group(2))
        url = f"{parts.scheme}://{parts.netloc}/{channel}/{number}"
        posts.append(Post(
            channel=channel,
            number=number,
            url=url,
            text=_message_text(message),
            published=_published(message),
            views=_views(message),
            forwarded_from=_first_text(message, "tgme_widget_message_forwarded_from_name"),
            attached_link=_attached_link(message, page_url),
            edited=_edited(message),
        ))
    return posts


def channel_title(content: str) -> str:
    """The channel's name as its preview shows it (its header, else ``og:title``), or ""."""
    try:
        document = lxml_html.document_fromstring(content)
    except (etree.ParserError, ValueError):
        return ""
    header = _first_text(document, "tgme_channel_info_header_title")
    if header:
        return header
    meta = document.find(".//meta[@property='og:title']")
    return " ".join((meta.get("content") or "").split()) if meta is not None else ""


def post_entry(post: Post, *, channel_title: str = "") -> FeedEntry:
    """A post as an entry whose content is the post itself (``origin`` "telegram")."""
    first_line = next((line for line in post.text.splitlines() if line.strip()), "")
    title = first_line if len(first_line) <= TITLE_CHARS else first_line[: TITLE_CHARS - 1].rstrip() + "…"
    return FeedEntry(
        link=post.url,
        title=title,
        published=post.published.strftime("%Y-%m-%dT%H:%M:%SZ") if post.published else None,
        summary=post.attached_link or "",
        content_text=post.text,
        guid=f"{post.channel}/{post.number}",
        author=post.forwarded_from or channel_title or None,
        origin="telegram",
        edited=post.edited,
    )


def older_page(page_url: str, posts: list[Post]) -> str | None:
    """The preview page before the oldest of ``posts`` (``?before=N``), or None when there are none."""
    if not posts:
        return None
    parts = urlsplit(page_url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?before={min(post.number for post in posts)}"


def _by_class(element: etree._Element, name: str) -> list[etree._Element]:
    return element.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def _first_text(element: etree._Element, name: str) -> str:
    found = _by_class(element, name)
    return " ".join(found[0].text_content().split()) if found else ""


def _message_text(message: etree._Element) -> str:
    found = _by_class(message, "tgme_widget_message_text")
    if not found:
        return ""
    return tidy_lines(fragment_text(found[-1]))  # a reply quotes the earlier post's text first; its own comes last


def _published(message: etree._Element) -> datetime | None:
    for time in message.iter("time"):
        moment = parse_w3c_date(time.get("datetime"))
        if moment is not None:
            return moment
    return None


def _views(message: etree._Element) -> int | None:
    match = _VIEWS.match(_first_text(message, "tgme_widget_message_views"))
    if match is None:
        return None
    try:
        number = float(match.group(1))
    except ValueError:
        return None
    return int(number * {"": 1, "K": 1_000, "M": 1_000_000}[match.group(2).upper()])


def _attached_link(message: etree._Element, page_url: str) -> str | None:
    found = _by_class(message, "tgme_widget_message_link_preview")
    return usable_link(page_url, found[0].get("href")) if found else None


def _edited(message: etree._Element) -> bool:
    return any("edited" in meta.text_content().lower() for meta in _by_class(message, "tgme_widget_message_meta"))
