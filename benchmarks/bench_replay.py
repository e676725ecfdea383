"""Replay rate: 100,000 ArticleProcessed events from the log into fresh views, SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.bench_replay [--n 100000] [--size 2048] [--batch-size 2000]

Starts its own broker (deploy/kafka) in a temporary data dir (or uses
KAFKA_BOOTSTRAP_SERVERS), publishes ``n`` processed articles (~``size`` bytes
of Arabic text each, with topics, places, organisations and quantities) to 4
partitions, then times `marsad replay`'s code end to end: fresh database,
read from offset 0, batches written with their offsets, content hash, swap.
PostgreSQL is the one at MARSAD_BENCH_POSTGRES_URL, else a server started
from Debian's package with its default durability (fsync on). Both hashes
are printed: they must be equal.

Each database also gets a reference measured in the same run: the same rows
(of the first ``--reference-n`` events, computed beforehand, not timed) inserted by plain ``executemany``, one
transaction per batch, into a fresh store of the same schema (no log, no
decoding, no offsets, no hash, no index build). ``ratio`` is the replay's
rate over the reference's: how close the replay comes to what the database
takes. CPU is this process's and its worker processes' (`--workers`, default the cores this process
may use), the PostgreSQL server's is not in it. The first line says whether the compiled modules ran
(`marsad.streams.compiled`).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.broker import bench_kafka, fresh_topics
from benchmarks.corpus import articles
from marsad.consumers.consume import DeadLetters, LogReader
from marsad.consumers.replay import ReplayReport, replay
from marsad.consumers.rows import ARTICLE_COLUMNS, CHILD_TABLES, article_rows
from marsad.consumers.store import open_store
from marsad.consumers.store.queries import placeholders
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.progress import Progress
from marsad.schemas.events import ArticleProcessed, Duplicate
from marsad.schemas.facts import Evidence, Org, Place, Quantity, Topic
from marsad.schemas.topics import Topics
from marsad.streams import compiled

PLACES = [Place("البوكمال", 34.4534, 40.9188, "SY", "city", 172374),
          Place("القامشلي", 37.0522, 41.2306, "SY", "city", 173253),
          Place("درعا", 32.6189, 36.1021, "SY", "city", 170592),
          Place("معبر نصيب", 32.5478, 36.2007, "SY", "crossing"),
          Place("الرمثا", 32.5592, 36.0069, "JO", "city", 247932),
          Place("القائم", 34.3686, 41.0946, "IQ", "city", 94787)]
TOPICS = ["narcotics", "arms", "terrorism", "militias", "smuggling", "security_ops", "military"]
ORGS = [Org("sdf", "قسد"), Org("hezbollah", "حزب الله"), Org("isis", "داعش"), Org("pmf", "الحشد الشعبي")]
SOURCES = ["عنب بلدي", "تلفزيون سوريا", "السويداء 24", "شبكة الرافدين", "صوت الفرات"]
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def events(n: int, size: int, seed: int = 11) -> list[ArticleProcessed]:
    rng = random.Random(seed)
    out = []
    for i, doc in enumerate(articles(n, size=size, seed=seed)):
        places = rng.sample(PLACES, rng.randint(1, 3))
        quantities = [Quantity(float(rng.randint(1, 500) * 10_000), "pill", "captagon", "حبة كبتاغون")] \
            if rng.random() < 0.2 else []
        dup = Duplicate("near", f"p{i - 1:06d}", 0.85) if i and rng.random() < 0.1 else Duplicate()
        out.append(ArticleProcessed(
            event_id=f"bench{i:06d}", occurred_at=T0 + timedelta(minutes=5 * i), article_id=f"p{i:06d}",
            url=f"https://example.org/{i}", source=rng.choice(SOURCES), title=doc["title"],
            published=T0 + timedelta(minutes=5 * i), lang="ar", clean_text=doc["text"],
            topics=[Topic(t, round(rng.random(), 3), [Evidence(t, t, 0)]) for t in rng.sample(TOPICS, 2)],
            places=places, countries=sorted({p.country for p in places}), orgs=rng.sample(ORGS, 1),
            quantities=quantities, duplicate=dup, taxonomy_version="bench", gazetteer_version="bench"))
    return out


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process, and of its children waited for (the replay's worker processes)."""
    t = os.times()
    return t.user + t.system, t.children_user + t.children_system


def server_cpu(data_dir: Path) -> float:
    """CPU seconds of a local PostgreSQL server so far: the postmaster, its exited children, its live ones."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(pid: int) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    master = int((data_dir / "postmaster.pid").read_text().split()[0])
    fields = stat(master)
    total = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                child = stat(int(proc.name))
            except OSError:
                continue
            if int(child[1]) == master:
                total += int(child[11]) + int(child[12])
    return total / tick


def run_replay(bootstrap: str, topics: Topics, url: str, batch_size: int, label: str,
               workers: int) -> tuple[ReplayReport, tuple[float, float]]:
    """The replay's report and the CPU seconds of this process and of its worker processes."""
    live = open_store(url)
    live.setup()
    bar = Progress(label)
    before = cpu_seconds()
    with EventPublisher(bootstrap, client_id="bench-replay") as pub:
        try:
            report = replay(live, LogReader(bootstrap, topics.processed, batch_size=batch_size),
                            DeadLetters(pub, topics.deadletter("consumers")), batch_ms=200,
                            stop=threading.Event(), progress=bar.at, workers=workers)
        finally:
            bar.close()
            live.close()
    after = cpu_seconds()
    return report, (after[0] - before[0], after[1] - before[1])


