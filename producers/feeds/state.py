"""Per-feed poll state: when we last polled, what failed, when to poll next.

This is scheduling state only — validators for conditional GET, failure
count for backoff, and a short list of recently seen article ids so a poll
can say which entries look new. Which articles were *published* is
recovered from Kafka, not from here, so losing this file costs one
unconditional poll per feed and nothing else.

The updates are pure functions returning a new ``FeedState``; ``FeedStateFile``
reads and writes the small JSON file in the data dir it is given.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import msgspec

from marsad.producers.http import Validators

STATE_FILE = "feed-state.json"
RESET_FILE = "feed-resets.json"  # `marsad feeds reset` asks a running poller through it
ALL_FEEDS = "*"
RECENT_IDS_KEPT = 500


class BackoffPolicy(msgspec.Struct, frozen=True):
    """Exponential backoff after consecutive failures, without jitter so it can be tested exactly."""

    factor: float = 2.0
    cap: float = 6 * 3600.0  # seconds; never wait longer than this between failing polls


class FeedState(msgspec.Struct, frozen=True, omit_defaults=True):
    feed_id: str
    last_poll: datetime | None = None
    last_success: datetime | None = None
    last_new_entry: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    next_poll: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    recent_ids: tuple[str, ...] = ()  # newest first, at most RECENT_IDS_KEPT
    # A sitemap index's children read by the last poll, with their validators (their conditional GET).
    child_validators: dict[str, Validators] = {}

    @property
    def validators(self) -> Validators:
        return Validators(etag=self.etag, last_modified=self.last_modified)


def backoff_delay(
    interval: float, failures: int, policy: BackoffPolicy, *, retry_after: float | None = None
) -> float:
    """Seconds until the next poll.

    ``interval`` with no failures; after ``n`` consecutive failures
    ``interval * factor**n`` capped at ``policy.cap`` but never below
    ``interval`` (a failing feed is not polled more often than a healthy
    one). A server's ``Retry-After`` lengthens the wait, up to the cap.
    """
    if failures <= 0:
        return float(interval)
    delay = max(float(interval), min(policy.cap, interval * policy.factor**failures))
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.cap))
    return delay


def is_due(state: FeedState | None, now: datetime) -> bool:
    """A feed never polled, or whose next poll time has come."""
    return state is None or state.next_poll is None or state.next_poll <= now


def new_ids(state: FeedState, ids: Iterable[str]) -> list[str]:
    """The ids not seen in recent polls (a hint; Kafka is the authority on what was published)."""
    recent = set(state.recent_ids)
    return [article_id for article_id in ids if article_id not in recent]


def record_success(
    state: FeedState,
    *,
    now: datetime,
    interval: float,
    validators: Validators,
    article_ids: Iterable[str],
    child_validators: Mapping[str, Validators] | None = None,
    forget_ids: Iterable[str] = (),
) -> FeedState:
    """A poll that fetched and parsed the feed: reset failures, remember validators and ids (and the
    validators of an index's children, when the poll read some). ``forget_ids`` (posts found deleted)
    leave the recent ids, so a deletion is reported by one poll, not by every later one."""
    ids = list(dict.fromkeys(article_ids))
    fresh = new_ids(state, ids)
    gone = set(forget_ids)
    recent = tuple(i for i in dict.fromkeys([*ids, *state.recent_ids]) if i not in gone)[:RECENT_IDS_KEPT]
    return msgspec.structs.replace(
        state,
        last_poll=now,
        last_success=now,
        last_new_entry=now if fresh else state.last_new_entry,
        consecutive_failures=0,
        next_poll=now + timedelta(seconds=interval),
        etag=validators.etag,
        last_modified=validators.last_modified,
        recent_ids=recent,
        child_validators=dict(child_validators) if child_validators is not None else state.child_validators,
    )


def record_not_modified(
    state: FeedState, *, now: datetime, interval: float, validators: Validators
) -> FeedState:
    """A 304: as healthy as a success, with nothing new."""
    return msgspec.structs.replace(
        state,
        last_poll=now,
        last_success=now,
        consecutive_failures=0,
        next_poll=now + timedelta(seconds=interval),
        etag=validators.etag or state.etag,
        last_modified=validators.last_modified or state.last_modified,
    )


def record_failure(
    state: FeedState,
    *,
    now: datetime,
    interval: float,
    reason: str,
    policy: BackoffPolicy,
    retry_after: float | None = None,
) -> FeedState:
    """A failed poll: count it and push the next poll out by ``backoff_delay``."""
    failures = state.consecutive_failures + 1
    delay = backoff_delay(interval, failures, policy, retry_after=retry_after)
    return msgspec.structs.replace(
        state,
        last_poll=now,
        last_error=reason,
        last_error_at=now,
        consecutive_failures=failures,
        next_poll=now + timedelta(seconds=delay),
    )


def cleared(state: FeedState) -> FeedState:
    """The state after `marsad feeds reset`: no failures, no error, due now; validators and ids kept."""
    return msgspec.structs.replace(state, last_error=None, last_error_at=None, consecutive_failures=0,
                                   next_poll=None)


def apply_resets(states: dict[str, FeedState], ids: set[str]) -> list[str]:
    """Clear the states of ``ids`` (``ALL_FEEDS``: every one) in place; return the ids cleared."""
    chosen = sorted(states) if ALL_FEEDS in ids else sorted(ids & set(states))
    for feed_id in chosen:
        states[feed_id] = cleared(states[feed_id])
    return chosen


class FeedStateFile:
    """The state of all feeds in one JSON file under ``data_dir``.

    ``load``/``save`` are blocking (small file); async callers use
    ``aload``/``asave``, which run them in a thread. Writes are atomic
    (temporary file, then rename). An unreadable file is moved aside to
    ``*.corrupt`` and treated as empty, since the state can be rebuilt.
    """

    def __init__(self, data_dir: str | Path) -> None:
        self.path = Path(data_dir) / STATE_FILE

    def load(self) -> dict[str, FeedState]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            states = msgspec.json.decode(raw, type=list[FeedState])
        except msgspec.DecodeError:
            self.path.replace(self.path.with_name(self.path.name + ".corrupt"))
            return {}
        return {state.feed_id: state for state in states}

    def save(self, states: Mapping[str, FeedState]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ordered = [states[key] for key in sorted(states)]
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "wb") as handle:
            handle.write(msgspec.json.format(msgspec.json.encode(ordered), indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.path)

    @property
    def reset_path(self) -> Path:
        return self.path.with_name(RESET_FILE)

    def reset(self, ids: set[str]) -> list[str]:
        """Clear errors and backoff of ``ids`` (or ``{ALL_FEEDS}``) in the file, and ask a running poller to.

        The poller keeps the states in memory and saves them after each poll,
        so the file alone would be overwritten: the request file makes it
        clear its own copy too (`take_resets`).
        """
        states = self.load()
        cleared_ids = apply_resets(states, ids)
        self.save(states)
        self.reset_path.parent.mkdir(parents=True, exist_ok=True)
        pending = self._pending_resets() | ids
        temporary = self.reset_path.with_name(self.reset_path.name + ".tmp")
        temporary.write_bytes(msgspec.json.encode(sorted(pending)))
        temporary.replace(self.reset_path)
        return cleared_ids

    def take_resets(self) -> set[str]:
        """The feed ids a `marsad feeds reset` asked for since the last call (the request is consumed)."""
        pending = self._pending_resets()
        self.reset_path.unlink(missing_ok=True)
        return pending

    def _pending_resets(self) -> set[str]:
        try:
            return set(msgspec.json.decode(self.reset_path.read_bytes(), type=list[str]))
        except FileNotFoundError:
            return set()
        except msgspec.DecodeError:
            return {ALL_FEEDS}  # a damaged request: clearing every feed is harmless

    async def aload(self) -> dict[str, FeedState]:
        return await asyncio.to_thread(self.load)

    async def asave(self, states: Mapping[str, FeedState]) -> None:
        await asyncio.to_thread(self.save, dict(states))
