"""Incident expiry: the fold forgets an incident some days after its latest report.

Like the alerter's stories (`marsad.streams.alerts.expiry`): an incident is dropped
once its latest report was processed ``ttl`` before the stream time of its
partition, found through the hour index (`marsad.streams.hour_index`). Time is the
processing time the log records, so a replay or a back-test forgets what the
live stream did. The ttl is the `alert_story_days` setting, never less than
`MIN_DAYS` (a report may still join an incident two days after its date).

The report links (report id -> incident) are filed in the same index, each when its
report joins (the incident keeps no list of its reports to drop them by), and dropped a
ttl later, whether their incident is still open or not: a link says that a report was
folded in, so that a redelivery (a restart reads again what was not committed, minutes
of stream time) changes nothing. Kept while their incident stayed open, they grew with
the reports of an incident that never goes quiet (by about 4,800 links a day at 2,500
articles a day, without end). A report redelivered more than a ttl after it was
folded in is counted again (and one of an incident already forgotten opens a new one).

A report arriving after its incident was forgotten opens a new incident (and
an incident rule may alert on it again): at the default 30 days, a report
that late is rare, and a month of incidents is what the state holds.
"""

from __future__ import annotations

from marsad.streams.fusion.state import IncidentStores, unfile_day
from marsad.streams.hour_index import DAY, HourIndex, hour_of

MIN_DAYS = 3


def incident_ttl_s(days: int) -> float | None:
    """How long an incident stays open after its latest report; None when expiry is off (``days`` 0)."""
    return max(days, MIN_DAYS) * DAY if days > 0 else None


def expire_incidents(stores: IncidentStores, index: HourIndex, now: float) -> int:
    """Move the partition's stream time to ``now`` and drop the incidents (and the report links) that
    fell behind; how many incidents."""
    index.advance(now)
    dropped = 0
    for hour, keys in index.due():
        for key in keys:
            if is_report_id(key):
                stores.reports.pop(key, None)  # a ttl after its report joined
                continue
            state = stores.incidents.get(key)
            if state is None or hour_of(state.seen) > hour:
                continue  # gone, or filed again under a later hour
            unfile_day(stores, state)
            for r in state.reports:  # a version-1 state's, never filed in the index
                stores.reports.pop(r.report_id, None)
            del stores.incidents[key]
            dropped += 1
    return dropped


def is_report_id(key: str) -> bool:
    """A report id ("{article}#{n}") and not an incident id (a hash): the index files both."""
    return "#" in key

