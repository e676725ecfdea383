"""The incidents view on SQLite and PostgreSQL: one row per incident, the highest revision wins.

Store tests run on both databases (``views_url``): revisions in and out of order,
every filter, pages, counts by type per day and per governorate, the content
hash whatever the batching and the backend.
"""

from __future__ import annotations

from datetime import timedelta

import msgspec
import orjson
import pytest

from marsad.consumers.query.model import Cursor, IncidentCountQuery, IncidentFilters, IncidentQuery, Near
from marsad.consumers.store import Record, open_store
from marsad.schemas.codec import decode, to_dict
from marsad.schemas.wire import INCIDENT_TYPES
from tests.consumers.conftest import content_hashes
from tests.consumers.incidents.events import ACTORS, PLACES, day_of, incident, revision, seen
from tests.consumers.test_alert_facets import UNDO_0006

INCIDENTS = "test.incidents"
N = 24


def incident_log() -> list:
    """N incidents; incident 0 revised twice (in order), incident 3 revised with its revision 3 before 2."""
    first = [incident(i) for i in range(N)]
    return [*first, revision(first[0], 2), revision(first[0], 3), revision(first[3], 3), revision(first[3], 2)]


def records(events, start=0, partition=0):
    return [Record(INCIDENTS, partition, start + i, e) for i, e in enumerate(events)]


def day(i: int) -> str:
    return day_of(i) or seen(i).date().isoformat()


@pytest.fixture
def filled(store):
    store.write_batch(records(incident_log()))
    return store


def test_one_row_per_incident_and_the_highest_revision_wins(store):
    e = incident(0)
    assert store.write_batch(records([e, revision(e, 3), revision(e, 2)])) == 1
    before = store.content_hash()
    # redelivered (same offsets) and published again (new offsets), older revisions: nothing changes
    assert store.write_batch(records([revision(e, 2)], start=1)) == 0
    assert store.write_batch(records([e, revision(e, 2)], start=3)) == 0
    assert store.content_hash() == before
    row = store.incident("in0000")
    assert (row["revision"], row["outlets"], row["killed"], row["killed_min"], row["killed_max"]) == (3, 3, 2, 0, 2)
    assert [r["article_id"] for r in row["reports"]] == ["a00000", "a00000-r2", "a00000-r3"]
    assert row["reports"][0]["evidence"] == e.evidence and row["reports"][0]["place"]["name"] == "البوكمال"
    assert row["place"] == {"name": "البوكمال", "lat": 34.4523, "lon": 40.9185, "country": "SY", "kind": "town",
                            "geonameid": 174448}
    assert row["admin1"] == {"code": "SY.07", "name": "دير الزور", "name_en": "Deir-ez-Zor"}
    assert row["actors"] == ["isis"] and row["targets"] == ["sdf"] and row["date"] == row["day"] == "2024-02-01"
    stats = store.stats()
    assert (stats["incidents"], stats["incident_reports"], stats["incident_parties"]) == (1, 3, 2)
    assert store.incident("nope") is None


def test_a_revision_in_a_later_batch_replaces_children(store):
    e = incident(2)
    store.write_batch(records([e]))
    store.write_batch(records([revision(e, 2)], start=1))
    assert store.stats()["incident_reports"] == 2 and store.incident("in0002")["revision"] == 2


def test_an_incident_without_a_date_sorts_by_the_day_it_was_first_seen(filled):
    row = filled.incident("in0006")
    assert row["date"] is None and row["day"] == seen(6).date().isoformat()


def expected(pred) -> list[int]:
    """Incident numbers matching ``pred(i)``, newest event day first (then by id, descending)."""
    return sorted((i for i in range(N) if pred(i)), key=lambda i: (day(i), i), reverse=True)


KILLED = {i: i % 5 for i in range(N)} | {0: 2, 3: 5}  # revisions add one killed each (3's top revision: +2)


