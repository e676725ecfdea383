"""A report costs the same however many the incident has: states keep tallies, events list what they add.

The kept tally says what the whole list of reports said (`reference.reference_summary`, the
reconciler of the version that kept them all), in any order; a version-1 state (every report
kept) and version-1 events (every report listed) read as the new ones with the same figures.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import msgspec
import orjson
import pytest

from marsad.schemas.alert_state import IncidentState
from marsad.schemas.codec import decode, encode, to_dict
from marsad.schemas.events import IncidentUpdated
from marsad.schemas.facts import Incident, Quantity
from marsad.schemas.notes import ReportNote
from marsad.schemas.state import StateCodec
from marsad.streams.alerts.incidents import fold_incident
from marsad.streams.fusion.reconcile import LISTED, ROOTS, summarise
from marsad.streams.fusion.reports import reports_of
from tests.streams.fusion.reference import reference_summary
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

STATE_BYTES = 64 * 1024  # an incident's encoded state, however many reports (the copy links dominate: `ROOTS`)
EVENT_BYTES = 8 * 1024  # an incident event: its figures, its outlets' names and the one report it adds


def new_summary(reports: list[ReportNote]) -> dict:
    """`summarise` in the reference's terms."""
    s = summarise(reports)
    return {"outlets": s.outlets, "sources": s.sources, "date": s.date, "place": s.place, "actors": s.actors,
            "targets": s.targets, "figures": s.figures, "quantities": s.quantities, "first_seen": s.first_seen,
            "last_seen": s.last_seen, "evidence": s.evidence, "count": s.count, "every_source": s.every_source,
            "listed": tuple(r.article_id for r in s.listed)}


def varied_reports(seed: int, n: int) -> list[ReportNote]:
    """Reports of attacks from many outlets, with copies across outlets, quantities, places, parties."""
    rng = random.Random(seed)
    articles = []
    for i in range(n):
        at = T0 + timedelta(minutes=rng.randrange(0, 3 * 24 * 60))
        dup = (rng.choice(["near", "exact"]), rng.choice(articles).article_id) \
            if articles and rng.random() < 0.3 else None
        incident = attack(rng.choice([None, 1, 2, 3, 4, 5, 9]),
                          rng.choice([MAYADIN, THIBAN, ALBUKAMAL, DEIR_EZZOR_GOV, None]),
                          rng.choice(["2026-03-01", "2026-03-02", None]),
                          actors=tuple(rng.sample(["isis", "sdf", "saa", "hts"], rng.randrange(0, 3))),
                          targets=tuple(rng.sample(["sdf", "civilians", "saa"], rng.randrange(0, 3))),
                          injured=rng.choice([None, 1, 6]))
        if rng.random() < 0.2:
            incident = msgspec.structs.replace(incident, quantities=[Quantity(float(rng.randrange(1, 9)), "kg")],
                                               arrested=rng.choice([None, 2]))
        articles.append(processed(f"x{i:03d}", f"outlet-{rng.randrange(12)}", [incident], at=at, dup=dup))
    return [r for a in articles for r in reports_of(a, at=a.published, source=a.source)]


@pytest.mark.parametrize("seed", range(12))
def test_a_tally_says_what_the_whole_list_of_reports_said_in_any_order(seed):
    reports = varied_reports(seed, [5, 40, 200][seed % 3])
    want = reference_summary(reports)
    want["listed"] = want["listed"][:LISTED]
    for _ in range(3):
        random.Random(seed).shuffle(reports)
        assert new_summary(reports) == want


def one_incident(n: int, seed: int = 1) -> list[ReportNote]:
    """``n`` reports of one attack (same town, date and parties) from 40 outlets over two days, a third
    of them copies of an earlier article."""
    rng = random.Random(seed)
    notes: list[ReportNote] = []
    for i in range(n):
        at = T0 + timedelta(seconds=i * 34)
        article = f"art-{i:05d}"
        root = notes[rng.randrange(i)].article_id if i and rng.random() < 0.3 else article
        incident = Incident("attack", f"قتل {i % 7} عناصر في هجوم على نقطة في الميادين", "2026-03-01", MAYADIN,
                            ["isis"], ["sdf"], killed=rng.choice([None, 3, 4, 5]), injured=rng.choice([None, 2]))
        notes.append(ReportNote(f"{article}#0", "attack|SY", incident, article, root, f"outlet-{rng.randrange(40)}",
                                at.timestamp(), f"ev-{article}", at, f"https://example.org/{article}",
                                f"عنوان الخبر رقم {i}", at, "ar"))
    return notes


