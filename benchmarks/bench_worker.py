"""The stream worker through the real broker: rate and end-to-end latency.

    .venv/bin/python -m benchmarks.bench_worker [--n 2000] [--rate 0] [--warm-up 1000] [--workers 1] [--profile out.svg]
        [--broker-pid PID]

Starts a local broker (or uses KAFKA_BOOTSTRAP_SERVERS) and one `marsad
worker` process (or ``--workers`` of them, sharing the partitions), publishes N ~4 KB ArticleFetched events (all at once, or
at --rate per second), and reads articles.processed. Latency is from the
moment an event was published to the moment its ArticleProcessed was read.
Before the clock starts, --warm-up articles of another seed go through, as
services that run for months are warm (the broker's JIT, the worker's clients
and dedup state); the events are encoded before the clock too, and the
results are read by key on a thread of their own, so that the benchmark's
own clients take as little as they can from the cores the worker and the
broker share.

The reference, measured in the same run on the same corpus: `marsad
classify`'s code (`marsad.streams.offline` over JSONL) on one core, best of two
passes, in this process; the worker's rate is printed as a share of it,
and its CPU per article (its analysis processes included) beside classify's.
The worker's settings come from the environment: MARSAD_ANALYSE_WORKERS=0
measures it analysing in its event loop's process. With KAFKA_BOOTSTRAP_SERVERS
naming a broker already running, ``--broker-pid`` counts its CPU.
With ``--profile``, py-spy (if installed) records the worker while the
articles go through and writes a flame graph.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import orjson
from kafka import KafkaConsumer

from benchmarks.broker import bench_kafka, fresh_topics, stop_worker
from benchmarks.corpus import articles
from marsad.deploy.kafka.local import free_port
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.codec import encode
from marsad.schemas.events import ArticleFetched
from marsad.streams.offline import run as classify_run
from marsad.streams.pipeline import Resources

WARM_UP_SEED = 8  # the measured articles are seed 7's (`benchmarks.corpus`)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def classify_rate(docs: list[dict]) -> tuple[float, float]:
    """Articles/s of `marsad classify`'s code over ``docs`` on one core, the best of two passes: by the
    wall clock and by CPU time."""
    data = b"".join(orjson.dumps(d) + b"\n" for d in docs)
    res = Resources.load()
    classify_run(io.BytesIO(data[: 20 * 4500]), io.BytesIO(), res)  # warm up
    rates, cpu_rates = [], []
    for _ in range(2):
        t0, c0 = time.perf_counter(), time.process_time()
        n = classify_run(io.BytesIO(data), io.BytesIO(), res)
        rates.append(n / (time.perf_counter() - t0))
        cpu_rates.append(n / (time.process_time() - c0))
    return max(rates), max(cpu_rates)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0 where unavailable."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def children_cpu_seconds(pid: int) -> float:
    """`cpu_seconds` of the live child processes of ``pid`` (the worker's analysis processes)."""
    return sum(cpu_seconds(int(p.name)) for p in Path("/proc").iterdir()
               if p.name.isdigit() and (_stat(int(p.name)) or [None, ""])[1] == str(pid))


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...), empty where unavailable."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def profile(pid: int, out: str) -> subprocess.Popen | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("--profile: py-spy is not installed (.venv/bin/pip install py-spy)", file=sys.stderr)
        return None
    fmt = "raw" if out.endswith(".txt") else "flamegraph"  # raw: one line per stack with its count
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--output", out, "--rate", "50", "--nonblocking", "--subprocesses",
                             "--format", fmt],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stopped(workers: list[subprocess.Popen], data: Path) -> None:
    """End the benchmark with the first worker's log when a worker has stopped."""
    if any(w.poll() is not None for w in workers):
        raise SystemExit(f"a worker stopped:\n{(data / 'worker-0.log').read_text()[-3000:]}")


