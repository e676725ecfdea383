"""Parsing questions from text: what is accepted, and the 400 message for what is not."""

from __future__ import annotations

import pytest

from marsad.consumers.query.model import ArticleQuery, CountQuery, Cursor, Near, TotalsQuery
from marsad.consumers.query.params import (
    ENDPOINTS,
    PARAMS,
    KnownIds,
    QueryError,
    UnknownIdError,
    encode_cursor,
    parse,
)


def test_a_full_article_question():
    q = parse("articles", [("topic", "narcotics"), ("place", "البُوكمال"), ("since", "2024-02-01"),
                           ("until", "2024-02-07"), ("q", "ضبطُ شحنةِ الكبتاغون"), ("country", "sy"),
                           ("limit", "50")])
    assert isinstance(q, ArticleQuery) and q.limit == 50
    f = q.filters
    assert f.place == "البوكمال"  # diacritics folded, as the stored form
    assert f.words == ("ضبط", "شحنه", "الكبتاغون")
    assert (f.since, f.until) == ("2024-02-01T00:00:00Z", "2024-02-08T00:00:00Z")  # until: the whole day
    assert f.country == "SY"


def test_radius_and_defaults():
    q = parse("counts", [("lat", "32.5"), ("lon", "36.1"), ("radius_km", "25"), ("per", "hour")])
    assert q == CountQuery("topic", "hour", q.filters, 100, 0) and q.filters.near == Near(32.5, 36.1, 25.0)
    assert parse("totals", []) == TotalsQuery()
    assert parse("articles", [("topic", "")]).filters.topic is None  # empty means not given


def test_cursor_round_trip():
    c = Cursor("2024-02-01T06:00:00Z", "a00001", 2)
    assert parse("seizures", [("cursor", encode_cursor(c))]).after == c


@pytest.mark.parametrize(("endpoint", "pairs", "message"), [
    ("articles", [("colour", "red")], "unknown parameter 'colour'"),
    ("articles", [("item", "captagon")], "unknown parameter 'item'"),
    ("articles", [("since", "last tuesday")], "since must be a date"),
    ("articles", [("until", "2024-02-30")], "until must be a date"),
    ("articles", [("since", "2024-02-02"), ("until", "2024-02-01")], "since must be before until"),
    ("articles", [("limit", "100000")], "limit is at most 200"),
    ("articles", [("limit", "-1")], "limit must be between"),
    ("articles", [("limit", "ten")], "limit must be an integer"),
    ("counts", [("limit", "50000")], "limit is at most 10000"),
    ("articles", [("topic", "narcotics' OR '1'='1")], "topic must be an id"),
    ("articles", [("topic", "x; DROP TABLE articles")], "topic must be an id"),
    ("articles", [("country", "SY' --")], "country must be an ISO"),
    ("articles", [("lat", "32"), ("lon", "36")], "go together"),
    ("articles", [("lat", "NaN"), ("lon", "36"), ("radius_km", "5")], "lat must be between"),
    ("articles", [("radius_km", "1e9"), ("lat", "1"), ("lon", "1")], "radius_km must be between"),
    ("articles", [("q", "!!! ...")], "no words"),
    ("articles", [("q", "x" * 500)], "longer than 200"),
    ("articles", [("cursor", "not-a-cursor")], "cursor is not one"),
    ("articles", [("topic", "a"), ("topic", "b")], "more than once"),
    ("articles", [("place", "دمشق\x00")], "control characters"),
    ("counts", [("by", "colour")], "by must be one of"),
    ("totals", [("per", "hour")], "per must be one of day"),
    ("counts", [("offset", "1000000000")], "offset must be between"),
], ids=lambda v: v if isinstance(v, str) and " " not in v else None)
def test_bad_questions_say_what_to_change(endpoint, pairs, message):
    with pytest.raises(QueryError, match=message):
        parse(endpoint, pairs)


def test_every_accepted_parameter_is_declared():
    assert {n for names in ENDPOINTS.values() for n in names} <= set(PARAMS)


KNOWN = KnownIds(frozenset({"narcotics", "arms"}), frozenset({"isis", "sdf"}))


@pytest.mark.parametrize(("endpoint", "pairs", "said"), [
    ("articles", [("topic", "narcotic")], "unknown topic 'narcotic' for topic. Did you mean narcotics? Known: arms, narcotics"),
    ("alerts", [("org", "daesh")], "unknown organisation 'daesh' for org. Known: isis, sdf"),
    ("incidents", [("type", "attack"), ("actor", "isi")], "unknown organisation 'isi' for actor. Did you mean isis?"),
    ("incident_counts", [("target", "pkk")], "unknown organisation 'pkk' for target. Known: isis, sdf"),
], ids=["topic", "org", "actor", "target"])
def test_an_id_the_taxonomy_lacks_is_refused_naming_the_known_ones(endpoint, pairs, said):
    with pytest.raises(UnknownIdError, match=said.replace("?", r"\?")) as e:
        parse(endpoint, pairs, KNOWN)
    assert isinstance(e.value, QueryError) and e.value.known == sorted(e.value.known)
    assert e.value.describe(f"--{e.value.parameter}").startswith(f"unknown {e.value.kind} ")


def test_known_ids_pass_and_no_ids_means_no_check():
    assert parse("articles", [("topic", "narcotics"), ("org", "sdf")], KNOWN).filters.topic == "narcotics"
    assert parse("articles", [("topic", "nosuch")]).filters.topic == "nosuch"  # the taxonomy could not be read