@pytest.mark.parametrize(("filters", "pred"), [
    (IncidentFilters(), lambda i: True),
    (IncidentFilters(type="airstrike"), lambda i: INCIDENT_TYPES[i % 6] == "airstrike"),
    (IncidentFilters(since="2024-02-03", until="2024-02-05"), lambda i: "2024-02-03" <= day(i) < "2024-02-05"),
    (IncidentFilters(place="القامشلي"), lambda i: i % 6 == 1),
    (IncidentFilters(near=Near(32.6, 36.2, 20)), lambda i: i % 6 == 3),  # around Nasib
    (IncidentFilters(actor="sdf"), lambda i: ACTORS[i % 3] == "sdf"),
    (IncidentFilters(target="sdf"), lambda i: i % 2 == 0 and ACTORS[(i + 1) % 3] == "sdf"),
    (IncidentFilters(org="isis"), lambda i: i % 3 == 0 or (i % 2 == 0 and (i + 1) % 3 == 0)),
    (IncidentFilters(min_killed=3), lambda i: KILLED[i] >= 3),
    (IncidentFilters(min_injured=2), lambda i: i % 4 >= 2),
    (IncidentFilters(min_arrested=1), lambda i: INCIDENT_TYPES[i % 6] == "arrest_raid"),
    (IncidentFilters(min_outlets=2), lambda i: i in (0, 3)),
    (IncidentFilters(country="IQ"), lambda i: i % 6 == 2),
    (IncidentFilters(admin1="SY.06"), lambda i: i % 6 == 3),
    (IncidentFilters(admin1="unknown"), lambda i: i % 6 in (4, 5)),
    (IncidentFilters(type="attack", min_killed=1), lambda i: INCIDENT_TYPES[i % 6] == "attack" and KILLED[i] >= 1),
], ids=["all", "type", "dates", "place", "near", "actor", "target", "org", "min_killed", "min_injured", "min_arrested",
        "min_outlets", "country", "admin1", "admin1-unknown", "type+killed"])
def test_filters_newest_event_first(filled, filters, pred):
    got = [int(it["incident_id"][2:]) for it in filled.incidents(IncidentQuery(filters, limit=200)).items]
    assert got == expected(pred)
    assert got  # every case matches something


def test_pages_cover_every_incident_once(filled):
    seen_ids, after = [], None
    while True:
        page = filled.incidents(IncidentQuery(limit=5, after=after))
        seen_ids += [int(it["incident_id"][2:]) for it in page.items]
        if page.next is None:
            break
        after = page.next
        assert isinstance(after, Cursor)
    assert seen_ids == expected(lambda i: True)


def test_counts_by_type_per_day_and_per_governorate(filled):
    per_day = filled.incident_counts(IncidentCountQuery("day"))
    assert sum(r["incidents"] for r in per_day) == N
    assert sum(r["killed"] for r in per_day) == sum(KILLED.values())
    assert [(r["type"], r["incidents"]) for r in per_day if r["day"] == "2024-02-01"] == [
        ("armed_clash", 1), ("attack", 1)]
    by_region = {(r["type"], r["admin1"]): r for r in filled.incident_counts(IncidentCountQuery("admin1"))}
    assert sum(r["incidents"] for r in by_region.values()) == N
    unknown = [r for (_, code), r in by_region.items() if code == "unknown"]
    assert sum(r["incidents"] for r in unknown) == 8 and all(r["name"] is None for r in unknown)
    deir = [r for (_, code), r in by_region.items() if code == "SY.07"]
    assert sum(r["incidents"] for r in deir) == 4 and {r["name"] for r in deir} == {"دير الزور"}
    assert {code for _, code in by_region} == {region for _, region in PLACES if region} | {"unknown"}
    only_iraq = filled.incident_counts(IncidentCountQuery("admin1", IncidentFilters(country="IQ")))
    assert {r["admin1"] for r in only_iraq} == {"IQ.15"}


def test_hash_ignores_batching_and_is_the_same_on_both_databases(sqlite_url, postgres_url, tmp_path):
    one_by_one = f"sqlite:///{tmp_path / 'one-by-one.sqlite'}"
    hashes = content_hashes(records(incident_log()), [sqlite_url, postgres_url], one_by_one)
    assert len(hashes) == 1