def test_five_thousand_reports_of_one_incident_cost_the_same_each():
    fold = Fold()  # encoded states, as the agent's tables hold them, with expiry on
    codec = StateCodec(IncidentState)
    notes = one_incident(5000)
    state_sizes, event_sizes, cpu = [], [], []
    for note in notes:
        start = time.process_time()
        folded = fold_incident(fold.stores, note, fold.index, fold.rules)
        cpu.append(time.process_time() - start)
        (event,) = folded.incidents
        event_sizes.append(len(encode(event)))
        state_sizes.append(len(codec.encode(fold.stores.incidents[event.incident_id])))
    assert event.revision == 5000 and event.reports_total == 5000 and len(fold.raw_incidents) == 1
    assert max(state_sizes) < STATE_BYTES and max(event_sizes) < EVENT_BYTES
    assert len(fold.stores.reports) == 5000  # every report's link, filed for expiry
    first, last = sum(cpu[:1000]), sum(cpu[-1000:])
    print(f"\n5,000 reports of one incident: state {state_sizes[999]:,} B after 1,000, {state_sizes[-1]:,} B after "
          f"5,000 (bound {STATE_BYTES:,}); events at most {max(event_sizes):,} B (bound {EVENT_BYTES:,}); CPU "
          f"first 1,000 {first * 1000:.0f} ms, last 1,000 {last * 1000:.0f} ms ({last / first:.2f}x)")


def test_copies_past_the_cap_of_links_are_told_apart_only_by_their_source():
    """Past `ROOTS` copy links, the oldest are forgotten: a copy of such an article from a new outlet counts
    as an outlet of its own (the one approximation of the kept tally)."""
    notes = [msgspec.structs.replace(r, root_id=r.article_id, source=f"outlet-{i}")  # originals, an outlet each
             for i, r in enumerate(one_incident(ROOTS + 2))]
    copy = msgspec.structs.replace(notes[-1], report_id="copy#0", article_id="copy", root_id=notes[0].article_id,
                                   source="outlet-new")
    assert reference_summary([*notes, copy])["outlets"] == reference_summary(notes)["outlets"]
    assert summarise([*notes, copy]).outlets == summarise(notes).outlets + 1
    assert summarise([*notes[:ROOTS - 2], copy]).outlets == summarise(notes[:ROOTS - 2]).outlets


def v1_state(state: IncidentState, reports: list[ReportNote]) -> bytes:
    """``state`` as version 1 stored it: every report, no tally."""
    body = {"incident_id": state.incident_id, "scope": state.scope, "reports": msgspec.to_builtins(reports),
            "day": state.day, "revision": state.revision, "seen": state.seen}
    return b"v1 " + orjson.dumps(body)


def test_a_version_1_state_reads_with_its_reports_and_folds_on_with_the_same_figures():
    reports = [r for a in mayadin_attack() for r in reports_of(a, at=a.published, source=a.source)]
    new = Fold(days=3).run(mayadin_attack())
    old = Fold(days=3).run(mayadin_attack()[:3])
    (key,) = old.raw_incidents
    old.raw_incidents[key] = v1_state(old.stores.incidents[key.decode()], reports[:3])
    assert len(old.stores.incidents[key.decode()].reports) == 3  # read as version 2, its reports not tallied yet
    old.run(mayadin_attack()[3:])
    assert old.events[-1] == new.events[-1]  # the same figures, totals and sources, the same event
    state = old.stores.incidents[key.decode()]
    assert state.reports == [] and state.tally.count == 4
    # the links of its version-1 reports are filed for expiry now: all go with the incident
    old.run([processed("z1", "outlet-z", [attack(1, ALBUKAMAL, "2026-03-06")], at=T0 + timedelta(days=4))])
    assert old.dropped == 1 and sorted(old.stores.reports) == ["z1#0"]


