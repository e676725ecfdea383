"""The delivery ledger on a real SQLite file: the outbox's order, its conditions, and what survives a reopen."""

from __future__ import annotations

import pytest

from marsad.streams.alerts.delivery import ledger as ledger_sql
from marsad.streams.alerts.delivery.deliver import owed_rows
from marsad.streams.alerts.delivery.endpoints import Endpoint
from marsad.streams.alerts.delivery.ledger import Ledger
from tests.streams.alerts.events import raised, updated

A, B = Endpoint("a", "http://127.0.0.1:1/a", b"s"), Endpoint("b", "http://127.0.0.1:1/b", b"s")


def rows(events, targets=(A, B)):
    return [r for i, e in enumerate(events) for r in owed_rows(e, list(targets), "t.alerts", 0, i, e.rule_id)]


@pytest.fixture
def ledger(tmp_path):
    led = Ledger(tmp_path / "delivered.sqlite")
    yield led
    led.close()


def test_an_update_waits_behind_its_raise_and_alerts_in_flight_are_skipped(ledger):
    al0, al1 = raised(0), raised(1)
    assert ledger.enqueue(rows([al0, updated(al0, 1), al1, updated(al0, 2)])) == 8
    due, _ = ledger.due("a", 10, set(), now=2e9)
    assert [d.owed.key for d in due] == ["al0000", "al0001"]  # one head per alert
    due, _ = ledger.due("a", 10, {"al0000"}, now=2e9)
    assert [d.owed.key for d in due] == ["al0001"]
    head = next(d for d in ledger.due("a", 10, set(), now=2e9)[0] if d.owed.key == "al0000")
    ledger.retry(head.seq, 1, 2e9 + 60, "HTTP 500")  # the raise is retrying: its updates wait behind it
    assert [d.owed.key for d in ledger.due("a", 10, set(), now=2e9)[0]] == ["al0001"]
    due, later = ledger.due("a", 10, set(), now=2e9 + 61)
    assert [d.owed.key for d in due] == ["al0001", "al0000"] and later is None  # oldest due first
    ledger.settle(head.seq, "a", "al0000", "accepted")
    nxt = [d for d in ledger.due("a", 10, set(), now=2e9 + 61)[0] if d.owed.alert_id == "al0000"]
    assert [(d.owed.key, d.raise_outcome) for d in nxt] == [("al0000:1", "accepted")]
    assert [d.owed.key for d in ledger.due("b", 10, set(), now=2e9)[0]] == ["al0000", "al0001"]  # b: untouched


def test_a_key_settled_or_queued_is_not_queued_again_unless_asked(ledger):
    al0 = raised(0)
    assert ledger.enqueue(rows([al0])) == 2
    assert ledger.enqueue(rows([al0])) == 0  # queued already (the topic read again)
    for target in ("a", "b"):
        head = ledger.due(target, 1, set(), now=2e9)[0][0]
        ledger.settle(head.seq, target, "al0000", "accepted" if target == "a" else "dead")
    assert ledger.enqueue(rows([al0])) == 0  # settled: the live reader never queues it again
    assert ledger.enqueue(rows([al0]), "dead") == 1  # b's dead letter (redeliver)
    assert ledger.enqueue(rows([al0]), "dead") == 0  # ... once
    assert ledger.enqueue(rows([al0], [A]), "unaccepted") == 0
    assert ledger.enqueue(rows([al0], [A]), "any") == 1  # --force


def test_the_queue_survives_a_reopen_and_a_recovered_endpoint_makes_its_retries_due(tmp_path):
    led = Ledger(tmp_path / "d.sqlite")
    led.enqueue(rows([raised(0), raised(1)], [A]))
    for d in led.due("a", 10, set(), now=2e9)[0]:
        led.retry(d.seq, 3, 2e9 + 3600, "HTTP 503")
    led.close()
    led = Ledger(tmp_path / "d.sqlite")
    try:
        status = led.status()["a"]
        assert (status.pending, status.retrying, status.next_try_at, status.last_error) == (0, 2, 2e9 + 3600,
                                                                                             "HTTP 503")
        assert led.due("a", 10, set(), now=2e9)[0] == []
        assert led.wake("a", now=2e9) == 2
        assert [d.tries for d in led.due("a", 10, set(), now=2e9)[0]] == [3, 3]  # the count of tries is kept
    finally:
        led.close()


@pytest.mark.parametrize("sql", ["DUE", "NEXT_DUE", "QUEUED"])
def test_what_the_service_asks_again_and_again_reads_an_index_not_the_queued_bodies(ledger, sql):
    """The next rows due, the next try, the queue's counts: asked after each post and every few seconds. A
    row's columns after its body sit on the body's overflow pages: a plan that read the rows would read
    every queued body each time (an endpoint down for hours queues thousands), and a sort would too."""
    statement = getattr(ledger_sql, sql)
    plan = [row[3] for row in ledger._conn.execute(f"EXPLAIN QUERY PLAN {statement}", [0] * statement.count("?"))]
    on_outbox = [step for step in plan if " outbox " in f"{step} " or step.startswith(("SEARCH o ", "SCAN o "))]
    assert on_outbox and all("INDEX" in step for step in on_outbox), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
    assert all("COVERING INDEX" in step for step in on_outbox if sql != "DUE"), plan  # DUE reads its few rows
