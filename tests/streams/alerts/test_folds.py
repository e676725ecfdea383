"""A record's notes folded into one staging decide exactly what the same notes folded one at a time did."""

from __future__ import annotations

import random
from functools import partial

import msgspec
import pytest

from marsad.schemas.alert_state import DayBucket, IncidentState, StoryState
from marsad.schemas.notes import decode_notes, encode_batch, encode_note
from marsad.streams.alerts.expiry import story_keep_s, story_ttl_s
from marsad.streams.alerts.folds import IncidentFold, SpikeFold, StoryFold
from marsad.streams.alerts.notes import StateStore
from marsad.streams.alerts.outbox import records
from marsad.streams.alerts.spike import SpikeStores
from marsad.streams.fusion.expiry import incident_ttl_s
from tests.streams.alerts.test_backtest_states import routed  # noqa: F401  (the fixture: a little routed log)

TABLES = ("stories", "story-expiry", "spikes", "incidents", "days", "reports", "incident-expiry")


def fold_log(rules, log, sizes):
    """Fold every note of ``log`` as the agents do, records of ``sizes`` notes (one size drawn a record);
    what each kind of fold gave, in order, and the tables as bytes."""
    tables = {name: {} for name in TABLES}
    ttl = story_ttl_s(3, rules)
    begin = {
        "story": partial(StoryFold, StateStore(tables["stories"], StoryState), tables["story-expiry"], 0, ttl,
                         story_keep_s(10, ttl)),
        "spike": partial(SpikeFold, SpikeStores.over(tables["spikes"])),
        "report": partial(IncidentFold, StateStore(tables["incidents"], IncidentState),
                          StateStore(tables["days"], DayBucket), StateStore(tables["reports"], str),
                          tables["incident-expiry"], 0, incident_ttl_s(3), rules),
    }
    notes = {"story": [r.story for _, r in log], "spike": [n for _, r in log for n in r.spikes],
             "report": [n for _, r in log for n in r.reports]}
    gave = {}
    rng = random.Random(1)
    for kind, todo in notes.items():
        out = gave[kind] = {"alerts": [], "incidents": [], "spikes": [], "swept": [], "expired": 0}
        while todo:
            size = rng.choice(sizes)
            record, todo = todo[:size], todo[size:]
            fold = begin[kind]()
            for note in decode_notes(encode_batch("test", record)):  # through the wire, as the agent reads them
                fold.add(note)
            for what in ("alerts", "incidents", "spikes", "swept"):
                out[what] += getattr(fold, what)
            out["expired"] += fold.expired
            fold.commit()
    return gave, tables


def test_records_of_many_notes_fold_as_notes_one_at_a_time(routed):  # noqa: F811
    rules, log = routed
    one, one_tables = fold_log(rules, log, [1])
    many, many_tables = fold_log(rules, log, [2, 7, 40, 300])
    assert one["story"]["alerts"] and one["spike"]["alerts"] and one["report"]["incidents"]
    assert one["story"]["swept"]  # expiry ran between the notes of a record too
    assert many == one
    assert many_tables == one_tables


def test_a_batch_reads_note_by_note_and_an_older_single_note_still_reads(routed):  # noqa: F811
    _, log = routed
    notes = [log[0][1].story, *log[0][1].spikes[:2]]
    assert decode_notes(encode_batch("b", notes)) == notes
    assert decode_notes(encode_note(notes[0])) == [notes[0]]  # a release before sent one note a message


def test_a_bad_note_in_a_batch_costs_that_note_alone(routed):  # noqa: F811
    _, log = routed
    good = log[0][1].story
    data = encode_batch("b", [good, good]).replace(b'"severity":"', b'"severity":"x', 1)
    bad, kept = decode_notes(data)
    assert kept == good and b'"severity":"x' in bad.payload and "severity" in bad.reason


def test_a_large_group_travels_as_several_records_in_order(routed):  # noqa: F811
    _, log = routed
    notes = [n for _, r in log for n in r.spikes][:50]
    sent = records("b", notes, limit=4000)
    assert len(sent) > 1 and all(len(value) <= 4000 for value, _ in sent)
    assert [n for value, _ in sent for n in decode_notes(value)] == notes
    assert [first for _, first in sent] == [decode_notes(value)[0] for value, _ in sent]


@pytest.mark.parametrize("data", [b"not json", b"v1 {\"type\":\"notes\"}", b"v9 {}"])
def test_a_record_that_is_neither_a_batch_nor_a_note_is_a_decode_error(data):
    with pytest.raises(msgspec.DecodeError):
        decode_notes(data)
