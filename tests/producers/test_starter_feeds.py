"""The starter OPML of real outlets: valid OPML, importable, marked as a starting point; never polled here."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from marsad.producers.feeds.opml import load_opml

STARTER = Path(__file__).parents[2] / "producers" / "samples" / "starter-feeds.opml"


def test_the_starter_feeds_import_as_registry_entries_with_web_addresses():
    feeds = load_opml(STARTER)
    assert len(feeds) >= 8
    for feed in feeds:
        parts = urlsplit(feed.url)
        assert parts.scheme in ("http", "https") and parts.hostname and "." in parts.hostname, feed.url
        assert not parts.hostname.startswith(("127.", "localhost")), feed.url
    assert len({f.id for f in feeds}) == len(feeds) and "enab-baladi" in {f.id for f in feeds}
    assert {f.language for f in feeds} <= {"ar", "en"}


def test_the_starter_feeds_have_iraqi_arabic_outlets():
    """Iraq is half of marsad's ground: Arabic outlets of Iraq, not only an English one."""
    feeds = {f.id: f for f in load_opml(STARTER)}
    iraqi = [feeds[i] for i in ("shafaq-news", "rudaw-arabic") if i in feeds]
    assert len(iraqi) == 2 and all(f.language == "ar" for f in iraqi), sorted(feeds)


def test_the_starter_feeds_say_they_are_a_starting_point_to_check():
    text = STARTER.read_text(encoding="utf-8")
    assert "starting point to check" in text.lower() and "marsad feeds try" in text
