"""What the fusion fold keeps: open incidents, and a day index to find the ones a report may join.

Values of the alerter's tables (and of the dicts of the back-test), all in
the partition of their scope (incident type and country):

    incidents      incident id -> `IncidentState` (its reports, revision, alert marks)
    days           "{scope}|{day}" -> `DayBucket`: the open incidents filed under that day
                   (their date, else the day of their first report), so a report looks
                   at five small buckets, not at every open incident
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

import msgspec

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


class DayBucket(msgspec.Struct):
    ids: list[str] = []


@dataclass
class IncidentStores:
    """The fold's two mappings: typed stores over Faust tables, dicts, or staged views of either."""

    incidents: MutableMapping[str, IncidentState]
    days: MutableMapping[str, DayBucket]


def day_key(scope: str, day: int) -> str:
    return f"{scope}|{day}"


def file_day(stores: IncidentStores, state: IncidentState, day: int) -> None:
    """File ``state`` under ``day``, moving it from the day it was under."""
    key = day_key(state.scope, day)
    bucket = stores.days.get(key) or DayBucket()
    if state.day == day and state.incident_id in bucket.ids:
        return
    unfile_day(stores, state)  # nothing when it was not filed yet
    state.day = day
    stores.days[key] = DayBucket([*bucket.ids, state.incident_id])


def unfile_day(stores: IncidentStores, state: IncidentState) -> None:
    key = day_key(state.scope, state.day)
    bucket = stores.days.get(key)
    if bucket is None or state.incident_id not in bucket.ids:
        return
    ids = [i for i in bucket.ids if i != state.incident_id]
    if ids:
        stores.days[key] = DayBucket(ids)
    else:
        del stores.days[key]
