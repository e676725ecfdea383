"""The story rule engine, pure: one alert per story, updates for copies, order independence, determinism."""

from __future__ import annotations

import itertools
from datetime import timedelta

import msgspec
import pytest

from marsad.schemas.alert_state import StoryState
from marsad.schemas.codec import encode
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.schemas.notes import ArticleRef
from marsad.streams.alerts.engine import apply_story, corroborated, event_time, route, story_id
from marsad.streams.alerts.match import ArticleView, match_story_rule
from marsad.streams.alerts.notes import Staged, StateStore
from marsad.streams.alerts.rules import load_rules, parse_rules
from marsad.streams.classify import Taxonomy
from marsad.streams.extract.gazetteer.model import load_gazetteer
from tests.streams.alerts.samples import ISIS_ATTACK, OFF_TOPIC, OTHER_SEIZURE, T0, article, seizure_story


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def custom(text: str):
    return parse_rules(text, "custom.yaml", Taxonomy.load(), load_gazetteer())


def run(articles, rules, store=None) -> list:
    store = store if store is not None else StateStore({}, StoryState)
    out = []
    for a in articles:
        out += apply_story(store, route(a, rules).story)
    return out


def test_a_large_captagon_seizure_raises_one_critical_alert_with_its_evidence(rules):
    first, *_ = seizure_story()
    events = run([first], rules)
    critical = [e for e in events if isinstance(e, AlertRaised) and e.severity == "critical"]
    assert len(critical) == 1
    alert = critical[0]
    assert alert.rule_id == "captagon-large-seizure" and alert.kind == "story" and alert.story_id == "seizure-a"
    assert [(q.value, q.unit, q.item) for q in alert.quantities] == [(3_000_000, "pill", "captagon")]
    assert any("3,000,000 pill captagon" in m for m in alert.matched)
    assert alert.article_ids == ["seizure-a"] and alert.sources == ["outlet-a"]
    assert alert.titles == [first.title] and alert.urls == [first.url]
    assert any(p.name == "درعا" and p.lat and p.lon for p in alert.places)
    assert any(t.id == "narcotics" and t.evidence for t in alert.topics)
    assert alert.rules_version == rules.version and alert.taxonomy_version and alert.gazetteer_version
    assert alert.occurred_at == first.occurred_at and alert.causation_id == first.event_id


def test_copies_update_the_alert_and_raise_nothing_new(rules):
    events = run(seizure_story(), rules)
    raised = [e for e in events if isinstance(e, AlertRaised) and e.rule_id == "captagon-large-seizure"]
    updates = [e for e in events if isinstance(e, AlertUpdated) and e.rule_id == "captagon-large-seizure"]
    assert len(raised) == 1
    assert [u.revision for u in updates] == [1, 2]
    assert all(u.alert_id == raised[0].alert_id for u in updates)
    assert updates[-1].sources == ["outlet-a", "outlet-b", "outlet-c"]
    assert updates[-1].article_ids == ["seizure-a", "seizure-b", "seizure-c"]
    assert len({e.event_id for e in events}) == len(events)


def test_an_off_topic_article_raises_nothing(rules):
    assert run([article("sport", OFF_TOPIC)], rules) == []


def test_a_redelivered_article_changes_nothing(rules):
    store = StateStore({}, StoryState)
    story = seizure_story()
    run(story, rules, store)
    assert run(story, rules, store) == []


def test_an_edited_posts_later_revision_is_not_a_second_article_of_its_story(rules):
    """An edited Telegram post comes again under its article id (revision 2): the alert it raised is
    not updated as if a second outlet had reported, and nothing is raised again."""
    store = StateStore({}, StoryState)
    first, *_ = seizure_story()
    raised = run([first], rules, store)
    assert any(isinstance(e, AlertRaised) for e in raised)
    edit = msgspec.structs.replace(first, event_id=first.event_id + "-r2", occurred_at=first.occurred_at
                                   + timedelta(hours=1), source_kind="telegram", edited=True, revision=2)
    assert run([edit], rules, store) == []


def test_a_crash_before_the_staged_state_is_committed_raises_the_same_events_again(rules):
    """The agent publishes, then commits: a note redelivered after a crash in between is not lost."""
    store = StateStore({}, StoryState)
    first = route(seizure_story()[0], rules).story
    staged = Staged(store)
    events = apply_story(staged, first)
    assert events and len(store) == 0 and len(staged) == 1  # nothing written through before the commit
    # the process dies here, after publishing `events`: the redelivered note raises them again, same ids
    again = Staged(store)
    assert [e.event_id for e in apply_story(again, first)] == [e.event_id for e in events]
    again.commit()
    assert len(store) == 1 and apply_story(Staged(store), first) == []


def test_same_input_gives_byte_identical_events(rules):
    story = [*seizure_story(), article("isis", ISIS_ATTACK, at=T0)]
    assert [encode(e) for e in run(story, rules)] == [encode(e) for e in run(story, rules)]


