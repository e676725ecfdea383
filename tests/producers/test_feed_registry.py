"""Feed registry YAML and OPML import: valid files load, invalid ones name feed and field."""

import pytest

from marsad.producers.feeds.opml import load_opml, parse_opml
from marsad.producers.feeds.registry import (
    Feed,
    RegistryError,
    dump_registry,
    enabled_feeds,
    load_registry,
    parse_registry,
)
from marsad.producers.samples import FEEDS_OPML, FEEDS_YAML

BASE = "http://127.0.0.1:8765/"


def test_sample_registry_loads_with_a_base_url() -> None:
    feeds = load_registry(FEEDS_YAML, base_url=BASE)
    assert [f.id for f in enabled_feeds(feeds)] == [
        "horan-today", "sawt-alfurat", "al-rafidain", "al-mashriq", "levant-monitor"
    ]
    assert feeds[0] == Feed(id="horan-today", url=BASE + "horan-today/rss.xml", title="حوران اليوم", interval=60, language="ar")
    assert not feeds[-1].enabled


def test_defaults_apply() -> None:
    (feed,) = parse_registry("feeds:\n  - id: a\n    url: https://a.example/rss\n")
    assert (feed.interval, feed.language, feed.enabled, feed.title) == (900, None, True, "")


INVALID = [
    pytest.param("- id: x\n  url: https://x.example/rss\n  interval: abc", "feed 'x' (#1): field 'interval': must be a whole number", id="interval-not-a-number"),
    pytest.param("- id: x\n  url: https://x.example/rss\n  interval: 1", "field 'interval': must be between 5", id="interval-too-small"),
    pytest.param("- id: x\n  url: https://x.example/rss\n  enabled: maybe", "feed 'x' (#1): field 'enabled': must be true or false", id="enabled-not-bool"),
    pytest.param("- id: x\n  url: ftp://x.example/rss", "feed 'x' (#1): field 'url': must be an http(s) URL", id="url-ftp"),
    pytest.param("- id: x\n  url: feeds/x.xml", "field 'url': relative URL 'feeds/x.xml' needs a base URL", id="url-relative-without-base"),
    pytest.param("- id: x", "feed 'x' (#1): field 'url': required", id="url-missing"),
    pytest.param("- url: https://x.example/rss", "feed #1: field 'id': required", id="id-missing"),
    pytest.param("- id: Bad Id\n  url: https://x.example/rss", "field 'id': required; lower-case", id="id-bad-characters"),
    pytest.param("- id: x\n  url: https://x.example/rss\n  language: Arabic", "field 'language': must be a language code", id="language-bad"),
    pytest.param("- id: x\n  url: https://x.example/rss\n  intervall: 60", "feed 'x' (#1): field 'intervall': unknown field", id="unknown-field-typo"),
    pytest.param("- id: x\n  url: https://x.example/a\n- id: x\n  url: https://x.example/b", "feed 'x' (#2): field 'id': duplicate of feed #1", id="duplicate-id"),
    pytest.param("- just a string", "feed #1: expected a mapping", id="entry-not-a-mapping"),
    pytest.param("feeds: {a: 1}", "expected a list of feeds", id="feeds-not-a-list"),
    pytest.param("feeds: [unclosed", "not valid YAML", id="yaml-syntax"),
    pytest.param("- id: x\n  url: https://x.example/\n  kind: twitter", "field 'kind': must be one of rss, sitemap, page, telegram", id="kind-unknown"),
    pytest.param("- id: x\n  url: https://x.example/rss\n  max_age_days: 3", "field 'max_age_days': a setting of kind 'sitemap' sources, this one is 'rss'", id="setting-of-another-kind"),
    pytest.param("- id: x\n  url: https://x.example/\n  kind: sitemap\n  max_age_days: 0", "field 'max_age_days': must be a positive number", id="max-age-zero"),
    pytest.param("- id: x\n  url: https://x.example/\n  kind: page\n  link_pattern: '(unclosed'", "field 'link_pattern': not a valid regular expression", id="link-pattern-bad-regex"),
    pytest.param("- id: x\n  url: https://t.me/s/channel_name\n  kind: telegram\n  pages: 50", "field 'pages': must be a whole number from 1 to 20", id="pages-too-many"),
    pytest.param("- id: x\n  url: https://t.me/s/channel_name/12?x=1\n  kind: telegram", "field 'url': a telegram source is a public channel's address", id="telegram-not-a-channel"),
    pytest.param("- id: x\n  url: https://t.me/s/c\n  kind: telegram\n  min_chars: -1", "field 'min_chars': must be a whole number", id="min-chars-negative"),
]


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_registry_names_feed_and_field(text: str, message: str) -> None:
    with pytest.raises(RegistryError) as error:
        parse_registry(text, source="feeds.yaml")
    assert any(message in problem for problem in error.value.problems), error.value.problems
    assert str(error.value).startswith("feeds.yaml: ")


