"""Query objects to SQL text plus bound parameters, for either database.

Values never enter the SQL text: every one is a ``?`` placeholder (the
PostgreSQL backend rewrites them to ``%s``). What differs between the two
databases is only the full-text clause, given by a `Dialect`. Table and
column names come from the fixed tables below, never from a request.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from marsad.consumers.query.model import (
    AlertQuery,
    ArticleQuery,
    CountQuery,
    Cursor,
    Filters,
    Near,
    SeizureQuery,
    StoryQuery,
    TotalsQuery,
)
from marsad.consumers.rows import search_words
from marsad.streams.alerts.view_rows import ALERT_COLUMNS

KM_PER_DEGREE = 111.2


@dataclass(frozen=True)
class Dialect:
    """The full-text clause (``text_sql`` with one placeholder) and how to form its parameter."""

    text_sql: str
    text_param_joiner: str  # how the query words become the one parameter
    word: Callable[[str], str]  # how each word is written in it (a quoted term, a quoted lexeme)


@dataclass(frozen=True)
class Dimension:
    """One ``by`` of the counts: a join, the grouping key and label columns."""

    join: str
    key: str
    labels: tuple[tuple[str, str], ...] = ()


DIMENSIONS: dict[str, Dimension] = {
    "topic": Dimension("JOIN article_topics c ON c.article_id = a.article_id", "c.topic"),
    "place": Dimension("JOIN article_places c ON c.article_id = a.article_id", "c.place_key",
                       (("name", "MIN(c.name)"), ("lat", "MIN(c.lat)"), ("lon", "MIN(c.lon)"),
                        ("country", "MIN(c.country)"))),
    "org": Dimension("JOIN article_orgs c ON c.article_id = a.article_id", "c.org", (("name", "MIN(c.name)"),)),
    "country": Dimension("JOIN article_countries c ON c.article_id = a.article_id", "c.country"),
    "source": Dimension("", "a.source"),
    "kind": Dimension("", "COALESCE(a.source_kind, 'unknown')"),
}
BUCKETS = {"day": "a.day", "hour": "a.hour"}

ARTICLE_LIST_COLUMNS = ("article_id", "url", "source", "title", "lang", "published", "at", "story_id",
                        "dup_status", "dup_first_id", "dup_similarity", "taxonomy_version", "source_kind",
                        "edited", "revision")
SNIPPET_CHARS = 280


class Where:
    """The conditions of a WHERE clause and their parameters, in the order they are added."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list = []

    def add(self, condition: str, *values: object) -> None:
        self.conditions.append(condition)
        self.params.extend(values)

    def between(self, column: str, since: object, until: object) -> None:
        """``column`` from ``since`` (included) to ``until`` (excluded), each bound only when given."""
        if since is not None:
            self.add(f"{column} >= ?", since)
        if until is not None:
            self.add(f"{column} < ?", until)

    def clause(self) -> tuple[str, list]:
        """`` WHERE a AND b`` ("" without conditions) and the parameters."""
        return (" WHERE " + " AND ".join(self.conditions)) if self.conditions else "", self.params


def where(f: Filters, d: Dialect, *, ledger: bool = False) -> tuple[str, list]:
    """The WHERE clause (``a`` = articles, ``s`` = seizures when ``ledger``) and its parameters."""
    w = Where()
    add = w.add

    def child(table: str, condition: str, *values: object) -> None:
        add(f"EXISTS (SELECT 1 FROM {table} x WHERE x.article_id = a.article_id AND {condition})", *values)

    if f.topic is not None:
        child("article_topics", "x.topic = ?", f.topic)
    if f.place is not None:
        child("article_places", "x.norm_name = ?", f.place)
    if f.near is not None:
        box, box_params = _bounding_box(f.near)
        child("article_places", f"{box} AND marsad_km(x.lat, x.lon, ?, ?) <= ?",
              *box_params, f.near.lat, f.near.lon, f.near.radius_km)
    if f.org is not None:
        child("article_orgs", "x.org = ?", f.org)
    if f.country is not None:
        child("article_countries", "x.country = ?", f.country)
    if f.source is not None:
        add("a.source = ?", f.source)
    w.between("a.at", f.since, f.until)
    if f.words:
        # each word in the matching form and one token, as the index holds them: a search is for words,
        # all of them, never a phrase (neither index keeps word positions)
        terms = [term for word in f.words for term in search_words(word)]
        if terms:
            add(d.text_sql, d.text_param_joiner.join(map(d.word, terms)))
        else:
            add("1 = 0")  # nothing searchable asked: nothing found
    if f.duplicate == "copy":
        add("a.dup_status <> ?", "original")
    elif f.duplicate is not None:
        add("a.dup_status = ?", f.duplicate)
    if f.story is not None:
        add("a.story_id = ?", f.story)
    if f.kind is not None:
        add("a.source_kind = ?", f.kind)
    if ledger and f.item is not None:
        add("s.item = ?", f.item)
    if ledger and f.unit is not None:
        add("s.unit = ?", f.unit)
    return w.clause()


