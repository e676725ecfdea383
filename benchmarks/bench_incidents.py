"""Incident fusion: reports folded per second on one core, with the open incidents a busy month leaves.

    .venv/bin/python -m benchmarks.bench_incidents [--days 30] [--events 400]

Generates ``events`` security events a day for ``days`` days in one country
(three types, 400 places 33 km apart), each told by one to five outlets with
counts that differ by one, as processed articles carrying one incident each
(built in memory, not timed). Timed: `marsad.streams.alerts.incidents.fold_incident`
over them in processing-time order, as the back-test runs it (dict states,
the default rules, incident expiry after 30 days). A day of 400 events of
three types in one country is several times what the news of Syria or Iraq
carries; the open incidents a report is matched against grow with it. Times
are the process's CPU time, pinned to one core.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, datetime, timedelta

from marsad.schemas.alert_state import DayBucket, IncidentState
from marsad.schemas.events import ArticleProcessed
from marsad.schemas.facts import Incident, Place
from marsad.streams.alerts.engine import event_time, source_of
from marsad.streams.alerts.incidents import fold_incident
from marsad.streams.alerts.notes import StateStore
from marsad.streams.alerts.rules import load_rules
from marsad.streams.alerts.spike import SpikeStores, apply_spike
from marsad.streams.fusion.expiry import incident_ttl_s
from marsad.streams.fusion.reports import reports_of
from marsad.streams.fusion.state import IncidentStores
from marsad.streams.hour_index import HourIndex

T0 = datetime(2026, 3, 1, tzinfo=UTC)
PLACES = [Place(f"place-{i}", 32.0 + 0.3 * (i % 20), 36.0 + 0.3 * (i // 20), "SY", "town") for i in range(400)]
TYPES = ("attack", "armed_clash", "arrest_raid")
ORGS = ("isis", "sdf", "assad_regime", "hts")


def articles(days: int, events: int, seed: int = 7) -> list[ArticleProcessed]:
    rng = random.Random(seed)
    out = []
    for day in range(days):
        date = (T0 + timedelta(days=day - 1)).date().isoformat()
        for e in range(events):
            place, kind, killed = rng.choice(PLACES), rng.choice(TYPES), rng.randint(0, 6)
            actor = rng.choice(ORGS)
            when = T0 + timedelta(days=day, minutes=rng.randrange(1440))
            for outlet in range(rng.randint(1, 5)):
                incident = Incident(kind, f"event {day}-{e} as outlet {outlet} tells it", date, place, [actor], [],
                                    killed + rng.randint(0, 1))
                at = when + timedelta(minutes=10 * outlet)
                out.append(ArticleProcessed(article_id=f"a{day}-{e}-{outlet}", source=f"outlet-{outlet}",
                                            published=at, occurred_at=at, clean_text=incident.evidence,
                                            countries=["SY"], incidents=[incident]))
    out.sort(key=lambda a: a.occurred_at)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--events", type=int, default=400, help="events a day")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rules = load_rules()
    notes = [n for a in articles(args.days, args.events) for n in reports_of(a, at=event_time(a), source=source_of(a))]
    raw: dict = {}
    stores = IncidentStores(StateStore(raw, IncidentState), StateStore({}, DayBucket), StateStore({}, str))
    spikes = SpikeStores.over({})
    index = HourIndex({}, 0, incident_ttl_s(30) or 0)
    recorded = alerts = 0
    t0 = time.process_time()
    for note in notes:
        folded = fold_incident(stores, note, index, rules)
        recorded += sum(e.revision == 1 for e in folded.incidents)
        alerts += len(folded.alerts) + sum(len(apply_spike(spikes, s)) for s in folded.spikes)
    took = time.process_time() - t0
    print(f"{len(notes):,} reports of {args.days * args.events:,} events -> {recorded:,} incidents, {alerts} alert "
          f"event(s): {took:.1f} s CPU, {len(notes) / took:,.0f} reports/s ({took / len(notes) * 1e3:.2f} ms each); "
          f"state {sum(len(v) for v in raw.values()) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
