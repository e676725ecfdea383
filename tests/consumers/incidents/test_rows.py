"""Incident rows, pure (no database): the revision rule, what the view refuses (governorates: tests/streams/test_admin1.py)."""

from __future__ import annotations

import msgspec
import orjson
import pytest

from marsad.consumers.incidents.rows import INCIDENT_COLUMNS, fold
from marsad.schemas.codec import SchemaError, decode, to_dict
from marsad.schemas.events import IncidentRecorded, IncidentUpdated
from marsad.schemas.examples import sample_events
from tests.consumers.incidents.events import incident, revision


def test_only_a_higher_revision_changes_the_row():
    e = incident(1)
    assert fold(None, e) is not None
    assert fold(1, e) is None and fold(2, revision(e, 2)) is None and fold(3, revision(e, 2)) is None
    rows = fold(1, revision(e, 2))
    row = dict(zip(INCIDENT_COLUMNS, rows.incident, strict=True))
    assert row["revision"] == 2 and row["reports"] == 2 and len(rows.reports) == 1  # the report it adds
    assert rows.parties == [("in0001", "actor", 0, "sdf")]


def test_the_schema_samples_fold():
    for e in sample_events():
        if isinstance(e, IncidentRecorded):
            assert fold(None, e) is not None
    assert any(isinstance(e, IncidentUpdated) for e in sample_events())


@pytest.mark.parametrize(("change", "field"), [
    ({"incident_type": "riot"}, "$.incident_type"),
    ({"date": "07/02/2024"}, "$.date"),
    ({"killed": -1}, "$.killed"),
    ({"outlets": -2}, "$.outlets"),
], ids=["type", "date", "killed", "outlets"])
def test_what_the_view_could_not_hold_is_refused_by_the_decoder(change, field):
    """An unknown type, a malformed day, a negative count: the contract refuses them (so the views
    dead-letter them with the field named), as the JSON Schema does."""
    with pytest.raises(SchemaError, match=field.replace("$", r"\$")):
        decode(orjson.dumps({**to_dict(incident(0)), **change}))


def test_nul_characters_are_dropped():
    e = msgspec.structs.replace(incident(0), evidence="قتل\x00 اثنان")
    assert "\x00" not in dict(zip(INCIDENT_COLUMNS, fold(None, e).incident, strict=True))["evidence"]
