"""Memory of every service over a long run: does any grow with the articles it has processed?

    .venv/bin/python -m benchmarks.bench_memory [--n 100000] [--per-day 2500] [--days 3] [--fired-days 10]

Every service runs as `marsad up` runs it, on a local broker (unless
KAFKA_BOOTSTRAP_SERVERS is set), 4 partitions: the poller (on an empty
registry) and the fetcher, the stream worker, the alerter with the shipped
rules, the delivery to a webhook on 127.0.0.1 (`benchmarks.webhook`), the
views (SQLite) and the API (asked for a few lists at every sample). N ~4 KB
ArticleFetched events are published as the fetcher would publish them, at
most --window ahead of what the worker has processed, and none while the
alerter has more than --backlog messages to read (it is the slowest service:
without the pause its backlog would grow through the whole run). --no-alerts
leaves the alerter and the delivery out.

Time runs faster than the clock, so that the state kept for a time reaches its
plateau within the run: article i is fetched (and published) at
``start + i / per_day`` days, start chosen so that the last one is now. The
worker's dedup expiry reads that time from the ArticleFetched. The alerter's
expiry (stories, open incidents) and spike windows read the processing time
of each ArticleProcessed, which the worker stamps with the wall clock; so the
worker runs under a topic prefix of its own and this process relays its
ArticleProcessed events, their processing time set to their article's
simulated fetch time, to the topic every other service reads (a second
`marsad up` without the worker). Expiry is set short: MARSAD_DEDUP_DAYS and
MARSAD_ALERT_STORY_DAYS = --days (3: the shortest an open incident is kept;
a story is kept at least as long as its rule's corroboration window, 48 h at
most in the shipped rules), and a story that raised an alert --fired-days
(MARSAD_ALERT_FIRED_DAYS, 10). The spike rules keep up to 14 days of baseline.

Every --every seconds each service's VmRSS and VmHWM are read from
/proc/PID/status (the service's own process: the fetcher's extraction
workers are not counted). The table gives each service's RSS when the worker
had processed 10, 25, 50, 75 and 100 % of the articles, once everything
downstream had caught up ("drained"), the peak (VmHWM), and the slope of RSS
over the second half of the articles in MiB per 10,000 articles: about 0 when
the state has reached its plateau.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import orjson
from kafka import KafkaConsumer, TopicPartition

from benchmarks.broker import bench_kafka
from benchmarks.corpus import generate
from benchmarks.webhook import SECRET, SECRET_ENV, Receiver
from marsad.deploy.kafka.local import free_port
from marsad.deploy.services.registry import SERVICES
from marsad.runtime.kafka.connection import kafka_python_options
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.lag import LagProbe
from marsad.schemas.codec import SchemaError, decode_as, encode
from marsad.schemas.events import ArticleFetched, ArticleProcessed
from marsad.schemas.topics import Topics

PORTS = ("MARSAD_WORKER_WEB_PORT", "MARSAD_VIEWS_METRICS_PORT", "MARSAD_PRODUCER_METRICS_PORT",
         "MARSAD_FETCHER_METRICS_PORT", "MARSAD_ALERTER_WEB_PORT", "MARSAD_DELIVER_METRICS_PORT", "MARSAD_API_PORT")
ALL_BUT_WORKER = ("poller", "fetcher", "alerter", "deliver", "views", "api")
SHARES = (10, 25, 50, 75, 100)
API_PATHS = ("/articles?limit=50", "/counts", "/alerts?limit=50", "/incidents?limit=50", "/stories?limit=50")


@dataclass(frozen=True)
class Clock:
    """The simulated time of article i: ``per_day`` articles a day, the last one now."""

    start: datetime
    per_day: int

    @classmethod
    def ending_now(cls, n: int, per_day: int) -> Clock:
        return cls(datetime.now(UTC) - timedelta(days=n / per_day), per_day)

    def at(self, i: int) -> datetime:
        return self.start + timedelta(days=i / self.per_day)


@dataclass
class Sample:
    at: float  # seconds since the first article was published
    done: int  # articles the worker had processed
    memory: dict[str, tuple[int, int]]  # service -> (VmRSS, VmHWM) in KiB
    pids: dict[str, int]


@dataclass
class Side:
    """One `marsad up`: its data dir, environment and topics."""

    data: Path
    env: dict[str, str]
    topics: Topics
    skip: tuple[str, ...]

    def marsad(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-c", "from marsad.deploy.cli.main import main; main()", *args],
                              env=self.env, capture_output=True, text=True, check=False, timeout=600)
        if done.returncode:
            raise SystemExit(f"marsad {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def up(self) -> None:
        self.marsad("up", *(a for s in self.skip for a in ("--skip", s)))

    def down(self) -> None:
        self.marsad("down")

    def pids(self) -> dict[str, int]:
        state = orjson.loads((self.data / "services" / "state.json").read_bytes())
        return {svc["name"]: svc["pid"] for svc in state["services"] if svc.get("pid")}


def side(root: Path, name: str, bootstrap: str, partitions: int, skip: tuple[str, ...], **settings: str) -> Side:
    data = root / name
    data.mkdir()
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    (data / "feeds.yaml").write_text("feeds: []\n")
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
           "MARSAD_PARTITIONS": str(partitions), "MARSAD_DATA_DIR": str(data), "MARSAD_LOG_LEVEL": "warning",
           "MARSAD_FEEDS": str(data / "feeds.yaml"), **{p: str(free_port()) for p in PORTS}, **settings}
    env.pop("MARSAD_CONFIG", None)
    env.pop("MARSAD_ALERT_RULES", None)  # the shipped rules
    return Side(data, env, Topics(prefix), skip)


def memory_of(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) of a process in KiB, or None when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    try:
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    except (KeyError, ValueError):
        return None


class Relay(threading.Thread):
    """Copies the worker's ArticleProcessed events to the topic the other services read, each with its
    article's simulated fetch time as its processing time; `done` is the set of articles seen so far."""

    def __init__(self, bootstrap: str, source: str, target: str, clock: Clock) -> None:
        super().__init__(daemon=True)
        self.bootstrap, self.source, self.target, self.clock = bootstrap, source, target, clock
        self.done: set[str] = set()
        self.bad = 0
        self.error: BaseException | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            self._relay()
        except BaseException as e:  # reported by the main thread
            self.error = e

    def _relay(self) -> None:
        consumer = KafkaConsumer(**kafka_python_options(self.bootstrap), enable_auto_commit=False,
                                 auto_offset_reset="earliest", client_id="bench-memory-relay")
        publisher = EventPublisher(self.bootstrap, linger_ms=5)
        try:
            consumer.assign([TopicPartition(self.source, p) for p in sorted(consumer.partitions_for_topic(
                self.source) or ())])
            while not self._halt.is_set():
                for records in consumer.poll(timeout_ms=200, max_records=2000).values():
                    for record in records:
                        self._copy(publisher, record.value)
                publisher.flush()
        finally:
            publisher.close()
            consumer.close()

    def _copy(self, publisher: EventPublisher, value: bytes) -> None:
        try:
            event = decode_as(value, ArticleProcessed)
        except SchemaError:
            self.bad += 1
            return
        at = self.clock.at(int(event.article_id.rsplit("-", 1)[1]))
        publisher.publish_raw(self.target, event.article_id, encode(msgspec.structs.replace(event, occurred_at=at)))
        self.done.add(event.article_id)

    def stop(self) -> None:
        self._halt.set()
        self.join(30)


