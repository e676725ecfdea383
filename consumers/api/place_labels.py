"""Place names on the offline map, from the gazetteer marsad ships (no tile server).

Each place of the gazetteer inside the map's box gets a rank, which says from
what zoom it is written (the page writes lower ranks first and leaves out a
name that would cover one already written):

0. national capitals;
1. the seat of each governorate or province: taken as its most populous city
   or town in the gazetteer (the region by `marsad.streams.extract.gazetteer.admin1`, for the
   countries whose regions it knows: Syria, Iraq, Lebanon, Jordan), which is
   the seat nearly everywhere (an exception: a governorate whose seat is
   smaller than one of its towns, as Quneitra); a capital is its own
   region's seat;
2. other cities;
3. towns, camps and crossings;
4. villages.

Areas (governorates, districts) are not written: their borders are drawn.
"""

from __future__ import annotations

from functools import cache

from marsad.schemas.facts import Place
from marsad.streams.extract.gazetteer import admin1
from marsad.streams.extract.gazetteer.model import PlaceEntry, load_gazetteer

BOX = (20.0, 8.0, 68.0, 45.0)  # west, south, east, north: the box of the region borders (consumers/api/admin1_lines.py)
RANK_OF_KIND = {"capital": 0, "city": 2, "town": 3, "camp": 3, "crossing": 3, "village": 4}


def ranked(entries: list[PlaceEntry], region_of) -> list[list]:
    """``[name, lat, lon, rank, population]`` per place in the box, most important first."""
    inside = [e for e in entries if e.kind in RANK_OF_KIND
              and BOX[0] <= e.lon <= BOX[2] and BOX[1] <= e.lat <= BOX[3]]
    seats: dict[str, PlaceEntry] = {}
    with_capital = set()
    for e in inside:
        code = region_of(Place(e.name, e.lat, e.lon, e.country, e.kind, e.geonameid))
        if code and e.kind == "capital":
            with_capital.add(code)  # the capital is its region's seat, already written
        elif code and e.kind in ("city", "town") and (code not in seats or e.population > seats[code].population):
            seats[code] = e
    seat_ids = {id(e) for code, e in seats.items() if code not in with_capital}
    rows = [[e.name, e.lat, e.lon, 1 if id(e) in seat_ids else RANK_OF_KIND[e.kind], e.population] for e in inside]
    return sorted(rows, key=lambda r: (r[3], -r[4], r[0]))


@cache
def place_labels() -> list[list]:
    """The labels of the bundled gazetteer (built once per process)."""
    regions = admin1.load()
    return ranked(list(load_gazetteer().entries), regions.region_of)
