"""The producer's log lines: one per poll, one per cycle; words an operator can act on."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the poller pulls in trafilatura: not needed to format a line
    from marsad.producers.feeds.registry import Feed
    from marsad.producers.poller import PollOutcome

log = logging.getLogger("marsad.producers.service")


def log_poll(feed: Feed, outcome: PollOutcome, new: int, known: int, resumed: int, revised: int = 0) -> None:
    """What one poll found, or why it failed and when the feed is tried again."""
    if outcome.status == "failed":
        state = outcome.state
        wait = (state.next_poll - datetime.now(UTC)).total_seconds() if state.next_poll else 0.0
        log.warning("feed %s: failed: %s (%d in a row; next poll in %s)", feed.id, state.last_error,
                    state.consecutive_failures, duration(wait))
        return
    if outcome.status == "not_modified":
        log.info("feed %s: not modified (304)", feed.id)
        return
    notes = [f"HTTP {outcome.http_status}", outcome.encoding or "?", f"{outcome.elapsed:.2f} s"]
    if resumed:
        notes.append(f"{resumed} unfinished from an earlier run")
    if revised:
        notes.append(f"{revised} edited at the source, announced again")
    if outcome.skipped:
        notes.append(f"{outcome.skipped} entries without a usable link")
    notes.extend(f"{count} {reason}" for reason, count in sorted(outcome.counts.items()))
    if outcome.bozo_reason:
        notes.append(f"malformed but readable: {outcome.bozo_reason}")
    log.info("feed %s: %d new, %d known (%s)", feed.id, new, known, "; ".join(notes))
    if outcome.deleted:
        log.warning("feed %s: %d post(s) deleted at the source (what was announced of them stays): %s",
                    feed.id, len(outcome.deleted), " ".join(outcome.deleted))
    if outcome.moved_to:
        log.warning("feed %s: moved permanently to %s: update the registry", feed.id, outcome.moved_to)


def log_cycle(
    number: int, seconds: float, statuses: Counter[str], new: int, known: int, queued: int,
    so_far: Mapping[str, int],
) -> None:
    """The cycle's one-line summary: polls by outcome, entries, queue, totals accepted so far."""
    log.info(
        "cycle %d: %d feed(s) polled in %.1f s (%d ok, %d not modified, %d failed): %d new, %d known; "
        "%d queued; so far %d discovered, %d fetched, %d dead letters",
        number, statuses.total(), seconds, statuses["ok"], statuses["not_modified"], statuses["failed"],
        new, known, queued, so_far["discovered"], so_far["fetched"], so_far["dead letters"],
    )


def duration(seconds: float) -> str:
    """A wait in the unit a person reads best: "40 s", "12 min", "3.5 h"."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
