"""`marsad query` and `marsad views hash|status` over filled views (no broker needed)."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from marsad.consumers.store import Record, open_store
from marsad.consumers.store.migrate import migrations
from marsad.deploy.cli.main import cli
from tests.consumers.factory import article, corpus
from tests.streams.alerts.events import raised, updated


@pytest.fixture
def views(sqlite_url, monkeypatch) -> str:
    with open_store(sqlite_url) as s:
        s.setup()
        s.write_batch([Record("t", 0, i, e) for i, e in enumerate(corpus(60))])
        alerts = [raised(i) for i in range(6)]
        s.write_batch([Record("alerts", 0, i, e) for i, e in enumerate([*alerts, updated(alerts[0], 1)])])
        digest = s.content_hash()
    monkeypatch.setenv("MARSAD_VIEWS_URL", sqlite_url)
    return digest


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_articles_as_a_table_with_arabic_intact(views):
    r = run("query", "articles", "--topic", "narcotics", "--place", "البوكمال", "--limit", "2")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split() == ["at", "source", "topics", "places", "dup", "id", "title"]
    assert "خبر رقم 40 من البوكمال" in lines[1]  # logical order, not reversed or reshaped
    assert r.output.rstrip().splitlines()[-1].startswith("more: --cursor ")


def test_json_and_the_other_questions(views):
    body = orjson.loads(run("query", "seizures", "--item", "captagon", "--json").output)
    assert len(body["items"]) == 10
    r = run("query", "counts", "--by", "place", "--per", "day")
    assert r.exit_code == 0 and "البوكمال" in r.output
    assert "captagon" in run("query", "totals").output
    assert "a00005" in run("query", "stories").output


def test_alerts_as_a_table_and_as_json(views):
    r = run("query", "alerts", "--severity", "critical", "--place", "البوكمال")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split() == ["at", "severity", "rule", "sources", "articles", "rev", "places", "id", "title"]
    assert len(lines) == 2 and "al0000" in lines[1] and "تنبيه رقم 0: ضبط في البوكمال" in lines[1]
    body = orjson.loads(run("query", "alerts", "--rule", "rule-warning", "--since", "2024-02-01", "--json").output)
    assert [a["alert_id"] for a in body["items"]] == ["al0004", "al0001"]
    bad = run("query", "alerts", "--severity", "urgent")
    assert bad.exit_code == 2 and "severity must be one of" in bad.output


def test_articles_by_kind_of_source(views, sqlite_url):
    with open_store(sqlite_url) as s:
        s.write_batch([Record("t", 0, 60 + n, e) for n, e in enumerate(
            [article(100, kind="telegram"), article(101, kind="sitemap"), article(100, kind="telegram", revision=2)])])
    r = run("query", "articles", "--kind", "telegram")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split() == ["at", "source", "kind", "topics", "places", "dup", "id", "title"]
    assert len(lines) == 2 and "telegram r2" in lines[1] and "a00100" in lines[1]
    body = orjson.loads(run("query", "counts", "--by", "kind", "--json").output)
    assert {row["key"]: row["articles"] for row in body["items"]} == {"unknown": 60, "telegram": 1, "sitemap": 1}
    bad = run("query", "articles", "--kind", "email")
    assert bad.exit_code == 2 and "kind must be one of rss, sitemap, page, telegram, import" in bad.output


def test_bad_filters_are_usage_errors(views):
    r = run("query", "articles", "--since", "yesterday")
    assert r.exit_code == 2 and "since must be a date" in r.output


@pytest.mark.parametrize(("args", "said"), [
    pytest.param(("query", "articles", "--topic", "narcotic"), "unknown topic 'narcotic' for --topic. Did you mean "
                 "narcotics? Known: arms, diplomacy", id="topic"),
    pytest.param(("query", "alerts", "--org", "isi"), "unknown organisation 'isi' for --org. Did you mean isis?",
                 id="org"),
    pytest.param(("query", "incidents", "--actor", "nobody"), "unknown organisation 'nobody' for --actor. Known: "
                 "asayish", id="actor-nothing-close"),
    pytest.param(("query", "alert"), "No such command 'alert'. Did you mean alerts?", id="subcommand"),
    pytest.param(("quer",), "No such command 'quer'. Did you mean query?", id="command"),
    pytest.param(("view", "hash"), "No such command 'view'. Did you mean views?", id="group"),
])
def test_near_misses_are_named(views, args, said):
    r = run(*args)
    assert r.exit_code == 2 and said in " ".join(r.output.split()), r.output


def test_views_hash_and_status(views):
    assert run("views", "hash").output.strip() == views
    status = run("views", "status").output
    assert f"schema  version {len(migrations('sqlite'))}" in status and "t[0] next offset 60" in status
