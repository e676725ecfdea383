"""The durable-delivery drill (issue #16): an endpoint down for a whole outage, the delivery killed with -9 in it.

On the session's broker, 1,000 alert events (600 alerts, 200 of them updated
twice, each update shortly after its raise) go to three webhook receivers on
127.0.0.1 through the real `marsad alerts deliver` process, under a
compressed retry schedule (a setting: 0.25 s doubling to 2 s, over 120 s).

- baseline: every receiver healthy; the latency (event acknowledged by Kafka
  -> the receiver's first 2xx for its idempotency key) of the two that stay
  healthy in the next runs;
- outage (500, then in a second run hang): one receiver fails from the first
  event on; half the events are published, the delivery is killed with -9
  and restarted (its queue is in the ledger, its consumer rejoins at once),
  the other half published, and only then does the receiver recover. The
  healthy receivers get every alert event, and their p95 is printed beside
  the baseline's (not asserted: timing is measured, not tested); the
  recovered one gets every alert event exactly once, each raise before its
  updates; `marsad alerts deliveries` shows the queue while it is down;
- dead letters and redeliver: under a schedule of half a second an endpoint's
  alerts are all dead-lettered (updates held back behind their raises); once
  it is back, `marsad alerts redeliver --since --until` re-sends that range,
  in order, once, and running it again sends nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from marsad.runtime.kafka.admin import create_topics
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.kafka.read import read_all
from marsad.schemas.events import AlertRaised, AlertUpdated, DeadLetter
from marsad.schemas.topics import Topics
from marsad.streams.alerts.delivery.signing import idempotency_key
from tests.conftest import ROOT
from tests.streams.alerts.delivery.receiver import Receiver
from tests.streams.alerts.delivery.runner import wait_until
from tests.streams.alerts.events import T0, raised, updated
from tests.support.service_process import stop_process

pytestmark = pytest.mark.kafka

SECRET = "drill-secret-0123456789"
ALERTS, UPDATED = 600, 200  # 600 raises + 2 x 200 updates = 1,000 events
RATE = 100.0  # events per second
COMPRESSED = {"MARSAD_ALERT_DELIVER_BACKOFF": "0.25", "MARSAD_ALERT_DELIVER_BACKOFF_MAX": "2",
              "MARSAD_ALERT_DELIVER_RETRY_FOR": "120"}
SPENT_FAST = {"MARSAD_ALERT_DELIVER_BACKOFF": "0.1", "MARSAD_ALERT_DELIVER_BACKOFF_MAX": "0.2",
              "MARSAD_ALERT_DELIVER_RETRY_FOR": "0.5"}  # 4 tries over half a second
HEALTHY = ("ok-1", "ok-2")
CONCURRENCY = 4


def drill_events(alerts: int = ALERTS, updated_alerts: int = UPDATED) -> list[AlertRaised | AlertUpdated]:
    """Raises in order, each of the first ``updated_alerts`` updated 3 and 6 raises later (revisions 1, 2)."""
    out: list[AlertRaised | AlertUpdated] = []
    made = [raised(i) for i in range(alerts)]
    for i, alert in enumerate(made):
        out.append(alert)
        for revision, lag in ((1, 3), (2, 6)):
            if 0 <= i - lag < updated_alerts:
                out.append(updated(made[i - lag], revision))
    assert len(out) == alerts + 2 * updated_alerts  # (updated_alerts <= alerts - 6)
    return out


@dataclass
class Site:
    """Three receivers, the endpoints file naming them, and the environment of the delivery process."""

    tmp: Path
    bootstrap: str
    prefix: str
    receivers: dict[str, Receiver]
    state: dict[str, str] = field(default_factory=lambda: {"failing": "ok"})  # ok, 500 or hang
    env: dict[str, str] = field(default_factory=dict)
    published: dict[str, float] = field(default_factory=dict)  # idempotency key -> Kafka ack time
    proc: subprocess.Popen | None = None
    logs: list[Path] = field(default_factory=list)

    @property
    def topics(self) -> Topics:
        return Topics(self.prefix)

    def start(self) -> None:
        log = self.tmp / f"deliver-{len(self.logs)}.log"
        self.logs.append(log)
        self.proc = subprocess.Popen([sys.executable, "-m", "marsad.deploy.cli.main", "alerts", "deliver"], env=self.env,
                                     cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
        wait_until(lambda: "deliver: reading" in log.read_text(errors="replace") or self.proc.poll() is not None,
                   "the delivery to read its partitions", 180)
        assert self.proc.poll() is None, self.log_text()

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        stop_process(self.proc, 60)

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.logs)

    def publish(self, events: list[AlertRaised | AlertUpdated], rate: float = RATE) -> None:
        """Publish at ``rate`` per second, recording when Kafka acknowledged each event."""
        def acked(e: AlertRaised | AlertUpdated) -> None:
            self.published.setdefault(idempotency_key(e), time.time())
        started = time.monotonic()
        with EventPublisher(self.bootstrap, client_id="test-drill", linger_ms=2) as pub:
            for n, e in enumerate(events):
                pub.publish(self.topics.alerts, e.rule_id, e, on_delivered=acked)
                ahead = (n + 1) / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
        assert pub.failed == 0

    def marsad(self, *args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "marsad.deploy.cli.main", *args], env=self.env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    def deliveries(self) -> dict[str, dict]:
        lines = self.marsad("alerts", "deliveries", "--json").splitlines()
        return {row["target"]: row for row in map(json.loads, lines)}


@pytest.fixture
def site(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Callable[..., Site]]:
    made: list[Site] = []

    def make(schedule: dict[str, str]) -> Site:
        prefix = f"test-dd-{uuid.uuid4().hex[:8]}"
        create_topics(kafka_bootstrap, prefix, partitions=2)
        s = Site(tmp_path / prefix, kafka_bootstrap, prefix, {})
        s.tmp.mkdir()

        def answer(key: str, n: int) -> int | None:
            return {"ok": 200, "500": 500, "hang": None}[s.state["failing"]]
        s.receivers = {"ok-1": Receiver(SECRET.encode(), lambda k, n: 200),
                       "ok-2": Receiver(SECRET.encode(), lambda k, n: 200),
                       "failing": Receiver(SECRET.encode(), answer)}
        webhooks = s.tmp / "webhooks.yaml"
        webhooks.write_text("endpoints:\n" + "".join(
            f"  - name: {name}\n    url: {r.url}\n    secret_env: DRILL_HOOK_SECRET\n    concurrency: {CONCURRENCY}\n"
            for name, r in s.receivers.items()), encoding="utf-8")
        s.env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
                 "MARSAD_DATA_DIR": str(s.tmp / "data"), "MARSAD_PARTITIONS": "2", "MARSAD_SHUTDOWN_GRACE": "1",
                 "MARSAD_DELIVER_METRICS_PORT": "0", "MARSAD_ALERT_WEBHOOKS": str(webhooks),
                 "MARSAD_ALERT_DELIVER_TIMEOUT": "1", "MARSAD_LOG_LEVEL": "info", "DRILL_HOOK_SECRET": SECRET,
                 **schedule}
        made.append(s)
        return s
    yield make
    for s in made:
        s.stop()
        for r in s.receivers.values():
            r.stop()


def latencies(s: Site, name: str) -> list[float]:
    first: dict[str, float] = {}
    for r in s.receivers[name].requests:
        if r.status is not None and 200 <= r.status < 300:
            first.setdefault(r.key, r.at)
    return sorted(first[k] - s.published[k] for k in first if k in s.published)


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")


def figures(values: list[float]) -> str:
    return f"p50 {pct(values, 50) * 1000:.0f} ms, p95 {pct(values, 95) * 1000:.0f} ms, max {values[-1] * 1000:.0f} ms"


def in_order(requests: list, keys: set[str]) -> list[str]:
    """Problems with the order one receiver got each alert's events in (none: each raise accepted before any
    request for its updates, each revision accepted before any request for the next)."""
    accepted_at: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for i, r in enumerate(requests):
        first_seen.setdefault(r.key, i)
        if r.status is not None and 200 <= r.status < 300:
            accepted_at.setdefault(r.key, i)
    problems = []
    for key in keys:
        if ":" not in key:
            continue
        alert, revision = key.split(":")
        before = alert if revision == "1" else f"{alert}:{int(revision) - 1}"
        if before in keys and not accepted_at.get(before, 1 << 30) < first_seen.get(key, -1):
            problems.append(f"{key} sent before {before} was accepted")
    return problems


@pytest.fixture(scope="module")
def baseline() -> dict[str, list[float]]:
    return {}


def run_baseline(site, baseline) -> None:
    if baseline:
        return
    s = site(COMPRESSED)
    events = drill_events()
    s.start()
    s.publish(events)
    keys = {idempotency_key(e) for e in events}
    wait_until(lambda: all(set(r.accepted) == keys for r in s.receivers.values()), "the baseline run", 240)
    for name in HEALTHY:
        baseline[name] = latencies(s, name)
    s.stop()
    print(f"\nbaseline (no outage): {len(events)} events to 3 receivers; "
          + "; ".join(f"{n}: {figures(v)}" for n, v in baseline.items()))


@pytest.mark.parametrize("failure", ["500", "hang"])
def test_an_outage_with_a_kill_9_delays_only_the_failing_endpoint_which_then_gets_everything_once(
        site, baseline, failure):
    run_baseline(site, baseline)
    s = site(COMPRESSED)
    events = drill_events()
    keys = {idempotency_key(e) for e in events}
    half = len(events) // 2
    s.state["failing"] = failure
    s.start()
    s.publish(events[:half])
    wait_until(lambda: s.receivers["failing"].tries and s.receivers["failing"].tries.most_common(1)[0][1] >= 2,
               "the failing receiver to be retried", 180)
    s.kill9()  # during the outage, with the failing receiver's alerts queued and retrying
    s.start()
    s.publish(events[half:])
    healthy = [s.receivers[n] for n in HEALTHY]
    wait_until(lambda: all(set(r.accepted) == keys for r in healthy), "the healthy receivers to get everything", 240)
    status = s.deliveries()
    failing = status["failing"]
    assert failing["pending"] + failing["retrying"] > 0 and failing["accepted"] == 0, status
    assert all(status[n]["pending"] + status[n]["retrying"] == 0 for n in HEALTHY), status
    assert failing["retrying"] == 0 or failing["next_try_at"], failing
    recovered = time.time()
    s.state["failing"] = "ok"
    s.receivers["failing"].let_go()
    back = s.receivers["failing"]
    wait_until(lambda: set(back.accepted) == keys, "the recovered receiver to get every alert event", 240)
    took = time.time() - recovered
    time.sleep(1.0)  # anything sent twice would arrive now
    s.stop()

    assert Counter(back.accepted) == Counter(keys)  # exactly once
    assert not in_order(back.requests, keys)
    assert all(r.signed for r in back.requests)
    for r in healthy:
        twice = {k: n for k, n in Counter(r.accepted).items() if n > 1}
        assert sum(n - 1 for n in twice.values()) <= CONCURRENCY, twice  # only the posts in flight at the kill
        assert not in_order(r.requests, keys)
    tries = sum(back.tries.values())
    print(f"\noutage ({failure}, kill -9 halfway): healthy " + "; ".join(
        f"{n}: {figures(latencies(s, n))} (baseline p95 {pct(baseline[n], 95) * 1000:.0f} ms, "
        f"ratio {pct(latencies(s, n), 95) / pct(baseline[n], 95):.2f})" for n in HEALTHY)
        + f"; the failing receiver: {tries} requests for {len(keys)} events, all accepted {took:.1f} s after it "
        f"recovered, each once, in order")


def test_a_dead_lettered_range_is_redelivered_once_and_in_order(site):
    s = site(SPENT_FAST)
    events = drill_events(alerts=60, updated_alerts=20)
    keys = {idempotency_key(e) for e in events}
    s.state["failing"] = "500"
    s.start()
    s.publish(events, rate=1000)
    wait_until(lambda: s.deliveries().get("failing", {}).get("dead") == len(events), "every event dead", 240)
    letters = [d for d in read_all(s.bootstrap, s.topics.deadletter("consumers")) if isinstance(d, DeadLetter)]
    held = [d for d in letters if "held back" in d.reason]
    assert len(letters) == len(events) and len(held) == 2 * 20
    assert not [r for r in s.receivers["failing"].requests if ":" in r.key]  # no update of an alert it never saw
    s.state["failing"] = "ok"
    since, until = T0 + timedelta(hours=10), T0 + timedelta(hours=30)
    out = s.marsad("alerts", "redeliver", "--endpoint", "failing", "--since", since.isoformat(),
                   "--until", until.isoformat())
    # alerts 10-29 (their raises, at hour i + 5 min) and the updates of 10-19 (at + 10, + 20 min)
    expected = {k for k in keys if 10 <= int(k.split(":")[0][2:]) <= 29}
    assert f"failing: {len(expected)} of {len(expected)} queued" in out, out
    back = s.receivers["failing"]
    wait_until(lambda: set(back.accepted) == expected, "the redelivered range", 240)
    again = s.marsad("alerts", "redeliver", "--endpoint", "failing", "--since", since.isoformat(),
                     "--until", until.isoformat())
    assert "failing: 0 of 0 queued" in again or "nothing to redeliver" in again, again
    time.sleep(1.5)  # a second copy would arrive now
    s.stop()
    assert Counter(back.accepted) == Counter(expected)
    assert not in_order(back.requests, expected)
    assert all(r.signed for r in back.requests)
    assert not [k for k in s.receivers["ok-1"].accepted if k not in keys]
    print(f"\nredeliver: {len(events)} events dead-lettered at one endpoint ({len(held)} updates held back); "
          f"`marsad alerts redeliver --since {since:%Y-%m-%dT%H:%M} --until {until:%Y-%m-%dT%H:%M}` sent {len(expected)} once, in order")
