"""The per-partition low watermark: commit up to the oldest message some target still owes (delivery, fetcher)."""

from __future__ import annotations

import pytest

from marsad.runtime.offsets import Tracker, commit_point, in_flight_of


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


@pytest.mark.parametrize(("read_to", "owed", "point"), [
    pytest.param(8, [], (8, ""), id="nothing-in-flight"),
    pytest.param(8, [5], (8, "in-flight:5"), id="past-a-slow-one"),
    pytest.param(8, [7, 5], (8, "in-flight:5,7"), id="named-oldest-first"),
])
def test_the_commit_moves_past_done_work_and_names_what_is_in_flight(
    read_to: int, owed: list[int], point: tuple[int, str]
) -> None:
    assert commit_point(read_to, owed) == point
    assert in_flight_of(point[1]) == frozenset(owed)


def test_metadata_too_long_stops_the_commit_at_the_first_offset_left_out():
    owed = list(range(1_000_000, 1_000_300))
    offset, metadata = commit_point(2_000_000, owed, limit=100)
    assert len(metadata) <= 100 and offset in owed
    assert in_flight_of(metadata) == frozenset(o for o in owed if o < offset)  # all the owed below it, named


@pytest.mark.parametrize("metadata", ["", None, "written by another tool", "in-flight:"])
def test_other_metadata_names_nothing(metadata: str | None) -> None:
    assert in_flight_of(metadata) == frozenset()


def test_a_partition_assigned_at_its_committed_offset_commits_from_there():
    t = Tracker()
    t.start_at("p0", 40)
    t.add("p0", 12, ["fetch"])  # named in flight by the commit: owed until fetched again
    assert t.in_flight() == {"p0": (40, [12])}
    t.done("p0", 12, "fetch")
    assert t.in_flight() == {"p0": (40, [])}