CORROBORATED = """\
rules:
  - id: seizure-3-sources
    title: ضبط تؤكده ثلاثة مصادر
    severity: warning
    quantities: [{item: captagon, unit: pill, min: 1000000}]
    corroboration: {sources: 3, window: 6h}
"""


def final_state(events) -> dict[str, tuple[int, int]]:
    """alert id -> (articles, sources) of its latest revision."""
    out: dict[str, tuple[int, int, int]] = {}
    for e in events:
        rev = e.revision if isinstance(e, AlertUpdated) else 0
        if e.alert_id not in out or out[e.alert_id][0] < rev:
            out[e.alert_id] = (rev, len(e.article_ids), len(e.sources))
    return {k: v[1:] for k, v in out.items()}


def test_the_set_of_alerts_and_their_final_counts_do_not_depend_on_the_order():
    rules = custom(CORROBORATED)
    story = seizure_story()
    story.append(article("seizure-d", story[0].clean_text, source="outlet-b", at=T0 + timedelta(hours=9),
                         dup=("exact", "seizure-a")))
    story.append(article("other", OTHER_SEIZURE, source="outlet-z", at=T0))
    results = {frozenset(final_state(run(order, rules)).items()) for order in itertools.permutations(story)}
    assert len(results) == 1
    (result,) = results
    assert len(result) == 1 and next(iter(result))[1] == (4, 3)


def test_corroboration_waits_for_enough_outlets_within_the_window():
    rules = custom(CORROBORATED)
    a, b, c = seizure_story()
    assert run([a, b], rules) == []
    events = run([a, b, c], rules)
    assert [type(e).__name__ for e in events] == ["AlertRaised"]
    assert any("corroborated by 3 sources" in m for m in events[0].matched)
    late = msgspec.structs.replace(c, published=T0 + timedelta(hours=7), occurred_at=T0 + timedelta(hours=7))
    assert run([a, b, late], rules) == []  # a to late spans 7 h; b to late is 6 h but only 2 outlets


def test_corroborated_looks_at_every_span():
    refs = [ArticleRef(str(i), t, s) for i, (t, s) in enumerate([(0, "a"), (100, "a"), (5000, "b"), (5100, "c")])]
    assert corroborated(refs, 3, 5000)  # 100 .. 5100: a, b, c
    assert not corroborated(refs, 3, 4999)
    assert corroborated(refs, 2, 100) and not corroborated(refs, 2, 99)
    assert corroborated(refs, 1, 1) and not corroborated([], 1, 1)


def test_story_and_event_time():
    a, b, _ = seizure_story()
    assert story_id(a) == "seizure-a" and story_id(b) == "seizure-a"
    assert event_time(a) == T0
    future = msgspec.structs.replace(a, published=T0 + timedelta(days=3))
    assert event_time(future) == a.occurred_at  # a publication date in the future is not believed


@pytest.mark.parametrize(("conditions", "matches"), [
    ("orgs: [isis]\n    text: {any: [هجوم*, كمين]}", True),
    ("orgs: [isis]\n    text: {all: [كمين, مفخخة]}", False),
    ("topics: {all: [terrorism], min_score: 0.9}", False),
    ("topics: {any: [terrorism, narcotics]}", True),
    ("places: [{name: دير الزور}]", True),
    ("places: [{lat: 35.33, lon: 40.14, radius_km: 25}]", True),
    ("places: [{lat: 33.51, lon: 36.29, radius_km: 25}]", False),
    ("places: [{country: IQ}]", False),
    ("countries: [SY]", True),
    ("text: {any: [ليل*]}", True),
    ("text: {any: [ليل]}", False),
], ids=["org+text", "text-all", "min-score", "topics-any", "place-name", "place-radius", "place-far",
        "place-country", "country", "text-wildcard", "text-whole-word"])
def test_conditions(conditions, matches):
    rules = custom(f"rules:\n  - id: r\n    title: t\n    severity: info\n    {conditions}\n")
    reasons = match_story_rule(rules.story[0], ArticleView(article("isis", ISIS_ATTACK)))
    assert (reasons is not None) == matches
    if matches:
        assert reasons


def test_weights_compare_across_units():
    rules = custom("rules:\n  - {id: r, title: t, severity: info, quantities: [{item: captagon, unit: kg, min: 2000}]}\n")
    tons = article("t", "ضبطت السلطات 2 طن من الكبتاغون في مستودع بريف دمشق.")
    assert [q.unit for q in tons.quantities] == ["ton"]
    assert match_story_rule(rules.story[0], ArticleView(tons))


def test_a_seizure_recalled_from_last_year_raises_nothing():
    rules = custom("rules:\n  - {id: r, title: t, severity: info, quantities: [{item: captagon, unit: pill, min: 1000000}]}\n")
    past = article("p", "وكانت السلطات قد ضبطت العام الماضي 5 ملايين حبة كبتاغون في المرفأ.")
    assert [q.historical for q in past.quantities] == [True]
    assert match_story_rule(rules.story[0], ArticleView(past)) is None
