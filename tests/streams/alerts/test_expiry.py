"""Story expiry, pure: by processing time per partition, alerts never raised twice, the state stays bounded."""

from __future__ import annotations

import time
from datetime import timedelta

import msgspec
import pytest

from marsad.schemas.alert_state import StoryState
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.schemas.hour_index import Filed
from marsad.schemas.notes import ArticleRef, StoryNote, Trigger
from marsad.schemas.state import StateCodec
from marsad.streams.alerts.engine import route
from marsad.streams.alerts.expiry import fold_story, story_keep_s, story_ttl_s
from marsad.streams.alerts.notes import Staged, StateStore
from marsad.streams.alerts.rules import load_rules, parse_rules
from marsad.streams.classify import Taxonomy
from marsad.streams.extract.gazetteer.model import load_gazetteer
from marsad.streams.hour_index import CHUNK, DAY, HourIndex
from tests.streams.alerts.samples import OFF_TOPIC, T0, article, seizure_story


@pytest.fixture(scope="module")
def rules():
    return load_rules()


class Alerter:
    """The story side of the alert agent over dicts: apply, then expire (30 days, and 90 for a story
    that raised an alert, unless told)."""

    def __init__(self, rules, days: int = 30, fired_days: int = 90) -> None:
        self.rules = rules
        self.stories = StateStore({}, StoryState)
        self.index: dict[bytes, bytes] = {}
        ttl = story_ttl_s(days, rules)
        self.expiry = HourIndex(self.index, 0, ttl)
        self.keep_s = story_keep_s(fired_days, ttl)
        self.swept = []

    def feed(self, *articles) -> list:
        return [e for a in articles for e in self.note(route(a, self.rules).story)]

    def note(self, note: StoryNote) -> list:
        events, swept = fold_story(self.stories, note, self.expiry, self.keep_s)
        if swept:
            self.swept.append(swept)
        return events


def quiet(article_id: str, days: float):
    """An off-topic article (a story of its own that raises nothing) ``days`` after T0: moves the clock."""
    return article(article_id, OFF_TOPIC, source="outlet-q", at=T0 + timedelta(days=days))


def test_a_story_is_dropped_after_its_days_and_one_with_an_alert_keeps_only_its_rule_states(rules):
    alerter = Alerter(rules)
    first, copy_b, _ = seizure_story()
    raised = alerter.feed(first, article("sport", OFF_TOPIC, at=T0))
    assert [e.rule_id for e in raised if isinstance(e, AlertRaised)] == ["captagon-large-seizure"]

    alerter.feed(quiet("day-29", 29))
    assert {"seizure-a", "sport"} <= set(alerter.stories)  # not yet: 29 days
    alerter.feed(quiet("day-31", 31))
    assert "sport" not in alerter.stories
    kept = alerter.stories["seizure-a"]
    assert kept.articles == [] and kept.facts == {} and all(rs.fired for rs in kept.rules.values())
    assert [(s.dropped, s.kept) for s in alerter.swept] == [(1, 1)]

    # a copy months later updates the alert it belongs to: never a second AlertRaised
    late_copy = article("seizure-late", copy_b.clean_text, source="outlet-b", at=T0 + timedelta(days=60),
                        dup=("near", "seizure-a"))
    events = alerter.feed(late_copy)
    assert events and all(isinstance(e, AlertUpdated) for e in events)
    assert events[0].article_ids == ["seizure-late"] and events[0].revision == 1


def test_a_story_that_raised_an_alert_is_forgotten_its_fired_days_after_it_was_last_seen(rules):
    alerter = Alerter(rules)
    first, copy_b, _ = seizure_story()
    alerter.feed(first)
    alerter.feed(quiet("day-31", 31))
    assert not alerter.stories["seizure-a"].articles  # shrunk to its rule states
    alerter.feed(quiet("day-89", 89))
    assert "seizure-a" in alerter.stories
    alerter.feed(quiet("day-91", 91))
    assert "seizure-a" not in alerter.stories
    assert [(s.dropped, s.kept, s.forgotten) for s in alerter.swept if s.forgotten] == [(0, 0, 1)]

    # a copy later than that is news again: a new alert, not an update of the forgotten one
    very_late = article("seizure-very-late", copy_b.clean_text, source="outlet-b", at=T0 + timedelta(days=95),
                        dup=("near", "seizure-a"))
    assert any(isinstance(e, AlertRaised) for e in alerter.feed(very_late))


