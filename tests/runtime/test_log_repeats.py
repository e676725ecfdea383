"""`HoldRepeats`: a broker's absence is a few lines in a service's log, not thousands (issue #24's drills)."""

from __future__ import annotations

import logging

from marsad.runtime.logs import HoldRepeats


def record(name: str, msg: str, *args: object, level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_like_client_errors_pass_once_per_period_with_the_count_held_back():
    now = [100.0]
    held = HoldRepeats(every=30.0, clock=lambda: now[0])
    template = "Unable connect to node with id %s: %s"
    passed = []
    for _ in range(50):
        r = record("aiokafka", template, 3, "refused")
        if held.filter(r):
            passed.append(r.getMessage())
        now[0] += 0.1  # ten a second, as aiokafka logs them
    assert passed == ["Unable connect to node with id 3: refused"]
    now[0] += 30
    r = record("aiokafka", template, 3, "refused")
    assert held.filter(r)
    assert r.getMessage() == "Unable connect to node with id 3: refused (49 more like it in the last 35s not shown)"


def test_other_templates_loggers_and_levels_are_not_held():
    held = HoldRepeats(clock=lambda: 0.0)
    assert held.filter(record("aiokafka", "Unable connect to node with id %s", 3))
    assert held.filter(record("aiokafka.consumer.fetcher", "Unable connect to node with id %s", 3))  # other logger
    assert held.filter(record("aiokafka", "Failed fetch messages from %s: %s", 3, "x"))  # other template
    assert all(held.filter(record("consumers", "views: batch failed")) for _ in range(3))  # not a Kafka client
    assert all(held.filter(record("kafka.conn", "connecting", level=logging.INFO)) for _ in range(3))
