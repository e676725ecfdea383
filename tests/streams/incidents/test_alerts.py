"""Incident rules, pure: one alert per incident however many outlets carry it, updates on new figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schemas.events import AlertRaised, AlertUpdated
from streams.alerts.engine import route
from streams.alerts.rules import RulesError, parse_rules
from streams.classify import Taxonomy
from streams.extract.gazetteer.model import load_gazetteer
from tests.streams.incidents.samples import (
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