@dataclass
class Run:
    """What is measured while the articles go through."""

    worker: Side
    rest: Side
    relay: Relay
    receiver: Receiver | None  # None: the alerter and the delivery do not run
    broker_pid: int | None
    samples: list[Sample] = field(default_factory=list)
    api_errors: int = 0
    t0: float = field(default_factory=time.monotonic)

    def sample(self) -> Sample:
        pids = {**self.worker.pids(), **self.rest.pids()}
        if self.broker_pid:
            pids["broker"] = self.broker_pid
        memory = {name: m for name, pid in pids.items() if (m := memory_of(pid))}
        s = Sample(time.monotonic() - self.t0, len(self.relay.done), memory, pids)
        self.samples.append(s)
        self.ask_api()
        return s

    def ask_api(self) -> None:
        """A few lists from the API, as a dashboard would ask (its memory should not grow with them either)."""
        port = self.rest.env["MARSAD_API_PORT"]
        for path in API_PATHS:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
                    answer.read()
            except OSError:
                self.api_errors += 1

    def views_rows(self) -> int:
        try:
            with sqlite3.connect(self.rest.data / "views" / "views.sqlite", timeout=5) as conn:
                return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def behind(probe: LagProbe, topics: Topics, service: str) -> int:
    lag = next(s.lag for s in SERVICES if s.name == service)
    return sum(probe.group(lag.group_id(topics), lag.topic_names(topics)).values())


