"""The alert commands' refusals (no broker needed) and the readable form of alerts."""

from __future__ import annotations

from click.testing import CliRunner

from marsad.deploy.cli.main import cli
from marsad.schemas.alert_state import StoryState
from marsad.streams.alerts.engine import apply_story, route
from marsad.streams.alerts.notes import StateStore
from marsad.streams.alerts.rules import load_rules
from marsad.streams.alerts.tail import describe
from tests.streams.alerts.samples import seizure_story

BAD = "rules:\n  - {id: big-seizure, title: t, severity: critical, topics: [narcotics], colour: red}\n"


def test_alerter_and_backtest_refuse_a_bad_rules_file_naming_rule_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    env = {"MARSAD_ALERT_RULES": str(bad), "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "MARSAD_DATA_DIR": str(tmp_path)}
    for args in (["alerter"], ["alerts", "backtest"], ["alerts", "backtest", str(bad)]):
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == 1, result.output
        assert "rule 'big-seizure': colour: unknown field" in result.output


def test_backtest_refuses_a_bad_date(tmp_path):
    result = CliRunner().invoke(cli, ["alerts", "backtest", "--since", "last tuesday"],
                                env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "MARSAD_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2 and "is not a date" in result.output


def test_describe_shows_severity_rule_title_sources_places_and_quantities():
    store = StateStore({}, StoryState)
    events = [e for a in seizure_story() for e in apply_story(store, route(a, load_rules()).story)]
    raised, *updates = events
    text = describe(raised)
    assert text.startswith("[CRITICAL] captagon-large-seizure  ضبط شحنة كبتاغون كبيرة")
    assert "1 source(s): outlet-a" in text and "ضبط ثلاثة ملايين حبة كبتاغون في ريف درعا" in text
    assert "درعا (32.6189, 36.1021)" in text and "3,000,000 pill captagon" in text
    assert describe(updates[-1]).endswith("3 article(s), 3 source(s): outlet-a, outlet-b, outlet-c")
