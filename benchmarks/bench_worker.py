"""The stream worker through the real broker: rate and end-to-end latency.

    .venv/bin/python -m benchmarks.bench_worker [--n 2000] [--rate 0]

Starts a local broker (or uses KAFKA_BOOTSTRAP_SERVERS) and one `marsad
worker` process, publishes N ~4 KB ArticleFetched events (all at once, or
at --rate per second), and reads articles.processed. Latency is from the
moment an event was published to the moment its ArticleProcessed was read.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from kafka import KafkaConsumer

from benchmarks.corpus import articles
from deploy.demo import stop_worker
from deploy.kafka.local import LocalKafka, free_port
from deploy.topics import create_topics
from producers.publish import EventPublisher
from schemas.codec import decode
from schemas.events import ArticleFetched
from schemas.topics import Topics


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=0, help="articles/s to publish (0: as fast as possible)")
    ap.add_argument("--partitions", type=int, default=4)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    data = Path(tmp.name)
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None
    if not bootstrap:
        broker = LocalKafka(data, port=free_port(), controller_port=free_port(),
                            cache_dir=os.environ.get("MARSAD_CACHE_DIR", Path.home() / ".cache" / "marsad"))
        bootstrap = broker.start(quiet=True).bootstrap
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    create_topics(bootstrap, prefix, args.partitions)
    topics = Topics(prefix)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
           "MARSAD_PARTITIONS": str(args.partitions), "MARSAD_DATA_DIR": str(data),
           "MARSAD_WORKER_WEB_PORT": str(free_port()), "MARSAD_LOG_LEVEL": "warning"}
    log = open(data / "worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen([sys.executable, "-m", "deploy.cli", "worker"], env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    consumer = KafkaConsumer(topics.processed, bootstrap_servers=bootstrap, group_id="bench",
                             auto_offset_reset="earliest", enable_auto_commit=False)
    try:
        # warm-up: one article through, so start-up and rebalance are not measured
        with EventPublisher(bootstrap) as pub:
            pub.publish(topics.fetched, "warm", ArticleFetched(article_id="warm", text="تحقق " * 50))
        while not any(consumer.poll(timeout_ms=1000).values()):
            if worker.poll() is not None:
                raise SystemExit((data / "worker.log").read_text()[-3000:])
        docs = articles(args.n)
        sent: dict[str, float] = {}
        latencies: list[float] = []
        pub = EventPublisher(bootstrap, linger_ms=5)
        t0 = time.perf_counter()
        for i, d in enumerate(docs):
            if args.rate:
                delay = t0 + i / args.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            ev = ArticleFetched(article_id=d["id"], title=d["title"], text=d["text"])
            sent[d["id"]] = time.perf_counter()
            pub.publish(topics.fetched, d["id"], ev)
            if not args.rate and i % 200 == 0:
                pub.flush()
            for records in consumer.poll(timeout_ms=0).values():
                now = time.perf_counter()
                latencies += [now - sent[decode(r.value).article_id] for r in records]
        pub.close()
        while len(latencies) < args.n:
            for records in consumer.poll(timeout_ms=1000).values():
                now = time.perf_counter()
                latencies += [now - sent[decode(r.value).article_id] for r in records]
        dt = time.perf_counter() - t0
        print(f"worker: {args.n} articles (~4 KB) through 1 worker, {args.partitions} partitions: "
              f"{args.n / dt:,.0f} articles/s")
        print(f"end-to-end latency (published -> processed read): p50 {pct(latencies, 50) * 1000:,.0f} ms  "
              f"p95 {pct(latencies, 95) * 1000:,.0f} ms  p99 {pct(latencies, 99) * 1000:,.0f} ms"
              + ("" if args.rate else "  (all published at once: latency includes queueing)"))
    finally:
        consumer.close()
        stop_worker(worker)
        if broker:
            broker.stop(quiet=True)
        tmp.cleanup()


if __name__ == "__main__":
    main()
