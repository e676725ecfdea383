"""`marsad query incidents` and `marsad query incident-counts` over filled views (no broker needed)."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from marsad.consumers.store import Record, open_store
from marsad.deploy.cli.main import cli
from tests.consumers.incidents.test_views import expected, incident_log


@pytest.fixture
def views(sqlite_url, monkeypatch) -> str:
    with open_store(sqlite_url) as s:
        s.setup()
        s.write_batch([Record("incidents", 0, i, e) for i, e in enumerate(incident_log())])
    monkeypatch.setenv("MARSAD_VIEWS_URL", sqlite_url)
    return sqlite_url


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_incidents_as_a_table_led_by_day_and_type(views):
    r = run("query", "incidents", "--country", "SY", "--min-outlets", "3")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split() == ["day", "type", "killed", "injured", "arrested", "outlets", "admin1", "actors",
                                "targets", "id", "place"]
    assert lines[1].split()[:4] == ["2024-02-02", "arrest_raid", "5", "(3-5)"] and lines[1].endswith("معبر نصيب")
    assert "2 (0-2)" in lines[2] and "دير" in lines[2] and lines[2].endswith("البوكمال")  # the range, the region


def test_incidents_as_json_with_every_filter_option(views):
    r = run("query", "incidents", "--type", "attack", "--actor", "sdf", "--min-killed", "1", "--since",
            "2024-02-01", "--until", "2024-02-12", "--json")
    assert r.exit_code == 0, r.output
    body = orjson.loads(r.output)
    assert [int(it["incident_id"][2:]) for it in body["items"]] == expected(
        lambda i: i % 6 == 1 and i % 3 == 1 and i % 5 >= 1)
    table = run("query", "incidents", "--limit", "8").output
    assert "2024-02-11?  airstrike" in table  # no date in the reports: the day first seen, marked
    assert table.rstrip().splitlines()[-1].startswith("more: --cursor ")


def test_counts_per_governorate_and_clear_errors(views):
    r = run("query", "incident-counts", "--per", "admin1")
    assert r.exit_code == 0, r.output
    assert "unknown" in r.output and "SY.07" in r.output and "دير الزور" in r.output
    bad = run("query", "incidents", "--type", "riot")
    assert bad.exit_code == 2 and "type must be one of" in bad.output
    help_text = run("query", "incidents", "--help").output
    assert "--min-outlets" in help_text and "--radius-km" in help_text and "--admin1" in help_text
