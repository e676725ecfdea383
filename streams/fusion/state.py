"""What the fusion fold keeps: open incidents, a day index to find the ones a report may join,
and which incident each report joined.

Values of the alerter's tables (and of the dicts of the back-test), all in
the partition of their scope (incident type and country), declared in
`marsad.schemas.alert_state`:

    incidents      incident id -> `IncidentState` (its tally, revision, alert marks)
    days           "{scope}|{day}" -> `DayBucket`: the open incidents filed under that day
                   (their date, else the day of their first report), each with the `Brief`
                   a report is matched against, so a report reads five small buckets and
                   decodes only the incident it joins
    reports        report id -> the incident it joined: a redelivered report is known at once,
                   and an incident knows which articles it holds without listing them
                   (`marsad.streams.fusion.fusion.holds_article`); each report id is filed in the
                   expiry index and dropped a ttl after its report joined (`marsad.streams.fusion.expiry`)
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

from marsad.schemas.alert_state import Brief, DayBucket, IncidentState


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
        # changed in place and stored again: a store hands out its own copy (a decoded record, or
        # the object a dict keeps, which only the fold changes), so nothing else sees it change
        bucket.incidents[state.incident_id] = brief
        stores.days[key] = bucket


def unfile_day(stores: IncidentStores, state: IncidentState) -> None:
    key = day_key(state.scope, state.day)
    bucket = stores.days.get(key)
    if bucket is None or state.incident_id not in bucket.incidents:
        return
    del bucket.incidents[state.incident_id]
    if bucket.incidents:
        stores.days[key] = bucket
    else:
        del stores.days[key]