def v1(e):
    """``e`` as version 1 published it: every report so far, without their place among the others."""
    obj = {k: v for k, v in to_dict(e).items() if k not in ("reports_total", "sources")}
    obj["version"] = 1
    obj["reports"] = [{k: v for k, v in r.items() if k not in ("at", "report_id")} for r in obj["reports"]]
    return decode(orjson.dumps(obj))


def test_a_version_1_full_list_then_additions_give_each_report_once_in_order(store):
    e = incident(5)
    assert v1(revision(e, 3, full=True)).reports_total == 3  # upcast: its totals counted from its list
    store.write_batch(records([v1(e), v1(revision(e, 2, full=True)), revision(e, 3), revision(e, 4)]))
    row = store.incident("in0005")
    assert [r["article_id"] for r in row["reports"]] == ["a00005", "a00005-r2", "a00005-r3", "a00005-r4"]
    assert (row["revision"], row["reports"][0]["evidence"]) == (4, e.evidence)
    assert store.stats()["incident_reports"] == 4


def test_reports_stored_by_additions_hash_as_the_full_lists_of_version_1(postgres_url, tmp_path):
    """The same incidents told by version-1 events (every revision lists all) and by version 2 (each lists
    the report it adds): the same rows, the same views' hash, on both databases; replaying a batch
    (a crash before its offsets were stored) changes nothing."""
    first = [incident(i) for i in range(6)]
    later = [revision(first[i], r) for i in (0, 3) for r in (2, 3, 4)]
    full = [v1(e) for e in first] + [v1(revision(first[i], r, full=True)) for i in (0, 3) for r in (2, 3, 4)]
    db = {n: f"sqlite:///{tmp_path / f'{n}.sqlite'}" for n in ("v2", "v2-one", "v1", "v1-one", "again", "again-one")}
    hashes = content_hashes(records([*first, *later]), [db["v2"], postgres_url], db["v2-one"])
    hashes |= content_hashes(records(full), [db["v1"]], db["v1-one"])
    hashes |= content_hashes(records([*first, *later, *later[::-1]]), [db["again"]], db["again-one"])
    for url in (db["v2"], db["v1"], postgres_url):
        with open_store(url) as s:
            assert [r["article_id"] for r in s.incident("in0003")["reports"]] == \
                ["a00003", "a00003-r2", "a00003-r3", "a00003-r4"]
    assert len(hashes) == 1


def test_a_later_report_with_an_earlier_event_time_is_listed_first(store):
    e = incident(7)
    late = revision(e, 2)
    (r,) = late.reports
    early = msgspec.structs.replace(late, reports=[msgspec.structs.replace(r, at=e.reports[0].at - timedelta(hours=5))])
    store.write_batch(records([e, early]))
    assert [x["article_id"] for x in store.incident("in0007")["reports"]] == ["a00007-r2", "a00007"]


def test_the_migration_keeps_the_order_of_reports_stored_before_it(store, views_url):
    """Reports stored by position (schema version 5) keep their order, and reports added after come after."""
    e = incident(9)
    store.write_batch(records([e]))
    with store._transaction(write=True) as tx:  # back to version 5, three reports stored by position
        for stmt in (*UNDO_0006, "DELETE FROM schema_version WHERE version >= 6"):
            tx.run(stmt, [])
        tx.many("INSERT INTO incident_reports (incident_id, ord, article_id, source, url, title, lang, evidence) "
                "VALUES (?, ?, ?, ?, '', '', '', '')", [("in0009", n, f"x{9 - n}", "s") for n in (2, 0, 1)])
    with open_store(views_url) as again:
        again.setup()
        assert [r["article_id"] for r in again.incident("in0009")["reports"]] == ["x9", "x8", "x7"]
        again.write_batch(records([revision(e, 2)], start=1))
        assert [r["article_id"] for r in again.incident("in0009")["reports"]] == ["x9", "x8", "x7", "a00009-r2"]
