"""The per-partition low watermark: commit up to the oldest message some target still owes (delivery, fetcher)."""

from __future__ import annotations

import pytest

from deploy.services.offsets import Tracker


def test_commits_stop_at_the_oldest_unsettled_message():
    t = Tracker()
    t.add("p0", 10, ["a", "b"])
    t.add("p0", 11, ["a"])
    t.add("p0", 12, [])  # wanted by nobody
    t.add("p1", 0, ["b"])
    assert t.committable() == {"p0": 10, "p1": 0} and t.pending() == 3
    t.done("p0", 11, "a")  # a later message settled first: still held by 10
    t.done("p0", 10, "a")
    assert t.committable()["p0"] == 10
    t.done("p0", 10, "b")
    assert t.committable() == {"p0": 13, "p1": 0}
    t.done("p1", 0, "b")
    t.done("p1", 0, "b")  # twice is harmless
    assert t.committable() == {"p0": 13, "p1": 1} and t.pending() == 0


def test_a_forgotten_partition_ignores_late_completions():
    t = Tracker()
    t.add("p0", 5, ["a"])
    t.forget("p0")
    t.done("p0", 5, "a")
    assert t.committable() == {} and t.pending() == 0


@pytest.mark.parametrize(("started", "done", "point"), [
    pytest.param([5, 6, 7], [], 5, id="nothing-done"),
    pytest.param([5, 6, 7], [6, 7], 5, id="oldest-still-pending"),
    pytest.param([5, 6, 7], [5, 7], 6, id="up-to-the-first-pending"),
    pytest.param([5, 6, 7], [5, 6, 7], 8, id="all-done"),
])
def test_one_target_finishing_out_of_order(started: list[int], done: list[int], point: int) -> None:
    """The fetcher's case: each record owed to one target, outcomes acknowledged in any order."""
    t = Tracker()
    for offset in started:
        t.add("p0", offset, ["fetch"])
    for offset in done:
        t.done("p0", offset, "fetch")
    assert t.committable() == {"p0": point}
