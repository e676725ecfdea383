"""`marsad alerts deliver` on the real broker, against webhook receivers on 127.0.0.1.

- a receiver answering 500 to the first tries, then 200, ends up with every
  alert event once per idempotency key, each signed;
- a receiver that never accepts ends with the alerts in deadletter.consumers
  once the retry schedule is spent, with the endpoint and last status as the
  reason; a 4xx is not retried;
- a receiver that hangs does not hold up another: every alert reaches the
  other while the hung requests are still open; the offsets move on, and what
  the hung one is owed waits in the ledger;
- an update waits behind its raise while the raise is retried, and is
  dead-lettered with it (held back) when the raise's schedule is spent;
- a restart of the real `marsad alerts deliver` process posts nothing twice,
  and sends what the ledger still owes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

import orjson
import pytest

from marsad.runtime.kafka.read import read_all
from marsad.schemas.codec import decode
from marsad.schemas.events import AlertRaised, DeadLetter
from marsad.schemas.topics import Topics
from marsad.streams.alerts.delivery.deliver import DeliverConfig
from marsad.streams.alerts.delivery.endpoints import Endpoint
from marsad.streams.alerts.delivery.ledger import Ledger
from marsad.streams.alerts.delivery.schedule import RetrySchedule
from marsad.streams.alerts.delivery.signing import EVENT, IDEMPOTENCY_KEY, idempotency_key
from marsad.streams.alerts.delivery.targets import WebhookTarget
from tests.conftest import ROOT
from tests.streams.alerts.delivery.receiver import Receiver
from tests.streams.alerts.delivery.runner import InProcess, all_committed, wait_until
from tests.streams.alerts.events import publish_alerts, raised, updated

pytestmark = pytest.mark.kafka

SECRET = b"test-secret-0123456789"
FAST = RetrySchedule(first=0.02, cap=0.1, span=5.0)
THREE_TRIES = RetrySchedule(first=0.01, cap=0.01, span=0.02)


def alert_events() -> list:
    """Six alerts of the three severities, and three updates (one alert updated twice)."""
    alerts = [raised(i) for i in range(6)]
    return [*alerts, updated(alerts[0], 1), updated(alerts[1], 1), updated(alerts[0], 2)]


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make(answer) -> Receiver:
        made.append(Receiver(SECRET, answer))
        return made[-1]
    yield make
    for r in made:
        r.stop()


def endpoint(name: str, receiver: Receiver, **kw) -> Endpoint:
    return Endpoint(name, receiver.url, SECRET, **kw)


def run(kafka_bootstrap, prefix, tmp_path, endpoints, schedule=FAST, grace=5.0) -> tuple[InProcess, DeliverConfig]:
    config = DeliverConfig(group=f"{prefix}-deliver", grace=grace, schedule=schedule, poll=0.2)
    runner = InProcess(kafka_bootstrap, Topics(prefix), lambda: [WebhookTarget(e, 10.0) for e in endpoints],
                       tmp_path / "delivered.sqlite", config)
    return runner, config


def test_retries_until_accepted_once_per_key_and_signed(kafka_bootstrap, kafka_topics, tmp_path, receivers):
    topics = Topics(kafka_topics)
    events = alert_events()
    publish_alerts(kafka_bootstrap, topics, events)
    flaky = receivers(lambda key, n: 500 if n <= 2 else 200)
    critical = receivers(lambda key, n: 200)
    runner, config = run(kafka_bootstrap, kafka_topics, tmp_path, [
        endpoint("flaky", flaky), endpoint("critical-raised", critical, severities=frozenset({"critical"}),
                                           updates=False)])
    try:
        wait_until(lambda: len(flaky.accepted) == len(events), "every alert event at the flaky receiver")
        wait_until(lambda: len(critical.accepted) == 2, "the critical alerts")
    finally:
        totals = runner.stop()
    keys = [idempotency_key(e) for e in events]
    assert Counter(flaky.accepted) == Counter(keys)  # each once
    assert set(flaky.tries.values()) == {3}  # two 500s, then accepted
    assert all(r.signed for r in flaky.requests + critical.requests)
    first = next(r for r in flaky.requests if r.status == 200 and r.key == "al0000:2")
    assert first.headers[EVENT] == "AlertUpdated" and first.headers[IDEMPOTENCY_KEY] == "al0000:2"
    assert decode(first.body) == events[-1]  # the body is the event as marsad.schemas.codec encodes it
    assert sorted(critical.accepted) == ["al0000", "al0003"]  # severity filter, no updates
    assert totals.delivered == len(events) + 2 and totals.dead == 0
    assert all_committed(kafka_bootstrap, config.group, topics.alerts)


def test_a_receiver_that_never_accepts_ends_in_the_dead_letter_topic(kafka_bootstrap, kafka_topics, tmp_path,
                                                                     receivers):
    topics = Topics(kafka_topics)
    alerts = [raised(i, severity="critical") for i in range(3)]
    publish_alerts(kafka_bootstrap, topics, alerts)
    down = receivers(lambda key, n: 500)
    gone = receivers(lambda key, n: 410)
    runner, config = run(kafka_bootstrap, kafka_topics, tmp_path, [endpoint("down", down), endpoint("gone", gone)],
                         schedule=THREE_TRIES)
    deadletters = topics.deadletter("consumers")
    try:
        wait_until(lambda: len(read_all(kafka_bootstrap, deadletters)) == 6, "six dead letters")
    finally:
        totals = runner.stop()
    letters = [e for e in read_all(kafka_bootstrap, deadletters) if isinstance(e, DeadLetter)]
    by_endpoint = {name: sorted(decode(d.payload).alert_id for d in letters if f"endpoint {name}:" in d.reason)
                   for name in ("down", "gone")}
    assert by_endpoint == {"down": ["al0000", "al0001", "al0002"], "gone": ["al0000", "al0001", "al0002"]}
    down_letter = next(d for d in letters if "endpoint down:" in d.reason)
    assert "failed 3 tries over the retry schedule; last: " in down_letter.reason and "HTTP 500" in down_letter.reason
    assert down_letter.error == "http_500"
    assert down_letter.stage == "deliver" and down_letter.source_topic == topics.alerts
    assert down_letter.url == down.url and isinstance(decode(down_letter.payload), AlertRaised)
    assert "refused; last: HTTP 410" in next(d.reason for d in letters if "endpoint gone:" in d.reason)
    # three tries each; once the endpoint was down (3 failures in a row) some were counted without a post
    assert min(down.tries.values()) >= 1 and max(down.tries.values()) <= 3
    assert set(gone.tries.values()) == {1}  # a 4xx is not retried
    assert totals.dead == 6 and totals.delivered == 0
    # dead-lettered is settled: the offsets move on
    assert all_committed(kafka_bootstrap, config.group, topics.alerts)


def test_a_hanging_receiver_does_not_hold_up_another(kafka_bootstrap, kafka_topics, tmp_path, receivers):
    topics = Topics(kafka_topics)
    alerts = [raised(i) for i in range(8)]
    publish_alerts(kafka_bootstrap, topics, alerts)
    stuck = receivers(lambda key, n: None)
    fine = receivers(lambda key, n: 200)
    runner, config = run(kafka_bootstrap, kafka_topics, tmp_path,
                         [endpoint("stuck", stuck, timeout=120.0), endpoint("fine", fine)], grace=0.5)
    try:
        wait_until(lambda: len(fine.accepted) == len(alerts), "every alert at the healthy receiver")
        assert stuck.hanging >= 1 and not stuck.requests  # ...while the stuck one still holds its first posts
    finally:
        totals = runner.stop()
        stuck.let_go()
    assert sorted(fine.accepted) == sorted(a.alert_id for a in alerts)
    assert totals.delivered == len(alerts) and totals.dead == 0
    # the offsets move on: what the stuck endpoint is owed waits in the ledger, for this run or the next
    assert all_committed(kafka_bootstrap, config.group, topics.alerts)
    ledger = Ledger(tmp_path / "delivered.sqlite")
    try:
        assert ledger.owed("stuck") == len(alerts) and ledger.owed("fine") == 0
    finally:
        ledger.close()


def test_an_update_waits_behind_its_retrying_raise(kafka_bootstrap, kafka_topics, tmp_path, receivers):
    topics = Topics(kafka_topics)
    events = alert_events()  # al0000 is raised, then updated twice
    publish_alerts(kafka_bootstrap, topics, events)
    hook = receivers(lambda key, n: 500 if key == "al0000" and n <= 4 else 200)
    runner, _ = run(kafka_bootstrap, kafka_topics, tmp_path, [endpoint("hook", hook)])
    try:
        wait_until(lambda: len(hook.accepted) == len(events), "every alert event")
    finally:
        runner.stop()
    order = [r.key for r in hook.requests]
    assert order.count("al0000") == 5
    assert order.index("al0000:1") > len(order) - 1 - order[::-1].index("al0000")  # after the raise's last try
    assert order.index("al0000:2") > order.index("al0000:1")
    assert Counter(hook.accepted) == Counter(idempotency_key(e) for e in events)


def test_updates_of_a_dead_lettered_raise_are_held_back_and_dead_lettered_too(kafka_bootstrap, kafka_topics,
                                                                             tmp_path, receivers):
    topics = Topics(kafka_topics)
    events = alert_events()
    publish_alerts(kafka_bootstrap, topics, events)
    hook = receivers(lambda key, n: 503 if key == "al0000" else 200)
    runner, _ = run(kafka_bootstrap, kafka_topics, tmp_path, [endpoint("hook", hook)], schedule=THREE_TRIES)
    deadletters = topics.deadletter("consumers")
    try:
        wait_until(lambda: len(read_all(kafka_bootstrap, deadletters)) == 3, "the raise and its two updates")
        wait_until(lambda: len(hook.accepted) == len(events) - 3, "the other alert events")
    finally:
        totals = runner.stop()
    letters = {idempotency_key(decode(d.payload)): d.reason for d in read_all(kafka_bootstrap, deadletters)}
    assert "failed 3 tries over the retry schedule; last: HTTP 503" in letters["al0000"]
    assert all("held back: the alert's AlertRaised was dead-lettered" in letters[k] for k in ("al0000:1", "al0000:2"))
    assert not [r for r in hook.requests if r.key.startswith("al0000:")]  # the receiver never saw an orphan update
    assert totals.dead == 3


def test_a_restarted_process_does_not_post_accepted_alerts_again(kafka_bootstrap, kafka_topics, tmp_path,
                                                                  receivers):
    topics = Topics(kafka_topics)
    events = alert_events()
    publish_alerts(kafka_bootstrap, topics, events)
    hang = {"on": True}
    a = receivers(lambda key, n: 200)
    b = receivers(lambda key, n: None if hang["on"] else 200)
    webhooks = tmp_path / "webhooks.yaml"
    webhooks.write_text(f"""endpoints:
  - name: a
    url: {a.url}
    secret_env: TEST_HOOK_SECRET
  - name: b
    url: {b.url}
    secret: {SECRET.decode()}
    timeout: 60
