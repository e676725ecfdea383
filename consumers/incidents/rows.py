"""Incident events as the rows of the incidents view (pure functions, no database).

One row per ``incident_id``. `IncidentRecorded` and `IncidentUpdated` both carry
the record's figures as they stand, so an event whose revision is higher than
the stored one replaces the row and its parties; an equal or lower revision (a
redelivery, a replay, an update overtaken by a later one) leaves them. Its
reports are kept, not replaced: each event lists the report(s) it adds (version
1: all of them), stored once per (incident, article), so a full list and later
additions, a replay, or a batch written again after a crash give the same rows;
a report an older revision added is kept even when a newer one was stored first
(`added_reports`).
A report keeps where it stands among the incident's, (event time, report id),
the order `report_order` reads them in (`ord`, its position, in the views' hash).
A version-1 event's reports carry neither: they keep the order it lists them in
(``at`` 0, their position as report id), before any report a later version adds.

- ``day`` (the sort key and what the date filters and per-day counts use) is
  the event's own date; when the reports give none, the day it was first seen;
- ``admin1`` is the governorate of its place (`marsad.streams.extract.gazetteer.admin1`),
  NULL when none can be told;
- actors and targets become ``incident_parties`` rows (filtering), reports
  ``incident_reports`` rows (the incident's evidence, article by article).

Times are UTC text as in `marsad.consumers.rows`; NUL characters are dropped from text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import msgspec
import orjson

from marsad.consumers.rows import timestamp
from marsad.schemas.events import IncidentRecorded, IncidentReport
from marsad.streams.extract.gazetteer.admin1 import load as admin1
from marsad.streams.geo import view_place_key
from marsad.streams.text.normalize import normalize

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TOLLS = ("killed", "injured", "arrested")

INCIDENT_COLUMNS = (
    "incident_id", "incident_type", "event_id", "revision", "updated_at", "date", "day",
    "place_name", "norm_name", "place_key", "lat", "lon", "country", "place_kind", "geonameid", "admin1",
    "killed", "killed_min", "killed_max", "injured", "injured_min", "injured_max",
    "arrested", "arrested_min", "arrested_max", "outlets", "reports", "sources", "actors", "targets",
    "quantities", "evidence", "first_seen", "last_seen",
)
PARTY_COLUMNS = ("incident_id", "role", "ord", "org")
REPORT_COLUMNS = ("incident_id", "article_id", "at", "report_id", "source", "url", "title", "published", "lang",
                  "duplicate_of", "evidence", "date", "place", "killed", "injured", "arrested")
REPORT_ORDER = "at, report_id"  # where a report stands among its incident's
# a report's position among its incident's, as the view's hash counts it (the row of an event's full list)
REPORT_POSITION = f"ROW_NUMBER() OVER (PARTITION BY incident_id ORDER BY {REPORT_ORDER}) - 1"
INCIDENT_CHILD_TABLES: dict[str, tuple[str, ...]] = {
    "incident_parties": PARTY_COLUMNS,
    "incident_reports": ("incident_id", REPORT_POSITION, "article_id", "source", "url", "title", "published",
                         "lang", "duplicate_of", "evidence", "date", "place", "killed", "injured", "arrested"),
}
JSON_COLUMNS = ("sources", "actors", "targets", "quantities")


@dataclass(frozen=True)
class IncidentRows:
    """An incident's row (`INCIDENT_COLUMNS` order), its parties (`PARTY_COLUMNS`) and the reports its event
    adds (`REPORT_COLUMNS`)."""

    incident: tuple
    parties: list[tuple]
    reports: list[tuple]


def fold(stored_revision: int | None, event: IncidentRecorded) -> IncidentRows | None:
    """The incident's rows after ``event``, given the stored revision; None when its row stays (see
    `added_reports` for its reports)."""
    if stored_revision is not None and event.revision <= stored_revision:
        return None
    return incident_rows(event)


def added_reports(event: IncidentRecorded) -> list[tuple]:
    """The report rows an event older than the stored revision still adds: those it lists with their
    place among the incident's (version 2), which no later revision lists again. A version-1 event's
    are none: a later revision listed them all again, in their order then."""
    if any(r.at is None for r in event.reports):
        return []
    return incident_rows(event).reports


def incident_rows(e: IncidentRecorded) -> IncidentRows:
    """Every row one incident record contributes to the view."""
    p = e.place
    first_seen = timestamp(e.first_seen) if e.first_seen else None
    day = e.date or (first_seen or timestamp(e.occurred_at))[:10]
    place = ((p.name, normalize(p.name), view_place_key(p), float(p.lat), float(p.lon), p.country, p.kind, p.geonameid)
             if p else (None,) * 8)
    row = (
        e.incident_id, e.incident_type, e.event_id, e.revision, timestamp(e.occurred_at), e.date, day,
        *place, admin1().region_of(p),
        e.killed, e.killed_min, e.killed_max, e.injured, e.injured_min, e.injured_max,
        e.arrested, e.arrested_min, e.arrested_max, e.outlets, e.reports_total, _json(e.sources),
        _json(e.actors), _json(e.targets), _json(e.quantities), e.evidence,
        first_seen, timestamp(e.last_seen) if e.last_seen else None,
    )
    iid = e.incident_id
    parties = [(iid, "actor", i, org) for i, org in enumerate(e.actors)]
    parties += [(iid, "target", i, org) for i, org in enumerate(e.targets)]
    reports = [(iid, r.article_id, *_order(r, i), r.source, r.url, r.title,
                timestamp(r.published) if r.published else None, r.lang, r.duplicate_of, r.evidence, r.date,
                _json(r.place) if r.place else None, r.killed, r.injured, r.arrested) for i, r in enumerate(e.reports)]
    return IncidentRows(_no_nul(row), [_no_nul(r) for r in parties], [_no_nul(r) for r in reports])


def _order(r: IncidentReport, position: int) -> tuple[float, str]:
    """Where a report stands among its incident's: (event time, report id), else as a version-1 event lists it."""
    if r.at is None:
        return 0.0, f"{position:06d}"
    return r.at.timestamp(), r.report_id


def incident_dict(row: tuple) -> dict:
    """The API's view of a stored incident row: JSON parsed, the place and tolls grouped, region named."""
    d = dict(zip(INCIDENT_COLUMNS, row, strict=True))
    for c in JSON_COLUMNS:
        d[c] = orjson.loads(d[c])
    place = {k: d.pop(c) for k, c in (("name", "place_name"), ("lat", "lat"), ("lon", "lon"),
                                       ("country", "country"), ("kind", "place_kind"), ("geonameid", "geonameid"))}
    d.pop("norm_name")
    d["place"] = place if place["name"] is not None else None
    region = admin1().describe(d.pop("admin1"))
    d["admin1"] = {"code": region["admin1"], "name": region["name"], "name_en": region["name_en"]}
    return d


def report_dict(row: tuple) -> dict:
    """One stored report as the API gives it (its place parsed)."""
    d = dict(zip(REPORT_COLUMNS, row, strict=True))
    for c in ("incident_id", "at", "report_id"):
        d.pop(c)
    d["place"] = orjson.loads(d["place"]) if d["place"] else None
    return d


def _json(value: object) -> str:
    return orjson.dumps(msgspec.to_builtins(value), option=orjson.OPT_SORT_KEYS).decode()


def _no_nul(row: tuple) -> tuple:
    # PostgreSQL cannot store NUL characters; both databases must hold the same values
    return tuple(v.replace("\x00", "") if isinstance(v, str) else v for v in row)
