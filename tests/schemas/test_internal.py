"""The article a dedup record carries goes through the event codec: its version is upcast like any event's."""

from __future__ import annotations

import msgspec
import orjson
import pytest

from marsad.schemas import internal
from marsad.schemas.codec import SchemaError, decode, encode
from marsad.schemas.events import ArticleProcessed, Duplicate
from marsad.schemas.examples import sample_events
from marsad.schemas.facts import Topic

ARTICLE = next(e for e in sample_events() if isinstance(e, ArticleProcessed))
V1 = {"type": "ArticleProcessed", "version": 1, "event_id": "e1", "occurred_at": "2024-02-08T10:00:00Z",
      "article_id": "a1", "clean_text": "نص", "topics": ["narcotics"]}


def _route(article: bytes) -> bytes:
    """A Route record as a worker writes it, carrying ``article`` as written."""
    routed = internal.Routed("a1", msgspec.Raw(article), [1, 2], 5.0, {0: [internal.Claim("x:1", exact=True)]})
    return internal.encode(internal.Route("b1", [0], [routed]))


def test_the_embedded_article_is_the_event_as_the_codec_writes_it():
    raw = internal.embed(ARTICLE)
    assert decode(bytes(raw)) == ARTICLE  # type and version first, as on articles.processed
    assert internal.embedded(raw) == ARTICLE


def test_a_routed_article_of_an_older_version_is_upcast():
    route = internal.decode_route(_route(orjson.dumps(V1)))
    article = internal.embedded(route.articles[0].article)
    assert article.topics == [Topic("narcotics", 1.0)]
    assert (article.incidents, article.revision) == ([], 1)


def test_a_draft_of_an_older_version_is_upcast_from_the_pending_table():
    draft = internal.Draft(msgspec.Raw(orjson.dumps(V1)), [1, 2], 3)
    (stored,) = internal.pending_state.decode(internal.pending_state.encode([draft]))
    assert isinstance(stored, internal.Draft)
    assert internal.embedded(stored.article).topics == [Topic("narcotics", 1.0)]


def test_the_previous_releases_bare_article_still_reads():
    bare = msgspec.json.encode(ARTICLE)  # no type, no version: ArticleProcessed v4 as it was written
    assert internal.embedded(internal.decode_route(_route(bare)).articles[0].article) == ARTICLE
    draft = orjson.dumps({"type": "draft", "article": orjson.loads(bare), "signature": [1], "expected_replies": 1})
    (stored,) = internal.pending_state.decode(b"[" + draft + b"]")  # an unversioned table record (version 0)
    assert internal.embedded(stored.article) == ARTICLE


@pytest.mark.parametrize(("data", "problem"), [
    pytest.param(b"not json", "not_json", id="not-json"),
    pytest.param(orjson.dumps({**V1, "version": 9}), "version", id="newer-version"),
    pytest.param(orjson.dumps({"type": "DeadLetter", "version": 1, "event_id": "e", "occurred_at":
                               "2024-02-08T10:00:00Z", "stage": "process", "reason": "r"}), "unknown_type",
                 id="another-event"),
])
def test_an_embedded_article_that_is_not_one_is_a_schema_error(data, problem):
    with pytest.raises(SchemaError) as e:
        internal.embedded(msgspec.Raw(data))
    assert e.value.problem == problem


def test_a_trip_and_a_route_of_the_release_before_both_read_from_the_route_topic():
    claimed = internal.Claimed("a1", [1, 2], 5.0, {0: [internal.Claim("x:1", exact=True)]})
    trip = internal.Trip("b1~1", 2, [0, 2], [claimed])
    assert internal.decode_route(internal.encode(trip)) == trip
    assert isinstance(internal.decode_route(_route(msgspec.json.encode(ARTICLE))), internal.Route)


def test_the_drafts_a_trip_leaves_at_home_keep_their_articles_through_the_table_codec():
    held = internal.Drafts(7.0, ["a1"], [internal.embed(ARTICLE)])
    stored = internal.drafts_state.encode(held)
    assert stored.startswith(b"v1 ")
    back = internal.drafts_state.decode(stored)
    assert (back.written_at, back.ids) == (7.0, ["a1"]) and internal.embedded(back.articles[0]) == ARTICLE
    assert internal.drafts_key(2, "b1~1") == b"2/b1~1"


@pytest.mark.parametrize("dup", [Duplicate(), Duplicate("exact", "first", 1.0), Duplicate("near", "فرع-1", 0.828125)],
                         ids=["original", "exact", "near"])
def test_a_verdict_written_into_the_embedded_article_is_what_the_codec_writes(dup):
    undecided = msgspec.structs.replace(ARTICLE, duplicate=Duplicate())
    decided = msgspec.structs.replace(ARTICLE, duplicate=dup)
    assert internal.with_verdict(internal.embed(undecided), dup) == encode(decided)
    assert internal.with_verdict(orjson.dumps(V1), dup) == encode(msgspec.structs.replace(
        internal.embedded(orjson.dumps(V1)), duplicate=dup))  # an older version: decoded, upcast
