"""Producer throughput without Kafka: sources polled per second, by kind; pages extracted per second on one core.

    .venv/bin/python -m benchmarks.bench_producers [--feeds 1000] [--mix rss=400,sitemap=200,page=200,telegram=200]
        [--items 10] [--servers 1] [--connections 20] [--seconds 5]

1. Polling: ``--servers`` HTTP server processes on 127.0.0.1 serve the
   documents of made-up sources (``benchmarks.source_site``): ``--feeds``
   small RSS feeds (``--items`` entries each), and the ``--mix`` of kinds:
   RSS feeds, sitemap indexes (a gzipped news sitemap, a gzipped monthly
   urlset, older children skipped by date), section pages and Telegram
   channel previews; every response has an ETag and Last-Modified. The real
   poller (``marsad.producers.poller.poll_feed`` with the shared ``Fetcher``) polls
   each set twice: first with no state (bodies fetched, decoded, parsed,
   canonicalised; a Telegram channel reads its older pages, an index its
   recent children), then with the state it kept (304 Not Modified; a
   sitemap index is read again and its children answer 304). The sets, in
   one run: RSS only (the reference), the mix polled together, then each
   kind of the mix alone. Each figure is sources per second and its ratio to
   the RSS-only figure of the same poll, with the requests the servers
   answered per source and the entries found per source.
   The servers run in their own processes so they do not share a core with
   the client. All sources sit on a few local hosts, so the per-host limit
   is raised to the global one (``--connections``); real sources spread
   over many hosts get the same effect with the default per-host limit.
2. Extraction: the bundled sample pages (``producers/samples/site``) decoded
   and extracted as the fetcher does it (``marsad.producers.pages.article``), for at least
   ``--seconds`` seconds each way (0 skips it): in this process (the
   reference), then isolated in worker processes (``marsad.producers.pages.isolation``,
   one worker and ``--workers``): pages per second, the ratio to the
   reference, peak memory.
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
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.source_site import KINDS, Document, documents, source_path
from marsad.producers.feeds.registry import Feed
from marsad.producers.feeds.state import FeedState
from marsad.producers.http import Fetcher, FetchOptions
from marsad.producers.pages.article import decode_and_extract
from marsad.producers.pages.isolation import ExtractionPool, IsolationOptions
from marsad.producers.pages.reader import ExtractOptions
from marsad.producers.poller import PollOptions, PollOutcome, poll_feed
from marsad.producers.samples import SITE_DIR

LAST_MODIFIED = formatdate(1731700000, usegmt=True)
DEFAULT_MIX = "rss=400,sitemap=200,page=200,telegram=200"
WARM_UP = 10  # sources of each kind polled once before the timed sets
Source = tuple[str, int]  # (kind, number)
Traffic = Any  # a multiprocessing.Array("q", 2): requests the servers answered, body bytes sent (its type is not importable)


class _SourceHandler(BaseHTTPRequestHandler):
    """Serves the documents by path (query included) with conditional GET; counts requests and bytes."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in one write, without Nagle: else each response waits ~40 ms for the
    # client's delayed ACK between the two, and the figures measure that wait, not the poller.
    wbufsize = -1
    disable_nagle_algorithm = True

    def __init__(self, served: dict[str, Document], traffic: Traffic,
                 *args: object, **kwargs: object) -> None:
        self.served = served
        self.traffic = traffic
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        document = self.served.get(self.path)
        etag = f'"{self.path}"'
        if document is None:
            self._count(0)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.headers.get("If-None-Match") == etag:
            self._count(0)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._count(len(document.body))
            self.send_response(200)
            self.send_header("Content-Type", document.content_type)
            for name, value in document.headers.items():
                self.send_header(name, value)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Content-Length", str(len(document.body)))
            self.end_headers()
            self.wfile.write(document.body)

    def _count(self, body_bytes: int) -> None:
        with self.traffic.get_lock():
            self.traffic[0] += 1
            self.traffic[1] += body_bytes

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    # The listen backlog is set when the socket is bound: a short one drops the SYNs of a burst of
    # new connections, which the client resends a second later (a pause per poll, not the poller's).
    request_queue_size = 1024
    daemon_threads = True