def test_a_shrunk_story_seen_again_is_kept_from_its_new_date(rules):
    alerter = Alerter(rules)
    first, copy_b, _ = seizure_story()
    alerter.feed(first, quiet("day-31", 31))
    late_copy = article("seizure-late", copy_b.clean_text, source="outlet-b", at=T0 + timedelta(days=60),
                        dup=("near", "seizure-a"))
    assert all(isinstance(e, AlertUpdated) for e in alerter.feed(late_copy))
    alerter.feed(quiet("day-125", 125))  # past 90 days after the first copy, not after the late one
    assert "seizure-a" in alerter.stories and not alerter.stories["seizure-a"].articles
    alerter.feed(quiet("day-151", 151))
    assert "seizure-a" not in alerter.stories


def test_stories_that_raised_alerts_stay_bounded_by_time(rules):
    """Two alerting stories a day for a year leave about 90 days of them; with fired days 0, all of them."""
    first = seizure_story()[0]
    for fired_days, low, high in ((90, 2 * 88, 2 * 92), (0, 2 * 365, 2 * 365)):
        alerter = Alerter(rules, fired_days=fired_days)
        for i in range(2 * 365):
            a = msgspec.structs.replace(first, article_id=f"s{i}", occurred_at=T0 + timedelta(days=i / 2))
            alerter.feed(a)
        assert low <= len(alerter.stories) <= high, (fired_days, len(alerter.stories))
        hours = [k for k in alerter.index if k.startswith(b"hour:")]
        assert len(hours) <= 2 * 92 + 31 * 24  # the stories' hours and their deferred hours, no more


def test_a_later_copy_keeps_its_story_open_from_its_own_date(rules):
    alerter = Alerter(rules)
    alerter.feed(article("sport", OFF_TOPIC, at=T0),
                 article("sport-copy", OFF_TOPIC, source="outlet-b", at=T0 + timedelta(days=20),
                         dup=("exact", "sport")))
    alerter.feed(quiet("day-31", 31))
    assert [a.article_id for a in alerter.stories["sport"].articles] == ["sport", "sport-copy"]
    alerter.feed(quiet("day-51", 51))
    assert "sport" not in alerter.stories


def test_an_article_older_than_the_horizon_goes_at_the_next_sweep(rules):
    alerter = Alerter(rules)
    alerter.feed(quiet("day-40", 40))
    alerter.feed(article("archive", OFF_TOPIC, at=T0))  # imported late: already past the horizon
    assert "archive" in alerter.stories
    alerter.feed(quiet("day-40-2h", 40 + 2 / 24))
    assert "archive" not in alerter.stories


def test_an_archive_imported_today_is_not_expired_by_its_own_dates(rules):
    """Time is when the stream processed an article: old publication dates do not make its story old."""
    alerter = Alerter(rules, days=1)
    now = T0 + timedelta(days=400)
    old, copy_b, _ = (msgspec.structs.replace(a, occurred_at=now) for a in seizure_story(T0))
    fresh = msgspec.structs.replace(quiet("fresh", 400), occurred_at=now + timedelta(minutes=5))
    alerter.feed(old, fresh, msgspec.structs.replace(copy_b, occurred_at=now + timedelta(minutes=10)))
    assert [a.article_id for a in alerter.stories["seizure-a"].articles] == ["seizure-a", "seizure-b"]
    assert alerter.swept == []


