"""Incident fusion in the alert agent, on the real broker: one incident across outlets, one alert, a restart."""

from __future__ import annotations

import pytest

from marsad.schemas.events import AlertRaised, AlertUpdated, IncidentRecorded, IncidentUpdated
from marsad.schemas.topics import Topics
from tests.streams.alerts.test_alerter import Alerter, Reader, backtest, caught_up, final_counts, publish
from tests.streams.fusion.samples import ALBUKAMAL, ATTACK_RULES, T0, attack, mayadin_attack, processed

pytestmark = pytest.mark.kafka


def latest(events: list) -> dict[str, IncidentRecorded | IncidentUpdated]:
    out: dict = {}
    for e in events:
        if e.incident_id not in out or out[e.incident_id].revision < e.revision:
            out[e.incident_id] = e
    return out


def test_one_attack_from_three_outlets_is_one_incident_and_one_alert(kafka_bootstrap, kafka_topics, tmp_path):
    topics = Topics(kafka_topics)
    rules = tmp_path / "rules.yaml"
    rules.write_text(ATTACK_RULES, encoding="utf-8")
    alerter = Alerter(kafka_bootstrap, kafka_topics, tmp_path, rules)
    incidents = Reader(kafka_bootstrap, topics.name("incidents"))
    alerts = Reader(kafka_bootstrap, topics.alerts)
    a1, b1, c1, d1 = mayadin_attack()
    elsewhere = processed("x1", "outlet-a", [attack(2, ALBUKAMAL)], at=T0)  # the same day, 75 km away

    def reports(n):
        return lambda seen: sum(e.reports_total for e in latest(seen).values()) >= n

    alerter.start()
    try:
        # the first report names the incident: let it be fused before the others (a back-test orders the
        # log by record time, the live agent by arrival; for reports moments apart the two may differ)
        publish(kafka_bootstrap, topics.processed, [a1])
        incidents.until(reports(1), 120, alerter)
        publish(kafka_bootstrap, topics.processed, [b1, elsewhere])
        alerts.until(lambda seen: any(isinstance(e, AlertRaised) for e in seen), 120, alerter)
        incidents.until(reports(3), 60, alerter)
        alerter.stop()  # a restart in the middle: the open incidents come back from the changelog
        alerter.start()
        publish(kafka_bootstrap, topics.processed, [c1, d1])
        incidents.until(reports(5), 120, alerter)
        alerts.until(lambda seen: any(isinstance(e, AlertUpdated) for e in seen), 60, alerter)
        caught_up(kafka_bootstrap, topics, alerter)
    finally:
        alerter.stop()

    events = incidents.drain()
    assert len({e.event_id for e in events}) == len(events), "an incident event was published twice"
    assert sum(type(e) is IncidentRecorded for e in events) == 2
    added: dict[str, list[str]] = {}  # incident id -> the article ids its events added, each event its report
    for e in events:
        added.setdefault(e.incident_id, []).extend(r.article_id for r in e.reports)
    by_article = {a: latest(events)[iid] for iid, ids in added.items() for a in ids}
    main, other = by_article["a1"], by_article["x1"]
    assert main.incident_id != other.incident_id
    assert sorted(added[main.incident_id]) == ["a1", "b1", "c1", "d1"] and main.revision == main.reports_total == 4
    assert main.outlets == 3 and (main.killed, main.killed_min, main.killed_max) == (4, 3, 4)
    assert added[other.incident_id] == ["x1"] and other.killed == 2 and other.place == ALBUKAMAL

    raised_and_updated = alerts.drain()
    assert [type(e).__name__ for e in raised_and_updated] == ["AlertRaised", "AlertUpdated"]
    raised, update = raised_and_updated
    assert raised.incident_id == main.incident_id and raised.kind == "incident" and raised.severity == "critical"
    assert update.alert_id == raised.alert_id and update.revision == 1 and update.outlets == 3

    report = backtest(kafka_bootstrap, kafka_topics, rules, tmp_path)
    replayed = {a["alert_id"]: (a["articles"], len(a["sources"]), a["observed"]) for a in report["alerts"]}
    assert replayed == final_counts(raised_and_updated)
    (alert,) = report["alerts"]
    assert (alert["incident_id"], alert["killed"], alert["outlets"], alert["revision"]) == (
        main.incident_id, 4, 3, 1)
    assert report["incidents"] == 2 and report["incident_reports"] == 5
