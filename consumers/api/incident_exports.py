"""Exports of the incidents view: CSV, GeoJSON, and an ACLED-style CSV, for the API's incident filters.

    GET /export/incidents.csv        every column of the view, one incident a row
    GET /export/incidents.geojson    one Point feature per incident (no geometry when it has no place)
    GET /export/incidents.acled.csv  ACLED's column names, so tools made for ACLED data read it

The rows are those `GET /incidents` gives for the same filters (every page),
newest event first, at most 100,000. CSV files start with a UTF-8 byte-order
mark (spreadsheets then read the Arabic as Arabic), and every text cell that
starts like a formula (= + - @, tab, CR) gets a leading apostrophe, so opening
an export never runs one: incident text comes from outlets nobody vetted.

The ACLED-style file maps our types to ACLED's event types (`ACLED_TYPES`, an
approximation: ACLED's coders decide case by case). ``time_precision`` is 1
when the reports give the event's date, 2 when the day is the one it was first
seen; ``geo_precision`` 1 for a named town or site, 3 for a governorate.
``actor1``/``actor2`` are
the first actor and first target (organisation ids), the others go to
``assoc_actor_1``/``assoc_actor_2``; ``fatalities`` is the reconciled killed
figure (0 when no report gives one); ``source`` the outlets; ``notes`` the
evidence sentence; ``admin1`` the governorate's English name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import orjson
from aiohttp import web

from marsad.consumers.api import dashboard_export as export
from marsad.consumers.api.known import parse_query
from marsad.consumers.query.params import QueryError
from marsad.consumers.store import Store, StoreError
from marsad.consumers.store import incidents as view
from marsad.consumers.store.sqlstore import SqlStore

LIST_SEPARATOR = "; "
INCIDENT_CSV = ("incident_id", "incident_type", "date", "day", "place", "lat", "lon", "country", "admin1",
                "admin1_name", "admin1_name_en", "killed", "killed_min", "killed_max", "injured", "injured_min",
                "injured_max", "arrested", "arrested_min", "arrested_max", "outlets", "reports", "actors", "targets",
                "sources", "evidence", "first_seen", "last_seen", "revision")
ACLED_CSV = ("event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
             "actor2", "assoc_actor_2", "country", "admin1", "location", "latitude", "longitude", "geo_precision",
             "fatalities", "source", "notes", "incident_id")
# ACLED's geo_precision: 1 the named town or site, 2 near it or part of a region, 3 only the province
GEO_PRECISION = {"governorate": 3, "region": 2, "district": 2}
# our type -> (ACLED event type, sub-event type)
ACLED_TYPES = {
    "armed_clash": ("Battles", "Armed clash"),
    "attack": ("Violence against civilians", "Attack"),
    "airstrike": ("Explosions/Remote violence", "Air/drone strike"),
    "arrest_raid": ("Strategic developments", "Arrests"),
    "seizure": ("Strategic developments", "Other"),
    "kidnapping": ("Violence against civilians", "Abduction/forced disappearance"),
    "protest": ("Protests", "Peaceful protest"),
    "displacement": ("Strategic developments", "Other"),
    "strategic": ("Strategic developments", "Other"),
}
EXPORT_STORE = web.AppKey("incident_export_store", Callable[[], Store])


def flat(item: dict[str, Any]) -> dict[str, Any]:
    """An incident (as the API gives it) as one flat row of `INCIDENT_CSV`."""
    place = item["place"] or {}
    region = item["admin1"]
    return {**item, "place": place.get("name"), "lat": place.get("lat"), "lon": place.get("lon"),
            "country": place.get("country"), "admin1": region["code"], "admin1_name": region["name"],
            "admin1_name_en": region["name_en"]}


def acled(item: dict[str, Any]) -> dict[str, Any]:
    """An incident as one row of `ACLED_CSV`."""
    row = flat(item)
    event_type, sub_type = ACLED_TYPES.get(item["incident_type"], ("Strategic developments", "Other"))
    actors, targets = item["actors"], item["targets"]
    place = item["place"]
    return {"event_date": item["day"], "year": item["day"][:4], "time_precision": 1 if item["date"] else 2,
            "event_type": event_type, "sub_event_type": sub_type,
            "actor1": actors[0] if actors else "", "assoc_actor_1": actors[1:],
            "actor2": targets[0] if targets else "", "assoc_actor_2": targets[1:],
            "country": row["country"], "admin1": row["admin1_name_en"], "location": row["place"],
            "latitude": row["lat"], "longitude": row["lon"],
            "geo_precision": GEO_PRECISION.get(place["kind"], 1) if place else None, "fatalities": item["killed"] or 0,
            "source": item["sources"], "notes": item["evidence"], "incident_id": item["incident_id"]}


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """The rows as CSV text, as the other exports write it (`marsad.consumers.api.dashboard_export.to_csv`),
    with the parties and sources of a cell joined by "; "."""
    return export.to_csv(rows, columns, list_separator=LIST_SEPARATOR)


def to_geojson(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A FeatureCollection: one feature per incident (its id), a Point at its place (or no geometry)."""
    return export.to_geojson([flat(i) for i in items], feature_id=itemgetter("incident_id"))


FORMATS = ("csv", "geojson", "acled.csv")


def _handler(fmt: str) -> Callable[[web.Request], Any]:
    async def get_export(request: web.Request) -> web.Response:
        for name in request.query:
            if name in ("limit", "cursor"):
                raise QueryError(f"unknown parameter {name!r} for {request.path}: an export holds every match")
        filters = parse_query("incidents", request).filters
        open_store = request.app[EXPORT_STORE]

        def in_thread() -> list[dict[str, Any]]:
            with open_store() as store:
                if not isinstance(store, SqlStore):
                    raise StoreError(f"exports need an SQL views store, not {type(store).__name__}")
                with store._transaction(write=False) as tx:
                    return view.export(tx, filters)
        try:
            items = await asyncio.to_thread(in_thread)
        except view.IncidentExportTooLarge as e:
            raise QueryError(str(e)) from None
        name = f"marsad-incidents-{datetime.now(UTC):%Y%m%d-%H%M%S}.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Marsad-Rows": str(len(items))}
        if fmt == "geojson":
            return web.Response(body=orjson.dumps(to_geojson(items)), content_type="application/geo+json",
                                headers=headers)
        text = to_csv([acled(i) for i in items], ACLED_CSV) if fmt == "acled.csv" else \
            to_csv([flat(i) for i in items], INCIDENT_CSV)
        return web.Response(text=text, content_type="text/csv", charset="utf-8", headers=headers)
    get_export.__name__ = f"get_incidents_{fmt.replace('.', '_')}"
    return get_export


def add_incident_exports(app: web.Application, open_store: Callable[[], Store]) -> None:
    """Register ``/export/incidents.{csv,geojson,acled.csv}`` on the query API ``app``."""
    app[EXPORT_STORE] = open_store
    for fmt in FORMATS:
        app.router.add_get(f"/export/incidents.{fmt}", _handler(fmt))