def test_a_version_1_state_expiring_untouched_drops_its_report_links():
    fold = Fold(days=3).run(mayadin_attack())
    (key,) = fold.raw_incidents
    reports = [r for a in mayadin_attack() for r in reports_of(a, at=a.published, source=a.source)]
    state = fold.stores.incidents[key.decode()]
    fold.raw_incidents[key] = v1_state(state, reports)
    fold.stores.reports.clear()
    fold.stores.reports.update((r.report_id, key.decode()) for r in reports)  # as version 1 linked them
    fold.index.raw.clear()  # and filed only the incident
    fold.index.file(key.decode(), state.seen)
    fold.run([processed("z1", "outlet-z", [attack(1, ALBUKAMAL, "2026-03-06")], at=T0 + timedelta(days=4))])
    assert fold.dropped == 1 and sorted(fold.stores.reports) == ["z1#0"]


def test_version_1_events_read_with_their_full_list_and_its_totals():
    fold = Fold().run(mayadin_attack())
    latest = fold.events[-1]
    (reports,) = fold.reports().values()
    v1 = {k: v for k, v in to_dict(latest).items() if k not in ("reports_total", "sources")}
    v1.update(version=1, reports=[{k: v for k, v in msgspec.to_builtins(r).items() if k not in ("at", "report_id")}
                                  for r in reports])
    read = decode(orjson.dumps(v1))
    assert type(read) is IncidentUpdated and read.reports_total == latest.reports_total == 4
    assert read.sources == latest.sources and [r.article_id for r in read.reports] == ["a1", "b1", "c1", "d1"]
    assert msgspec.structs.replace(read, reports=[]) == msgspec.structs.replace(latest, reports=[])


def test_an_incident_event_holds_the_report_it_adds_with_its_place_among_the_others():
    fold = Fold().run(mayadin_attack())
    for e, a in zip(fold.events, mayadin_attack(), strict=True):
        (r,) = e.reports
        assert (r.article_id, r.report_id, r.at) == (a.article_id, f"{a.article_id}#0", a.published)
        assert r.at.tzinfo is not None and r.at == datetime.fromtimestamp(a.published.timestamp(), UTC)


def test_a_report_link_goes_a_ttl_after_its_report_even_while_its_incident_is_open():
    """Links (report id -> incident) expire through the index a ttl after their report joined: within it a
    redelivered report is still known (nothing published), past it the link is gone though the incident is
    still open."""
    fold = Fold(days=3)
    a1, b1 = mayadin_attack()[:2]
    late = processed("b1", "outlet-b", b1.incidents, at=T0 + timedelta(days=1))  # joins a day later
    fold.run([a1, late])
    (iid,) = {e.incident_id for e in fold.events}
    before = len(fold.events)
    fold.run([a1])  # redelivered within the ttl: still known, nothing published
    assert len(fold.events) == before
    elsewhere = [attack(1, ALBUKAMAL, "2026-03-05")]
    fold.run([processed("z1", "outlet-z", elsewhere, at=T0 + timedelta(days=3, hours=4))])  # a1's link due
    assert fold.dropped == 0 and iid in fold.stores.incidents  # the incident is open (b1 joined a day later)
    assert "a1#0" not in fold.stores.reports and fold.stores.reports["b1#0"] == iid
    fold.run([processed("z2", "outlet-z", elsewhere, at=T0 + timedelta(days=4, hours=4))])  # both due
    assert fold.dropped == 1 and iid not in fold.stores.incidents and "b1#0" not in fold.stores.reports


def test_an_incident_reported_for_weeks_keeps_a_ttl_of_report_links():
    """An incident that never goes quiet (reports of its date every three hours for 30 days, from five
    outlets) stays one open incident, and what its fold keeps beside it stops growing once the first
    ttl has passed: the links of the reports of the latest ttl, and their hours in the index."""
    fold = Fold(days=3)
    per_day, days = 8, 30
    links, index = [], []
    for i in range(days * per_day):
        fold.run([processed(f"r{i}", f"outlet-{i % 5}", [attack(4)], at=T0 + timedelta(hours=24 / per_day * i))])
        links.append(len(fold.stores.reports))
        index.append(len(fold.index.raw))
    assert len({e.incident_id for e in fold.events}) == 1 and fold.dropped == 0
    assert fold.events[-1].reports_total == days * per_day
    settled = slice(4 * per_day, None)  # from day 4 on
    assert max(links[settled]) <= 3 * per_day + 1  # a ttl of reports (and the one of the hour being swept)
    assert max(index[settled]) == max(index[4 * per_day:5 * per_day])  # the index no larger at day 30 than at 5
