"""The governorate (GeoNames admin1 area) of a gazetteer place, from admin1.tsv (see `admin_build`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from schemas.facts import Place
from streams.alerts.rules import place_key

DATA_FILE = Path(__file__).with_name("admin1.tsv")


@cache
def _areas(path: Path = DATA_FILE) -> dict[str, str]:
    """place key -> "{country}.{admin1}", read once per process."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, country, admin1 = line.split("\t")[:3]
            out[key] = f"{country}.{admin1}"
    return out


def admin_area(place: Place) -> str | None:
    """"SY.07" for a place of Deir ez-Zor governorate; None when the gazetteer place's area is not known."""
    return _areas().get(place_key(place.geonameid, place.lat, place.lon))
