"""Poll state: the backoff formula, state transitions, and the JSON store."""

from datetime import UTC, datetime, timedelta

import pytest

from marsad.producers.feeds.state import (
    BackoffPolicy,
    FeedState,
    FeedStateFile,
    backoff_delay,
    is_due,
    new_ids,
    record_failure,
    record_not_modified,
    record_success,
)
from marsad.producers.http import Validators

NOW = datetime(2024, 11, 12, 10, 0, tzinfo=UTC)

BACKOFF = [
    # interval, failures, factor, cap, retry_after, expected seconds
    pytest.param(300, 0, 2.0, 3600, None, 300, id="healthy-uses-interval"),
    pytest.param(300, 1, 2.0, 3600, None, 600, id="one-failure-doubles"),
    pytest.param(300, 2, 2.0, 3600, None, 1200, id="two-failures"),
    pytest.param(300, 3, 2.0, 3600, None, 2400, id="three-failures"),
    pytest.param(300, 4, 2.0, 3600, None, 3600, id="capped"),
    pytest.param(300, 50, 2.0, 3600, None, 3600, id="many-failures-still-capped"),
    pytest.param(7200, 1, 2.0, 3600, None, 7200, id="never-below-interval"),
    pytest.param(60, 2, 3.0, 3600, None, 540, id="other-factor"),
    pytest.param(60, 1, 2.0, 3600, 900, 900, id="retry-after-lengthens"),
    pytest.param(60, 1, 2.0, 3600, 86400, 3600, id="retry-after-capped"),
    pytest.param(60, 1, 2.0, 3600, 5, 120, id="short-retry-after-ignored"),
]


@pytest.mark.parametrize(("interval", "failures", "factor", "cap", "retry_after", "expected"), BACKOFF)
def test_backoff_delay(interval, failures, factor, cap, retry_after, expected) -> None:
    policy = BackoffPolicy(factor=factor, cap=cap)
    assert backoff_delay(interval, failures, policy, retry_after=retry_after) == expected


def test_failures_accumulate_then_success_resets() -> None:
    policy = BackoffPolicy(factor=2.0, cap=3600)
    state = FeedState(feed_id="f")
    for expected in (1, 2, 3):
        state = record_failure(state, now=NOW, interval=300, reason="fetch: timeout", policy=policy)
        assert state.consecutive_failures == expected
    assert state.next_poll == NOW + timedelta(seconds=2400)
    assert state.last_error == "fetch: timeout" and state.last_error_at == NOW
    assert not is_due(state, NOW + timedelta(seconds=2399)) and is_due(state, NOW + timedelta(seconds=2400))

    state = record_success(state, now=NOW, interval=300, validators=Validators(etag='"e"'), article_ids=["a", "b"])
    assert state.consecutive_failures == 0 and state.next_poll == NOW + timedelta(seconds=300)
    assert state.etag == '"e"' and state.recent_ids == ("a", "b") and state.last_new_entry == NOW
    assert state.last_error == "fetch: timeout"  # kept for the record


def test_recent_ids_tell_new_entries_apart() -> None:
    state = record_success(FeedState(feed_id="f"), now=NOW, interval=60, validators=Validators(), article_ids=["a", "b"])
    assert new_ids(state, ["c", "a", "d"]) == ["c", "d"]
    later = NOW + timedelta(minutes=1)
    state = record_success(state, now=later, interval=60, validators=Validators(), article_ids=["a", "b"])
    assert state.last_new_entry == NOW  # nothing new this time


def test_not_modified_keeps_validators_and_resets_failures() -> None:
    state = FeedState(feed_id="f", etag='"1"', last_modified="Tue, 12 Nov 2024 07:30:00 GMT", consecutive_failures=2)
    state = record_not_modified(state, now=NOW, interval=60, validators=Validators())
    assert (state.etag, state.consecutive_failures, state.last_success) == ('"1"', 0, NOW)
    assert state.validators == Validators(etag='"1"', last_modified="Tue, 12 Nov 2024 07:30:00 GMT")


def test_never_polled_is_due() -> None:
    assert is_due(None, NOW) and is_due(FeedState(feed_id="f"), NOW)


def test_store_round_trip(tmp_path) -> None:
    store = FeedStateFile(tmp_path / "data")
    assert store.load() == {}
    states = {
        "b": record_failure(FeedState(feed_id="b"), now=NOW, interval=60, reason="x", policy=BackoffPolicy()),
        "a": record_success(FeedState(feed_id="a"), now=NOW, interval=60, validators=Validators(etag="e"), article_ids=["1"]),
    }
    store.save(states)
    assert store.load() == states
    assert not list((tmp_path / "data").glob("*.tmp"))


def test_corrupt_store_is_moved_aside(tmp_path) -> None:
    store = FeedStateFile(tmp_path)
    store.path.write_text("{not json")
    assert store.load() == {}
    assert store.path.with_name(store.path.name + ".corrupt").exists() and not store.path.exists()


@pytest.mark.anyio
async def test_async_store(tmp_path) -> None:
    store = FeedStateFile(tmp_path)
    await store.asave({"a": FeedState(feed_id="a", last_poll=NOW)})
    assert (await store.aload())["a"].last_poll == NOW
