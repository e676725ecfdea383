"""The supervised pipeline end to end: ArticleFetched in, rows in the views out, with 1 and 2 workers.

    .venv/bin/python -m benchmarks.bench_pipeline [--n 600] [--rate 0] [--workers 1,2]

For each worker count: `marsad up --workers W` (the producer polls an empty
registry: the articles are published here, as its fetcher would), one warm-up article
through, then N ~4 KB ArticleFetched events, all at once (--rate 0: the
sustained throughput) or at --rate per second (latency at a steady load).
Latency is from publishing an article (its discovery, here) to its row in
the views database (polled every 50 ms); throughput is N over the time from
the first publish to the last row. Peak memory is each service's VmHWM.
Starts a local broker unless KAFKA_BOOTSTRAP_SERVERS is set.
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

from benchmarks.corpus import articles
from deploy.kafka.local import LocalKafka, free_port
from producers.publish import EventPublisher
from schemas.events import ArticleFetched
from schemas.topics import Topics

SKIP = ("--skip", "alerter", "--skip", "deliver")  # the alert services have benchmarks of their own
PORTS = ("MARSAD_WORKER_WEB_PORT", "MARSAD_VIEWS_METRICS_PORT", "MARSAD_PRODUCER_METRICS_PORT",
         "MARSAD_ALERTER_WEB_PORT", "MARSAD_DELIVER_METRICS_PORT", "MARSAD_API_PORT")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def marsad(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", "from deploy.cli import main; main()", *args], env=env,
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


def run(bootstrap: str, workers: int, n: int, rate: float, partitions: int) -> None:
    with tempfile.TemporaryDirectory(prefix="marsad-bench-") as tmp:
        data = Path(tmp)
        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
               "MARSAD_PARTITIONS": str(partitions), "MARSAD_DATA_DIR": str(data), "MARSAD_LOG_LEVEL": "warning"}
        env.pop("MARSAD_CONFIG", None)
        (data / "feeds.yaml").write_text("feeds: []\n")
        env["MARSAD_FEEDS"] = str(data / "feeds.yaml")
        env.update({name: str(free_port()) for name in PORTS})
        topics, db = Topics(prefix), data / "views" / "views.sqlite"
        marsad(env, "up", "--workers", str(workers), *SKIP)
        try:
            with EventPublisher(bootstrap) as pub:
                pub.publish(topics.fetched, "warm", ArticleFetched(article_id="warm", text="تحقق " * 50))
            while "warm" not in in_views(db):
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
            rss = peak_rss(data)
        finally:
            marsad(env, "down")
    load = f"at {rate:g}/s" if rate else "all at once"
    print(f"{workers} worker(s), {partitions} partitions, {n} articles (~4 KB) {load}: "
          f"{n / dt:,.1f} articles/s from ArticleFetched to the views")
    print(f"  latency publish (discovery) -> row in the views: p50 {pct(latencies, 50):.2f} s  "
          f"p95 {pct(latencies, 95):.2f} s" + ("" if rate else "  (includes queueing: all sent at once)"))
    print("  peak memory (VmHWM): " + ", ".join(f"{k} {v / 1024:,.0f} MiB" for k, v in rss.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--rate", type=float, default=0, help="articles/s to publish (0: all at once)")
    ap.add_argument("--workers", default="1,2", help="worker counts to measure, comma-separated")
    ap.add_argument("--partitions", type=int, default=4)
    args = ap.parse_args()
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None
    with tempfile.TemporaryDirectory(prefix="marsad-bench-broker-") as home:
        if not bootstrap:
            broker = LocalKafka(home, port=free_port(), controller_port=free_port(),
                                cache_dir=os.environ.get("MARSAD_CACHE_DIR", Path.home() / ".cache" / "marsad"))
            bootstrap = broker.start(quiet=True).bootstrap
            print(f"broker (local, heap 512m): pid {broker.pid()}, peak memory counted separately")
        try:
            for workers in (int(w) for w in args.workers.split(",")):
                run(bootstrap, workers, args.n, args.rate, args.partitions)
        finally:
            if broker:
                broker.stop(quiet=True)


if __name__ == "__main__":
    main()
