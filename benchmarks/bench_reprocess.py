"""`marsad replay --reprocess` rate: the fetched history analysed again, against `marsad classify` in the same run.

    .venv/bin/python -m benchmarks.bench_reprocess [--n 100000] [--workers 1,2] [--reference 3000]

Starts its own broker (deploy/kafka) in a temporary data dir (or uses
KAFKA_BOOTSTRAP_SERVERS), publishes ``n`` ArticleFetched events (the
benchmark corpus, ~4 KB Arabic articles) to 4 partitions, then times the
reprocessing step of `marsad replay --reprocess` (read the verdicts, read
the fetched log, analyse, publish every ArticleProcessed, flush) once per
``--workers`` count. The reference is the single-core classify rate, measured
in this process on ``--reference`` articles of the same corpus just before
each run: the figure to compare is reprocess rate / (classify rate x workers).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.broker import bench_kafka, fresh_topics
from benchmarks.corpus import articles
from marsad.consumers.reprocess import reprocess
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import ArticleFetched
from marsad.streams.pipeline import Resources, analyse

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def classify_rate(docs: list[dict], res: Resources) -> float:
    """Articles per second through `analyse` on this one core (the best of two passes)."""
    best = 0.0
    for _ in range(2):
        t0 = time.perf_counter()
        for d in docs:
            analyse(d["text"], res, title=d["title"])
        best = max(best, len(docs) / (time.perf_counter() - t0))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--workers", default=f"{len(os.sched_getaffinity(0))}",
                    help="comma-separated worker counts to time (default: the cores this process may use)")
    ap.add_argument("--reference", type=int, default=3000, help="articles timed through classify for the reference")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    tmp = tempfile.TemporaryDirectory(prefix="bench-reprocess-")
    kafka = ExitStack()
    try:
        bootstrap, _ = kafka.enter_context(bench_kafka(Path(tmp.name) / "kafka"))
        res = Resources.load()
        docs = articles(args.n)
        for workers in counts:
            topics = fresh_topics(bootstrap)
            with EventPublisher(bootstrap, client_id="bench") as pub:
                for i, d in enumerate(docs):
                    pub.publish(topics.fetched, d["id"], ArticleFetched(
                        article_id=d["id"], url=f"https://example.org/{i}", source="bench", title=d["title"],
                        text=d["text"], lang="ar", published=T0 + timedelta(minutes=i)))
            reference = classify_rate(docs[:args.reference], res)
            with EventPublisher(bootstrap, client_id="bench-reprocess") as pub:
                t0 = time.perf_counter()
                report = reprocess(bootstrap, topics, res, pub, workers=workers)
                seconds = time.perf_counter() - t0
            rate = report.published / seconds
            print(f"workers {workers}: {report.published:,} articles reprocessed in {seconds:.1f} s = {rate:,.0f}/s; "
                  f"classify on one core {reference:,.0f}/s; ratio to classify x {workers}: "
                  f"{rate / (reference * workers):.2f} (target >= 0.67)", flush=True)
    finally:
        kafka.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
