"""What the alerter's tables hold as simulated days go by: which state grows with the articles?

    .venv/bin/python -m benchmarks.alert_state_sizes [--n 6000] [--per-day 150] [--days 3]

Folds `benchmarks.corpus` articles (analysed by the real pipeline, article i
processed at ``i / per_day`` days) as the alert agents do: `engine.route`,
`expiry.fold_story`, `spike.apply_spike` and `incidents.fold_incident`, with
the shipped rules, over encoded stores (the bytes the agent's Faust tables
hold), stories and incidents expiring after --days. Prints, ten times in the
run, each table's entries and encoded megabytes, and how many stories are
kept only as the rule states of an alert they raised. One process, no Kafka;
`benchmarks.bench_memory` measures the services themselves.
"""

from __future__ import annotations

import argparse
from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta

import msgspec

from benchmarks.corpus import generate
from marsad.schemas.alert_state import DayBucket, IncidentState, StoryState
from marsad.schemas.events import ArticleFetched
from marsad.streams.alerts.engine import route
from marsad.streams.alerts.expiry import fold_story, story_keep_s, story_ttl_s
from marsad.streams.alerts.incidents import fold_incident
from marsad.streams.alerts.notes import StateStore
from marsad.streams.alerts.rules import load_rules
from marsad.streams.alerts.spike import SpikeStores, apply_spike
from marsad.streams.fusion.expiry import incident_ttl_s
from marsad.streams.fusion.state import IncidentStores
from marsad.streams.hour_index import HourIndex
from marsad.streams.pipeline import Resources, process_fetched


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=6000, help="articles (default 6,000)")
    ap.add_argument("--per-day", type=int, default=150, help="articles a simulated day (default 150)")
    ap.add_argument("--days", type=int, default=3, help="story and incident expiry, as MARSAD_ALERT_STORY_DAYS")
    ap.add_argument("--fired-days", type=int, default=10,
                    help="how long a story that raised an alert is kept, as MARSAD_ALERT_FIRED_DAYS (0: for good)")
    args = ap.parse_args()
    res = Resources.load()
    rules = load_rules(None, res.taxonomy)
    raw: dict[str, MutableMapping[bytes, bytes]] = {name: {} for name in (
        "stories", "spikes", "incidents", "incident-days", "reports", "story-hours", "incident-hours")}
    stories = StateStore(raw["stories"], StoryState)
    spikes = SpikeStores.over(raw["spikes"])
    incidents = IncidentStores(StateStore(raw["incidents"], IncidentState), StateStore(raw["incident-days"], DayBucket),
                               StateStore(raw["reports"], str))
    story_ttl, incident_ttl = story_ttl_s(args.days, rules), incident_ttl_s(args.days)
    story_hours = HourIndex(raw["story-hours"], 0, story_ttl) if story_ttl else None
    keep_s = story_keep_s(args.fired_days, story_ttl) if story_ttl else None
    incident_hours = HourIndex(raw["incident-hours"], 0, incident_ttl) if incident_ttl else None
    start = datetime.now(UTC) - timedelta(days=args.n / args.per_day)
    print(f"{args.n:,} articles, {args.per_day:,} a day, expiry {args.days} days, stories that raised an alert "
          f"{args.fired_days or 'for good'} days; per table: entries / MB encoded")
    for i, doc in enumerate(generate(args.n)):
        at = start + timedelta(days=i / args.per_day)
        article, _ = process_fetched(ArticleFetched(article_id=doc["id"], title=doc["title"], text=doc["text"],
                                                    occurred_at=at, published=at), res)
        notes = route(msgspec.structs.replace(article, occurred_at=at), rules)
        fold_story(stories, notes.story, story_hours, keep_s)
        for note in notes.spikes:
            apply_spike(spikes, note)
        for note in notes.reports:
            for spike in fold_incident(incidents, note, incident_hours, rules).spikes:
                apply_spike(spikes, spike)
        if (i + 1) % max(1, args.n // 10) == 0:
            kept = sum(1 for state in stories.values() if not state.articles)
            print(f"{i + 1:>7,} day {(i + 1) / args.per_day:5.1f}  " + "  ".join(
                f"{name} {len(table):,} / {sum(map(len, table.values())) / 1e6:.2f}" for name, table in raw.items())
                + f"  (stories kept as alert states: {kept:,})", flush=True)


if __name__ == "__main__":
    main()