""", encoding="utf-8")
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": kafka_topics,
           "MARSAD_DATA_DIR": str(tmp_path), "MARSAD_PARTITIONS": "2", "MARSAD_SHUTDOWN_GRACE": "1",
           "MARSAD_LOG_LEVEL": "info", "TEST_HOOK_SECRET": SECRET.decode(),
           "MARSAD_DELIVER_METRICS_PORT": "0"}  # no health server: the default port may be another's

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "marsad.deploy.cli.main", "alerts", "deliver", "--webhooks", str(webhooks),
                                 "--jsonl", "-"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)

    def stop(proc: subprocess.Popen) -> tuple[bytes, str]:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        return out, err.decode()

    first = start()
    try:
        wait_until(lambda: len(a.accepted) == len(events) and b.hanging >= 1, "a to have all, b to hang")
    finally:
        out1, err1 = stop(first)
    assert "cut off after the grace period; they stay queued" in err1
    hang["on"] = False
    b.let_go()
    second = start()
    try:
        wait_until(lambda: len(b.accepted) == len(events), "b to have every alert after the restart")
    finally:
        out2, err2 = stop(second)
    keys = Counter(idempotency_key(e) for e in events)
    assert Counter(a.accepted) == keys  # nothing posted twice to a, although its offsets were not committed
    assert Counter(b.accepted) == keys
    assert "deliver: stopped:" in err2
    lines = [orjson.loads(line) for line in (out1 + out2).splitlines()]
    assert Counter(idempotency_key(decode(orjson.dumps(x))) for x in lines) == keys  # the JSON-lines sink, once each
