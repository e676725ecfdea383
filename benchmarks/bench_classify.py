"""`marsad classify` throughput on one core, ~4 KB Arabic articles.

    .venv/bin/python -m benchmarks.bench_classify [--n 2000]

Runs the same code as the command (streams.offline over JSONL lines), in
this one process, after the resources are loaded (load time printed apart).
"""

from __future__ import annotations

import argparse
import io
import time

import orjson

from benchmarks.corpus import articles
from streams.offline import run
from streams.pipeline import Resources


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    docs = articles(args.n)
    data = b"".join(orjson.dumps(d) + b"\n" for d in docs)
    t0 = time.perf_counter()
    res = Resources.load()
    load = time.perf_counter() - t0
    run(io.BytesIO(data[: 20 * 4500]), io.BytesIO(), res)  # warm up
    out = io.BytesIO()
    t0 = time.perf_counter()
    n = run(io.BytesIO(data), out, res)
    dt = time.perf_counter() - t0
    avg = sum(len(d["text"].encode()) for d in docs) / len(docs)
    print(f"resources loaded in {load:.2f}s")
    print(f"classify: {n} articles of {avg / 1000:.1f} KB avg in {dt:.2f}s = {n / dt:,.0f} articles/s "
          f"({dt / n * 1000:.2f} ms/article, one core)")


if __name__ == "__main__":
    main()