def push(run: Run, bootstrap: str, clock: Clock, n: int, window: int, backlog: int, every: float,
         stall: float, outlets: int) -> None:
    """Publish the N articles, at most ``window`` ahead of the worker (and none while the alerter has more
    than ``backlog`` messages to read), sampling every ``every`` seconds, until the worker has processed
    them all; article i from outlet ``i % outlets`` (0: each from no named outlet)."""
    topic = run.worker.topics.fetched
    docs = iter(enumerate(generate(n)))
    published, next_sample, last, moved = 0, 0.0, -1, time.monotonic()
    probe = LagProbe(bootstrap)
    alerter, asked = 0, 0.0
    with EventPublisher(bootstrap, linger_ms=5) as pub:
        while len(run.relay.done) < n:
            if run.relay.error:
                raise SystemExit(f"the relay failed: {run.relay.error!r}")
            if run.receiver and time.monotonic() - asked > 1:
                alerter, asked = behind(probe, run.rest.topics, "alerter"), time.monotonic()
            while published < n and published - len(run.relay.done) < window and alerter <= backlog:
                i, d = next(docs)
                at = clock.at(i)
                pub.publish(topic, d["id"], ArticleFetched(article_id=d["id"], title=d["title"], text=d["text"],
                                                           source=f"outlet-{i % outlets}" if outlets else "",
                                                           occurred_at=at, published=at))
                published += 1
            pub.flush()
            now = time.monotonic()
            if now - run.t0 >= next_sample:
                s = run.sample()
                next_sample += every
                print(f"  {s.at:6.0f} s  {s.done:>7,} processed  day {s.done / clock.per_day:5.1f}  "
                      + (f"alerter {alerter:,} behind  " if run.receiver else "")
                      + "  ".join(f"{k} {v[0] / 1024:.0f}" for k, v in s.memory.items()), file=sys.stderr)
            if len(run.relay.done) != last or alerter > backlog:  # waiting for the alerter is not a stall
                last, moved = len(run.relay.done), now
            elif now - moved > stall:
                raise SystemExit(f"no article processed for {stall:g} s ({last} of {n}); see the logs in "
                                 f"{run.worker.data / 'logs'} and {run.rest.data / 'logs'}")
            time.sleep(0.1)
    probe.close()


def drain(run: Run, bootstrap: str, n: int, every: float, timeout: float) -> bool:
    """Sample on until the views hold every article and the alerter and the delivery have read everything
    (twice in a row); False if ``timeout`` passed first."""
    probe = LagProbe(bootstrap)
    deadline, settled = time.monotonic() + timeout, 0
    try:
        while settled < 2:
            if time.monotonic() > deadline:
                return False
            time.sleep(every)
            s = run.sample()
            rows = run.views_rows()
            alerter = behind(probe, run.rest.topics, "alerter") if run.receiver else 0
            deliver = behind(probe, run.rest.topics, "deliver") if run.receiver else 0
            print(f"  {s.at:6.0f} s  draining: {rows:,} in the views, alerter {alerter:,} behind, delivery "
                  f"{deliver:,} behind", file=sys.stderr)
            settled = settled + 1 if rows >= n and alerter == 0 and deliver == 0 else 0
    finally:
        probe.close()
    run.sample()
    return True


