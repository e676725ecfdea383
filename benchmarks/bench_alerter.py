"""The alerter service alone on the real broker: articles folded per second and CPU time per article.

    .venv/bin/python -m benchmarks.bench_alerter [--n 3000] [--per-day 150] [--days 3] [--fired-days 10]

Starts a local broker (or uses KAFKA_BOOTSTRAP_SERVERS) and one `marsad
alerter` with the shipped rules, 4 partitions. N ~4 KB articles from
`benchmarks.corpus` are analysed beforehand by the real pipeline (not timed;
a fifth made near copies of an earlier one, so stories have several outlets)
and stamped with a simulated processing time, ``per_day`` articles a day (the
alerter's expiry and spike windows read it). After one warm-up article has
gone through (start-up and the group join are not measured), all N are
published at once to ``articles.processed``; the run ends when the alerter
has read everything on its four input topics (its group's committed offsets:
up to a second late). Measured: wall time, the alerter process's CPU time
(user + system, from /proc, the broker's not counted), its peak RSS, and the
messages it wrote: notes on its internal topics, alert and incident events,
and the state it wrote: the bytes (keys and values, uncompressed) on its
tables' changelogs, per table and per article (read back at the end, not timed).

``alerts raised`` hashes the set of AlertRaised event ids on the alerts
topic: the same articles and rules give the same set whatever the batching.
The count of AlertUpdated events (revisions) may vary from run to run with
the order the partitions of the note topics are read in.
The alerter's pid is printed, for py-spy (``py-spy record -p PID``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from benchmarks.bench_delivery import cpu_seconds
from benchmarks.bench_memory import memory_of
from benchmarks.broker import bench_kafka, fresh_topics, stop_worker
from benchmarks.corpus import generate
from marsad.deploy.kafka.local import free_port
from marsad.deploy.services.registry import SERVICES
from marsad.runtime.kafka.connection import kafka_python_options
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.lag import LagProbe
from marsad.schemas.events import ArticleFetched, ArticleProcessed, Duplicate
from marsad.schemas.topics import ALERTER_TABLES, Topics
from marsad.streams.pipeline import Resources, process_fetched

START = datetime(2026, 1, 1, tzinfo=UTC)  # fixed: the same run gives the same alerts (spike windows are by day)
INTERNAL = ("streams.alert-stories", "streams.alert-spikes", "streams.alert-incidents")


def corpus(n: int, per_day: int, seed: int = 3) -> list[ArticleProcessed]:
    """``n`` analysed articles, ``per_day`` a simulated day from `START`, a fifth of them near copies."""
    res = Resources.load()
    rng = random.Random(seed)
    start = START
    out: list[ArticleProcessed] = []
    for i, doc in enumerate(generate(n + 1)):
        at = start + timedelta(days=i / per_day)
        a, _ = process_fetched(ArticleFetched(article_id=doc["id"], source=f"outlet-{i % 7}", title=doc["title"],
                                              text=doc["text"], published=at), res)
        a = msgspec.structs.replace(a, occurred_at=at)
        if len(out) > 1 and rng.random() < 0.2:
            a = msgspec.structs.replace(a, duplicate=Duplicate("near", out[rng.randrange(1, len(out))].article_id,
                                                               0.8))
        out.append(a)
    return out


def behind(probe: LagProbe, topics: Topics) -> int | None:
    """Messages the alerter still has to read, or None while its group is not known yet."""
    lag = next(s.lag for s in SERVICES if s.name == "alerter")
    try:
        return sum(probe.group(lag.group_id(topics), lag.topic_names(topics)).values())
    except KafkaError:  # the group's coordinator, while the alerter starts
        return None


def drained(probe: LagProbe, topics: Topics, proc: subprocess.Popen, logs: Path, timeout: float) -> None:
    """Wait until the alerter has read everything (twice in a row, a second apart)."""
    deadline, settled = time.monotonic() + timeout, 0
    while settled < 2:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the alerter stopped short; log:\n{logs.read_text()[-3000:]}")
        time.sleep(1.0)
        settled = settled + 1 if behind(probe, topics) == 0 else 0


def written(bootstrap: str, topics: list[str]) -> dict[str, int]:
    """Messages on each of ``topics`` (end offsets summed over partitions)."""
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), client_id="bench-alerter")
    try:
        out = {}
        for topic in topics:
            parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
            out[topic] = sum(consumer.end_offsets(parts).values())
        return out
    finally:
        consumer.close()


def state_written(bootstrap: str, topics: Topics) -> dict[str, tuple[int, int]]:
    """(records, bytes of keys and values) written to each of the alerter's table changelogs, by table."""
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), client_id="bench-alerter",
                             auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=3000)
    out = {}
    try:
        for table in ALERTER_TABLES:
            topic = topics.changelog(table)
            parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            records = size = 0
            for r in consumer:
                records += 1
                size += len(r.key or b"") + len(r.value or b"")
            out[table] = (records, size)
    finally:
        consumer.close()
    return out


