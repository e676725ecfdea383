"""Incident rules, pure: one alert per incident however many outlets carry it, updates on new figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.schemas.facts import Place
from marsad.streams.alerts.engine import route
from marsad.streams.alerts.rules import RulesError, parse_rules
from marsad.streams.alerts.tail import describe
from marsad.streams.classify import Taxonomy
from marsad.streams.extract.gazetteer.model import load_gazetteer
from marsad.streams.fusion.reconcile import LISTED
from tests.streams.fusion.samples import (
    ALBUKAMAL,
    ATTACK_RULES,
    T0,
    Fold,
    attack,
    mayadin_attack,
    processed,
)


def rules(text: str = ATTACK_RULES):
    return parse_rules(text, "rules.yaml", Taxonomy.load(), load_gazetteer())


def test_a_corroborated_deadly_attack_raises_one_alert_and_one_update():
    fold = Fold(rules=rules()).run(mayadin_attack())
    assert [type(e).__name__ for e in fold.alerts] == ["AlertRaised", "AlertUpdated"]
    raised, update = fold.alerts
    incident = fold.latest()
    (incident_id,) = incident
    # raised when a second outlet joined (3 and 4 killed: the larger on a tie), updated when the
    # third gave 4 too; the exact copy changes no figure and updates nothing
    assert raised.kind == "incident" and raised.incident_id == incident_id and raised.rule_id == "deadly-attack"
    assert (raised.killed, raised.outlets, raised.sources) == (4, 2, ["outlet-a", "outlet-b"])
    assert raised.matched[0] == "incident attack on 2026-03-01 at الميادين"
    assert "killed 4 >= 3 (reports give 3-4)" in raised.matched
    assert "outlets 2 >= 2 (outlet-a, outlet-b)" in raised.matched
    assert raised.causation_id == fold.events[1].event_id  # the IncidentUpdated that made it match
    assert isinstance(update, AlertUpdated) and update.alert_id == raised.alert_id and update.revision == 1
    assert (update.killed, update.outlets, update.article_id) == (4, 3, "c1")
    # a replay raises the same alert with the same ids
    again = Fold(rules=rules()).run(mayadin_attack())
    assert [e.event_id for e in again.alerts] == [e.event_id for e in fold.alerts]


def test_a_higher_toll_updates_and_conditions_filter():
    more = processed("e1", "outlet-e", [attack(9)], at=T0 + timedelta(hours=5))
    fold = Fold(rules=rules()).run([*mayadin_attack(), more, processed("x1", "outlet-x", [attack(5, ALBUKAMAL)])])
    assert [type(e).__name__ for e in fold.alerts] == ["AlertRaised", "AlertUpdated", "AlertUpdated"]
    assert fold.alerts[-1].killed == 4 and fold.alerts[-1].outlets == 4  # 9 is one outlet against two 4s
    # Albukamal: one outlet only, no alert; a rule on the place and the actor
    place_rule = ATTACK_RULES.replace("when: [killed >= 3, outlets >= 2]", "when: [casualties > 4]\n"
                                      "    places: [{name: البوكمال}]\n    actors: [isis]")
    fold = Fold(rules=rules(place_rule)).run([*mayadin_attack(), processed("x1", "outlet-x", [attack(5, ALBUKAMAL)])])
    assert [(type(e), e.killed) for e in fold.alerts] == [(AlertRaised, 5)]
    assert "place البوكمال (34.4523, 40.9185)" in fold.alerts[0].matched


BAD = {
    "unknown type": ("types: [attack]", "types: [bombing]", "types[0]: unknown incident type 'bombing'"),
    "unknown actor": ("types: [attack]", "actors: [daesh]", "actors[0]: unknown organisation id 'daesh'"),
    "not a condition": ("when: [killed >= 3, outlets >= 2]", "when: [killed at least 3]",
                        "when[0]: 'killed at least 3' is not a condition like 'killed >= 3'"),
    "unknown figure": ("when: [killed >= 3, outlets >= 2]", "when: [dead >= 3]", "when[0]: unknown figure 'dead'"),
}


@pytest.mark.parametrize("line, bad, message", BAD.values(), ids=BAD.keys())
def test_bad_incident_rules_are_refused_naming_the_rule_and_the_field(line, bad, message):
    with pytest.raises(RulesError) as e:
        rules(ATTACK_RULES.replace(line, bad))
    assert f"rule 'deadly-attack': {message}" in str(e.value)


def test_an_incident_rule_needs_a_condition():
    with pytest.raises(RulesError, match="no condition"):
        rules("rules:\n  - {id: x, kind: incident, title: t, severity: info}\n")


def test_route_sends_each_incident_of_an_article_keyed_by_type_and_country():
    article = processed("x1", "outlet-e", [attack(4), attack(2, ALBUKAMAL, kind="airstrike"), attack(1, None)],
                        countries=("SY", "IQ"))
    routed = route(article, rules())
    assert [(r.report_id, r.scope) for r in routed.reports] == [
        ("x1#0", "attack|SY"), ("x1#1", "airstrike|SY"), ("x1#2", "attack|")]


INCIDENT_SPIKE = """\
rules:
  - id: attacks-spike
    kind: spike
    title: ارتفاع مفاجئ في عدد الهجمات
    severity: warning
    count: incidents
    types: [attack, airstrike]
    per: country
    window: 1h
    baseline_days: 2
    min_count: 4