def warm_up(n: int, bootstrap: str, topic: str, consumer: KafkaConsumer, workers: list[subprocess.Popen],
            data: Path) -> None:
    """``n`` other articles through the worker before the clock starts, as services that run for months are
    warm: the broker's JIT has compiled its paths, the worker's clients and dedup state are in use."""
    if not n:
        return
    with EventPublisher(bootstrap, linger_ms=5) as pub:
        for d in articles(n, seed=WARM_UP_SEED):
            warm_id = f"warm-{d['id']}"
            pub.publish(topic, warm_id, ArticleFetched(article_id=warm_id, title=d["title"], text=d["text"]))
    read = 0
    while read < n:
        read += sum(len(records) for records in consumer.poll(timeout_ms=1000).values())
        stopped(workers, data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=0, help="articles/s to publish (0: as fast as possible)")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--warm-up", type=int, default=1000, metavar="N", help="articles (of another seed) through "
                    "the worker before the clock starts (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=1, help="`marsad worker` processes sharing the partitions")
    ap.add_argument("--broker-pid", type=int, metavar="PID", help="with KAFKA_BOOTSTRAP_SERVERS: the broker's "
                    "process, to count its CPU (a broker kept running across runs has its JIT warm)")
    ap.add_argument("--profile", metavar="FILE", help="record the worker with py-spy: a flame graph (.svg) "
                    "or collapsed stacks (.txt)")
    args = ap.parse_args()
    docs = articles(args.n)
    reference, reference_cpu = classify_rate(docs)
    print(f"reference: marsad classify's code on the same {args.n} articles, one core: {reference:,.0f} articles/s "
          f"({1000 / reference_cpu:.2f} ms of CPU an article)")
    tmp = tempfile.TemporaryDirectory()
    data = Path(tmp.name)
    kafka = ExitStack()
    bootstrap, _ = kafka.enter_context(bench_kafka(data))
    topics = fresh_topics(bootstrap, args.partitions)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": topics.prefix,
           "MARSAD_PARTITIONS": str(args.partitions), "MARSAD_DATA_DIR": str(data),
           "MARSAD_LOG_LEVEL": "warning"}
    workers = [subprocess.Popen([sys.executable, "-m", "marsad.deploy.cli.main", "worker"],
                                env={**env, "MARSAD_WORKER_WEB_PORT": str(free_port())},
                                stdout=open(data / f"worker-{i}.log", "wb"),  # noqa: SIM115
                                stderr=subprocess.STDOUT, start_new_session=True)
               for i in range(args.workers)]
    worker = workers[0]

    def cpu_of_workers() -> tuple[float, float]:
        """CPU seconds so far of the workers' own processes, and of their analysis processes."""
        return (sum(cpu_seconds(w.pid) for w in workers), sum(children_cpu_seconds(w.pid) for w in workers))
    consumer = KafkaConsumer(topics.processed, bootstrap_servers=bootstrap, group_id="bench",
                             auto_offset_reset="earliest", enable_auto_commit=False)
    try:
        # warm-up: one article through, so start-up and rebalance are not measured
        with EventPublisher(bootstrap) as pub:
            pub.publish(topics.fetched, "warm", ArticleFetched(article_id="warm", text="تحقق " * 50))
        while not any(consumer.poll(timeout_ms=1000).values()):
            stopped(workers, data)
        if args.workers > 1:
            time.sleep(15)  # the group settles: every worker holds its partitions before the clock starts
        warm_up(args.warm_up, bootstrap, topics.fetched, consumer, workers, data)
        idle0 = sum(cpu_of_workers())
        time.sleep(5)
        idle = (sum(cpu_of_workers()) - idle0) / 5  # what the workers cost with nothing to do (a share of a core)
        # the events encoded before the clock starts, and each result known by its key (the article id): the
        # benchmark's own work shares the cores with the worker and the broker, so it does as little as it can
        fetched = [(d["id"], encode(ArticleFetched(article_id=d["id"], title=d["title"], text=d["text"])))
                   for d in docs]
        spy = profile(worker.pid, args.profile) if args.profile else None
        cpu0, children0 = cpu_of_workers()
        others0 = children_cpu_seconds(os.getpid()) - cpu0, time.process_time()  # the broker's, this process's
        outside0 = cpu_seconds(args.broker_pid) if args.broker_pid else 0.0  # a broker not ours
        sent: dict[bytes, float] = {}
        latencies: list[float] = []

        def read() -> None:  # on a thread of its own, whose fetches wait at the broker for records to come
            while len(latencies) < args.n:
                for records in consumer.poll(timeout_ms=1000).values():
                    now = time.perf_counter()
                    latencies.extend(now - sent[r.key] for r in records)

        pub = EventPublisher(bootstrap, linger_ms=5)
        reader = threading.Thread(target=read, name="reader", daemon=True)
        t0 = time.perf_counter()
        reader.start()
        for i, (article_id, value) in enumerate(fetched):
            if args.rate:
                delay = t0 + i / args.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            sent[article_id.encode()] = time.perf_counter()
            pub.publish_raw(topics.fetched, article_id, value)
            if not args.rate and i % 200 == 0:
                pub.flush()
        pub.close()
        while reader.is_alive():
            reader.join(5)
            stopped(workers, data)
        dt = time.perf_counter() - t0
        broker_cpu = children_cpu_seconds(os.getpid()) - cpu_of_workers()[0] - others0[0]  # 0 with no broker of ours
        if args.broker_pid:
            broker_cpu += cpu_seconds(args.broker_pid) - outside0
        bench_cpu = time.process_time() - others0[1]
        loop_cpu, analysis_cpu = (now - before for now, before in zip(cpu_of_workers(), (cpu0, children0),
                                                                       strict=True))
        cpu = loop_cpu + analysis_cpu
        if spy:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        rate = args.n / dt
        print(f"worker: {args.n} articles (~4 KB) through {args.workers} worker(s), {args.partitions} partitions: "
              f"{rate:,.0f} articles/s" + ("" if args.rate else f" ({rate / reference:.0%} of classify's rate)"))
        if cpu:
            busy = max(0.0, cpu - idle * dt)  # less what it costs idle over the same time
            print(f"worker CPU: {cpu * 1000 / args.n:.2f} ms an article ({reference_cpu * cpu / args.n:.2f}x "
                  f"classify's {1000 / reference_cpu:.2f} ms); idle it uses {idle:.0%} of a core, "
                  f"so {busy * 1000 / args.n:.2f} ms an article beyond that")
            if analysis_cpu:
                print(f"  of which the event loop's process {loop_cpu * 1000 / args.n:.2f} ms, the analysis "
                      f"processes {analysis_cpu * 1000 / args.n:.2f} ms")
        print(f"beside it, CPU an article: the broker {broker_cpu * 1000 / args.n:.2f} ms, this benchmark's "
              f"publisher and reader {bench_cpu * 1000 / args.n:.2f} ms ({os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f})")
        print(f"end-to-end latency (published -> processed read): p50 {pct(latencies, 50) * 1000:,.0f} ms  "
              f"p95 {pct(latencies, 95) * 1000:,.0f} ms  p99 {pct(latencies, 99) * 1000:,.0f} ms"
              + ("" if args.rate else "  (all published at once: latency includes queueing)"))
    finally:
        consumer.close()
        for w in workers:
            stop_worker(w)
        kafka.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
