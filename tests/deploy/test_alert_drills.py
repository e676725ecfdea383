"""The kill -9 drills of the alert services (issue #9): `marsad alerter` and `marsad alerts deliver`.

One `marsad up` (poller, fetcher, worker, alerter, deliver, views) on the session's
broker, the growing site of `services_site` and a webhook receiver on
127.0.0.1 that answers 200 and checks signatures. A rules file of the test's
own fires on nearly every article of the corpus (three broad topic rules, on
both partitions of the alerts topic), so alerts flow the whole time. In order:
every service ready; the alerter killed with SIGKILL once the first alert has
reached the receiver, articles released while it is down, the supervisor
restarts it; the same for the delivery; then the rest of the stream, and the
end-to-end invariant:

- every discovered article is in the views once or dead-lettered with its reason;
- every alert the rules give on the processed log (the back-test's own
  functions) was raised on the alerts topic, each alert id by one AlertRaised
  (an at-least-once re-publication after the kill is the same event, byte
  for byte: ids and contents are deterministic);
- the alert events on the topic and the idempotency keys the receiver accepted
  are the same set, every request signed; a key posted twice only around the
  delivery's kill (see `test_every_alert_event_reaches_the_webhook`);
- the lag of every service returns to 0; `marsad down` leaves no process.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from marsad.deploy.services.state import alive
from marsad.schemas.codec import decode, encode
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.streams.alerts.delivery.signing import idempotency_key
from tests.deploy.alert_site import SECRET, alert_events, alert_settings, expected_alerts, topic_keys
from tests.deploy.services_site import GrowingSite, Pipeline, wait_for
from tests.streams.alerts.delivery.receiver import Receiver

pytestmark = pytest.mark.kafka

N = 24  # articles in the stream; page 5 is missing (a dead letter)
BATCH = 4  # released before each kill
DURING = 2  # released right after each kill, while the service is down or restarting
MISSING = (5,)
KILLED = ("alerter", "deliver")
SERVICES = ["poller", "fetcher", "worker-1", "alerter", "deliver", "views"]
CONCURRENCY = 4  # the endpoint's posts in flight: what a kill can catch between a 200 and the ledger

@dataclass
class Drill:
    p: Pipeline
    site: GrowingSite
    hook: Receiver
    rules: Path
    restarted_deliver_at: int = -1  # len(hook.requests) when the restarted delivery was seen in ps


@pytest.fixture(scope="module")
def drill(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    tmp = tmp_path_factory.mktemp("alert-drills")
    site = GrowingSite(N, missing=MISSING)
    hook = Receiver(SECRET.encode(), lambda key, n: 200)
    settings = alert_settings(tmp, hook.url, concurrency=CONCURRENCY)
    p = Pipeline(kafka_bootstrap, f"test-alr-{tmp.name[-6:]}", tmp / "data", site.write_registry(tmp / "feeds.yaml"),
                 **settings)
    try:
        out = p.marsad("up", "--skip", "api")
        assert "alerter" in out.stdout and "deliver" in out.stdout, out.stdout
        yield Drill(p, site, hook, Path(settings["MARSAD_ALERT_RULES"]))
    finally:
        p.marsad("down", check=False)
        hook.stop()
        site.close()


def test_up_starts_the_alert_services_and_ps_shows_them_ready(drill):
    p = drill.p
    rows = wait_for("every service ready", lambda: (r := p.ps()) and all(x["ready"] for x in r.values()) and r,
                    60, 1.0, p.logs)
    assert list(rows) == SERVICES
    for name, row in rows.items():
        assert row["state"] == "running" and alive(row["pid"]) and row["restarts"] == 0, (name, row)
    assert "marsad_last_event_timestamp_seconds" in p.metrics("MARSAD_ALERTER_WEB_PORT")
    assert "marsad_last_event_timestamp_seconds" in p.metrics("MARSAD_DELIVER_METRICS_PORT")


def test_kill_9_of_the_alerter_and_the_delivery_mid_stream_is_restarted(drill):
    p, site, hook = drill.p, drill.site, drill.hook
    for name in KILLED:
        # mid-stream: a batch is released, and the kill comes once its first alert reaches the webhook
        seen = len(hook.requests)
        site.release(BATCH)
        wait_for(f"a new alert at the webhook before killing {name}", lambda s=seen: len(hook.requests) > s,
                 120, 0.1, lambda: alert_report(drill))
        killed = p.kill(name)
        site.release(DURING)  # a restarted alerter meets these while it waits for its dead predecessor's session
        row = wait_for(f"{name} restarted", lambda n=name, k=killed: (r := p.ps()[n])["restarts"] == 1
                       and r["state"] == "running" and r["pid"] != k and r, 90, 0.5, p.logs)
        assert row["last_exit"] == "killed by SIGKILL"
        if name == "deliver":
            # The new process posts only once its consumer group has rebalanced, which waits for the dead
            # member's session to expire (10 s), far longer than `ps` takes to see the restart.
            drill.restarted_deliver_at = len(hook.requests)
    log = (p.data_dir / "logs" / "supervisor.log").read_text()
    for name in KILLED:
        assert f"{name} (pid" in log and "killed by SIGKILL" in log


def test_every_article_is_in_the_views_once_or_dead_lettered(drill):
    drill.site.release(N)
    drill.p.assert_each_article_once_or_dead_lettered(N, MISSING)  # no alert went to a dead letter


def test_every_alert_is_raised_once_on_the_topic(drill):
    expected = expected_alerts(drill.p, drill.rules)
    assert len(expected) >= N  # the rules fire: about two alerts per article
    raised = wait_for("every alert the rules give on the processed log raised on the alerts topic",
                      lambda: expected <= (r := raised_events(drill)).keys() and r, 120, 2.0,
                      lambda: alert_report(drill))
    assert raised.keys() == expected
    # one AlertRaised per alert id: re-published copies (at least once, after the kill) are the same bytes
    twice = {a: len(set(copies)) for a, copies in raised.items() if len(set(copies)) > 1}
    assert not twice, f"alert ids raised as different AlertRaised events: {twice}"
    updates: dict[str, set[bytes]] = collections.defaultdict(set)
    for e in alert_events(drill.p):
        if isinstance(e, AlertUpdated):
            updates[idempotency_key(e)].add(encode(e))
    assert updates, "no AlertUpdated: the near copies should update their story's alerts"
    assert not [k for k, copies in updates.items() if len(copies) > 1]


def test_every_alert_event_reaches_the_webhook(drill):
    p, hook = drill.p, drill.hook
    keys = wait_for("every alert event on the topic accepted by the webhook",
                    lambda: (k := topic_keys(drill.p)) and k == set(hook.accepted) and k, 120, 2.0,
                    lambda: alert_report(drill))
    assert len(keys) >= N
    assert all(r.signed for r in hook.requests), [r.key for r in hook.requests if not r.signed]
    assert all(r.status == 200 for r in hook.requests)
    assert all(idempotency_key(decode(r.body)) == r.key for r in hook.requests)  # the body is the event keyed
    # At least once: a post in flight when the delivery was killed (the receiver answered, the
    # ledger had not recorded it) is posted again by the restarted process. The ledger bounds
    # that to the posts in flight then, one per lane at most; every other key arrives once.
    accepted = collections.Counter(hook.accepted)
    again = {k: n for k, n in accepted.items() if n > 1}
    assert sum(n - 1 for n in again.values()) <= CONCURRENCY, again
    first = {}
    for i, r in enumerate(hook.requests):
        first.setdefault(r.key, i)
    assert all(first[k] < drill.restarted_deliver_at for k in again), (again, first, drill.restarted_deliver_at)

    lags = wait_for("lag 0 in ps", lambda: all((r := p.ps())[s]["lag"] == 0 for s in SERVICES[1:]) and r,
                    120, 2.0, p.logs)
    assert lags["poller"]["lag"] is None
    delivered = p.metrics("MARSAD_DELIVER_METRICS_PORT")
    assert delivered['marsad_alerts_delivered_total{endpoint="drill-hook"}'] >= 1


def test_down_stops_everything_and_leaves_no_process(drill):
    p = drill.p
    pids = p.pids()
    out = p.marsad("down")
    assert "stopped" in out.stdout
    assert not [pid for pid in pids if alive(pid)]
    assert p.marsad("ps", check=False).returncode == 1


# -- reading back ------------------------------------------------------------------------------------
def raised_events(drill: Drill) -> dict[str, list[bytes]]:
    """alert id -> every AlertRaised published for it (encoded), in log order."""
    out: dict[str, list[bytes]] = collections.defaultdict(list)
    for e in alert_events(drill.p):
        if isinstance(e, AlertRaised):
            out[e.alert_id].append(encode(e))
    return dict(out)


def alert_report(drill: Drill) -> str:
    """Where the alerts got to, for a failing test's message: rules -> topic -> webhook, then the logs."""
    p, hook = drill.p, drill.hook
    expected = expected_alerts(drill.p, drill.rules)
    events = alert_events(drill.p)
    raised = {e.alert_id: e for e in events if isinstance(e, AlertRaised)}
    keys = {idempotency_key(e): e for e in events}
    accepted = set(hook.accepted)
    lost_raising = {a: "not raised" for a in expected - raised.keys()}
    unposted = {k: (type(e).__name__, e.rule_id, e.event_id) for k, e in keys.items() if k not in accepted}
    return (f"alerts expected {len(expected)}, raised {len(raised)}, events on the topic {len(events)} "
            f"({len(keys)} keys), accepted {len(accepted)} keys in {len(hook.requests)} requests\n"
            f"expected but not on the topic: {lost_raising}\non the topic but not accepted: {unposted}\n"
            f"accepted but not on the topic: {sorted(accepted - keys.keys())}\nps {p.ps()}\n{p.logs()}")
