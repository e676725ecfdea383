"""The incident fusion's folds alone, over encoded state, as news gets dense: CPU, state and event bytes a report.

    .venv/bin/python -m benchmarks.bench_incident_state [--n 12000] [--per-day 2500] [--days 30]

The articles of `benchmarks.bench_alerter` (analysed by the real pipeline
beforehand, not timed, ``per_day`` a simulated day) are routed by the shipped
rules; their incident reports are folded as the alerter's incident agent
folds them: per batch of 100 articles, one record per partition (4, by the
reports' keys), each record folded into one staging of the fusion tables
(`folds.IncidentFold`, incident expiry after ``--days``, 30 as shipped;
3 as `benchmarks.bench_memory` sets it, so that expiry runs within the run) and stored once, the
tables dicts of encoded records. Measured per tenth of the run: CPU time of
the folds (decoding, fusing, alerting, encoding) per report, bytes of the
records stored per report, and the largest incident event published and
incident state stored; at the end, the tables' records and bytes. One
process, no Kafka, no Faust: what fusion's layout costs, apart from the rest
of the alerter (`benchmarks.bench_alerter`).
"""

from __future__ import annotations

import argparse
import time
import zlib

from benchmarks.bench_alerter import corpus
from benchmarks.bench_spike_state import BATCH, PARTITIONS, Counted
from marsad.schemas.alert_state import DayBucket, IncidentState
from marsad.schemas.codec import encode
from marsad.streams.alerts.engine import route
from marsad.streams.alerts.folds import IncidentFold
from marsad.streams.alerts.notes import StateStore
from marsad.streams.alerts.rules import load_rules
from marsad.streams.classify import Taxonomy
from marsad.streams.fusion.expiry import incident_ttl_s

TABLES = ("incidents", "days", "reports", "expiry")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12000, help="articles (default 12,000)")
    ap.add_argument("--per-day", type=int, default=2500, help="articles a simulated day (default 2,500)")
    ap.add_argument("--days", type=int, default=30, help="days an incident stays open after its latest report "
                    "(MARSAD_ALERT_STORY_DAYS; default 30, at least 3)")
    args = ap.parse_args()
    rules = load_rules(None, Taxonomy.load())
    articles = corpus(args.n, args.per_day)[1:]
    notes = [route(a, rules).reports for a in articles]
    print(f"{len(articles):,} articles, {args.per_day:,} a simulated day ({len(articles) / args.per_day:.1f} days), "
          f"{sum(map(len, notes)):,} incident reports; per tenth: ms CPU a report, KB stored a report, "
          "largest incident event and state (KB)")
    tables = {name: Counted() for name in TABLES}
    ttl = incident_ttl_s(args.days)
    tenth = max(BATCH, len(articles) // 10 // BATCH * BATCH)
    cpu, written, reports, event_max, state_max = 0.0, 0, 0, 0, 0
    for start in range(0, len(articles), BATCH):
        records: dict[int, list] = {}
        for batch in notes[start:start + BATCH]:
            for note in batch:
                records.setdefault(zlib.crc32(note.scope.encode()) % PARTITIONS, []).append(note)
        for partition, record in records.items():
            t0 = time.process_time()
            fold = IncidentFold(StateStore(tables["incidents"], IncidentState), StateStore(tables["days"], DayBucket),
                                StateStore(tables["reports"], str), tables["expiry"], partition, ttl, rules)
            for note in record:
                fold.add(note)
            fold.commit()
            cpu += time.process_time() - t0
            reports += len(record)
            event_max = max([event_max, *(len(encode(e)) for e in fold.incidents)])
            state_max = max([state_max, *(len(tables["incidents"].data.get(e.incident_id.encode(), b""))
                                          for e in fold.incidents)])
        done = min(start + BATCH, len(articles))
        if done % tenth == 0 or done == len(articles):
            total = sum(t.written for t in tables.values())
            print(f"day {done / args.per_day:5.1f}: {cpu / max(reports, 1) * 1e3:7.3f} ms, "
                  f"{(total - written) / max(reports, 1) / 1e3:8.2f} KB; event {event_max / 1e3:8.1f}, "
                  f"state {state_max / 1e3:8.1f}", flush=True)
            cpu, written, reports, event_max, state_max = 0.0, total, 0, 0, 0
    print("tables at the end: " + ", ".join(
        f"{name} {len(t):,} records {sum(map(len, t.data.values())) / 1e6:.1f} MB" for name, t in tables.items()))


if __name__ == "__main__":
    main()
