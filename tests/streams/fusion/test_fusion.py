"""The fusion fold, pure: which reports make one incident, how figures reconcile, expiry, replays."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest

from marsad.schemas.codec import encode
from marsad.schemas.facts import Place
from marsad.streams.fusion.match import place_gap
from marsad.streams.fusion.reconcile import reconcile_count, summarise
from marsad.streams.fusion.reports import reports_of
from tests.streams.fusion.samples import (
    ALBUKAMAL,
    DEIR_EZZOR_GOV,
    MAYADIN,
    T0,
    THIBAN,
    Fold,
    attack,
    mayadin_attack,
    processed,
)


def test_three_outlets_and_a_copy_make_one_incident_with_the_majority_toll_and_the_range():
    fold = Fold().run(mayadin_attack())
    (incident,) = fold.latest().values()
    (reports,) = fold.reports().values()  # each event lists the report it adds
    assert [[r.article_id for r in e.reports] for e in fold.events] == [["a1"], ["b1"], ["c1"], ["d1"]]
    assert [r.article_id for r in reports] == ["a1", "b1", "c1", "d1"] and incident.reports_total == 4
    assert incident.sources == ["outlet-a", "outlet-b", "outlet-c", "outlet-d"]
    assert incident.outlets == 3  # outlet-d's exact copy of outlet-a is not independent
    assert (incident.killed, incident.killed_min, incident.killed_max) == (4, 3, 4)
    assert incident.injured is None and incident.injured_min is None  # no outlet gave a number
    assert incident.place == MAYADIN and incident.date == "2026-03-01" and incident.country == "SY"
    assert incident.actors == ["isis"] and incident.targets == ["sdf"]
    assert [r.duplicate_of for r in reports] == [None, None, None, "a1"]
    assert [type(e).__name__ for e in fold.events] == ["IncidentRecorded"] + ["IncidentUpdated"] * 3
    assert [e.revision for e in fold.events] == [1, 2, 3, 4]
    assert len({e.event_id for e in fold.events}) == 4
    assert incident.first_seen == T0 and incident.last_seen == T0 + timedelta(hours=3)


OTHER_DAY = (T0 + timedelta(days=2)).replace(hour=9)
CASES = {
    # id: (the articles after the Mayadin attack, which of their reports join it, how the others group)
    "another town the same day stays apart": (
        [processed("x1", "outlet-a", [attack(2, ALBUKAMAL)])], [], [["x1"]]),
    "two days apart stays apart": (
        [processed("x1", "outlet-e", [attack(4, MAYADIN, "2026-03-03")], at=OTHER_DAY)], [], [["x1"]]),
    "contradicting actors stay apart": (
        [processed("x1", "outlet-e", [attack(4, actors=("hts",))])], [], [["x1"]]),
    "contradicting targets stay apart": (
        [processed("x1", "outlet-e", [attack(4, targets=("assad_regime",))])], [], [["x1"]]),
    "a clash told from the other side joins": (
        [processed("x1", "outlet-e", [attack(4, kind="armed_clash", actors=("sdf",), targets=("isis",))]),
         processed("x2", "outlet-f", [attack(4, kind="armed_clash")])], [], [["x1", "x2"]]),
    "undated reports do not chain an incident along": (
        [processed(f"u{i}", f"outlet-u{i}", [attack(1, ALBUKAMAL, None)], at=T0 + timedelta(days=i))
         for i in range(5)], [], [["u0", "u1", "u2"], ["u3", "u4"]]),
    "another type stays apart": (
        [processed("x1", "outlet-e", [attack(4, kind="armed_clash")])], [], [["x1"]]),
    "a report naming no actor joins": (
        [processed("x1", "outlet-e", [attack(4, actors=())])], ["x1"], []),
    "an undated report published the next day joins": (
        [processed("x1", "outlet-e", [attack(5, date=None)], at=T0 + timedelta(days=1))], ["x1"], []),
    "a report naming the governorate joins": (
        [processed("x1", "outlet-e", [attack(4, DEIR_EZZOR_GOV)])], ["x1"], []),
    "a placeless report with the same toll and actor joins": (
        [processed("x1", "outlet-e", [attack(4, None)])], ["x1"], []),
    "a placeless report with nothing in common stays apart": (
        [processed("x1", "outlet-e", [attack(7, None, actors=())])], [], [["x1"]]),
    "two attacks of one article stay two incidents": (
        [processed("x1", "outlet-e", [attack(4), attack(1, MAYADIN)])], ["x1"], [["x1"]]),
}


@pytest.mark.parametrize("extra, joined, apart", CASES.values(), ids=CASES.keys())
def test_what_joins_the_incident_and_what_stays_apart(extra, joined, apart):
    fold = Fold().run(mayadin_attack() + extra)
    assert fold.groups() == sorted([sorted(["a1", "b1", "c1", "d1", *joined]), *apart])


def test_counts_reconcile_by_independent_outlets():
    assert reconcile_count([3, 4, 4], [3, 4, 4, 3]) == type(reconcile_count([1], [1]))(4, 3, 4)
    assert reconcile_count([3, 4], [3, 4]).value == 4  # a tie takes the larger
    assert reconcile_count([5, 5, 7], [5, 5, 7]).value == 5
    assert reconcile_count([], []).value is None
    # the same outlet twice counts once, with its higher figure
    fold = Fold().run([processed("a1", "outlet-a", [attack(2)]),
                       processed("a2", "outlet-a", [attack(6)], at=T0 + timedelta(hours=5)),
                       processed("b1", "outlet-b", [attack(5)])])
    (incident,) = fold.latest().values()
    assert incident.outlets == 2 and (incident.killed, incident.killed_min, incident.killed_max) == (6, 2, 6)


def test_figures_do_not_depend_on_arrival_order():
    def summary(e, reports):
        return (e.outlets, e.killed, e.killed_min, e.killed_max, e.place, e.date, tuple(sorted(e.actors)),
                tuple(r.article_id for r in reports[e.incident_id]), e.reports_total, tuple(e.sources))

    orders = set()
    for p in itertools.permutations(mayadin_attack()):
        fold = Fold().run(list(p))
        orders.add(tuple(summary(e, fold.reports()) for e in fold.latest().values()))
    assert len(orders) == 1


def test_a_replay_gives_byte_identical_events_and_a_redelivery_gives_none():
    first, second = Fold().run(mayadin_attack()), Fold().run(mayadin_attack())
    assert [encode(e) for e in first.events] == [encode(e) for e in second.events]
    before = dict(first.raw_incidents)
    first.run(mayadin_attack())  # every report again, as after a restart before the commit
    assert len(first.events) == 4 and first.raw_incidents == before


def test_incidents_expire_after_their_last_report_and_a_late_report_opens_a_new_one():
    fold = Fold(days=3).run(mayadin_attack())
    (old,) = fold.latest()
    assert len(fold.raw_incidents) == 1
    # four days later, on another subject in the same scope: the partition's clock moves on
    later = T0 + timedelta(days=4)
    fold.run([processed("z1", "outlet-z", [attack(1, ALBUKAMAL, "2026-03-06")], at=later)])
    assert fold.dropped == 1 and len(fold.raw_incidents) == 1 and old not in [
        fold.stores.incidents[k.decode()].incident_id for k in fold.raw_incidents]
    assert not any(old in bucket.incidents for bucket in fold.stores.days.values())
    # a copy of the forgotten story: a new incident, not an update of the old one
    fold.run([processed("late", "outlet-f", [attack(4)], at=later + timedelta(hours=1))])
    assert [e.incident_id == old for e in fold.events[-1:]] == [False]
    assert fold.events[-1].revision == 1
    # the old incident's report links go at their next turn, within a ttl of it
    fold.run([processed("z2", "outlet-z", [attack(1, ALBUKAMAL, "2026-03-09")], at=later + timedelta(days=3, hours=2))])
    assert old not in set(fold.stores.reports.values())


def test_without_expiry_nothing_is_dropped():
    fold = Fold(days=0).run(mayadin_attack())
    fold.run([processed("z1", "outlet-z", [attack(1, ALBUKAMAL, "2026-04-06")], at=T0 + timedelta(days=40))])
    assert fold.dropped == 0 and len(fold.raw_incidents) == 2


ANBAR = Place("الأنبار", 33.4200, 43.3000, "IQ", "governorate")
QAIM = Place("القائم", 34.3925, 40.9894, "IQ", "town", 92138)
RUTBA = Place("الرطبة", 33.0372, 40.2859, "IQ", "town", 98677)
MOSUL = Place("الموصل", 36.3350, 43.1189, "IQ", "city", 99072)
RIF_DIMASHQ = Place("ريف دمشق", 33.5100, 36.2900, "SY", "governorate")
DOUMA = Place("دوما", 33.5718, 36.4027, "SY", "city", 170592)


@pytest.mark.parametrize("area, town, same", [
    (ANBAR, QAIM, True),  # 220 km from the governorate's seat, inside it
    (ANBAR, RUTBA, True),
    (ANBAR, MOSUL, False),  # 330 km north, in Nineveh
    (RIF_DIMASHQ, DOUMA, True),
    (MAYADIN, ALBUKAMAL, False),  # two towns 75 km apart: no area between them
], ids=["qaim in anbar", "rutba in anbar", "mosul not in anbar", "douma in rif dimashq", "two towns"])
def test_a_town_fuses_with_the_governorate_it_lies_in(area, town, same):
    assert (place_gap(area, town) is not None) is same
    assert (place_gap(town, area) is not None) is same


def scattered_attacks(seed: int, n: int = 80, days: int = 3) -> list:
    """Articles on attacks around Mayadin from few outlets, some copies of others: outlets join and merge."""
    rng = random.Random(seed)
    articles = []
    for i in range(n):
        at = T0 + timedelta(minutes=rng.randrange(0, days * 24 * 60))
        dup = ("near", rng.choice(articles).article_id) if articles and rng.random() < 0.25 else None
        incident = attack(rng.choice([None, 2, 3, 4, 5]), rng.choice([MAYADIN, THIBAN, ALBUKAMAL, DEIR_EZZOR_GOV, None]),
                          rng.choice(["2026-03-01", "2026-03-02", None]),
                          actors=tuple(rng.sample(["isis", "sdf", "saa"], rng.randrange(0, 3))),
                          targets=tuple(rng.sample(["sdf", "civilians"], rng.randrange(0, 2))),
                          injured=rng.choice([None, 1, 6]))
        articles.append(processed(f"x{i}", f"outlet-{rng.randrange(4)}", [incident], at=at, dup=dup))
    return articles


@pytest.mark.parametrize("seed", range(6))
def test_a_summary_does_not_depend_on_the_order_of_its_reports(seed):
    reports = [r for a in scattered_attacks(seed, 40) for r in reports_of(a, at=a.published, source=a.source)]
    first = summarise(reports)
    random.Random(seed).shuffle(reports)
    assert summarise(reports) == first


@pytest.mark.parametrize("seed", range(6))
def test_the_back_test_kept_tallies_decide_as_the_agent_encoded_states(seed):
    """The back-test keeps each incident's state (its tally) as an object; the agent decodes it for each
    record: the events are byte for byte the same, expiry included."""
    articles = sorted(scattered_attacks(seed, 150, days=10), key=lambda a: a.published)
    kept, encoded = Fold(days=1, objects=True).run(articles), Fold(days=1).run(articles)
    assert [encode(e) for e in kept.events] == [encode(e) for e in encoded.events]
    assert kept.dropped == encoded.dropped > 0


def outlets_by_hand(reports: list) -> list[list]:
    """The independent outlets of ``reports`` worked out plainly: merge groups sharing a source or an
    original article until none do; in the order of their first report."""
    groups = [[r] for r in sorted(reports, key=lambda r: (r.at, r.report_id))]
    merged = True
    while merged:
        merged = False
        for a, b in itertools.combinations(range(len(groups)), 2):
            if {r.source for r in groups[a]} & {r.source for r in groups[b]} or \
                    {r.root_id for r in groups[a]} & {r.root_id for r in groups[b]}:
                groups[a] += groups.pop(b)
                merged = True
                break
    return sorted(groups, key=lambda g: min((r.at, r.report_id) for r in g))


@pytest.mark.parametrize("seed", range(6))
def test_outlets_and_their_figures_as_worked_out_by_hand(seed):
    reports = [r for a in scattered_attacks(seed, 30) for r in reports_of(a, at=a.published, source=a.source)]
    summary = summarise(reports)
    groups = outlets_by_hand(reports)
    assert summary.outlets == len(groups)
    assert list(summary.sources) == [min(g, key=lambda r: (r.at, r.report_id)).source for g in groups]
    per_outlet = [max(r.incident.killed for r in g if r.incident.killed is not None)
                  for g in groups if any(r.incident.killed is not None for r in g)]
    stated = [r.incident.killed for r in reports if r.incident.killed is not None]
    assert summary.figures["killed"] == reconcile_count(per_outlet, stated)