def _serve(shard: int, sources: list[Source], items: int, now: datetime, traffic: Traffic,
           ports: multiprocessing.Queue) -> None:
    served: dict[str, Document] = {}
    server = _Server(("127.0.0.1", 0), partial(_SourceHandler, served, traffic))
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    for kind, number in sources:  # the documents name their own addresses: built once the port is known
        served.update(documents(kind, number, origin=origin, items=items, now=now))
    ports.put((shard, server.server_address[1]))
    server.serve_forever()


@dataclass(frozen=True, slots=True)
class Round:
    """One poll of a set of sources: how long it took, what each returned, what the servers sent."""

    seconds: float
    outcomes: list[PollOutcome]
    requests: int
    body_bytes: int

    def per_second(self) -> float:
        return len(self.outcomes) / self.seconds


async def poll_all(feeds: list[Feed], states: dict[str, FeedState], options: FetchOptions) -> tuple[float, list[PollOutcome]]:
    """Poll every source once, concurrently; update ``states``; return (seconds, outcomes)."""
    poll = PollOptions()
    async with Fetcher(options) as fetcher:
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(poll_feed(f, states.get(f.id), fetcher, poll) for f in feeds))
        elapsed = time.perf_counter() - started
    for outcome in outcomes:
        states[outcome.feed_id] = outcome.state
    return elapsed, list(outcomes)


def poll_twice(feeds: list[Feed], options: FetchOptions, traffic: Traffic) -> tuple[Round, Round]:
    """The first poll (no state) and the second (the state the first kept) of ``feeds``."""
    states: dict[str, FeedState] = {}
    rounds = []
    for _ in range(2):
        requests, body_bytes = traffic[:]
        seconds, outcomes = asyncio.run(poll_all(feeds, states, options))
        rounds.append(Round(seconds, outcomes, traffic[0] - requests, traffic[1] - body_bytes))
    return rounds[0], rounds[1]


def parse_mix(text: str) -> dict[str, int]:
    """``rss=400,sitemap=200`` as {kind: count}; raises ValueError naming what is wrong."""
    mix: dict[str, int] = {}
    for part in filter(None, (part.strip() for part in text.split(","))):
        kind, _, count = part.partition("=")
        kind = kind.strip()
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
        if not count.strip().isdigit():
            raise ValueError(f"{part!r}: the count must be a whole number, as in {kind}=200")
        mix[kind] = mix.get(kind, 0) + int(count)
    if not sum(mix.values()):
        raise ValueError("the mix names no source")
    return mix


def feed_of(kind: str, number: int, port: int) -> Feed:
    return Feed(id=f"{kind}-{number}", url=f"http://127.0.0.1:{port}{source_path(kind, number)}", kind=kind)


def bench_polling(args: argparse.Namespace) -> None:
    """Poll the RSS-only set, the mix and each kind of it (see the module doc); print the two tables."""
    mix_text = ", ".join(f"{kind} {count}" for kind, count in args.mix.items())
    print(f"polling from {args.servers} local server process(es), {args.connections} connections: "
          f"RSS only ({args.feeds} feeds of {args.items} entries), then the mix ({mix_text}) together, "
          "then each kind alone")
    results = measure_polling(args)
    for poll, title in enumerate(("first poll (no state: bodies parsed, older pages and children read)",
                                  "second poll (the kept state: 304 Not Modified, an index read again)")):
        print(title)
        print(f"  {'':<18}{'sources':>8}{'sources/s':>11}{'vs RSS':>8}{'requests':>10}{'KiB':>6}{'entries':>9}  outcomes")
        base = results[0][1][poll].per_second()
        for label, rounds in results:
            print(row(label, rounds[poll], base))
    for label, rounds in results:
        failed = [outcome for polled in rounds for outcome in polled.outcomes if outcome.failure is not None]
        if failed:
            first = failed[0]
            print(f"  {len(failed)} failed poll(s) in {label.strip()}, the first: {first.feed_id}: "
                  f"{first.failure.kind}: {first.failure.reason}")


