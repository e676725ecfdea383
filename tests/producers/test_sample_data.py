"""The bundled samples: in sync with their source, and shaped as the demo expects."""

import json
from collections import Counter

from marsad.producers.samples import ARTICLES_JSONL, SITE_DIR
from marsad.producers.samples.build_site import build, load
from marsad.producers.urls import article_id


def test_checked_in_site_matches_stories(tmp_path) -> None:
    """Edit stories.yaml or templates.py, then run `python -m marsad.producers.samples.build_site`."""
    count = build(tmp_path / "site", tmp_path / "articles.jsonl")
    built = sorted(p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*") if p.is_file())
    shipped = sorted(p.relative_to(SITE_DIR) for p in SITE_DIR.rglob("*") if p.is_file())
    assert count == 27 and built == shipped
    assert all((tmp_path / "site" / p).read_bytes() == (SITE_DIR / p).read_bytes() for p in built)
    assert (tmp_path / "articles.jsonl").read_bytes() == ARTICLES_JSONL.read_bytes()


def test_stories_cover_the_demo_scenarios() -> None:
    outlets, stories = load()
    assert {o["feed_kind"] for o in outlets.values()} == {"rss", "rss-full", "atom", "rss-bozo"}
    assert "windows-1256" in {o["encoding"] for o in outlets.values()}
    nassib = [s for s in stories if "نصيب" in s["body"] and "ثلاثة ملايين حبة" in s["body"]]
    assert len({s["outlet"] for s in nassib}) >= 3  # one story, republished by two other outlets
    bukamal = [s for s in stories if "البوكمال" in s["title"] or "Al-Bukamal" in s["title"]]
    assert len(bukamal) >= 4  # a burst about one place


def test_articles_jsonl_is_the_import_format() -> None:
    records = [json.loads(line) for line in ARTICLES_JSONL.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 10
    for record in records:
        assert {"id", "text", "title", "url", "published"} <= record.keys()
        assert record["id"] == article_id(record["url"]) and record["published"].endswith("Z")
    assert Counter(r["lang"] for r in records) == {"ar": 9, "en": 1}
