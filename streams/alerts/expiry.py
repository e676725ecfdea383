"""Story expiry: the alerter forgets a story some days after it last saw an article of it.

Every article leaves a story state behind (a later copy may match a rule and
then needs the earlier outlets to corroborate it), so without expiry the
alerter's story table grows with the log. Here a story is dropped once the
latest copy of it was processed ``ttl`` before the stream time of its
partition, through the hour index (`marsad.streams.hour_index`) (its own table,
partitioned like the stories).

Time is the processing time the log records (the ``occurred_at`` of each
`ArticleProcessed`), not the wall clock and not the publication dates: a
replay or a back-test of the log expires the same stories the live stream
did, and an archive imported today stays whole for ``ttl`` however old its
articles are (its copies still corroborate each other).

A story that raised an alert is not dropped but shrunk to its rule states
(no articles, no evidence), so that a copy arriving months later updates the
alert instead of raising it a second time. What a late copy no longer gets is
corroboration by the articles that were forgotten. The shrunk state is kept
``keep`` after the story was last seen (the `alert_fired_days` setting, 90 by
default; 0 keeps it for good), so the table stays bounded by time: a copy
arriving later than that raises a new alert.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

from marsad.schemas.alert_state import StoryState
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.schemas.notes import StoryNote
from marsad.streams.alerts.engine import apply_story
from marsad.streams.alerts.rules import Ruleset
from marsad.streams.hour_index import DAY, HourIndex, hour_of

DEFAULT_DAYS = 30  # the `alert_story_days` setting's default
DEFAULT_FIRED_DAYS = 90  # the `alert_fired_days` setting's default


@dataclass(frozen=True)
class Swept:
    """What one sweep did: stories dropped, stories shrunk to the alerts they raised, shrunk ones forgotten."""

    partition: int
    upto: float  # the horizon: stories not seen since then were checked
    dropped: int
    kept: int
    forgotten: int = 0


def story_ttl_s(days: int, rules: Ruleset) -> float | None:
    """How long a story stays after it was last seen; None when expiry is off (``days`` 0).

    Never shorter than the longest corroboration window of ``rules``, or a
    story could be forgotten while a rule still counts its outlets.
    """
    if days <= 0:
        return None
    return max([days * DAY, *(rule.window_s for rule in rules.story)])


def story_keep_s(fired_days: int, ttl_s: float) -> float | None:
    """How long a story that raised an alert stays (shrunk) after it was last seen; None: for good
    (``fired_days`` 0). Never shorter than the story's own ``ttl_s``."""
    return max(fired_days * DAY, ttl_s) if fired_days > 0 else None


def expire_stories(stories: MutableMapping[str, StoryState], index: HourIndex, now: float,
                   keep_s: float | None = None) -> Swept | None:
    """Move the partition's stream time to ``now`` (a note's processing time) and expire what fell behind.

    Runs before the note is folded in, so a copy processed more than ``ttl``
    after its story was last seen finds it forgotten. A story that raised an
    alert is shrunk to its rule states instead, and forgotten ``keep_s`` after
    it was last seen (None: kept for good). Returns what the sweep did, or None
    when nothing was due.
    """
    index.advance(now)
    dropped = kept = forgotten = 0
    for hour, story_ids in index.due():
        for story_id in story_ids:
            state = stories.get(story_id)
            if state is None:
                continue  # gone
            if not state.articles:  # shrunk: due again once it has been kept long enough
                if keep_s is not None and index.hour_due(state.seen + keep_s) <= hour:
                    del stories[story_id]
                    forgotten += 1
                continue  # else kept for good, or filed for a later hour (seen again since)
            if hour_of(state.seen) > hour:
                continue  # filed again under a later hour
            fired = {rule_id: rs for rule_id, rs in state.rules.items() if rs.fired}
            if fired:
                stories[story_id] = StoryState(rules=fired, seen=state.seen)
                if keep_s is not None:
                    index.defer(story_id, state.seen + keep_s)
                kept += 1
            else:
                del stories[story_id]
                dropped += 1
    if not (dropped or kept or forgotten):
        return None
    return Swept(index.partition, index.horizon(), dropped, kept, forgotten)


def file_story(stories: MutableMapping[str, StoryState], index: HourIndex, note: StoryNote) -> None:
    """Record that ``note``'s story was seen at the note's processing time (after it was folded in)."""
    seen = note.trigger.occurred_at.timestamp()
    state = stories.get(note.story_id)
    if state is not None and seen > state.seen:
        state.seen = seen
        stories[note.story_id] = state
        index.file(note.story_id, seen)


def fold_story(stories: MutableMapping[str, StoryState], note: StoryNote, index: HourIndex | None,
               keep_s: float | None = None) -> tuple[list[AlertRaised | AlertUpdated], Swept | None]:
    """`engine.apply_story` with expiry around it (none when ``index`` is None), as the agent and the
    back-test both run it: expire up to the note's time, fold the note in, file its story."""
    swept = expire_stories(stories, index, note.trigger.occurred_at.timestamp(), keep_s) if index else None
    events = apply_story(stories, note)
    if index:
        file_story(stories, index, note)
    return events, swept
