"""The dashboard's aggregates on each views database, and its endpoints' errors, against the query API's counts."""

from __future__ import annotations

import csv
import io

import pytest

from marsad.consumers.api.dashboard_export import ARTICLE_CSV, to_csv, to_geojson
from marsad.consumers.query.model import CountQuery, Filters, TotalsQuery
from marsad.consumers.query.params import decode_cursor, encode_cursor
from marsad.consumers.store import Record, open_store
from marsad.consumers.store import aggregates as agg
from tests.consumers.api.server import Api
from tests.consumers.factory import article, corpus


@pytest.fixture
def store(views_url: str):
    with open_store(views_url) as s:
        s.setup()
        s.write_batch([Record("t", 0, i, e) for i, e in enumerate(corpus(60))])
        yield s


@pytest.mark.parametrize("filters", [Filters(), Filters(topic="narcotics"), Filters(country="JO"),
                                     Filters(since="2024-02-02T00:00:00Z"), Filters(duplicate="original")],
                         ids=["all", "topic", "country", "since", "originals"])
def test_places_count_what_counts_counts(store, filters: Filters) -> None:
    got = agg.places(store, filters)
    expected = {r["key"]: r["articles"] for r in store.counts(CountQuery("place", None, filters, 1000))}
    assert {p["key"]: p["articles"] for p in got["items"]} == expected
    assert got["articles"] == sum(r["articles"] for r in store.counts(CountQuery("source", None, filters, 1000)))
    for p in got["items"]:
        assert sum(p["topics"].values()) >= p["articles"] and p["topic"] == next(iter(p["topics"]))


def test_place_articles_page_through_every_article(store) -> None:
    daraa = next(p for p in agg.places(store, Filters())["items"] if p["name"] == "درعا")
    seen, cursor = [], None
    while True:
        page = agg.place_articles(store, agg.PlaceQuery(daraa["key"], Filters(), 5, cursor))
        seen += [a["article_id"] for a in page.items]
        assert all(a["topics"][0]["evidence"] for a in page.items)  # evidence terms come with the list
        if page.next is None:
            break
        cursor = decode_cursor(encode_cursor(page.next))
    assert len(seen) == len(set(seen)) == daraa["articles"]


def test_seizure_summary_adds_up_to_the_totals(store) -> None:
    s = agg.seizure_summary(store, Filters())
    totals = store.seizure_totals(TotalsQuery(Filters()))
    assert s["totals"] == totals
    for key in ("by_place", "by_month"):
        assert sum(r["total"] for r in s[key]) == sum(t["total"] for t in totals)
        assert sum(r["seizures"] for r in s[key]) == sum(t["seizures"] for t in totals)
    assert {r["month"] for r in s["by_month"]} == {"2024-02"}  # 60 hourly articles from 1 February


def test_exports_hold_every_matching_row(store) -> None:
    rows = agg.export_articles(store, Filters(topic="narcotics"))
    assert len(rows) == 15 and all("narcotics" in r["topics"] for r in rows)
    assert all(r["lat"] is not None and r["place"] for r in rows)
    seizures = agg.export_seizures(store, Filters())
    assert len(seizures) == sum(t["seizures"] for t in store.seizure_totals(TotalsQuery(Filters())))
    with pytest.raises(agg.ExportTooLarge, match="at most 10"):
        agg.export_articles(store, Filters(), cap=10)


def test_place_lists_and_exports_name_the_kind_and_revision(store) -> None:
    store.write_batch([Record("t", 0, 60 + n, e) for n, e in enumerate(
        [article(100, kind="telegram", place=2), article(100, kind="telegram", place=2, revision=2)])])
    rows = agg.export_articles(store, Filters(kind="telegram"))
    assert [(r["article_id"], r["kind"], r["revision"]) for r in rows] == [("a00100", "telegram", 2)]
    assert ",kind,revision" in to_csv(rows, ARTICLE_CSV).splitlines()[0]
    daraa = next(p for p in agg.places(store, Filters(kind="telegram"))["items"] if p["name"] == "درعا")
    (post,) = agg.place_articles(store, agg.PlaceQuery(daraa["key"], Filters(kind="telegram"), 5, None)).items
    assert (post["kind"], post["edited"], post["revision"]) == ("telegram", True, 2)
    assert agg.export_articles(store, Filters())[-1]["kind"] is None  # processed before kinds were carried


def test_csv_opens_as_arabic_and_runs_no_formula() -> None:
    text = to_csv([{"article_id": "a1", "title": "=HYPERLINK(\"x\")", "source": "عنب بلدي",
                    "topics": ["narcotics", "smuggling"], "lat": None}], ARTICLE_CSV)
    assert text.startswith("\ufeffarticle_id,")
    row = next(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert (row["title"], row["source"], row["topics"], row["lat"]) == ("'=HYPERLINK(\"x\")", "عنب بلدي",
                                                                         "narcotics;smuggling", "")


def test_geojson_keeps_rows_without_a_place() -> None:
    doc = to_geojson([{"article_id": "a1", "lat": 32.6, "lon": 36.1}, {"article_id": "a2", "lat": None, "lon": None}])
    assert [f["geometry"] for f in doc["features"]] == [{"type": "Point", "coordinates": [36.1, 32.6]}, None]
    assert [f["id"] for f in doc["features"]] == ["a1", "a2"]


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/places?topik=x", 400, "unknown parameter 'topik'"),
    ("/places?since=yesterday", 400, "since must be a date"),
    ("/places/g1/articles?limit=150", 400, "limit is at most 100"),
    ("/seizures/summary?item=a b", 400, "item must be an id"),
    ("/export/articles.xlsx", 404, "not_found"),
    ("/places/g1/articles?cursor=zzz", 400, "cursor is not one this API gave out"),
], ids=["unknown", "since", "limit", "item", "format", "cursor"])
def test_bad_requests_say_what_is_wrong(token_api: Api, path: str, status: int, words: str) -> None:
    r = token_api.client.get(path)
    assert r.status_code == status and words in r.text, r.text


def test_dashboard_config_and_openapi(token_api: Api) -> None:
    config = token_api.get("/dashboard/config")
    assert config | {"topics": {}, "known": {}} == {"tiles_url": "", "live": True, "alerts_view": True, "topics": {},
                                                    "known": {}}
    assert config["topics"]["narcotics"] == "المخدرات"  # the taxonomy's names, for topics of one's own
    assert "narcotics" in config["known"]["topics"] and "isis" in config["known"]["orgs"]  # what the filters accept
    paths = token_api.get("/openapi.json")["paths"]
    assert {"/places", "/places/{key}/articles", "/seizures/summary", "/export/articles.csv", "/live/alerts",
            "/dashboard/place-labels"} <= set(paths)
    page = token_api.client.get("/")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert 'dir="rtl"' in page.text and 'lang="ar"' in page.text
