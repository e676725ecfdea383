"""The dashboard's questions to the views: places on the map, a place's articles, the seizure ledger
summed by place and month, and exports of a filter (CSV and GeoJSON rows).

They take the same `Filters` as the query API (and the same WHERE clause,
`marsad.consumers.store.queries.where`), so what the page shows and exports counts
exactly what `/articles`, `/counts` and `/seizures` count. Aggregation happens
here, in the database: the page never needs every article.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from marsad.consumers.query.model import Cursor, Filters, Page, TotalsQuery
from marsad.consumers.store import queries
from marsad.consumers.store.sqlstore import SqlStore, _attach_facts

MAX_PLACES = 5000
MAX_EXPORT = 100_000


class ExportTooLarge(ValueError):
    """The filter matches more rows than one export holds; the message says how many."""


@dataclass(frozen=True)
class PlaceQuery:
    """Articles of one place (``key``: the views' place key, e.g. ``g170592``) matching ``filters``."""

    key: str
    filters: Filters
    limit: int = 20
    after: Cursor | None = None


def places(store: SqlStore, filters: Filters, limit: int = MAX_PLACES) -> dict[str, Any]:
    """Every place named by matching articles, with its article count and its count per topic.

    Also the matching articles (``articles``) and how many of them name a place (``located``). A place
    named in both scripts shows its Arabic name (MAX: Arabic letters sort after Latin ones).
    """
    w, params = queries.where(filters, store.dialect)
    join = "FROM articles a JOIN article_places p ON p.article_id = a.article_id"
    with store._transaction(write=False) as tx:
        rows = tx.rows(f"SELECT p.place_key, MAX(p.name), MIN(p.lat), MIN(p.lon), MIN(p.country), "
                       f"COUNT(DISTINCT a.article_id) {join}{w} GROUP BY p.place_key "
                       "ORDER BY COUNT(DISTINCT a.article_id) DESC, p.place_key LIMIT ?", [*params, limit + 1])
        by_topic: dict[str, dict[str, int]] = defaultdict(dict)
        for key, topic, n in tx.rows(f"SELECT p.place_key, t.topic, COUNT(DISTINCT a.article_id) {join} "
                                     f"JOIN article_topics t ON t.article_id = a.article_id{w} "
                                     "GROUP BY p.place_key, t.topic", params):
            by_topic[key][topic] = n
        articles = tx.rows(f"SELECT COUNT(*) FROM articles a{w}", params)[0][0]
        located = tx.rows(f"SELECT COUNT(DISTINCT a.article_id) {join}{w}", params)[0][0]
    items = []
    for key, name, lat, lon, country, n in rows[:limit]:
        topics = dict(sorted(by_topic.get(key, {}).items(), key=lambda kv: (-kv[1], kv[0])))
        items.append({"key": key, "name": name, "lat": lat, "lon": lon, "country": country, "articles": n,
                      "topic": next(iter(topics), None), "topics": topics})
    return {"articles": articles, "located": located, "items": items, "truncated": len(rows) > limit}


def place_articles(store: SqlStore, q: PlaceQuery) -> Page:
    """One page of a place's matching articles, newest first, with their facts and topic evidence."""
    w, params = queries.where(q.filters, store.dialect)
    # IN (not EXISTS): the planner starts from the place's few rows instead of scanning articles by date
    cond = ["a.article_id IN (SELECT y.article_id FROM article_places y WHERE y.place_key = ?)"]
    extra = [q.key]
    if q.after is not None:
        cond.append("(a.at < ? OR (a.at = ? AND a.article_id < ?))")
        extra += [q.after.at, q.after.at, q.after.article_id]
    w = (f"{w} AND " if w else " WHERE ") + " AND ".join(cond)
    names = ("article_id", "url", "source", "title", "lang", "at", "story_id", "dup_status", "source_kind", "edited",
             "revision")
    cols = ", ".join(f"a.{c}" for c in names)
    with store._transaction(write=False) as tx:
        rows = tx.rows(f"SELECT {cols} FROM articles a{w} ORDER BY a.at DESC, a.article_id DESC LIMIT ?",
                       [*params, *extra, q.limit + 1])
        items = [dict(zip(names, r, strict=True)) for r in rows[:q.limit]]
        for it in items:  # named as in the article list (`marsad.consumers.store.sqlstore._article`)
            it["kind"], it["edited"] = it.pop("source_kind"), bool(it["edited"])
        _attach_facts(tx, items, evidence=True)
    more = len(rows) > q.limit and items
    return Page(items, Cursor(items[-1]["at"], items[-1]["article_id"]) if more else None)


def seizure_summary(store: SqlStore, filters: Filters) -> dict[str, Any]:
    """The ledger summed by item and unit, by item, unit and place, and by item, unit and month."""
    w, params = queries.where(filters, store.dialect, ledger=True)
    base = "FROM seizures s JOIN articles a ON a.article_id = s.article_id"
    sums = "SUM(s.value), COUNT(*), COUNT(DISTINCT s.article_id)"
    with store._transaction(write=False) as tx:
        by_place = tx.rows(f"SELECT s.item, s.unit, s.place_key, MAX(s.place_name), MIN(s.lat), MIN(s.lon), "
                           f"MIN(s.country), {sums} {base}{w} GROUP BY s.item, s.unit, s.place_key "
                           "ORDER BY s.item, s.unit, SUM(s.value) DESC, s.place_key", params)
        by_month = tx.rows(f"SELECT s.item, s.unit, substr(s.day, 1, 7), {sums} {base}{w} "
                           "GROUP BY s.item, s.unit, substr(s.day, 1, 7) ORDER BY s.item, s.unit, 3", params)
    totals = store.seizure_totals(TotalsQuery(filters))
    place_cols = ("item", "unit", "place_key", "place_name", "lat", "lon", "country", "total", "seizures",
                  "articles")
    month_cols = ("item", "unit", "month", "total", "seizures", "articles")
    return {"totals": totals,
            "by_place": [dict(zip(place_cols, r, strict=True)) for r in by_place],
            "by_month": [dict(zip(month_cols, r, strict=True)) for r in by_month]}


ARTICLE_EXPORT = ("article_id", "at", "source", "title", "url", "lang", "dup_status", "story_id", "source_kind",
                  "revision")
SEIZURE_EXPORT = ("article_id", "ord", "day", "item", "value", "unit", "place_name", "lat", "lon", "country",
                  "source", "dup_status", "story_id")


def export_articles(store: SqlStore, filters: Filters, cap: int = MAX_EXPORT) -> list[dict[str, Any]]:
    """Every matching article with its facts and main place (most mentioned), newest first."""
    w, params = queries.where(filters, store.dialect)
    ids = f"SELECT a.article_id FROM articles a{w}"
    with store._transaction(write=False) as tx:
        n = tx.rows(f"SELECT COUNT(*) FROM articles a{w}", params)[0][0]
        if n > cap:
            raise ExportTooLarge(f"the filter matches {n:,} articles; an export holds at most {cap:,}: "
                                 "narrow it (since/until, topic, place...)")
        cols = ", ".join(f"a.{c}" for c in ARTICLE_EXPORT)
        items = [dict(zip(ARTICLE_EXPORT, r, strict=True)) for r in tx.rows(
            f"SELECT {cols} FROM articles a{w} ORDER BY a.at DESC, a.article_id DESC", params)]
        facts: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for aid, topic in tx.rows(f"SELECT article_id, topic FROM article_topics WHERE article_id IN ({ids}) "
                                  "ORDER BY article_id, score DESC, topic", params):
            facts[aid]["topics"].append(topic)
        for aid, org in tx.rows(f"SELECT article_id, org FROM article_orgs WHERE article_id IN ({ids}) "
                                "ORDER BY article_id, ord", params):
            facts[aid]["orgs"].append(org)
        for aid, country in tx.rows(f"SELECT article_id, country FROM article_countries "
                                    f"WHERE article_id IN ({ids}) ORDER BY article_id, country", params):
            facts[aid]["countries"].append(country)
        for row in tx.rows(f"SELECT article_id, name, lat, lon, country, mentions FROM article_places "
                           f"WHERE article_id IN ({ids}) ORDER BY article_id, ord", params):
            facts[row[0]]["places"].append(row[1:])
    for it in items:
        it["kind"] = it.pop("source_kind")
        f = facts.get(it["article_id"], {})
        it["topics"], it["orgs"], it["countries"] = f.get("topics", []), f.get("orgs", []), f.get("countries", [])
        places_ = f.get("places", [])
        main = max(places_, key=lambda p: p[4], default=None)  # max keeps the first on a tie
        it["places"] = [p[0] for p in places_]
        it["place"], it["lat"], it["lon"] = (main[0], main[1], main[2]) if main else (None, None, None)
    return items


def export_seizures(store: SqlStore, filters: Filters, cap: int = MAX_EXPORT) -> list[dict[str, Any]]:
    """Every matching ledger row with its article's title, url and the quantity as written, newest first."""
    w, params = queries.where(filters, store.dialect, ledger=True)
    base = ("FROM seizures s JOIN articles a ON a.article_id = s.article_id "
            "JOIN article_quantities qq ON qq.article_id = s.article_id AND qq.ord = s.ord")
    cols = ", ".join(f"s.{c}" for c in SEIZURE_EXPORT)
    with store._transaction(write=False) as tx:
        n = tx.rows(f"SELECT COUNT(*) {base}{w}", params)[0][0]
        if n > cap:
            raise ExportTooLarge(f"the filter matches {n:,} seizures; an export holds at most {cap:,}: narrow it")
        rows = tx.rows(f"SELECT {cols}, a.title, a.url, qq.text {base}{w} "
                       "ORDER BY s.at DESC, s.article_id DESC, s.ord DESC", params)
    return [dict(zip((*SEIZURE_EXPORT, "title", "url", "text"), r, strict=True)) for r in rows]
