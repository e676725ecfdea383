"""Encoding, decoding, malformed payloads and upcasting of every event type."""

from __future__ import annotations

import msgspec
import orjson
import pytest

from marsad.schemas.codec import SchemaError, decode, decode_as, encode, to_dict
from marsad.schemas.events import EVENT_TYPES, ArticleFetched, ArticleProcessed, source_kind_of
from marsad.schemas.examples import T0, sample_events
from marsad.schemas.facts import Topic
from marsad.schemas.wire import DEAD_LETTER_STAGES


def test_every_event_type_has_a_sample():
    assert {type(e).__name__ for e in sample_events()} == set(EVENT_TYPES)


@pytest.mark.parametrize("event", sample_events(), ids=lambda e: type(e).__name__)
def test_round_trip(event):
    data = encode(event)
    obj = orjson.loads(data)
    assert obj["type"] == type(event).__name__
    assert obj["version"] == type(event).VERSION
    assert decode(data) == event
    assert decode_as(data, type(event)) == event


def test_arabic_is_written_as_utf8_not_escaped():
    data = encode(sample_events()[1])
    assert "كبتاغون".encode() in data


def _fetched() -> dict:
    return to_dict(ArticleFetched(article_id="a1", text="نص", occurred_at=T0))


MALFORMED = [
    ("not-json", b"{not json", "not_json", "not JSON"),
    ("empty", b"", "not_json", "not JSON"),
    ("binary", b"\xff\xfe\x00", "not_json", "not JSON"),
    ("array", b"[1, 2]", "not_object", "JSON object"),
    ("null", b"null", "not_object", "JSON object"),
    ("missing-type", orjson.dumps({k: v for k, v in _fetched().items() if k != "type"}), "unknown_type",
     "`type`"),
    ("unknown-type", orjson.dumps({**_fetched(), "type": "ArticleEaten"}), "unknown_type", "ArticleEaten"),
    ("missing-version", orjson.dumps({k: v for k, v in _fetched().items() if k != "version"}), "version",
     "`version`"),
    ("string-version", orjson.dumps({**_fetched(), "version": "1"}), "version", "`version`"),
    ("future-version", orjson.dumps({**_fetched(), "version": 99}), "version", "unknown version 99"),
    ("zero-version", orjson.dumps({**_fetched(), "version": 0}), "version", "unknown version 0"),
    ("missing-field", orjson.dumps({k: v for k, v in _fetched().items() if k != "text"}), "field", "`text`"),
    ("mistyped-field", orjson.dumps({**_fetched(), "article_id": 42}), "field", "$.article_id"),
    ("bad-datetime", orjson.dumps({**_fetched(), "occurred_at": "yesterday"}), "field", "$.occurred_at"),
    ("nested-mistyped", orjson.dumps({**to_dict(sample_events()[2]),
                                      "topics": [{"id": "narcotics", "score": "high"}]}),
     "field", "$.topics[0].score"),
    ("bad-base64", orjson.dumps({**to_dict(sample_events()[-1]), "payload": "%%%"}), "field", "$.payload"),
]


@pytest.mark.parametrize(("payload", "problem", "names"), [m[1:] for m in MALFORMED],
                         ids=[m[0] for m in MALFORMED])
def test_malformed_payload_gives_a_clear_error(payload, problem, names):
    with pytest.raises(SchemaError) as err:
        decode(payload)
    assert err.value.problem == problem
    assert names in str(err.value)


def test_decode_as_refuses_another_type():
    with pytest.raises(SchemaError, match="expected ArticleProcessed, got ArticleFetched"):
        decode_as(encode(sample_events()[1]), ArticleProcessed)


def test_unknown_extra_fields_are_ignored_for_forward_compatibility():
    assert decode(orjson.dumps({**_fetched(), "added_later": 1})).article_id == "a1"


def test_version_1_processed_event_is_upcast_to_the_current_version():
    v1 = {"type": "ArticleProcessed", "version": 1, "event_id": "e1", "occurred_at": "2024-02-08T10:00:00Z",
          "article_id": "a1", "clean_text": "نص", "topics": ["narcotics", "smuggling"]}
    event = decode(orjson.dumps(v1))
    assert isinstance(event, ArticleProcessed)
    assert type(event).VERSION == 4
    assert event.topics == [Topic("narcotics", 1.0), Topic("smuggling", 1.0)]
    assert event.incidents == []  # v2 -> v3: processed before incidents existed
    assert (event.source_kind, event.edited, event.revision) == (None, False, 1)  # v3 -> v4: kind not known
    # written back, it is a current event
    assert orjson.loads(encode(event))["version"] == 4


def test_version_3_processed_event_is_upcast_with_its_kind_unknown_and_its_first_revision():
    v3 = {"type": "ArticleProcessed", "version": 3, "event_id": "e1", "occurred_at": "2024-02-08T10:00:00Z",
          "article_id": "a1", "clean_text": "نص", "incidents": []}
    event = decode(orjson.dumps(v3))
    assert isinstance(event, ArticleProcessed)
    assert (event.source_kind, event.edited, event.revision) == (None, False, 1)
    current = decode(encode(msgspec.structs.replace(event, source_kind="telegram", edited=True, revision=2)))
    assert (current.source_kind, current.edited, current.revision) == ("telegram", True, 2)


@pytest.mark.parametrize(("origin", "carried", "kind"), [
    pytest.param("telegram", None, "telegram", id="a-post-comes-from-a-channel"),
    pytest.param("import", None, "import", id="an-import"),
    pytest.param("feed", None, "rss", id="a-feed-entrys-own-text"),
    pytest.param("page", None, None, id="a-page-listed-by-any-kind-not-known"),
    pytest.param("page", "sitemap", "sitemap", id="carried-kind-wins"),
])
def test_the_source_kind_of_a_fetched_article(origin, carried, kind):
    fetched = ArticleFetched(article_id="a1", text="نص", origin=origin, source_kind=carried)
    assert source_kind_of(fetched) == kind


def test_a_source_kind_outside_the_vocabulary_is_refused():
    with pytest.raises(SchemaError, match="source_kind"):
        decode(orjson.dumps({**_fetched(), "source_kind": "email"}))
    with pytest.raises(SchemaError, match="revision"):
        decode(orjson.dumps({**_fetched(), "revision": 0}))


@pytest.mark.parametrize("stage", DEAD_LETTER_STAGES)
def test_every_dead_letter_stage_reads_and_another_is_refused(stage):
    letter = {"type": "DeadLetter", "version": 1, "event_id": "e1", "occurred_at": "2024-02-08T10:00:00Z",
              "stage": stage, "reason": "r"}
    assert decode(orjson.dumps(letter)).stage == stage
    with pytest.raises(SchemaError, match="stage"):
        decode(orjson.dumps({**letter, "stage": f"{stage}-not"}))


def test_an_alerts_incident_type_is_one_of_the_vocabulary_or_none():
    raised = orjson.loads(encode(next(e for e in sample_events() if type(e).__name__ == "AlertRaised")))
    assert decode(orjson.dumps({**raised, "incident_type": "attack"})).incident_type == "attack"
    with pytest.raises(SchemaError, match="incident_type"):
        decode(orjson.dumps({**raised, "incident_type": "riot"}))


def test_version_2_topics_in_a_version_1_event_are_an_error_naming_the_field():
    v1 = {"type": "ArticleProcessed", "version": 1, "article_id": "a1", "clean_text": "x", "topics": [3]}
    with pytest.raises(SchemaError, match=r"\$\.topics\[0\]"):
        decode(orjson.dumps(v1))
