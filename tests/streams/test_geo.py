"""Distances and place keys: one formula, one radius, the two stored forms of a place's key."""

from __future__ import annotations

import pytest

from marsad.schemas.facts import Place
from marsad.streams.geo import EARTH_RADIUS_KM, distance_km, km_between, place_key, view_place_key

DAMASCUS = (33.5102, 36.2913)
ALEPPO = (36.2021, 37.1343)


def test_distance_between_two_cities() -> None:
    assert 305 < distance_km(*DAMASCUS, *ALEPPO) < 315  # about 310 km as the crow flies
    assert distance_km(*DAMASCUS, *DAMASCUS) == 0.0
    assert distance_km(*DAMASCUS, *ALEPPO) == distance_km(*ALEPPO, *DAMASCUS)


def test_antipodes_are_half_the_circumference() -> None:
    assert distance_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(EARTH_RADIUS_KM * 3.141592653589793)


def test_km_between_places() -> None:
    a = Place(name="دمشق", lat=DAMASCUS[0], lon=DAMASCUS[1], country="SY")
    b = Place(name="حلب", lat=ALEPPO[0], lon=ALEPPO[1], country="SY")
    assert km_between(a, b) == distance_km(*DAMASCUS, *ALEPPO)


@pytest.mark.parametrize(("place", "key", "view_key"), [
    pytest.param(Place(name="حلب", lat=36.2021, lon=37.1343, country="SY", geonameid=170063),
                 "170063", "g170063", id="geonames"),
    pytest.param(Place(name="مخيم الهول", lat=36.38, lon=41.15, country="SY"),
                 "36.3800,41.1500", "n:مخيم الهول", id="own-addition"),
])
def test_place_keys(place: Place, key: str, view_key: str) -> None:
    assert place_key(place.geonameid, place.lat, place.lon) == key
    assert view_place_key(place) == view_key