def at_share(samples: list[Sample], done: int) -> Sample | None:
    return next((s for s in samples if s.done >= done), None)


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of (articles, MiB), in MiB per 10,000 articles."""
    if len(points) < 3:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx * 10_000 if sxx else None


def report(run: Run, n: int, drained: bool) -> None:
    names = list(dict.fromkeys(name for s in run.samples for name in s.memory))
    head = ["service", *(f"{p} %" for p in SHARES), "drained" if drained else "end", "peak", "slope 2nd half"]
    rows = []
    done_samples = [s for s in run.samples if s.done >= n]
    last = run.samples[-1]
    for name in names:
        row = [name]
        for p in SHARES:
            s = at_share(run.samples, n * p // 100)
            row.append(f"{s.memory[name][0] / 1024:,.0f}" if s and name in s.memory else "-")
        row.append(f"{last.memory[name][0] / 1024:,.0f}" if name in last.memory else "-")
        row.append(f"{max(s.memory[name][1] for s in run.samples if name in s.memory) / 1024:,.0f}")
        half = [(s.done, s.memory[name][0] / 1024) for s in run.samples
                if name in s.memory and n // 2 <= s.done and s not in done_samples[1:]]
        k = slope(half)
        row.append(f"{k:+.2f}" if k is not None else "-")
        rows.append(row)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    print("RSS in MiB (VmRSS; peak: VmHWM); slope: MiB per 10,000 articles over the second half")
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    restarted = sorted({name for s in run.samples for name, pid in s.pids.items()
                        if pid != run.samples[0].pids.get(name, pid)})
    if restarted:
        print("RESTARTED during the run (their figures start again): " + ", ".join(restarted))
    hook = run.receiver
    print((f"webhook: {len(hook.received):,} alert events received"
           + (f", {hook.bad_signatures} BAD SIGNATURES" if hook.bad_signatures else "") + "; " if hook else "")
          + f"API: {len(run.samples) * len(API_PATHS):,} requests, {run.api_errors} failed"
          + (f"; relay: {run.relay.bad} undecodable" if run.relay.bad else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="articles (default 100,000)")
    ap.add_argument("--per-day", type=int, default=2500, help="articles a simulated day (default 2,500)")
    ap.add_argument("--days", type=int, default=3,
                    help="MARSAD_DEDUP_DAYS and MARSAD_ALERT_STORY_DAYS (default 3)")
    ap.add_argument("--fired-days", type=int, default=10,
                    help="MARSAD_ALERT_FIRED_DAYS: how long a story that raised an alert is kept (default 10, so that "
                         "its plateau shows within the run; the service's default is 90)")
    ap.add_argument("--every", type=float, default=5.0, help="seconds between samples (default 5)")
    ap.add_argument("--window", type=int, default=2000,
                    help="most articles published ahead of the worker (default 2,000)")
    ap.add_argument("--backlog", type=int, default=5000,
                    help="most messages the alerter may have to read before publishing pauses (default 5,000)")
    ap.add_argument("--no-alerts", action="store_true", help="without the alerter and the delivery")
    ap.add_argument("--outlets", type=int, default=100,
                    help="article i comes from outlet i %% N (default 100); 0: no outlet named, so that every "
                         "article counts as an outlet of its own (the runs before 2026-12-05 16:00)")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--stall", type=float, default=300, help="seconds without progress before giving up")
    ap.add_argument("--drain", type=float, default=600,
                    help="seconds to wait for the views, alerter and delivery to catch up at the end")
    args = ap.parse_args()
    clock = Clock.ending_now(args.n, args.per_day)
    days = str(args.days)
    print(f"{args.n:,} articles (~4 KB), {args.per_day:,} a simulated day ({args.n / args.per_day:.1f} days); "
          f"MARSAD_DEDUP_DAYS={days} MARSAD_ALERT_STORY_DAYS={days} MARSAD_ALERT_FIRED_DAYS={args.fired_days}; "
          f"{args.outlets or 'no named'} outlets; one worker, {args.partitions} partitions"
          + ("; without the alerter and the delivery" if args.no_alerts else ""))
    with (tempfile.TemporaryDirectory(prefix="marsad-bench-memory-") as tmp,
          bench_kafka(Path(tmp) / "broker") as (bootstrap, broker)):
        root = Path(tmp)
        receiver = None if args.no_alerts else Receiver()
        alerts = {"MARSAD_ALERT_WEBHOOKS": str(receiver.write_endpoints(root / "webhooks.yaml")),
                  SECRET_ENV: SECRET} if receiver else {}
        worker = side(root, "worker", bootstrap, args.partitions, ALL_BUT_WORKER, MARSAD_DEDUP_DAYS=days)
        rest = side(root, "rest", bootstrap, args.partitions, ("worker", *(("alerter", "deliver") if
                    args.no_alerts else ())), MARSAD_ALERT_STORY_DAYS=days,
                    MARSAD_ALERT_FIRED_DAYS=str(args.fired_days), **alerts)
        worker.up()
        try:
            rest.up()
            try:
                relay = Relay(bootstrap, worker.topics.processed, rest.topics.processed, clock)
                relay.start()
                run = Run(worker, rest, relay, receiver, broker.pid() if broker else None)
                try:
                    push(run, bootstrap, clock, args.n, args.window, args.backlog, args.every, args.stall, args.outlets)
                    drained = drain(run, bootstrap, args.n, args.every, args.drain)
                finally:
                    relay.stop()
                took = run.samples[-1].at
                print(f"{args.n:,} articles in {took:,.0f} s ({args.n / took:,.1f} articles/s to the views), "
                      f"{len(run.samples)} samples, load average {os.getloadavg()[0]:.1f} at the end")
                report(run, args.n, drained)
                if not drained:
                    print(f"not drained within {args.drain:g} s: the last column is the end of the run")
            finally:
                rest.down()
        finally:
            worker.down()


if __name__ == "__main__":
    main()
