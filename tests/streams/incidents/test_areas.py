"""The admin-area file stays in step with the gazetteer (rebuild: python -m streams.incidents.admin_build)."""

from __future__ import annotations

from schemas.facts import Place
from streams.extract.gazetteer.model import load_gazetteer
from streams.incidents.areas import admin_area


def place(e) -> Place:
    return Place(e.name, e.lat, e.lon, e.country, e.kind, e.geonameid)


def test_every_governorate_of_the_gazetteer_has_its_area():
    governorates = [e for e in load_gazetteer().entries if e.kind == "governorate"]
    assert governorates
    missing = [e.name for e in governorates if admin_area(place(e)) is None]
    assert not missing, f"rebuild streams/incidents/admin1.tsv (python -m streams.incidents.admin_build): {missing}"


def test_nearly_every_syrian_and_iraqi_place_has_its_area():
    entries = [e for e in load_gazetteer().entries if e.country in ("SY", "IQ") and e.kind != "region"]
    known = sum(admin_area(place(e)) is not None for e in entries)
    assert known >= 0.95 * len(entries), "rebuild streams/incidents/admin1.tsv (python -m streams.incidents.admin_build)"


def test_areas_are_geonames_admin1_codes():
    by_name = {e.name: place(e) for e in load_gazetteer().entries}
    assert admin_area(by_name["الميادين"]) == admin_area(by_name["البوكمال"]) == "SY.07"  # Deir ez-Zor
    assert admin_area(by_name["ريف دمشق"]) == "SY.08" != admin_area(by_name["دمشق"])
    assert admin_area(by_name["الأنبار"]) == admin_area(by_name["القائم"]) == admin_area(by_name["هيت"]) == "IQ.01"