"""


def town(i: int) -> Place:
    """Places 45 km apart along a meridian: reports in two of them never fuse."""
    return Place(f"town-{i}", 32.5 + 0.4 * (i % 12), 38.0 + 0.3 * (i // 12), "SY", "village")


def test_a_spike_rule_counting_incidents_counts_each_event_once_however_many_outlets():
    start = T0 - timedelta(days=2)
    background = [processed(f"bg{i}", "outlet-a", [attack(1, town(i), None)], at=start + i * timedelta(hours=6))
                  for i in range(8)]
    # four attacks in four towns within the hour, the first told by five outlets
    burst_at = T0 + timedelta(hours=1, minutes=5)
    burst = [processed(f"b{i}-{k}", f"outlet-{k}", [attack(2, town(20 + i), None)],
                       at=burst_at + timedelta(minutes=i * 10 + k))
             for i in range(4) for k in range(5 if i == 0 else 1)]
    one_event = [processed(f"e{k}", f"outlet-{k}", [attack(2, town(40), None)], at=burst_at + timedelta(minutes=k))
                 for k in range(6)]
    ruleset = rules(INCIDENT_SPIKE)
    assert [(r.count, sorted(r.types)) for r in ruleset.spikes] == [("incidents", ["airstrike", "attack"])]

    fold = Fold(rules=ruleset).run([*background, *burst])
    spikes = [a for a in fold.alerts if a.kind == "spike"]
    assert [type(a).__name__ for a in spikes] == ["AlertRaised"]
    assert spikes[0].observed == 4 and spikes[0].scope == "incident=airstrike+attack country=SY"
    burst_incidents = {e.incident_id for e in fold.events if e.reports[0].article_id[:2] in ("b0", "b1", "b2", "b3")}
    assert len(burst_incidents) == 4 and set(spikes[0].article_ids) == burst_incidents
    # six outlets on one attack: one incident, no burst
    fold = Fold(rules=ruleset).run([*background, *one_event])
    assert not [a for a in fold.alerts if a.kind == "spike"]


def test_spike_rules_count_articles_by_topic_or_incidents_by_type():
    for bad, message in (("count: incidents", "topic: not with `count: incidents`"),
                         ("count: events", "count: must be 'articles' or 'incidents'")):
        with pytest.raises(RulesError, match=message):
            rules(INCIDENT_SPIKE.replace("count: incidents", f"topic: terrorism\n    {bad}"))
    with pytest.raises(RulesError, match="types: only with `count: incidents`"):
        rules(INCIDENT_SPIKE.replace("count: incidents", "topic: terrorism"))
    with pytest.raises(RulesError, match="topic: missing"):
        rules(INCIDENT_SPIKE.replace("    count: incidents\n", "").replace("    types: [attack, airstrike]\n", ""))


def test_tail_shows_an_incident_alert_with_its_figures():
    raised, update = Fold(rules=rules()).run(mayadin_attack()).alerts
    shown = describe(raised)
    assert "[CRITICAL] deadly-attack  هجوم دام تؤكده مصادر مستقلة" in shown
    assert f"incident attack {raised.incident_id}: killed 4, 2 independent outlet(s)" in shown
    assert "why: incident attack on 2026-03-01 at الميادين; killed 4 >= 3 (reports give 3-4)" in shown
    assert describe(update).endswith("3 article(s), 3 source(s): outlet-a, outlet-b, outlet-c, "
                                     "killed 4, 3 independent outlet(s)")


def test_an_alert_on_a_widely_reported_incident_lists_its_earliest_reports_and_every_outlet():
    """However many reports an incident has, its alerts list the earliest `LISTED` (article, title, url)
    and every outlet name: an alert stays small where the incident does not."""
    n = LISTED + 15
    articles = [processed(f"w{i:02d}", f"outlet-{i}", [attack(4)], at=T0 + timedelta(minutes=n - i)) for i in range(n)]
    fold = Fold(rules=rules()).run(articles)
    raised = next(e for e in fold.alerts if isinstance(e, AlertRaised))
    last = [e for e in fold.alerts if isinstance(e, AlertUpdated)][-1]
    earliest = [f"w{i:02d}" for i in range(n - 1, n - 1 - LISTED, -1)]  # published last in the loop: earliest
    assert len(last.article_ids) == LISTED and last.article_ids == earliest
    assert last.sources == [f"outlet-{i}" for i in range(n - 1, -1, -1)] and last.outlets == n
    assert raised.article_ids == ["w00", "w01"][::-1] and raised.titles == ["title of w01", "title of w00"]