def test_all_problems_are_reported_at_once() -> None:
    text = "- id: a\n  url: nope\n  interval: 0\n- id: b\n  url: https://b.example/\n  enabled: 3\n"
    with pytest.raises(RegistryError) as error:
        parse_registry(text, base_url=None)
    fields = sorted(p.split("field ")[1].split(":")[0] for p in error.value.problems)
    assert fields == ["'enabled'", "'interval'", "'url'"]


def test_source_kinds_with_their_settings() -> None:
    text = """feeds:
  - {id: news, url: https://a.example/rss.xml}
  - {id: maps, url: https://a.example/, kind: sitemap, max_age_days: 1.5}
  - {id: section, url: https://a.example/category/syria/, kind: page, link_pattern: '/20[0-9]{2}/'}
  - {id: channel, url: 'https://t.me/deirezzor_news', kind: telegram, pages: 2, min_chars: 10}
"""
    news, maps, section, channel = parse_registry(text)
    assert (news.kind, maps.kind, section.kind, channel.kind) == ("rss", "sitemap", "page", "telegram")
    assert maps.max_age_days == 1.5 and section.link_pattern == "/20[0-9]{2}/"
    assert channel.url == "https://t.me/s/deirezzor_news" and (channel.pages, channel.min_chars) == (2, 10)
    assert parse_registry(dump_registry([news, maps, section, channel])) == [news, maps, section, channel]
    assert "kind" not in dump_registry([news])  # an old registry stays as it was


def test_dump_and_parse_round_trip() -> None:
    feeds = load_registry(FEEDS_YAML, base_url=BASE)
    assert parse_registry(dump_registry(feeds)) == feeds


def test_sample_opml_import_walks_nested_outlines() -> None:
    feeds = load_opml(FEEDS_OPML, interval=300, language="ar")
    assert [(f.id, f.title, f.language) for f in feeds] == [
        ("127-0-0-1-horan-today", "حوران اليوم", "ar"),
        ("127-0-0-1-sawt-alfurat", "صوت الفرات", "ar"),
        ("127-0-0-1-al-rafidain", "الرافدين نيوز", "ar"),
        ("127-0-0-1-al-mashriq", "المشرق 24", "ar"),
        ("levant-monitor", "Levant Monitor", "en"),
    ]
    assert all(f.interval == 300 for f in feeds)


def test_opml_ids_are_unique_and_repeats_dropped() -> None:
    opml = """<opml version="1.0"><body>
      <outline text="A"><outline text="Enab Baladi" xmlUrl="https://www.enabbaladi.example/feed/"/></outline>
      <outline text="B"><outline text="Enab Baladi" xmlUrl="https://www.enabbaladi.example/feed/"/>
        <outline text="Enab Baladi" xmlurl="https://www.enabbaladi.example/category/syria/feed/"/></outline>
    </body></opml>"""
    assert [(f.id, f.url) for f in parse_opml(opml)] == [
        ("enab-baladi", "https://www.enabbaladi.example/feed/"),
        ("enab-baladi-2", "https://www.enabbaladi.example/category/syria/feed/"),
    ]


@pytest.mark.parametrize(
    ("opml", "message"),
    [
        ("<opml><body><outline", "not valid OPML/XML"),
        ("<rss><channel/></rss>", "not an OPML document"),
        ('<opml><body><outline text="Broken" xmlUrl="feed.xml"/></body></opml>', "feed 'broken' (#1): field 'url'"),
    ],
    ids=["malformed-xml", "not-opml", "relative-xmlurl"],
)
def test_invalid_opml(opml: str, message: str) -> None:
    with pytest.raises(RegistryError) as error:
        parse_opml(opml)
    assert any(message in p for p in error.value.problems), error.value.problems