def _bounding_box(near: Near) -> tuple[str, list]:
    """A cheap box around the circle (uses the lat/lon index); the exact distance is checked after."""
    dlat = near.radius_km / KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(near.lat)), 0.01)
    dlon = near.radius_km / (KM_PER_DEGREE * cos_lat)
    sql, params = "x.lat BETWEEN ? AND ?", [near.lat - dlat, near.lat + dlat]
    if dlon < 180:
        sql += " AND x.lon BETWEEN ? AND ?"
        params += [near.lon - dlon, near.lon + dlon]
    return sql, params


def _after(cursor: Cursor | None, alias: str, with_ord: bool) -> tuple[str, list]:
    """Keyset condition for rows sorted by (at, article_id[, ord]) descending."""
    if cursor is None:
        return "", []
    if with_ord:
        return (f"({alias}.at < ? OR ({alias}.at = ? AND ({alias}.article_id < ? OR "
                f"({alias}.article_id = ? AND {alias}.ord < ?))))",
                [cursor.at, cursor.at, cursor.article_id, cursor.article_id, cursor.ord])
    return (f"({alias}.at < ? OR ({alias}.at = ? AND {alias}.article_id < ?))",
            [cursor.at, cursor.at, cursor.article_id])


def _and(where_sql: str, extra: str) -> str:
    if not extra:
        return where_sql
    return f"{where_sql} AND {extra}" if where_sql else f" WHERE {extra}"


def articles_sql(q: ArticleQuery, d: Dialect) -> tuple[str, list]:
    """One page (plus one row, to know whether another page follows), newest first."""
    w, params = where(q.filters, d)
    after, after_params = _after(q.after, "a", with_ord=False)
    cols = ", ".join(f"a.{c}" for c in ARTICLE_LIST_COLUMNS)
    sql = (f"SELECT {cols}, substr(a.clean_text, 1, {SNIPPET_CHARS}) FROM articles a{_and(w, after)} "
           "ORDER BY a.at DESC, a.article_id DESC LIMIT ?")
    return sql, [*params, *after_params, q.limit + 1]


def counts_sql(q: CountQuery, d: Dialect) -> tuple[str, list, list[str]]:
    """Distinct articles per key (and per day or hour); returns the SQL, parameters, column names."""
    dim = DIMENSIONS[q.by]
    w, params = where(q.filters, d)
    bucket = BUCKETS[q.per] if q.per else None
    select = [f"{dim.key}"] + ([bucket] if bucket else []) + [expr for _, expr in dim.labels]
    names = ["key"] + ([q.per] if q.per else []) + [name for name, _ in dim.labels] + ["articles"]
    group = f"{dim.key}" + (f", {bucket}" if bucket else "")
    order = (f"{bucket}, " if bucket else "") + f"COUNT(DISTINCT a.article_id) DESC, {dim.key}"
    sql = (f"SELECT {', '.join(select)}, COUNT(DISTINCT a.article_id) FROM articles a {dim.join}{w} "
           f"GROUP BY {group} ORDER BY {order} LIMIT ? OFFSET ?")
    return sql, [*params, q.limit, q.offset], names


