"""What the fusion fold keeps: open incidents, a day index to find the ones a report may join,
and which incident each report joined.

Values of the alerter's tables (and of the dicts of the back-test), all in
the partition of their scope (incident type and country):

    incidents      incident id -> `IncidentState` (its reports, revision, alert marks)
    days           "{scope}|{day}" -> `DayBucket`: the open incidents filed under that day
                   (their date, else the day of their first report), each with the `Brief`
                   a report is matched against, so a report reads five small buckets and
                   decodes only the incident it joins
    reports        report id -> the incident it joined: a redelivered report is known at once
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

import msgspec

from schemas.facts import Place
from streams.incidents.reports import ReportNote


class AlertMark(msgspec.Struct, omit_defaults=True):
    """Where one incident rule's alert stands for one incident (see `streams.alerts.incidents`)."""

    revision: int = 0  # updates published since the alert was raised
    signature: list[int | None] = []  # the figures it last told: a change is an update


class IncidentState(msgspec.Struct, omit_defaults=True):
    incident_id: str
    scope: str
    reports: list[ReportNote] = []  # in arrival order; the first one named the incident
    day: int = 0  # the day it is filed under in the day index
    revision: int = 1  # of its latest event: 1 is the IncidentRecorded
    seen: float = 0.0  # processing time of its latest report, epoch s (expiry)
    alerts: dict[str, AlertMark] = {}  # incident rule id -> its alert


class Brief(msgspec.Struct, frozen=True, omit_defaults=True):
    """What a report is matched against: the incident as its reports reconcile (`reconcile.Summary`)."""

    first_seen: float
    date: str | None = None
    place: Place | None = None
    actors: list[str] = []
    targets: list[str] = []
    killed: int | None = None
    injured: int | None = None
    arrested: int | None = None


class DayBucket(msgspec.Struct, omit_defaults=True):
    incidents: dict[str, Brief] = {}  # incident id -> its brief


@dataclass
class IncidentStores:
    """The fold's mappings: typed stores over Faust tables, dicts, or staged views of either."""

    incidents: MutableMapping[str, IncidentState]
    days: MutableMapping[str, DayBucket]
    reports: MutableMapping[str, str]


def day_key(scope: str, day: int) -> str:
    return f"{scope}|{day}"


def file_day(stores: IncidentStores, state: IncidentState, day: int, brief: Brief) -> None:
    """File ``state`` under ``day`` with its brief, moving it from the day it was under."""
    if state.day != day:
        unfile_day(stores, state)  # nothing when it was not filed yet
        state.day = day
    key = day_key(state.scope, day)
    bucket = stores.days.get(key) or DayBucket()
    if bucket.incidents.get(state.incident_id) != brief:
        stores.days[key] = DayBucket({**bucket.incidents, state.incident_id: brief})


def unfile_day(stores: IncidentStores, state: IncidentState) -> None:
    key = day_key(state.scope, state.day)
    bucket = stores.days.get(key)
    if bucket is None or state.incident_id not in bucket.incidents:
        return
    rest = {iid: b for iid, b in bucket.incidents.items() if iid != state.incident_id}
    if rest:
        stores.days[key] = DayBucket(rest)
    else:
        del stores.days[key]
