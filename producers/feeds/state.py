"""Per-feed poll state: when we last polled, what failed, when to poll next.

This is scheduling state only — validators for conditional GET, failure
count for backoff, and a short list of recently seen article ids so a poll
can say which entries look new. Which articles were *published* is
recovered from Kafka, not from here, so losing this file costs one
unconditional poll per feed and nothing else.

The updates are pure functions returning a new ``FeedState``; ``StateStore``
reads and writes the small JSON file in the data dir it is given.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import msgspec

from producers.http import Validators

STATE_FILE = "feed-state.json"
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
) -> FeedState:
    """A poll that fetched and parsed the feed: reset failures, remember validators and ids."""
    ids = list(dict.fromkeys(article_ids))
    fresh = new_ids(state, ids)
    recent = tuple(dict.fromkeys([*ids, *state.recent_ids]))[:RECENT_IDS_KEPT]
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


class StateStore:
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

    async def aload(self) -> dict[str, FeedState]:
        return await asyncio.to_thread(self.load)

    async def asave(self, states: Mapping[str, FeedState]) -> None:
        await asyncio.to_thread(self.save, dict(states))