SEIZURE_LIST_COLUMNS = ("article_id", "ord", "item", "unit", "value", "at", "day", "place_name", "lat", "lon",
                        "country", "story_id", "dup_status", "source")


def seizures_sql(q: SeizureQuery, d: Dialect) -> tuple[str, list]:
    """Ledger rows, newest first, with the article's title and the quantity as written."""
    w, params = where(q.filters, d, ledger=True)
    after, after_params = _after(q.after, "s", with_ord=True)
    cols = ", ".join(f"s.{c}" for c in SEIZURE_LIST_COLUMNS)
    sql = (f"SELECT {cols}, a.title, qq.text FROM seizures s "
           "JOIN articles a ON a.article_id = s.article_id "
           f"JOIN article_quantities qq ON qq.article_id = s.article_id AND qq.ord = s.ord{_and(w, after)} "
           "ORDER BY s.at DESC, s.article_id DESC, s.ord DESC LIMIT ?")
    return sql, [*params, *after_params, q.limit + 1]


def totals_sql(q: TotalsQuery, d: Dialect) -> tuple[str, list, list[str]]:
    """Sum of seized quantities by item and unit (and per day)."""
    w, params = where(q.filters, d, ledger=True)
    bucket = ", s.day" if q.per == "day" else ""
    names = ["item", "unit"] + (["day"] if bucket else []) + ["total", "seizures", "articles", "first_day",
                                                              "last_day"]
    sql = (f"SELECT s.item, s.unit{bucket}, SUM(s.value), COUNT(*), COUNT(DISTINCT s.article_id), "
           f"MIN(s.day), MAX(s.day) FROM seizures s JOIN articles a ON a.article_id = s.article_id{w} "
           f"GROUP BY s.item, s.unit{bucket} ORDER BY s.item, s.unit{bucket}")
    return sql, params, names


def stories_sql(q: StoryQuery, d: Dialect) -> tuple[str, list]:
    """Stories (an original and its copies) with at least ``min_copies`` articles, largest first."""
    w, params = where(q.filters, d)
    sql = (f"SELECT a.story_id, COUNT(*), MIN(a.at), MAX(a.at) FROM articles a{w} GROUP BY a.story_id "
           "HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, MAX(a.at) DESC, a.story_id LIMIT ? OFFSET ?")
    return sql, [*params, q.min_copies, q.limit, q.offset]


def alerts_sql(q: AlertQuery) -> tuple[str, list]:
    """One page of alerts (plus one row, to know whether another page follows), newest first."""
    w = Where()
    if q.rule is not None:
        w.add("l.rule_id = ?", q.rule)
    if q.severity is not None:
        w.add("l.severity = ?", q.severity)
    for table, column, value in (("alert_places", "norm_name", q.place), ("alert_countries", "country", q.country),
                                 ("alert_topics", "topic", q.topic)):
        if value is not None:
            w.add(f"EXISTS (SELECT 1 FROM {table} x WHERE x.alert_id = l.alert_id AND x.{column} = ?)", value)
    if q.org is not None:
        w.add("(EXISTS (SELECT 1 FROM alert_orgs x WHERE x.alert_id = l.alert_id AND x.org = ?) OR EXISTS "
              "(SELECT 1 FROM incident_parties x WHERE x.incident_id = l.incident_id AND x.org = ?))", q.org, q.org)
    w.between("l.at", q.since, q.until)
    if q.after is not None:
        w.add("(l.at < ? OR (l.at = ? AND l.alert_id < ?))", q.after.at, q.after.at, q.after.article_id)
    where_sql, params = w.clause()
    return (f"SELECT {ALERT_SELECT} FROM alerts l{where_sql} ORDER BY l.at DESC, l.alert_id DESC LIMIT ?",
            [*params, q.limit + 1])


# An alert's columns and, for an incident alert, its incident's event day (NULL when none is known)
ALERT_SELECT = (", ".join(f"l.{c}" for c in ALERT_COLUMNS)
                + ", (SELECT i.date FROM incidents i WHERE i.incident_id = l.incident_id) AS incident_date")


def placeholders(n: int) -> str:
    """``?, ?, ?`` for ``n`` bound values."""
    return ", ".join("?" * n)