def alert_digest(bootstrap: str, topic: str, dump: str | None = None) -> tuple[int, str, int, str]:
    """How many distinct alert event ids ``topic`` holds and a digest of the set, the same for the AlertRaised
    events alone (written to ``dump``, one event a line: its type, alert id and revision, when given)."""
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), client_id="bench-alerter",
                             auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=3000)
    try:
        consumer.assign([TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())])
        events = {(e["event_id"], e["type"], e["alert_id"], e.get("revision", 0))
                  for e in (msgspec.json.decode(r.value) for r in consumer)}
    finally:
        consumer.close()
    ids, raised = {e[0] for e in events}, {e[0] for e in events if e[1] == "AlertRaised"}
    if dump:
        Path(dump).write_text("".join(f"{t} {a} {r} {i}\n" for i, t, a, r in sorted(events, key=lambda e: e[1:])))
    return len(ids), _digest(ids), len(raised), _digest(raised)


def _digest(ids: set[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000, help="articles (default 3,000)")
    ap.add_argument("--per-day", type=int, default=150, help="articles a simulated day (default 150)")
    ap.add_argument("--days", type=int, default=3, help="MARSAD_ALERT_STORY_DAYS (default 3)")
    ap.add_argument("--fired-days", type=int, default=10, help="MARSAD_ALERT_FIRED_DAYS (default 10)")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--dump", help="write the alert events (type, alert id, revision, event id) to this file")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the alerter to catch up")
    args = ap.parse_args()
    articles = corpus(args.n, args.per_day)
    warm, articles = articles[0], articles[1:]
    print(f"{len(articles):,} articles (~4 KB), {args.per_day:,} a simulated day, analysed beforehand; "
          f"MARSAD_ALERT_STORY_DAYS={args.days} MARSAD_ALERT_FIRED_DAYS={args.fired_days}, "
          f"{args.partitions} partitions")
    with tempfile.TemporaryDirectory(prefix="marsad-bench-alerter-") as tmp, \
            bench_kafka(Path(tmp) / "broker") as (bootstrap, _):
        data = Path(tmp)
        topics = fresh_topics(bootstrap, args.partitions)
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": topics.prefix,
               "MARSAD_PARTITIONS": str(args.partitions), "MARSAD_DATA_DIR": str(data),
               "MARSAD_LOG_LEVEL": "warning", "MARSAD_ALERTER_WEB_PORT": str(free_port()),
               "MARSAD_ALERT_STORY_DAYS": str(args.days), "MARSAD_ALERT_FIRED_DAYS": str(args.fired_days)}
        env.pop("MARSAD_CONFIG", None)
        env.pop("MARSAD_ALERT_RULES", None)  # the shipped rules
        logs = data / "alerter.log"
        with open(logs, "wb") as log:
            proc = subprocess.Popen([sys.executable, "-c", "from marsad.deploy.cli.main import main; main()",
                                     "alerter"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        probe = LagProbe(bootstrap)
        try:
            with EventPublisher(bootstrap, linger_ms=5) as pub:
                pub.publish(topics.processed, warm.article_id, warm)
            drained(probe, topics, proc, logs, timeout=300)
            print(f"alerter pid {proc.pid} ready", flush=True)
            cpu0, load0 = cpu_seconds(proc), os.getloadavg()
            t0 = time.perf_counter()
            with EventPublisher(bootstrap, linger_ms=5) as pub:
                for a in articles:
                    pub.publish(topics.processed, a.article_id, a)
            drained(probe, topics, proc, logs, timeout=args.timeout)
            wall, cpu, load1 = time.perf_counter() - t0, cpu_seconds(proc) - cpu0, os.getloadavg()
            peak = (memory_of(proc.pid) or (0, 0))[1]
        finally:
            probe.close()
            stop_worker(proc)
        n = len(articles)
        print(f"alerter: {n / wall:,.1f} articles/s ({wall:,.1f} s), {cpu / n * 1e3:.2f} ms CPU an article "
              f"({n / cpu:,.1f} articles per CPU-second); peak RSS {peak / 1024:,.0f} MiB; "
              f"load average {load0[0]:.1f} -> {load1[0]:.1f}")
        counts = written(bootstrap, [topics.name(t) for t in INTERNAL] + [topics.alerts, topics.name("incidents")])
        print("written: " + ", ".join(f"{name.split('.', 1)[1]} {count:,}" for name, count in counts.items())
              + f" ({sum(counts[topics.name(t)] for t in INTERNAL) / (n + 1):.1f} note records an article)")
        state = state_written(bootstrap, topics)
        print(f"state written: {sum(b for _, b in state.values()) / n / 1e3:,.1f} KB an article ("
              + ", ".join(f"{table} {records:,} records {size / 1e6:,.1f} MB" for table, (records, size)
                          in state.items() if records) + ")")
        distinct, digest, raised, raised_digest = alert_digest(bootstrap, topics.alerts, args.dump)
        print(f"alerts raised: {raised:,}, digest {raised_digest}; all alert events: {distinct:,}, digest {digest} "
              "(the updates' count varies with how the partitions interleave)")


if __name__ == "__main__":
    main()
