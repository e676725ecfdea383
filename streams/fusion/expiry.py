"""Incident expiry: the fold forgets an incident some days after its latest report.

Like the alerter's stories (`marsad.streams.alerts.expiry`): an incident is dropped
once its latest report was processed ``ttl`` before the stream time of its
partition, found through the hour index (`marsad.streams.hour_index`). Time is the
processing time the log records, so a replay or a back-test forgets what the
live stream did. The ttl is the `alert_story_days` setting, never less than
`MIN_DAYS` (a report may still join an incident two days after its date).

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
    """Move the partition's stream time to ``now`` and drop the incidents that fell behind; how many."""
    index.advance(now)
    dropped = 0
    for hour, ids in index.due():
        for iid in ids:
            state = stores.incidents.get(iid)
            if state is None or hour_of(state.seen) > hour:
                continue  # gone, or filed again under a later hour
            unfile_day(stores, state)
            for r in state.reports:
                stores.reports.pop(r.report_id, None)
            del stores.incidents[iid]
            if stores.running is not None:
                stores.running.pop(iid, None)
            dropped += 1
    return dropped
