"""The supervised pipeline end to end: ArticleFetched in, rows in the views (and alerts at a webhook) out.

    .venv/bin/python -m benchmarks.bench_pipeline [--n 600] [--rate 0] [--workers 1,2] [--alerts]

For each worker count: `marsad up --workers W` (the poller polls an empty
registry: the articles are published here, as the fetcher would), one warm-up article
through, then N ~4 KB ArticleFetched events, all at once (--rate 0: the
sustained throughput) or at --rate per second (latency at a steady load).
Latency is from publishing an article (its discovery, here) to its row in
the views database (polled every 50 ms); throughput is N over the time from
the first publish to the last row. Peak memory is each service's VmHWM.
Starts a local broker unless KAFKA_BOOTSTRAP_SERVERS is set.

Without --alerts the alerter and the delivery are skipped (bench_alerts and
bench_delivery measure them). With --alerts they run too, with the shipped
rules (streams/alerts/rules.yaml) and one webhook on 127.0.0.1 registered
through MARSAD_ALERT_WEBHOOKS (`benchmarks.webhook`: it checks every
signature). Nearly every corpus article matches a shipped story rule (border
smuggling, captagon, raids...; the run prints the fraction). For each
article some alert event names (AlertRaised's article_ids, AlertUpdated's
article_id), the latency from publishing its ArticleFetched to the webhook's
receipt of the first such event is the discovery -> webhook figure. The run
ends when every article is in the views, the alerter has read everything and
every alert event on the alerts topic has reached the webhook.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson

from benchmarks.broker import bench_kafka
from benchmarks.corpus import articles
from benchmarks.webhook import SECRET, SECRET_ENV, Receiver
from marsad.deploy.kafka.local import free_port
from marsad.deploy.services.registry import SERVICES
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.kafka.read import read_all
from marsad.runtime.lag import LagProbe
from marsad.schemas.codec import SchemaError
from marsad.schemas.events import ArticleFetched
from marsad.schemas.topics import Topics
from marsad.streams.alerts.delivery.signing import idempotency_key

SKIP = ("--skip", "alerter", "--skip", "deliver")  # without --alerts: they have benchmarks of their own
WARM = "تحقق " * 50  # the warm-up article: matches no alert rule
WARM_ALERT = "ضبطت السلطات 3 ملايين حبة كبتاغون في درعا قرب الحدود الأردنية."  # raises captagon-large-seizure
PORTS = ("MARSAD_WORKER_WEB_PORT", "MARSAD_VIEWS_METRICS_PORT", "MARSAD_PRODUCER_METRICS_PORT",
         "MARSAD_FETCHER_METRICS_PORT", "MARSAD_ALERTER_WEB_PORT", "MARSAD_DELIVER_METRICS_PORT", "MARSAD_API_PORT")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def marsad(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", "from marsad.deploy.cli.main import main; main()", *args], env=env,
                          capture_output=True, text=True, check=False, timeout=600)
    if done.returncode:
        raise SystemExit(f"marsad {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def peak_rss(data: Path) -> dict[str, int]:
    """VmHWM (peak resident memory, KiB) of every running service."""
    state = orjson.loads((data / "services" / "state.json").read_bytes())
    out = {}
    for svc in state["services"]:
        try:
            status = Path(f"/proc/{svc['pid']}/status").read_text()
        except (OSError, TypeError):
            continue
        out[svc["name"]] = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return out


def in_views(db: Path) -> set[str]:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return {r[0] for r in conn.execute("SELECT article_id FROM articles")}
    except sqlite3.OperationalError:
        return set()


def alerts_settled(bootstrap: str, topics: Topics, probe: LagProbe, receiver: Receiver) -> tuple[bool, int]:
    """Has the alerter read everything, and has every alert event on the alerts topic reached the webhook?
    Also: how many alert events the topic holds."""
    lag = next(s.lag for s in SERVICES if s.name == "alerter")
    behind = sum(probe.group(lag.group_id(topics), lag.topic_names(topics)).values())
    keys = {idempotency_key(e) for e in read_all(bootstrap, topics.alerts) if not isinstance(e, SchemaError)}
    return behind == 0 and keys <= receiver.received.keys(), len(keys)


def wait_alerts(bootstrap: str, topics: Topics, receiver: Receiver, data: Path, timeout: float = 300) -> int:
    """Until `alerts_settled`, twice in a row a second apart; the number of alert events on the topic."""
    probe = LagProbe(bootstrap)
    deadline = time.monotonic() + timeout
    settled = 0
    try:
        while settled < 2:
            done, events = alerts_settled(bootstrap, topics, probe, receiver)
            settled = settled + 1 if done else 0
            if time.monotonic() > deadline:
                raise SystemExit(f"alerts not settled after {timeout:g} s: {events} alert events on the topic, "
                                 f"{len(receiver.received)} at the webhook; see the logs in {data / 'logs'}")
            time.sleep(1)
    finally:
        probe.close()
    return events


def run(bootstrap: str, workers: int, n: int, rate: float, partitions: int, alerts: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="marsad-bench-") as tmp:
        data = Path(tmp)
        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
               "MARSAD_PARTITIONS": str(partitions), "MARSAD_DATA_DIR": str(data), "MARSAD_LOG_LEVEL": "warning"}
        env.pop("MARSAD_CONFIG", None)
        (data / "feeds.yaml").write_text("feeds: []\n")
        env["MARSAD_FEEDS"] = str(data / "feeds.yaml")
        env.update({name: str(free_port()) for name in PORTS})
        receiver, on_topic = None, 0
        if alerts:  # a receiver per run: alert ids repeat across runs (same rules, same article ids)
            receiver = Receiver()
            env.pop("MARSAD_ALERT_RULES", None)  # the shipped rules
            env.update({"MARSAD_ALERT_WEBHOOKS": str(receiver.write_endpoints(data / "webhooks.yaml")),
                        SECRET_ENV: SECRET})
        topics, db = Topics(prefix), data / "views" / "views.sqlite"
        marsad(env, "up", "--workers", str(workers), *(() if alerts else SKIP))
        try:
            with EventPublisher(bootstrap) as pub:
                pub.publish(topics.fetched, "warm", ArticleFetched(article_id="warm", text=WARM_ALERT if alerts
                                                                   else WARM))
            deadline = time.monotonic() + 180
            while "warm" not in in_views(db) or (receiver and "warm" not in receiver.named):
                if time.monotonic() > deadline:
                    raise SystemExit(f"the warm-up article did not get through; see the logs in {data / 'logs'}")
                time.sleep(0.2)
            docs = articles(n)
            sent: dict[str, float] = {}
            seen: dict[str, float] = {}
            pub = EventPublisher(bootstrap, linger_ms=5)
            t0 = last_poll = time.perf_counter()
            for i, d in enumerate(docs):
                if rate:
                    delay = t0 + i / rate - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                sent[d["id"]] = time.perf_counter()
                pub.publish(topics.fetched, d["id"], ArticleFetched(article_id=d["id"], title=d["title"],
                                                                      text=d["text"]))
                if rate and time.perf_counter() - last_poll > 0.05:
                    pub.flush()
                    last_poll = time.perf_counter()
                    now = time.perf_counter()
                    seen.update({a: now for a in in_views(db) - seen.keys() if a in sent})
            pub.close()
            while len(seen) < n:
                time.sleep(0.05)
                now = time.perf_counter()
                seen.update({a: now for a in in_views(db) - seen.keys() if a in sent})
            dt = max(seen.values()) - t0
            latencies = [seen[a] - sent[a] for a in sent]
            if receiver:
                on_topic = wait_alerts(bootstrap, topics, receiver, data)
            rss = peak_rss(data)
        finally:
            marsad(env, "down")
    load = f"at {rate:g}/s" if rate else "all at once"
    queueing = "" if rate else "  (includes queueing: all sent at once)"
    print(f"{workers} worker(s), {partitions} partitions, {n} articles (~4 KB) {load}: "
          f"{n / dt:,.1f} articles/s from ArticleFetched to the views")
    print(f"  latency publish (discovery) -> row in the views: p50 {pct(latencies, 50):.2f} s  "
          f"p95 {pct(latencies, 95):.2f} s" + queueing)
    if receiver:
        hooked = [receiver.named[a] - sent[a] for a in sent if a in receiver.named]
        events = receiver.events
        print(f"  alerts (shipped rules): {len(hooked)} of {n} articles ({len(hooked) / n:.0%}) named by an alert "
              f"event at the webhook; {len(receiver.received)} of the {on_topic} alert events on the topic "
              f"delivered, warm-up's included ({events['AlertRaised']} AlertRaised, {events['AlertUpdated']} "
              f"AlertUpdated)" + (f"; {receiver.bad_signatures} BAD SIGNATURES" if receiver.bad_signatures else ""))
        if hooked:
            print(f"  latency publish (discovery) -> first alert event naming the article at the webhook: "
                  f"p50 {pct(hooked, 50):.2f} s  p95 {pct(hooked, 95):.2f} s  p99 {pct(hooked, 99):.2f} s"
                  + queueing)
    print("  peak memory (VmHWM): " + ", ".join(f"{k} {v / 1024:,.0f} MiB" for k, v in rss.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--rate", type=float, default=0, help="articles/s to publish (0: all at once)")
    ap.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--alerts", action="store_true",
                    help="run the alerter and the delivery too, to a local webhook (see the module doc)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="marsad-bench-broker-") as home, bench_kafka(home) as (bootstrap, broker):
        if broker:
            print(f"broker (local, heap 512m): pid {broker.pid()}, peak memory counted separately")
        for workers in (int(w) for w in args.workers.split(",")):
            run(bootstrap, workers, args.n, args.rate, args.partitions, args.alerts)

if __name__ == "__main__":
    main()
