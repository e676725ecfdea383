"""Import an OPML subscription list into registry entries.

Feed readers export OPML with feeds nested in category outlines; every
outline carrying an ``xmlUrl`` is a feed wherever it sits. Ids are derived
from the title when it has Latin letters, otherwise from the host name, and
made unique; the entries then go through the registry's own validation, so
a bad ``xmlUrl`` is reported the same way as in YAML.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from marsad.producers.feeds.registry import DEFAULT_INTERVAL, Feed, RegistryError, feeds_from_records

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_FEED_WORDS = frozenset({"feed", "feeds", "rss", "atom"})


def load_opml(
    path: str | Path, *, interval: int = DEFAULT_INTERVAL, language: str | None = None
) -> list[Feed]:
    """Read an OPML file; see ``parse_opml``."""
    path = Path(path)
    return parse_opml(path.read_bytes(), source=str(path), interval=interval, language=language)


def parse_opml(
    data: str | bytes,
    *,
    source: str = "<opml>",
    interval: int = DEFAULT_INTERVAL,
    language: str | None = None,
) -> list[Feed]:
    """Registry entries for every outline with an ``xmlUrl``, at any depth.

    ``interval`` and ``language`` apply to feeds that do not say otherwise
    (an outline's ``language`` attribute wins). Raises ``RegistryError``
    for unreadable OPML or invalid outlines, naming them.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise RegistryError(source, [f"not valid OPML/XML: {exc}"]) from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise RegistryError(source, ["not an OPML document (expected <opml> with a <body>)"])

    records: list[dict[str, Any]] = []
    used: set[str] = set()
    urls: set[str] = set()
    for outline in body.iter("outline"):
        attributes = {key.lower(): value for key, value in outline.attrib.items()}
        url = attributes.get("xmlurl")
        if url is None or url.strip() in urls:
            continue  # a category, or a feed listed twice (exports often repeat one per category)
        urls.add(url.strip())
        title = (attributes.get("title") or attributes.get("text") or "").strip()
        records.append(
            {
                "id": _unique(_slug(title, url), used),
                "url": url.strip(),
                "title": title,
                "interval": interval,
                "language": attributes.get("language") or language,
            }
        )
    return feeds_from_records(records, source=source)


def _slug(title: str, url: str) -> str:
    slug = _SLUG_JUNK.sub("-", title.lower()).strip("-")
    if len(slug) < 3:  # Arabic-only titles have no Latin letters: use the host and first path segment
        parts = urlsplit(url.strip())
        words = [(parts.hostname or "feed").removeprefix("www.")]
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > 1 and segments[0].lower() not in _FEED_WORDS:
            words.append(segments[0])
        slug = _SLUG_JUNK.sub("-", "-".join(words).lower()).strip("-")
    return slug[:48].rstrip("-") or "feed"


def _unique(slug: str, used: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in used:
        candidate = f"{slug}-{number}"
        number += 1
    used.add(candidate)
    return candidate
