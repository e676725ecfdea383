"""The alerter's notes on the wire: versioned like table state, the previous release's still read."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from marsad.schemas.facts import Incident
from marsad.schemas.notes import (
    ArticleRef,
    ReportNote,
    RuleHit,
    SpikeNote,
    StoryNote,
    Trigger,
    decode_note,
    encode_note,
)

T0 = datetime(2024, 2, 8, 10, 0, tzinfo=UTC)
TRIGGER = Trigger("e1", T0)
ARTICLE = ArticleRef("a1", T0.timestamp(), "outlet", "title", "https://example.org/1")
NOTES = [
    StoryNote("a1", ARTICLE, TRIGGER, [RuleHit("r1", "seizure", "critical", ["quantity"])]),
    SpikeNote("s1", "spike", "warning", "topic=narcotics", "topic=narcotics", 86400, 864000, 864000, 3, 0.01, 2.0,
              "r1", ARTICLE, TRIGGER),
    ReportNote("a1#0", "attack|SY", Incident("attack", "evidence"), "a1", "a1", "outlet", T0.timestamp(), "e1", T0),
]


@pytest.mark.parametrize("note", NOTES, ids=lambda n: type(n).__name__)
def test_a_note_round_trips_with_its_version(note):
    data = encode_note(note)
    assert data.startswith(b"v1 {")
    assert decode_note(data) == note


@pytest.mark.parametrize("note", NOTES, ids=lambda n: type(n).__name__)
def test_a_note_of_the_previous_release_unversioned_still_reads(note):
    assert decode_note(msgspec.json.encode(note)) == note


def test_a_newer_note_or_a_bad_one_is_a_decode_error():
    with pytest.raises(msgspec.DecodeError, match="newer"):
        decode_note(b"v2 " + msgspec.json.encode(NOTES[0]))
    with pytest.raises(msgspec.DecodeError, match="malformed version"):
        decode_note(b"vx {}")
    with pytest.raises(msgspec.DecodeError):
        decode_note(b"v1 not json")


def test_a_severity_outside_the_vocabulary_is_refused():
    body = msgspec.json.encode(NOTES[0]).replace(b'"critical"', b'"urgent"')
    with pytest.raises(msgspec.ValidationError, match="severity"):
        decode_note(body)
