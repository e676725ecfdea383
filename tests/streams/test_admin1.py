"""The one answer to which governorate (admin1 region) a place lies in, for fusion and the views alike:
the regions' names, the committed places' file in step with the gazetteer and rebuilt byte for byte."""

from __future__ import annotations

import pytest

from marsad.schemas.facts import Place
from marsad.streams.extract.gazetteer import admin1
from marsad.streams.extract.gazetteer.model import PlaceEntry, load_gazetteer
from marsad.streams.geo import place_key

REBUILD = "rebuild streams/extract/gazetteer/admin1.tsv (python -m marsad.streams.extract.gazetteer.admin1)"


def place(e: PlaceEntry) -> Place:
    return Place(e.name, e.lat, e.lon, e.country, e.kind, e.geonameid)


@pytest.mark.parametrize(("place", "code"), [
    (Place("حلب", 36.2012, 37.1612, "SY", "city", 170063), "SY.09"),  # by geonameid
    (Place("الموصل", 36.335, 43.1189, "IQ", "city", 99072), "IQ.15"),
    (Place("محافظة الأنبار", 33.42, 43.30, "IQ", "governorate"), "IQ.01"),  # by name, prefix ignored
    (Place("Deir ez-Zor", 35.33, 40.14, "SY", "governorate"), "SY.07"),  # an English name
    (Place("معبر نصيب", 32.5520, 36.2030, "SY", "crossing"), "SY.06"),  # not the gazetteer's point: the nearest
    (Place("مخيم الركبان", 33.31, 38.65, "SY", "camp"), None),  # desert: no place within 40 km
    (Place("غازي عنتاب", 37.0594, 37.3825, "TR", "city", 314830), None),  # a country without regions here
    (Place("إقليم كردستان العراق", 36.2, 44.0, "IQ", "region"), None),  # spans three governorates
    (None, None),
], ids=["geonameid", "geonameid-iq", "governorate-name", "governorate-en", "nearest", "too-far", "other-country",
        "region", "no-place"])
def test_the_governorate_of_a_place(place, code):
    regions = admin1.load()
    assert regions.region_of(place) == code == admin1.region_of(place)
    named = regions.describe(code)
    assert named["admin1"] == (code or "unknown") and (named["name"] is None) == (code is None)


def test_every_region_of_the_file_has_a_name():
    regions = admin1.load()
    assert set(regions.by_key.values()) <= set(regions.regions)
    assert len([r for r in regions.regions.values() if r.country == "SY"]) == 14
    assert len([r for r in regions.regions.values() if r.country == "IQ"]) == 19


def test_every_governorate_of_the_gazetteer_has_its_region():
    regions = admin1.load()
    governorates = [e for e in load_gazetteer().entries if e.kind == "governorate" and e.country in regions.countries]
    assert governorates
    missing = [e.name for e in governorates if place_key(e.geonameid, e.lat, e.lon) not in regions.by_key]
    assert not missing, f"{REBUILD}: {missing}"


def test_nearly_every_syrian_and_iraqi_place_has_its_region():
    entries = [e for e in load_gazetteer().entries if e.country in ("SY", "IQ") and e.kind != "region"]
    known = sum(admin1.region_of(place(e)) is not None for e in entries)
    assert known >= 0.95 * len(entries), REBUILD


def test_regions_are_geonames_admin1_codes():
    by_name = {e.name: place(e) for e in load_gazetteer().entries}
    region = admin1.region_of
    assert region(by_name["الميادين"]) == region(by_name["البوكمال"]) == "SY.07"  # Deir ez-Zor
    assert region(by_name["ريف دمشق"]) == "SY.08" != region(by_name["دمشق"])  # its point is Damascus
    assert region(by_name["الأنبار"]) == region(by_name["القائم"]) == region(by_name["هيت"]) == "IQ.01"


def test_a_governorate_point_in_another_governorate_goes_by_its_name():
    """The build: a governorate by its name before its point; a town by its GeoNames id; an addition by the
    nearest GeoNames place; a region spanning several governorates gets none."""
    cities = {"1": {"geonameid": 1, "countrycode": "SY", "admin1code": "13", "latitude": 33.51, "longitude": 36.29},
              "2": {"geonameid": 2, "countrycode": "SY", "admin1code": "07", "latitude": 35.33, "longitude": 40.14}}
    entries = [PlaceEntry("ريف دمشق", 33.51, 36.29, "SY", "governorate", 0, None, ()),
               PlaceEntry("دمشق", 33.51, 36.29, "SY", "capital", 0, 1, ()),
               PlaceEntry("معبر", 35.40, 40.20, "SY", "crossing", 0, None, ()),
               PlaceEntry("بعيد", 34.00, 38.00, "SY", "camp", 0, None, ()),
               PlaceEntry("إقليم", 36.2, 44.0, "IQ", "region", 0, None, ())]
    assert admin1.build(entries, cities) == [
        ("35.4000,40.2000", "35.4000", "40.2000", "SY.07", "معبر"),
        ("33.5100,36.2900", "33.5100", "36.2900", "SY.08", "ريف دمشق"),
        ("1", "33.5100", "36.2900", "SY.13", "دمشق")]


def test_the_committed_file_is_rebuilt_byte_for_byte(tmp_path):
    first, second = tmp_path / "a.tsv", tmp_path / "b.tsv"
    admin1.main(first)
    admin1.main(second)
    assert first.read_bytes() == second.read_bytes() == admin1.DATA_FILE.read_bytes(), REBUILD