def measure_polling(args: argparse.Namespace) -> list[tuple[str, tuple[Round, Round]]]:
    """Serve the sources, poll each set twice; return (label, (first poll, second poll)) by set, RSS only first."""
    reference: list[Source] = [("rss", n) for n in range(args.feeds)]
    mixed: list[Source] = []
    for kind, count in args.mix.items():
        mixed += [(kind, len(reference) + len(mixed) + k) for k in range(count)]
    sources = reference + mixed
    processes = multiprocessing.get_context("spawn")  # a fork of a process with threads (pytest's) may hang
    ports: multiprocessing.Queue = processes.Queue()
    traffic: Traffic = processes.Array("q", 2)
    now = datetime.now(UTC)
    shard_of = {source: k % args.servers for k, source in enumerate(sources)}
    servers = [processes.Process(target=_serve, args=(k, sources[k :: args.servers], args.items, now,
                                                            traffic, ports), daemon=True)
               for k in range(args.servers)]
    for process in servers:
        process.start()
    try:
        port_of = dict(ports.get(timeout=120) for _ in servers)

        def feeds(chosen: list[Source]) -> list[Feed]:
            return [feed_of(kind, number, port_of[shard_of[kind, number]]) for kind, number in chosen]

        options = FetchOptions(allow_private=True, max_connections=args.connections,
                               per_host_connections=args.connections, read_timeout=30, total_timeout=60)
        warm_up = [source for kind in KINDS for source in [s for s in sources if s[0] == kind][:WARM_UP]]
        poll_twice(feeds(warm_up), options, traffic)  # imports, thread pool, first parses: not timed
        sets = [("RSS only", reference), ("mix together", mixed)]
        sets += [(f"  {kind} alone", [s for s in mixed if s[0] == kind]) for kind in args.mix]
        return [(label, poll_twice(feeds(chosen), options, traffic)) for label, chosen in sets if chosen]
    finally:
        for process in servers:
            process.terminate()
            process.join()


def row(label: str, polled: Round, base: float) -> str:
    """One line of the table: requests, KiB (bodies as sent, before gzip is undone) and entries are per source."""
    count = len(polled.outcomes)
    statuses = Counter(outcome.status for outcome in polled.outcomes)
    entries = sum(len(outcome.entries) for outcome in polled.outcomes)
    return (f"  {label:<18}{count:>8,}{polled.per_second():>11,.0f}{polled.per_second() / base:>8.2f}"
            f"{polled.requests / count:>10.1f}{polled.body_bytes / count / 1024:>6.1f}{entries / count:>9.1f}  "
            + ", ".join(f"{status} {n}" for status, n in statuses.most_common()))


def bench_extraction(args: argparse.Namespace) -> None:
    """The fetcher's extraction step (decode, trafilatura, mojibake check) over the sample pages, three ways
    in one run: in this process (the reference), then isolated in worker processes as the fetcher runs it
    (`marsad.producers.pages.isolation`), one worker and ``--workers`` workers; pages/s and peak memory of each."""
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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000, help="RSS feeds of the reference set (RSS only)")
    parser.add_argument("--mix", default=DEFAULT_MIX,
                        help=f"sources of each kind polled together, then kind by kind (default {DEFAULT_MIX}; "
                             f"kinds: {', '.join(KINDS)})")
    parser.add_argument("--items", type=int, default=10, help="entries per RSS feed")
    parser.add_argument("--servers", type=int, default=1, help="HTTP server processes")
    parser.add_argument("--connections", type=int, default=20, help="requests in flight at once (the default MARSAD_POLL_CONCURRENCY)")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to extract pages, each way (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="extraction worker processes (MARSAD_EXTRACT_WORKERS)")
    args = parser.parse_args()
    if args.feeds < 1 or args.servers < 1 or args.connections < 1:
        parser.error("--feeds, --servers and --connections must be at least 1")
    try:
        args.mix = parse_mix(args.mix)
    except ValueError as exc:
        parser.error(f"--mix: {exc}")
    print(f"{os.cpu_count()} CPUs; python {platform.python_version()}")
    bench_polling(args)
    if args.seconds > 0:
        bench_extraction(args)


if __name__ == "__main__":
    main()
