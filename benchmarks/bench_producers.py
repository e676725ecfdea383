"""Producer throughput without Kafka: feeds polled per second, pages extracted per second on one core.

    .venv/bin/python -m benchmarks.bench_producers [--feeds 1000] [--items 10] [--servers 1] [--connections 20]

1. Polling: ``--servers`` HTTP server processes on 127.0.0.1 serve ``--feeds``
   small RSS feeds (``--items`` entries each, ETag and Last-Modified). The
   real poller (``producers.poller.poll_feed`` with the shared ``Fetcher``)
   polls them all twice: first with no state (200 with a body: fetch, decode,
   parse, canonicalise), then with the validators it kept (304, no body).
   The servers run in their own processes so they do not share a core with
   the client. All feeds sit on a few local hosts, so the per-host limit is
   raised to the global one (``--connections``); real feeds spread over many
   hosts get the same effect with the default per-host limit.
2. Extraction: the bundled sample pages (``producers/samples/site``) decoded
   and extracted as the fetcher does it (``producers.pagetext``), for at least
   ``--seconds`` seconds each way: in this process (the reference), then
   isolated in worker processes (``producers.isolation``, one worker and
   ``--workers``): pages per second, the ratio to the reference, peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import resource
import time
from collections import Counter
from collections.abc import Callable
from email.utils import formatdate
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from producers.extract import ExtractOptions
from producers.feeds.registry import Feed
from producers.feeds.state import FeedState
from producers.http import Fetcher, FetchOptions
from producers.isolation import ExtractionPool, IsolationOptions
from producers.pagetext import decode_and_extract
from producers.poller import PollOptions, poll_feed
from producers.samples import SITE_DIR

LAST_MODIFIED = formatdate(1731700000, usegmt=True)


def feed_body(number: int, items: int) -> bytes:
    entries = "".join(
        f"<item><title>خبر رقم {i} من المصدر {number}</title>"
        f"<link>http://127.0.0.1/outlet-{number}/news/{i}.html?utm_source=rss</link>"
        f"<pubDate>Sat, 16 Nov 2024 {i % 24:02d}:00:00 GMT</pubDate>"
        f"<description>ملخص قصير للخبر رقم {i} يتحدث عن تطورات ميدانية في المنطقة.</description></item>"
        for i in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>المصدر {number}</title><link>http://127.0.0.1/outlet-{number}/</link>"
        f"<description>bench</description>{entries}</channel></rss>"
    ).encode()


class _FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, bodies: dict[str, bytes], *args: object, **kwargs: object) -> None:
        self.bodies = bodies
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        body = self.bodies.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = f'"{self.path}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", LAST_MODIFIED)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(shard: int, numbers: list[int], items: int, ports: multiprocessing.Queue) -> None:
    bodies = {f"/feeds/{n}.xml": feed_body(n, items) for n in numbers}
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_FeedHandler, bodies))
    server.daemon_threads = True
    server.request_queue_size = 1024
    ports.put((shard, server.server_address[1]))
    server.serve_forever()


async def poll_all(feeds: list[Feed], states: dict[str, FeedState], options: FetchOptions) -> tuple[float, Counter]:
    """Poll every feed once, concurrently; update ``states``; return (seconds, statuses)."""
    poll = PollOptions()
    async with Fetcher(options) as fetcher:
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(poll_feed(f, states.get(f.id), fetcher, poll) for f in feeds))
        elapsed = time.perf_counter() - started
    for outcome in outcomes:
        states[outcome.feed_id] = outcome.state
    return elapsed, Counter(outcome.status for outcome in outcomes)


def bench_polling(args: argparse.Namespace) -> None:
    ports: multiprocessing.Queue = multiprocessing.Queue()
    shards = [list(range(args.feeds))[k :: args.servers] for k in range(args.servers)]
    servers = [multiprocessing.Process(target=_serve, args=(k, shard, args.items, ports), daemon=True)
               for k, shard in enumerate(shards)]
    for process in servers:
        process.start()
    try:
        port_of = dict(ports.get(timeout=10) for _ in servers)
        feeds = [Feed(id=f"feed-{n}", url=f"http://127.0.0.1:{port_of[n % args.servers]}/feeds/{n}.xml")
                 for n in range(args.feeds)]
        options = FetchOptions(allow_private=True, max_connections=args.connections,
                               per_host_connections=args.connections, read_timeout=30, total_timeout=60)
        states: dict[str, FeedState] = {}
        print(f"polling {args.feeds} feeds of {args.items} entries from {args.servers} local server process(es), "
              f"{args.connections} connections")
        for label in ("first poll (200, body parsed)", "second poll (304, not modified)"):
            elapsed, statuses = asyncio.run(poll_all(feeds, states, options))
            print(f"  {label:<34} {args.feeds / elapsed:>8,.0f} feeds/s  ({elapsed:.2f} s; {dict(statuses)})")
    finally:
        for process in servers:
            process.terminate()
            process.join()


def bench_extraction(args: argparse.Namespace) -> None:
    """The fetcher's extraction step (decode, trafilatura, mojibake check) over the sample pages, three ways
    in one run: in this process (the reference), then isolated in worker processes as the fetcher runs it
    (`producers.isolation`), one worker and ``--workers`` workers; pages/s and peak memory of each."""
    pages = [(path, path.read_bytes()) for path in sorted(SITE_DIR.rglob("*.html")) if path.name != "index.html"]
    jobs = [(content, None, f"http://127.0.0.1/{path.relative_to(SITE_DIR)}", ExtractOptions())
            for path, content in pages]
    size = sum(len(content) for _, content in pages) / len(pages)
    print(f"extracting {len(jobs)} sample pages (mean {size / 1024:.1f} KiB): decode + trafilatura + mojibake check")
    for job in jobs:  # warm-up: imports, caches
        decode_and_extract(*job)
    done, elapsed = _timed(args.seconds, jobs, lambda job: decode_and_extract(*job))
    reference = done / elapsed
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'in this process (reference)':<34} {reference:>8,.1f} pages/s  ({1000 * elapsed / done:.1f} ms a page; "
          f"peak RSS of the process {peak:,.0f} MB)")
    for workers in sorted({1, args.workers}):
        rate, peaks, startup = asyncio.run(_isolated(jobs, workers, args.seconds))
        print(f"  {f'isolated, {workers} worker process(es)':<34} {rate:>8,.1f} pages/s  (x{rate / reference:.2f} the "
              f"reference; pool start {startup:.1f} s; peak RSS per worker {', '.join(f'{p:,.0f}' for p in peaks)} MB)")


def _timed(seconds: float, jobs: list, call: Callable[[tuple], object]) -> tuple[int, float]:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for job in jobs:
            call(job)
            done += 1
    return done, time.perf_counter() - started


async def _isolated(jobs: list, workers: int, seconds: float) -> tuple[float, list[float], float]:
    """Pages/s through a pool of ``workers`` (that many pages in flight), the workers' peak RSS, the pool's start."""
    started = time.perf_counter()
    async with ExtractionPool(IsolationOptions(workers=workers, tasks_per_worker=10**9)) as pool:
        startup = time.perf_counter() - started
        for job in jobs:  # warm-up: each worker imports trafilatura on its first pages
            await pool.run(*job)
        done = 0

        async def lane() -> None:
            nonlocal done
            while time.perf_counter() - began < seconds:
                for job in jobs:
                    await pool.run(*job)
                    done += 1

        began = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(workers)))
        elapsed = time.perf_counter() - began
        peaks = [_peak_rss_mb(w.process.pid) for w in pool._all]  # read before the pool stops them
    return done / elapsed, peaks, startup


def _peak_rss_mb(pid: int | None) -> float:
    """A live process's peak resident memory (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000, help="feeds served and polled")
    parser.add_argument("--items", type=int, default=10, help="entries per feed")
    parser.add_argument("--servers", type=int, default=1, help="HTTP server processes")
    parser.add_argument("--connections", type=int, default=20, help="requests in flight at once (the default MARSAD_POLL_CONCURRENCY)")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to extract pages, each way")
    parser.add_argument("--workers", type=int, default=2, help="extraction worker processes (MARSAD_EXTRACT_WORKERS)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; python {platform.python_version()}")
    bench_polling(args)
    bench_extraction(args)


if __name__ == "__main__":
    main()
