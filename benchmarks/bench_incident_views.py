"""The incidents view: write rate and query times, SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.bench_incident_views [--n 50000] [--batch-size 2000]

Writes ``n`` incident records, then a revision of every fifth one, in batches
through `Store.write_batch` (the views consumer's code without Kafka), then
times the API's incident questions over them: the first page of all, filters
(type, governorate, place radius, actor, minimum killed), the counts per day
and per governorate, and an ACLED-style export of one type. PostgreSQL is the
one at MARSAD_BENCH_POSTGRES_URL, else a server started from Debian's package
with its default durability (fsync on). Both content hashes are printed: they
must be equal.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from marsad.consumers.api.incident_exports import ACLED_CSV, acled, to_csv
from marsad.consumers.query.model import IncidentCountQuery, IncidentFilters, IncidentQuery, Near
from marsad.consumers.store import Record, open_store
from marsad.consumers.store import incidents as view
from marsad.consumers.store.sqlstore import SqlStore
from marsad.schemas.events import IncidentRecorded, IncidentReport, IncidentUpdated
from marsad.schemas.facts import Place
from marsad.schemas.wire import INCIDENT_TYPES

PLACES = [Place("البوكمال", 34.4523, 40.9185, "SY", "town", 174448),
          Place("القامشلي", 37.0521, 41.2314, "SY", "city", 173377),
          Place("حلب", 36.2012, 37.1612, "SY", "city", 170063),
          Place("معبر نصيب", 32.5520, 36.2030, "SY", "crossing"),
          Place("الموصل", 36.3350, 43.1189, "IQ", "city", 99072),
          Place("الرمادى", 33.4206, 43.3078, "IQ", "city", 98717)]
ORGS = ["isis", "sdf", "pmf", "hezbollah", "syrian_army"]
SOURCES = ["عنب بلدي", "تلفزيون سوريا", "السويداء 24", "شبكة الرافدين", "صوت الفرات"]
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def incident_events(n: int, seed: int = 7) -> list[IncidentRecorded]:
    """``n`` records over about a year, and a revision 2 of every fifth (the second report it adds, two outlets)."""
    rng = random.Random(seed)
    first, later = [], []
    for i in range(n):
        seen = T0 + timedelta(minutes=10 * i)
        killed = rng.choice([None, 0, 1, 2, 3, 5, 8, 13])
        place = rng.choice([*PLACES, None])
        report = IncidentReport(f"a{i:07d}", rng.choice(SOURCES), f"https://example.org/{i}", f"خبر {i}",
                                published=seen, lang="ar", evidence=f"قتل {killed} في هجوم قرب المدينة.",
                                place=place, killed=killed, at=seen, report_id=f"a{i:07d}#0")
        e = IncidentRecorded(
            event_id=f"b{i:07d}", occurred_at=seen, incident_id=f"in{i:07d}", incident_type=rng.choice(INCIDENT_TYPES),
            date=(seen - timedelta(days=rng.randint(0, 2))).date().isoformat(), place=place,
            actors=[rng.choice(ORGS)], targets=[rng.choice(ORGS)], killed=killed, killed_min=killed,
            killed_max=killed, evidence=report.evidence, reports=[report], reports_total=1, sources=[report.source],
            outlets=1, first_seen=seen, last_seen=seen)
        first.append(e)
        if i % 5 == 0:
            second = IncidentReport(f"a{i:07d}-2", rng.choice(SOURCES), evidence="تقرير آخر", killed=killed,
                                    at=seen + timedelta(hours=1), report_id=f"a{i:07d}-2#0")
            fields = {f: getattr(e, f) for f in e.__struct_fields__}
            fields.update(event_id=f"{e.event_id}-2", occurred_at=seen + timedelta(hours=1), revision=2,
                          reports=[second], reports_total=2, sources=list(dict.fromkeys([report.source, second.source])),
                          outlets=2, last_seen=seen + timedelta(hours=1))
            later.append(IncidentUpdated(**fields))
    return [*first, *later]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def run(url: str, events: list[IncidentRecorded], batch: int, name: str) -> str:
    with open_store(url) as store:
        store.setup()
        t0 = time.perf_counter()
        for start in range(0, len(events), batch):
            store.write_batch([Record("incidents", 0, start + i, e) for i, e in enumerate(events[start:start + batch])])
        seconds = time.perf_counter() - t0
        print(f"{name}: {len(events):,} incident events written in {seconds:.1f} s "
              f"({len(events) / seconds:,.0f} events/s, batches of {batch})")
        questions: list[tuple[str, Callable[[], Any]]] = [
            ("first page (20)", lambda: store.incidents(IncidentQuery())),
            ("type=airstrike", lambda: store.incidents(IncidentQuery(IncidentFilters(type="airstrike")))),
            ("admin1=SY.07", lambda: store.incidents(IncidentQuery(IncidentFilters(admin1="SY.07")))),
            ("50 km around Mosul", lambda: store.incidents(IncidentQuery(IncidentFilters(near=Near(36.34, 43.12, 50))))),
            ("actor=isis, min_killed=5", lambda: store.incidents(IncidentQuery(IncidentFilters(actor="isis",
                                                                                              min_killed=5)))),
            ("one incident", lambda: store.incident("in0000500")),
            ("counts per day", lambda: store.incident_counts(IncidentCountQuery("day", limit=10_000))),
            ("counts per governorate", lambda: store.incident_counts(IncidentCountQuery("admin1"))),
            ("ACLED export of one type", lambda: _export(store, IncidentFilters(type="armed_clash"))),
        ]
        for label, ask in questions:
            ms = min(timed(ask)[0] for _ in range(3))
            print(f"  {label:<28} {ms:8.1f} ms")
        digest = store.content_hash()
        print(f"  content hash {digest}")
        return digest


def _export(store: Any, filters: IncidentFilters) -> int:
    assert isinstance(store, SqlStore)
    with store._transaction(write=False) as tx:
        return len(to_csv([acled(i) for i in view.export(tx, filters)], ACLED_CSV))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    events = incident_events(args.n)
    hashes = {}
    with tempfile.TemporaryDirectory() as tmp:
        hashes["sqlite"] = run(f"sqlite:///{Path(tmp) / 'views.sqlite'}", events, args.batch_size, "sqlite")
        pg_url = os.environ.get("MARSAD_BENCH_POSTGRES_URL")
        pg = None
        if not pg_url:
            from tests.support.postgres import LocalPostgres, PostgresUnavailable
            try:
                pg = LocalPostgres(durable=True).start()
                pg_url = pg.url
            except PostgresUnavailable as e:
                print(f"postgresql: skipped ({e})")
        try:
            if pg_url:
                sep = "&" if "?" in pg_url else "?"
                hashes["postgresql"] = run(f"{pg_url}{sep}schema=bench_{uuid.uuid4().hex[:8]}", events,
                                           args.batch_size, "postgresql")
        finally:
            if pg is not None:
                pg.stop()
    print("hashes equal" if len(set(hashes.values())) == 1 else f"HASHES DIFFER: {hashes}")


if __name__ == "__main__":
    main()
