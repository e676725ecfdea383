"""Alert delivery through the real broker: deliveries per second and latency to the webhook.

    .venv/bin/python -m benchmarks.bench_delivery [--n 2000] [--rate 0] [--concurrency 4] [--from-processed]

Starts a local broker (or uses KAFKA_BOOTSTRAP_SERVERS), a webhook receiver
on 127.0.0.1 (`benchmarks.webhook`: in this process, checking every
signature), and one `marsad alerts deliver` process; publishes N AlertRaised
events to their routes (all at once, or at --rate per second) and waits until the receiver
has accepted each. Latency is from the moment an event was published to the
moment the receiver got it (one clock: both are in this process).

With --from-processed the path starts one step earlier: `marsad alerter`
runs too, and each published event is an ArticleProcessed reporting a
seizure of 3 million captagon pills (a story of its own), so the latency is
from the article on `articles.processed` to the webhook's receipt of its
critical alert (matched by the alert's deterministic id).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from benchmarks.broker import bench_kafka, fresh_topics, stop_worker
from benchmarks.webhook import SECRET, SECRET_ENV, Receiver
from marsad.deploy.kafka.local import free_port
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import AlertRaised, ArticleProcessed
from marsad.schemas.facts import Place, Quantity, Topic
from marsad.schemas.topics import Topics

ORIGIN = "AlertRaised on the alerts topics"
SERVICES = [["alerts", "deliver"]]  # `marsad` sub-commands started for the run, in order


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def alert(i: int, run: str) -> AlertRaised:
    """A realistic critical alert (~1 KB on the wire)."""
    return AlertRaised(
        alert_id=f"{run}-{i:06d}", rule_id="captagon-million", title="ضبط 3 ملايين حبة كبتاغون في درعا",
        severity="critical", story_id=f"a{i:06d}", article_ids=[f"a{i:06d}"], sources=["عنب بلدي"],
        titles=["إحباط تهريب شحنة كبتاغون ضخمة قرب الحدود الأردنية"], urls=[f"https://example.org/news/{i}"],
        places=[Place("درعا", 32.6189, 36.1021, "SY", "city", 170592)], countries=["SY"],
        quantities=[Quantity(3_000_000.0, "pill", "captagon", "3 ملايين حبة كبتاغون")],
        matched=["quantity captagon >= 1000000 pill: 3 ملايين حبة كبتاغون"], rules_version="bench")


def publish_origin(pub: EventPublisher, topics: Topics, i: int, run: str) -> str:
    """Publish the event the latency starts at; return the key its webhook receipt carries."""
    event = alert(i, run)
    for topic in topics.alert_routes(event.severity):
        pub.publish(topic, event.rule_id, event)
    return event.alert_id


def publish_article(pub: EventPublisher, topics: Topics, i: int, run: str) -> str:
    """Publish an ArticleProcessed that raises one critical alert; return that alert's id."""
    from marsad.streams.alerts.ids import story_alert_id
    story = f"{run}-art-{i:06d}"
    text = f"ضبطت السلطات 3 ملايين حبة كبتاغون في درعا قرب الحدود الأردنية، في العملية رقم {i}."
    event = ArticleProcessed(
        article_id=story, url=f"https://example.org/news/{story}", source="عنب بلدي", title="ضبط شحنة كبتاغون",
        lang="ar", clean_text=text, topics=[Topic("narcotics", 0.9)],
        places=[Place("درعا", 32.6189, 36.1021, "SY", "city", 170592)], countries=["SY"],
        quantities=[Quantity(3_000_000.0, "pill", "captagon", "3 ملايين حبة كبتاغون")])
    pub.publish(topics.processed, story, event)
    return story_alert_id("captagon-large-seizure", story)


def cpu_seconds(proc: subprocess.Popen) -> float:
    """User + system CPU time a process used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def wait_for(receiver: Receiver, keys: list[str], procs: list[subprocess.Popen], logs: Path,
             timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not all(k in receiver.received for k in keys):
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            raise SystemExit(f"delivery stopped short; log:\n{logs.read_text()[-3000:]}")
        time.sleep(0.01)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=0, help="alerts/s to publish (0: as fast as possible)")
    ap.add_argument("--concurrency", type=int, default=4, help="posts in flight to the endpoint")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--from-processed", action="store_true",
                    help="start at ArticleProcessed: run the alerter too (see the module doc)")
    args = ap.parse_args()
    global ORIGIN, SERVICES, publish_origin
    if args.from_processed:
        ORIGIN, SERVICES, publish_origin = ("ArticleProcessed on articles.processed",
                                            [["alerter"], *SERVICES], publish_article)
    tmp = tempfile.TemporaryDirectory()
    data = Path(tmp.name)
    kafka = ExitStack()
    bootstrap, _ = kafka.enter_context(bench_kafka(data))
    topics = fresh_topics(bootstrap, args.partitions)
    receiver = Receiver()
    hooks = receiver.write_endpoints(data / "webhooks.yaml", args.concurrency)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": topics.prefix,
           "MARSAD_PARTITIONS": str(args.partitions), "MARSAD_DATA_DIR": str(data), "MARSAD_LOG_LEVEL": "warning",
           "MARSAD_ALERT_WEBHOOKS": str(hooks), SECRET_ENV: SECRET,
           "MARSAD_ALERTER_WEB_PORT": str(free_port()), "MARSAD_DELIVER_METRICS_PORT": str(free_port())}
    logs = data / "services.log"
    log = open(logs, "wb")  # noqa: SIM115
    procs = [subprocess.Popen([sys.executable, "-c", "from marsad.deploy.cli.main import main; main()", *cmd], env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True) for cmd in SERVICES]
    run = uuid.uuid4().hex[:6]
    try:
        with EventPublisher(bootstrap) as pub:  # warm-up: start-up and the group join are not measured
            warm = publish_origin(pub, topics, -1, run)
        wait_for(receiver, [warm], procs, logs, timeout=120)
        sent: dict[str, float] = {}
        cpu0 = sum(cpu_seconds(p) for p in procs)
        pub = EventPublisher(bootstrap, linger_ms=5)
        t0 = time.perf_counter()
        for i in range(args.n):
            if args.rate:
                delay = t0 + i / args.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            t = time.perf_counter()
            sent[publish_origin(pub, topics, i, run)] = t
            if args.rate or i % 200 == 0:
                pub.flush()
        pub.close()
        wait_for(receiver, list(sent), procs, logs)
        cpu = sum(cpu_seconds(p) for p in procs) - cpu0
        latencies = [receiver.received[k] - t for k, t in sent.items()]
        dt = max(receiver.received[k] for k in sent) - t0
        print(f"delivery: {args.n} alerts (~1 KB), {args.partitions} partitions, 1 endpoint, "
              f"concurrency {args.concurrency}: {args.n / dt:,.0f} deliveries/s"
              f"{'' if not receiver.bad_signatures else f' ({receiver.bad_signatures} BAD SIGNATURES)'}; "
              f"service CPU {cpu * 1000 / args.n:.2f} ms per alert")
        print(f"latency ({ORIGIN} -> webhook receipt): p50 {pct(latencies, 50) * 1000:,.0f} ms  "
              f"p95 {pct(latencies, 95) * 1000:,.0f} ms  p99 {pct(latencies, 99) * 1000:,.0f} ms"
              + ("" if args.rate else "  (all published at once: latency includes queueing)"))
    finally:
        for p in reversed(procs):
            stop_worker(p)
        kafka.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