def test_time_is_the_logged_processing_time_per_partition_not_the_wall_clock(rules):
    """A replay of the log expires what the live stream did, and a partition's clock is its own."""
    stories = StateStore({}, StoryState)
    index: dict[bytes, bytes] = {}
    ttl = story_ttl_s(30, rules)
    parts = [HourIndex(index, p, ttl) for p in (0, 1)]
    for p, a in ((0, article("p0-old", OFF_TOPIC, at=T0)), (1, article("p1-old", OFF_TOPIC, at=T0)),
                 (0, quiet("p0-new", 45))):
        fold_story(stories, route(a, rules).story, parts[p])
    assert "p0-old" not in stories and "p1-old" in stories  # partition 1 has seen nothing newer


def test_redelivered_notes_file_a_story_once(rules):
    alerter = Alerter(rules)
    a = article("sport", OFF_TOPIC, at=T0)
    alerter.feed(a, a, a)
    filed = [StateCodec(Filed).decode(v) for k, v in alerter.index.items() if k.startswith(b"hour:")]
    assert [f.keys for f in filed] == [["sport"]]


def note_at(story_id: str, at: float) -> StoryNote:
    when = T0 + timedelta(seconds=at - T0.timestamp())
    return StoryNote(story_id, ArticleRef(story_id, at, "outlet"), Trigger(f"event-{story_id}", when))


def test_the_state_stays_bounded_over_a_long_log(rules):
    """A year of 200 stories a day leaves about 30 days of them, and an index of about 30 days of hours."""
    alerter = Alerter(rules)
    start = T0.timestamp()
    for i in range(365 * 200):
        alerter.note(note_at(f"s{i}", start + i * DAY / 200))
    assert 30 * 200 <= len(alerter.stories) <= 31 * 200
    assert len(alerter.index) <= 31 * 24 + 2  # hour buckets and the clock
    assert sum(s.dropped for s in alerter.swept) == 365 * 200 - len(alerter.stories)


def test_a_busy_hour_is_filed_in_chunks_and_swept_whole(rules):
    """An import of 10,000 articles without dates lands in one hour: no record is rewritten whole each time."""
    alerter = Alerter(rules)
    start = T0.timestamp()
    largest = 0
    for i in range(10_000):
        alerter.note(note_at(f"story-{i:05d}", start + i * 0.1))
        largest = max(largest, *(len(v) for v in alerter.index.values()))
    assert largest < CHUNK * 16
    assert len(alerter.stories) == 10_000
    alerter.note(note_at("later", start + 31 * DAY))
    assert list(alerter.stories) == ["later"] and alerter.swept[-1].dropped == 10_000


def test_a_clock_jump_of_years_sweeps_at_once(rules):
    alerter = Alerter(rules)
    start = T0.timestamp()
    for i in range(100):
        alerter.note(note_at(f"old{i}", start + i * 3600))
    began = time.perf_counter()
    alerter.note(note_at("new", start + 10 * 365 * DAY))
    print(f"sweep over 10 years of hours: {time.perf_counter() - began:.3f} s")
    assert list(alerter.stories) == ["new"]
    assert sorted(k.split(b":")[0] for k in alerter.index) == [b"clock", b"hour"]


def test_expiry_off_and_never_shorter_than_a_corroboration_window(rules):
    assert story_ttl_s(0, rules) is None
    assert story_ttl_s(30, rules) == 30 * DAY
    long_window = parse_rules("""\
rules:
  - id: slow-story
    title: قصة بطيئة
    severity: info
    topics: {any: [narcotics]}
    corroboration: {sources: 2, window: 10d}
""", "long.yaml", Taxonomy.load(), load_gazetteer())
    assert story_ttl_s(1, long_window) == 10 * DAY
    assert story_keep_s(0, 30 * DAY) is None
    assert story_keep_s(90, 30 * DAY) == 90 * DAY
    assert story_keep_s(10, 30 * DAY) == 30 * DAY  # never before the story itself


def test_staged_deletes_reach_the_store_only_at_commit():
    store = StateStore({}, StoryState)
    store["a"] = StoryState()
    staged = Staged(store)
    del staged["a"]
    assert "a" not in staged and len(staged) == 0 and "a" in store
    with pytest.raises(KeyError):
        del staged["a"]
    staged["b"] = StoryState()
    staged.commit()
    assert list(store) == ["b"]
