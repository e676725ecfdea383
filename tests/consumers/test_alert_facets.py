"""The alert list's filters of the dashboard (migration 0004), on SQLite and PostgreSQL: topic, organisation
(the evidence's, or a party of the alert's incident), and an incident alert's own figures and event day."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marsad.consumers.query.model import AlertQuery
from marsad.consumers.query.params import parse
from marsad.consumers.store import Record, open_store
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.schemas.facts import Org, Topic
from tests.consumers.incidents.events import incident
from tests.streams.alerts.events import T0, raised

ALERTS = "test.alerts"


def records(events, start=0):
    return [Record(ALERTS, 0, start + i, e) for i, e in enumerate(events)]


def incident_alert(killed: int) -> AlertRaised:
    return AlertRaised(event_id="ari", occurred_at=T0 + timedelta(hours=30), alert_id="inc-alert", rule_id="deadly",
                       title="هجوم دامٍ", severity="critical", kind="incident", incident_id="inc-1",
                       incident_type="attack", killed=killed, outlets=2, article_ids=["x1", "x2"],
                       sources=["مصدر أ", "مصدر ب"], window_start=T0 + timedelta(hours=29))


@pytest.fixture
def store(views_url):
    s = open_store(views_url)
    s.setup()
    s.write_batch(records([
        raised(0), raised(1).__replace__(topics=[Topic("terrorism", 0.8)], orgs=[Org("isis", "داعش")]),
        raised(2).__replace__(topics=[Topic("terrorism", 0.7), Topic("militias", 0.6)]), incident_alert(3),
        AlertUpdated(event_id="ari-u1", occurred_at=T0 + timedelta(hours=31), alert_id="inc-alert", rule_id="deadly",
                     severity="critical", revision=1, article_id="x3", article_ids=["x1", "x2", "x3"],
                     sources=["مصدر أ", "مصدر ب", "مصدر ج"], incident_id="inc-1", killed=5, outlets=3)]))
    yield s
    s.close()


@pytest.mark.parametrize(("query", "ids"), [
    pytest.param(AlertQuery(topic="terrorism"), ["al0002", "al0001"], id="topic"),
    pytest.param(AlertQuery(topic="militias"), ["al0002"], id="second-topic"),
    pytest.param(AlertQuery(org="isis"), ["al0001"], id="org-of-the-evidence"),
    pytest.param(AlertQuery(topic="narcotics", org="isis"), [], id="both"),
    pytest.param(AlertQuery(topic="arms"), [], id="no-match"),
])
def test_topic_and_org_filter_the_alerts(store, query, ids):
    assert [a["alert_id"] for a in store.alerts(query).items] == ids


def test_an_incident_alert_keeps_its_incident_and_latest_figures(store):
    a = store.alert("inc-alert")
    assert (a["kind"], a["incident_id"], a["incident_type"]) == ("incident", "inc-1", "attack")
    assert (a["killed"], a["outlets"], a["distinct_sources"]) == (5, 3, 3)  # the update's figures
    assert a["incident_date"] is None  # the incident itself is not in these views
    assert store.alert("al0000")["incident_id"] == ""


def test_the_api_takes_topic_and_org_for_alerts():
    q = parse("alerts", [("topic", "narcotics"), ("org", "sdf"), ("since", "2024-02-01")])
    assert (q.topic, q.org, q.since) == ("narcotics", "sdf", "2024-02-01T00:00:00Z")


# What undoes the migrations after 0004 (to take a database back to version 3)
UNDO_0006 = ("DROP TABLE incident_reports",  # back to its 0003 shape (its rows dropped)
             "CREATE TABLE incident_reports (incident_id TEXT NOT NULL, ord INTEGER NOT NULL, article_id TEXT NOT NULL, "
             "source TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL, published TEXT, lang TEXT NOT NULL, "
             "duplicate_of TEXT, evidence TEXT NOT NULL, date TEXT, place TEXT, killed INTEGER, injured INTEGER, "
             "arrested INTEGER, PRIMARY KEY (incident_id, ord))")
UNDO_0005 = (*UNDO_0006, "DROP INDEX articles_source_kind",
             *(f"ALTER TABLE articles DROP COLUMN {c}" for c in ("source_kind", "edited", "revision")))


def test_the_migration_fills_the_facets_of_alerts_stored_before_it(views_url):
    """A database at version 3 with alerts: migration 0004 reads their topics and organisations from the
    stored evidence, so the new filters find them at once."""
    with open_store(views_url) as s:
        s.setup()
        s.write_batch(records([raised(1).__replace__(topics=[Topic("terrorism", 0.8)], orgs=[Org("isis", "داعش")])]))
        with s._transaction(write=True) as tx:  # back to version 3, the alert kept
            for stmt in (*UNDO_0005, "DROP TABLE alert_topics", "DROP TABLE alert_orgs", "DROP INDEX alerts_incident",
                         *(f"ALTER TABLE alerts DROP COLUMN {c}" for c in
                           ("incident_id", "incident_type", "killed", "injured", "arrested", "outlets")),
                         "DELETE FROM schema_version WHERE version >= 4"):
                tx.run(stmt, [])
    with open_store(views_url) as s:
        s.setup()
        assert [a["alert_id"] for a in s.alerts(AlertQuery(topic="terrorism", org="isis")).items] == ["al0001"]
        assert s.alert("al0001")["incident_id"] == ""


def test_org_reaches_the_parties_of_an_incident_alert_and_its_event_day(views_url):
    rec = incident(0)  # in0000: carried out by isis against sdf, on 2024-02-01
    with open_store(views_url) as s:
        s.setup()
        s.write_batch(records([rec, incident_alert(3).__replace__(incident_id=rec.incident_id)]))
        for org, ids in (("sdf", ["inc-alert"]), ("isis", ["inc-alert"]), ("pmf", [])):
            assert [a["alert_id"] for a in s.alerts(AlertQuery(org=org)).items] == ids, org
        assert s.alert("inc-alert")["incident_date"] == rec.date == "2024-02-01"