def reference(url: str, evs: list[ArticleProcessed], batch_size: int) -> float:
    """Seconds to insert the events' rows with plain executemany, a transaction per batch (rows not timed)."""
    live = open_store(url)
    live.setup()
    store = live.fresh()
    live.close()
    tables = {"articles": ARTICLE_COLUMNS, **CHILD_TABLES}
    sql = {t: f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({placeholders(len(cols))})" for t, cols in tables.items()}
    spent = 0.0
    try:
        latest = {e.article_id: e for e in evs}  # as the replay keeps it: the last event of each article
        todo = list(latest.values())
        for i in range(0, len(todo), batch_size):
            rows = [article_rows(e) for e in todo[i:i + batch_size]]
            data = {"articles": [r.article for r in rows],
                    **{t: [c for r in rows for c in r.children[t]] for t in CHILD_TABLES}}
            t0 = time.perf_counter()
            with store._transaction(write=True) as tx:
                for table, values in data.items():
                    if values:
                        tx.many(sql[table], values)
            spent += time.perf_counter() - t0
    finally:
        store.discard()
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--size", type=int, default=2048, help="bytes of article text")
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--db", default="sqlite,postgresql", help="which databases, comma-separated")
    ap.add_argument("--reference-n", type=int, default=20_000, help="events the reference inserts (its rate)")
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                    help="processes decoding, building and writing rows (as `marsad replay --workers`; 1: in this process)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-replay-")
    kafka = ExitStack()
    pg = None
    try:
        bootstrap, _ = kafka.enter_context(bench_kafka(Path(tmp.name) / "kafka"))
        topics = fresh_topics(bootstrap)
        evs = events(args.n, args.size)
        with EventPublisher(bootstrap, client_id="bench") as pub:
            for i, e in enumerate(evs, start=1):
                pub.publish(topics.processed, e.article_id, e)
                if i % 10_000 == 0:
                    pub.flush(timeout=300)  # a loaded broker: wait in steps, not all at the end
        workers = args.workers if args.workers > 1 else 0
        print(f"{pub.delivered:,} ArticleProcessed events (~{args.size} B of text each) on 4 partitions; "
              f"batches of {args.batch_size}; {workers or 'no'} worker processes; {compiled.state()}; "
              f"load average {os.getloadavg()[0]:.1f}")
        dbs = set(args.db.split(","))
        results, urls = {}, {}
        if "sqlite" in dbs:
            urls["sqlite"] = f"sqlite:///{Path(tmp.name) / 'views.sqlite'}"
            results["sqlite"] = run_replay(bootstrap, topics, urls["sqlite"], args.batch_size, "sqlite", workers)
        pg_url = os.environ.get("MARSAD_BENCH_POSTGRES_URL")
        if not pg_url and "postgresql" in dbs:
            from tests.support.postgres import LocalPostgres, PostgresUnavailable
            try:
                pg = LocalPostgres(durable=True).start()
                pg_url = pg.url
            except PostgresUnavailable as e:
                print(f"postgresql: skipped ({e})")
        if pg_url:
            sep = "&" if "?" in pg_url else "?"
            urls["postgresql"] = f"{pg_url}{sep}schema=bench_{topics.prefix[6:]}"
            server = server_cpu(pg.data) if pg else 0.0
            results["postgresql"] = run_replay(bootstrap, topics, urls["postgresql"], args.batch_size,
                                               "postgresql", workers)
            if pg:
                spent = server_cpu(pg.data) - server
                print(f"postgresql server: {1e6 * spent / results['postgresql'][0].events:,.0f} µs CPU an event")
        for name, (r, cpu) in results.items():
            sample = evs[:args.reference_n]
            rate, ref_rate = r.events / r.seconds, len(sample) / reference(urls[name], sample, args.batch_size)
            print(f"{name:<11} {r.events:>9,} events in {r.seconds:6.1f} s  {rate:>8,.0f} events/s "
                  f"(CPU an event: {1e6 * cpu[0] / r.events:,.0f} µs this process, {1e6 * cpu[1] / r.events:,.0f} µs "
                  f"its workers)  reference executemany "
                  f"{ref_rate:>8,.0f} rows of events/s  ratio {rate / ref_rate:.2f}  hash {r.hash}  "
                  f"load average {os.getloadavg()[0]:.1f}")
    finally:
        if pg:
            pg.stop()
        kafka.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
