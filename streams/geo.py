"""Where places are: the great-circle distance between two points, and the keys that name a place.

One home for both, used by the gazetteer build and its regions (admin1),
the place context rules, the incident merge, the alert rules and the
views (SQLite's ``marsad_km``; PostgreSQL's is the same formula in SQL, in
the views' first migration).
"""

from __future__ import annotations

import math
from typing import Protocol

from marsad.schemas.facts import Place
from marsad.streams.text.normalize import normalize

# The mean Earth radius (IUGG), in km: the one the alert rules' radii, the regions (admin1.tsv) and
# PostgreSQL's ``marsad_km`` were measured with. At the few kilometres the pipeline compares, it differs
# from a round 6371 by millimetres.
EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in degrees, in km (haversine on the mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class Located(Protocol):
    """Anything with a point: a `marsad.schemas.facts.Place`, a gazetteer entry."""

    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...


def km_between(a: Located, b: Located) -> float:
    """`distance_km` between the points of two places."""
    return distance_km(a.lat, a.lon, b.lat, b.lon)


def place_key(geonameid: int | None, lat: float, lon: float) -> str:
    """What identifies a place across articles: its GeoNames id ("170592"), else its point ("36.2021,37.1343").

    The key of the alert rules (their place matchers, spike scopes and so the
    spike alerts' ids), of the regions file (admin1.tsv) and of the incident
    reconciliation.
    """
    return str(geonameid) if geonameid is not None else f"{lat:.4f},{lon:.4f}"


def view_place_key(place: Place) -> str:
    """The same identity as the views store and serve it: "g170592", else the name's matching form ("n:حلب").

    A place without a GeoNames id (one of the gazetteer's own additions) is
    keyed by its name here, by its point in `place_key`. Both forms are
    stored (this one in the views' rows, which the API's ``place`` filter and
    the dashboard's links read; that one inside the alerts' ids and
    admin1.tsv), so neither can become the other without a migration.
    """
    return f"g{place.geonameid}" if place.geonameid is not None else f"n:{normalize(place.name)}"
