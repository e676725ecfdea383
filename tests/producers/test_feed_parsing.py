"""parse_feed on the sample feeds and on the awkward cases real feeds produce."""

import pytest

from marsad.producers.feeds.parse import FeedParseError, parse_feed
from marsad.producers.samples import SITE_DIR

BASE = "http://news.test/"

SAMPLES = [
    # path, version, entries, bozo, full content, a title that must come through intact
    pytest.param("horan-today/rss.xml", "rss20", 6, False, False, "ضبط 3 ملايين حبة كبتاغون في ريف درعا الشرقي قرب الحدود الأردنية", id="rss-windows-1256"),
    pytest.param("sawt-alfurat/feed.xml", "rss20", 6, False, True, "«الدفاع الوطني» يفتح باب التطويع في الميادين برواتب بالدولار", id="rss-content-encoded"),
    pytest.param("al-rafidain/atom.xml", "atom10", 5, False, False, "أرتال لفصائل مسلحة تعبر من القائم باتجاه البوكمال السورية", id="atom"),
    pytest.param("al-mashriq/rss.xml", "rss20", 6, False, False, "درعا: مصادرة نحو ثلاثة ملايين حبة كبتاغون قرب الحدود مع الأردن", id="rss-utf8"),
    pytest.param("levant-monitor/feed.rss", "rss20", 4, True, False, "Jordan & Syria border - army says three smugglers killed in foiled drug run", id="rss-bozo-unescaped-ampersand"),
]


@pytest.mark.parametrize(("path", "version", "count", "bozo", "full", "title"), SAMPLES)
def test_sample_feeds(path: str, version: str, count: int, bozo: bool, full: bool, title: str) -> None:
    parsed = parse_feed((SITE_DIR / path).read_bytes(), BASE + path)
    assert parsed.version == version
    assert len(parsed.entries) == count
    assert parsed.bozo is bozo and (parsed.bozo_reason is not None) is bozo
    assert title in [e.title for e in parsed.entries]
    assert all(e.link.startswith(BASE) for e in parsed.entries)  # root-relative links absolutised
    assert all(e.published and e.published.endswith("Z") for e in parsed.entries)
    assert all((e.content_html is not None) is full for e in parsed.entries)


def test_published_is_converted_to_utc() -> None:
    parsed = parse_feed((SITE_DIR / "horan-today/rss.xml").read_bytes(), BASE)
    by_title = {e.title: e for e in parsed.entries}
    assert by_title["ضبط 3 ملايين حبة كبتاغون في ريف درعا الشرقي قرب الحدود الأردنية"].published == "2024-11-12T07:30:00Z"


def test_full_content_is_text_with_paragraph_lines() -> None:
    parsed = parse_feed((SITE_DIR / "sawt-alfurat/feed.xml").read_bytes(), BASE)
    entry = next(e for e in parsed.entries if "ذيبان" in e.title)
    lines = entry.content_text.splitlines()
    assert len(lines) >= 6 and "ذيبان" in lines[2]
    assert lines[0] == lines[1]  # the photo caption, under the image and again in the text
    assert "ظهر المقال" in entry.summary  # the WordPress "appeared first on" line stays in the summary only
    assert entry.author == "أحمد العبد الله"


def test_tracking_parameters_are_kept_in_links() -> None:
    """Canonicalisation is the poller's job: the parser reports links as published."""
    parsed = parse_feed((SITE_DIR / "al-mashriq/rss.xml").read_bytes(), BASE)
    assert all("utm_source=rss" in e.link for e in parsed.entries)


def atom(content: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id><updated>2024-11-12T10:00:00Z</updated>
<entry><title>a</title><id>e1</id><link href="https://site.test/a"/><updated>2024-11-12T10:00:00+03:00</updated>
<summary>short</summary><content type="html">{content}</content></entry></feed>"""


@pytest.mark.parametrize(
    ("paragraph_count", "full"), [(1, False), (12, True)], ids=["short-content-is-a-teaser", "long-content-is-the-article"]
)
def test_atom_content_counts_as_full_only_when_long(paragraph_count: int, full: bool) -> None:
    content = "&lt;p&gt;" + "&lt;/p&gt;&lt;p&gt;".join(["فقرة من نص الخبر الكامل المنشور في الموقع."] * paragraph_count) + "&lt;/p&gt;"
    (entry,) = parse_feed(atom(content), BASE).entries
    assert (entry.content_text is not None) is full
    assert entry.published == "2024-11-12T07:00:00Z"


def test_entries_without_links_are_skipped_and_guid_permalinks_used() -> None:
    rss = """<rss version="2.0"><channel><title>t</title>
    <item><title>no link</title><description>x</description></item>
    <item><title>guid link</title><guid isPermaLink="true">https://site.test/g</guid></item>
    <item><title>script</title><link>javascript:alert(1)</link></item>
    <item><title>ok</title><link>/ok.html</link></item></channel></rss>"""
    parsed = parse_feed(rss, "https://site.test/feed")
    assert [(e.title, e.link) for e in parsed.entries] == [("guid link", "https://site.test/g"), ("ok", "https://site.test/ok.html")]
    assert parsed.skipped == 2


def test_broken_but_usable_feed_is_accepted() -> None:
    rss = """<rss version="2.0"><channel><title>t</title>
    <item><title>أول خبر</title><link>https://site.test/1</link></item>
    <item><title>ثاني خبر & تفاصيل</title><link>https://site.test/2</link>
    </channel>"""  # unescaped &, unclosed item and rss
    parsed = parse_feed(rss, BASE)
    assert parsed.bozo and parsed.bozo_reason
    assert [e.link for e in parsed.entries] == ["https://site.test/1", "https://site.test/2"]


@pytest.mark.parametrize(
    "data",
    [
        (SITE_DIR / "al-rafidain/news/anbar-captagon-seizure.html").read_bytes(),
        b"\x00\x01\x02 binary junk",
        "<rss><channel><item><title>never closed",
    ],
    ids=["html-page", "binary", "truncated-without-entries"],
)
def test_not_a_feed_raises(data: bytes | str) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(data, BASE)


def test_empty_but_valid_feed_has_no_entries() -> None:
    parsed = parse_feed('<rss version="2.0"><channel><title>quiet</title></channel></rss>', BASE)
    assert parsed.entries == [] and not parsed.bozo and parsed.title == "quiet"
