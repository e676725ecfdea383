"""Deterministic incident events for the consumer tests, published as the fusion stage publishes them.

``incident(i)`` is incident ``in{i:04d}``; its type, place, day, tolls, parties
and outlets follow from ``i`` (see `PLACES`, `ACTORS`), so a test can say which
incidents a filter must give. ``revision(e, r)`` is its `IncidentUpdated` number
``r``: one more report (the one it lists), one more outlet, one more killed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import IncidentRecorded, IncidentReport, IncidentUpdated
from marsad.schemas.facts import Place, Quantity
from marsad.schemas.topics import Topics
from marsad.schemas.wire import INCIDENT_TYPES

T0 = datetime(2024, 2, 1, 6, 0, tzinfo=UTC)
DAY0 = date(2024, 2, 1)
# place, its governorate code (None: unknown)
PLACES: list[tuple[Place | None, str | None]] = [
    (Place("البوكمال", 34.4523, 40.9185, "SY", "town", 174448), "SY.07"),
    (Place("القامشلي", 37.0521, 41.2314, "SY", "city", 173377), "SY.01"),
    (Place("الموصل", 36.3350, 43.1189, "IQ", "city", 99072), "IQ.15"),
    (Place("معبر نصيب", 32.5520, 36.2030, "SY", "crossing"), "SY.06"),  # no geonameid: the nearest town's
    (Place("غازي عنتاب", 37.0594, 37.3825, "TR", "city", 314830), None),  # a country without regions here
    (None, None),
]
ACTORS = ["isis", "sdf", "pmf"]
SOURCES = ["عنب بلدي", "تلفزيون سوريا", "=cmd|' /C calc'!A0", "السومرية"]  # one looks like a formula


def day_of(i: int) -> str | None:
    """The event's day: every 7th incident has none (the view falls back to the day it was first seen)."""
    return None if i % 7 == 6 else (DAY0 + timedelta(days=i // 2)).isoformat()


def seen(i: int) -> datetime:
    return T0 + timedelta(days=i // 2, hours=3)


def incident(i: int, *, killed: int | None = None) -> IncidentRecorded:
    """Incident ``in{i:04d}`` as first recorded (revision 1, one report)."""
    place, _ = PLACES[i % len(PLACES)]
    kind = INCIDENT_TYPES[i % 6]
    k = (i % 5) if killed is None else killed
    report = IncidentReport(f"a{i:05d}", SOURCES[i % len(SOURCES)], f"https://example.org/news/{i}",
                            f"خبر رقم {i}", published=seen(i), lang="ar", evidence=f"قتل {k} في الحادثة رقم {i}.",
                            date=day_of(i), place=place, killed=k, at=seen(i), report_id=f"a{i:05d}#0")
    return IncidentRecorded(
        event_id=f"ir{i:04d}", occurred_at=seen(i), incident_id=f"in{i:04d}", incident_type=kind, date=day_of(i),
        place=place, actors=[ACTORS[i % 3]], targets=[ACTORS[(i + 1) % 3]] if i % 2 == 0 else [],
        killed=k, killed_min=k, killed_max=k, injured=(i % 4) or None,
        arrested=3 if kind == "arrest_raid" else None,
        quantities=[Quantity(1000.0 * i, "pill", "captagon")] if kind == "seizure" else [],
        evidence=report.evidence, reports=[report], reports_total=1, sources=[report.source], outlets=1,
        first_seen=seen(i), last_seen=seen(i))


def revision(e: IncidentRecorded, r: int, *, full: bool = False) -> IncidentUpdated:
    """Revision ``r`` (2, 3...) of ``e``: r reports from r outlets, one more killed per revision; it lists
    the report it adds (``full``: all r, as version 1 did)."""
    i = int(e.incident_id[2:])
    k = (e.killed or 0) + r - 1
    added = [IncidentReport(f"a{i:05d}-r{n}", f"{SOURCES[(i + n) % len(SOURCES)]} {n}", evidence=f"تقرير {n}",
                            killed=(e.killed or 0) + n - 1, at=e.occurred_at + timedelta(hours=n), report_id=f"a{i:05d}-r{n}#0")
             for n in range(2, r + 1)]
    fields = {f: getattr(e, f) for f in e.__struct_fields__ if f not in ("event_id", "occurred_at", "type")}
    fields.update(event_id=f"{e.event_id}-r{r}", occurred_at=e.occurred_at + timedelta(hours=r),
                  revision=r, killed=k, killed_max=k, reports=[*e.reports, *added] if full else added[-1:],
                  reports_total=r, sources=[*e.sources, *(a.source for a in added)], outlets=r,
                  last_seen=e.occurred_at + timedelta(hours=r))
    return IncidentUpdated(**fields)


def publish_incidents(bootstrap: str, topics: Topics, events: Iterable[IncidentRecorded]) -> int:
    """Publish each event to the incidents topic, keyed by incident id; return the events published."""
    n = 0
    with EventPublisher(bootstrap, client_id="test-incidents") as pub:
        for e in events:
            pub.publish(topics.name("incidents"), e.incident_id, e)
            n += 1
    assert pub.failed == 0
    return n
