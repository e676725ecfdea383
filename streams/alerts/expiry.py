"""Story expiry: the alerter forgets a story some days after it last saw an article of it.

Every article leaves a story state behind (a later copy may match a rule and
then needs the earlier outlets to corroborate it), so without expiry the
alerter's story table grows with the log. Here a story is dropped once the
latest copy of it was processed ``ttl`` before the stream time of its
partition.

Time is the processing time the log records (the ``occurred_at`` of each
`ArticleProcessed`), not the wall clock and not the publication dates: a
replay or a back-test of the log expires the same stories the live stream
did, a quiet partition expires nothing, and an archive imported today stays
whole for ``ttl`` however old its articles are (its copies still
corroborate each other). The stream time of a partition is the latest
processing time it has seen.

A story that raised an alert is not dropped but shrunk to its rule states
(no articles, no evidence), so that a copy arriving months later updates the
alert instead of raising it a second time. What a late copy no longer gets is
corroboration by the articles that were forgotten.

The index that finds due stories without scanning the table lives in a
mapping of its own (a Faust table partitioned like the stories, a dict in the
back-test):

    clock:{p}       the partition's stream time and the last hour it swept
    hour:{p}:{h}    the stories last seen in hour h (the latest ids, and how
                    many full chunks of 256 are under hour:{p}:{h}:{n})

A story is filed again under a later hour when it is seen again; the entry
under the earlier hour goes stale and is skipped when its hour is swept.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass

import msgspec

from streams.alerts.notes import StoryNote, StoryState
from streams.alerts.rules import Ruleset

HOUR = 3600
DAY = 86400
DEFAULT_DAYS = 30  # the `alert_story_days` setting's default
CHUNK = 256  # story ids per record of an hour: a busy hour is written in pieces, never rewritten whole


class Clock(msgspec.Struct):
    at: float  # the latest processing time seen in the partition, epoch seconds
    swept: int  # the last hour whose stories were checked


class Filed(msgspec.Struct, omit_defaults=True):
    story_ids: list[str] = []
    sealed: int = 0  # full chunks of this hour, kept under "{key}:{n}" for n < sealed


@dataclass(frozen=True)
class Swept:
    """What one sweep did: stories dropped, and stories shrunk to the alerts they raised."""

    partition: int
    upto: float  # the horizon: stories not seen since then were checked
    dropped: int
    kept: int


def story_ttl_s(days: int, rules: Ruleset) -> float | None:
    """How long a story stays after it was last seen; None when expiry is off (``days`` 0).

    Never shorter than the longest corroboration window of ``rules``, or a
    story could be forgotten while a rule still counts its outlets.
    """
    if days <= 0:
        return None
    return max([days * DAY, *(rule.window_s for rule in rules.story)])


class StoryExpiry:
    """The expiry index of one partition over ``clocks`` and ``filed`` (one mapping may hold both)."""

    def __init__(self, clocks: MutableMapping[str, Clock], filed: MutableMapping[str, Filed],
                 partition: int, ttl_s: float) -> None:
        self.clocks = clocks
        self.filed = filed
        self.partition = partition
        self.ttl_s = ttl_s

    def apply(self, stories: MutableMapping[str, StoryState], note: StoryNote) -> Swept | None:
        """Account for ``note`` (already folded into ``stories``) and expire what is now due.

        Returns what the sweep did, or None when nothing was due.
        """
        seen = note.trigger.occurred_at.timestamp()
        clock = self._advance(seen)
        state = stories.get(note.story_id)
        if state is not None and seen > state.seen:
            state.seen = seen
            stories[note.story_id] = state
            self._file(note.story_id, seen, clock)
        dropped = kept = 0
        for hour, story_ids in self._due(clock):
            for story_id in story_ids:
                state = stories.get(story_id)
                if state is None or not state.articles or _hour(state.seen) > hour:
                    continue  # gone, already shrunk, or filed again under a later hour
                fired = {rule_id: rs for rule_id, rs in state.rules.items() if rs.fired}
                if fired:
                    stories[story_id] = StoryState(rules=fired, seen=state.seen)
                    kept += 1
                else:
                    del stories[story_id]
                    dropped += 1
        if not (dropped or kept):
            return None
        return Swept(self.partition, clock.at - self.ttl_s, dropped, kept)

    def _advance(self, at: float) -> Clock:
        key = f"clock:{self.partition}"
        clock = self.clocks.get(key)
        if clock is None:
            clock = Clock(at, _hour(at - self.ttl_s))  # a new partition has nothing older to sweep
        elif at > clock.at:
            clock = Clock(at, clock.swept)
        else:
            return clock
        self.clocks[key] = clock
        return clock

    def _file(self, story_id: str, at: float, clock: Clock) -> None:
        hour = max(_hour(at), clock.swept + 1)  # seen already past the horizon: checked at the next sweep
        key = f"hour:{self.partition}:{hour}"
        filed = self.filed.get(key) or Filed()
        if story_id in filed.story_ids:
            return
        story_ids = [*filed.story_ids, story_id]
        if len(story_ids) < CHUNK:
            self.filed[key] = Filed(story_ids, filed.sealed)
        else:
            self.filed[f"{key}:{filed.sealed}"] = Filed(story_ids)
            self.filed[key] = Filed([], filed.sealed + 1)

    def _due(self, clock: Clock) -> Iterator[tuple[int, list[str]]]:
        """The hours wholly behind the horizon and not swept yet, each with its stories; moves the clock."""
        last = _hour(clock.at - self.ttl_s) - 1
        if last <= clock.swept:
            return
        for hour in range(clock.swept + 1, last + 1):
            key = f"hour:{self.partition}:{hour}"
            head = self.filed.get(key)
            if head is None:
                continue
            story_ids = []
            for n in range(head.sealed):
                story_ids += self.filed.pop(f"{key}:{n}").story_ids
            del self.filed[key]
            yield hour, story_ids + head.story_ids
        self.clocks[f"clock:{self.partition}"] = Clock(clock.at, last)


def _hour(at: float) -> int:
    return int(at // HOUR)
