"""The query API as a real server on 127.0.0.1 (`marsad api`), over views on each database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from marsad.consumers.query.params import ENDPOINTS
from marsad.consumers.store import Record, open_store
from marsad.deploy.kafka.local import free_port
from tests.conftest import ROOT
from tests.consumers.api.server import backend_views, start_api
from tests.consumers.factory import corpus
from tests.streams.alerts.events import raised, updated


def fill(url: str) -> None:
    alerts = [raised(i) for i in range(12)]
    with open_store(url) as s:
        s.setup()
        s.write_batch([Record("t", 0, i, e) for i, e in enumerate(corpus(60))])
        s.write_batch([Record("alerts", 0, i, e) for i, e in enumerate([*alerts, updated(alerts[3], 1)])])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(request, tmp_path_factory) -> Iterator[httpx.Client]:
    url = backend_views(request, tmp_path_factory, "api")
    fill(url)
    server = start_api(url, tmp_path_factory.mktemp("api-log") / "api.log")
    yield server.client
    server.stop()


def ids(response: httpx.Response) -> set[int]:
    assert response.status_code == 200, response.text
    return {int(it["article_id"][1:]) for it in response.json()["items"]}


@pytest.mark.parametrize(("params", "expected"), [
    ({"topic": "narcotics"}, {i for i in range(60) if i % 4 == 0}),
    ({"place": "البوكمال", "limit": "50"}, {i for i in range(60) if i % 5 == 0}),
    ({"lat": "32.55", "lon": "36.1", "radius_km": "15", "limit": "200"}, {i for i in range(60) if i % 5 in (2, 3, 4)}),
    ({"org": "hezbollah", "country": "SY", "limit": "200"}, {i for i in range(60) if i % 3 == 1 and i % 5 != 4}),
    ({"since": "2024-02-02", "until": "2024-02-02"}, set(range(22, 42))),  # the newest 20 of 18..41
    ({"q": "الكبتاجون", "limit": "200"}, set()),
    ({"q": "حبوب الكبتاغون", "limit": "200"}, {i for i in range(60) if i % 4 == 0}),
    ({"duplicate": "near"}, {i for i in range(60) if i % 7 == 6}),
], ids=["topic", "place", "radius", "org+country", "one-day", "text-other-spelling", "text", "near-copies"])
def test_article_filters(api, params, expected):
    assert ids(api.get("/articles", params=params)) == expected


def test_pages_with_cursor(api):
    seen, params = [], {"limit": "25"}
    while True:
        body = api.get("/articles", params=params).json()
        seen += [it["article_id"] for it in body["items"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == 60 == len(set(seen))


def test_one_article_and_404(api):
    body = api.get("/articles/a00006").json()
    assert body["duplicate"]["first_id"] == "a00005" and "clean_text" in body and body["places"]
    missing = api.get("/articles/a99999")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_counts_seizures_stories(api):
    topics = api.get("/counts", params={"by": "topic"}).json()
    assert sum(r["articles"] for r in topics["items"]) == 60 and topics["by"] == "topic"
    per_day = api.get("/counts", params={"by": "place", "per": "day"}).json()["items"]
    assert sum(r["articles"] for r in per_day) == 60 and all("name" in r and "day" in r for r in per_day)
    ledger = api.get("/seizures", params={"item": "captagon", "limit": "3"}).json()
    assert len(ledger["items"]) == 3 and ledger["next_cursor"]
    totals = api.get("/seizures/totals", params={"item": "captagon"}).json()["items"]
    assert totals[0]["seizures"] == 10 and totals[0]["unit"] == "pill"
    stories = api.get("/stories").json()["items"]
    assert len(stories) == 8 and all(s["articles"] == 2 for s in stories)


def test_openapi_describes_what_is_accepted(api):
    doc = api.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path, endpoint in (("/articles", "articles"), ("/counts", "counts"), ("/seizures", "seizures"),
                           ("/seizures/totals", "totals"), ("/stories", "stories"), ("/alerts", "alerts")):
        assert [p["name"] for p in doc["paths"][path]["get"]["parameters"]] == list(ENDPOINTS[endpoint])
    limit = next(p for p in doc["paths"]["/articles"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200


@pytest.mark.parametrize(("path", "params", "status", "message"), [
    ("/articles", {"colour": "red"}, 400, "unknown parameter 'colour'"),
    ("/articles", {"since": "2024-13-01"}, 400, "since must be a date"),
    ("/articles", {"until": "tomorrow"}, 400, "until must be a date"),
    ("/articles", {"limit": "100000"}, 400, "limit is at most 200"),
    ("/articles", {"topic": "narcotics' OR '1'='1"}, 400, "topic must be an id"),
    ("/articles", {"country": "SY'; DROP TABLE articles; --"}, 400, "country must be"),
    ("/articles", {"cursor": "' UNION SELECT 1 --"}, 400, "cursor is not one"),
    ("/counts", {"by": "1; DELETE FROM articles"}, 400, "by must be one of"),
    ("/seizures", {"limit": "0"}, 400, "limit must be between"),
    ("/articles/a1'--", {}, 400, "article id must be"),
    ("/articles/a00001", {"x": "1"}, 400, "unknown parameter"),
    ("/nowhere", {}, 404, "Not Found"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None)
def test_bad_requests_are_clear_4xx(api, path, params, status, message):
    r = api.get(path, params=params)
    assert r.status_code == status and r.headers["content-type"].startswith("application/json")
    assert message in r.json()["message"]


@pytest.mark.parametrize(("path", "params"), [
    ("/articles", {"topic": "nosuch"}),
    ("/counts", {"by": "place", "org": "nosuch"}),
    ("/seizures", {"topic": "nosuch"}),
    ("/seizures/totals", {"topic": "nosuch"}),
    ("/stories", {"org": "nosuch"}),
    ("/alerts", {"topic": "nosuch"}),
    ("/alerts", {"org": "nosuch"}),
    ("/incidents", {"actor": "nosuch"}),
    ("/incidents/counts", {"target": "nosuch"}),
    ("/incidents", {"org": "nosuch"}),
    ("/export/incidents.csv", {"actor": "nosuch"}),
    ("/export/articles.csv", {"topic": "nosuch"}),
    ("/export/seizures.geojson", {"org": "nosuch"}),
    ("/places", {"topic": "nosuch"}),
    ("/places/x/articles", {"topic": "nosuch"}),
    ("/seizures/summary", {"org": "nosuch"}),
], ids=lambda v: v if isinstance(v, str) else "-".join(v))
def test_an_unknown_topic_or_organisation_is_a_400_naming_the_known_ones(api, path, params):
    """Not an empty answer: the taxonomy in force (the bundled one here) has no such id, as `marsad query` says."""
    r = api.get(path, params=params)
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/json"), r.text
    body = r.json()
    (name, value), = params.items() if len(params) == 1 else [(k, v) for k, v in params.items() if k != "by"]
    assert body["error"] == "unknown_id" and body["parameter"] == name and body["value"] == value
    kind = "topic" if name == "topic" else "organisation"
    assert body["message"].startswith(f"unknown {kind} 'nosuch' for {name}. Known: ")
    known = ["narcotics", "security_ops"] if kind == "topic" else ["sdf", "hezbollah"]
    assert set(known) <= set(body["known"]) and body["known"] == sorted(body["known"])
    assert ", ".join(body["known"]) in body["message"]


def test_a_near_miss_id_is_named_and_a_known_one_answers(api):
    r = api.get("/articles", params={"topic": "narcotic"})
    assert r.status_code == 400 and "Did you mean narcotics?" in r.json()["message"]
    assert api.get("/articles", params={"topic": "narcotics", "org": "sdf"}).status_code == 200
    assert api.get("/incidents", params={"actor": "isis", "target": "sdf"}).status_code == 200


def test_alerts_filtered_newest_first_and_one_by_id(api):
    def alert_ids(params: dict) -> list[str]:
        r = api.get("/alerts", params=params)
        assert r.status_code == 200, r.text
        return [it["alert_id"] for it in r.json()["items"]]
    assert alert_ids({"severity": "critical"}) == ["al0009", "al0006", "al0003", "al0000"]
    assert alert_ids({"rule": "rule-info", "since": "2024-02-01T10:00:00Z"}) == ["al0011", "al0008", "al0005"]
    assert alert_ids({"place": "البوكمال"}) == ["al0010", "al0005", "al0000"]
    assert alert_ids({"country": "JO", "until": "2024-02-01"}) == ["al0009", "al0004"]
    page = api.get("/alerts", params={"limit": "5"}).json()
    assert len(page["items"]) == 5 and page["next_cursor"]
    rest = api.get("/alerts", params={"limit": "200", "cursor": page["next_cursor"]}).json()["items"]
    assert len(rest) == 7
    one = api.get("/alerts/al0003").json()
    assert one["revision"] == 1 and one["distinct_sources"] == 2 and one["evidence"]["places"][0]["lat"]
    assert api.get("/alerts/al9999").status_code == 404
    assert "/alerts/{alert_id}" in api.get("/openapi.json").json()["paths"]


def test_sql_looking_text_is_searched_as_text(api):
    for q in ("'; DROP TABLE articles; --", "1 OR 1=1", "\" OR \"\"=\"", "NEAR(a b) * ^ :"):
        assert ids(api.get("/articles", params={"q": q, "place": q})) == set()
    assert len(ids(api.get("/articles", params={"limit": "200"}))) == 60


def test_never_a_500(api):
    odd = ["", " ", "%", "'", "\\", "\x00", "٫", "9" * 400, "-1", "1e400", "nan", "inf", "null", "[]", "{}",
           "2024-02-30", "🙂", "..", "/", "a" * 5000]
    for name in ("topic", "place", "lat", "since", "q", "limit", "cursor", "duplicate", "story"):
        for value in odd:
            r = api.get("/articles", params={name: value})
            assert r.status_code < 500, (name, value, r.text)
    assert api.post("/articles").status_code == 405


def test_an_unreadable_taxonomy_leaves_the_ids_unchecked_and_says_so(tmp_path):
    """The workers and `marsad classify` report a broken taxonomy; the API still answers, filters unchecked."""
    url = f"sqlite:///{tmp_path / 'views.sqlite'}"
    fill(url)
    broken = tmp_path / "taxonomy.yaml"
    broken.write_text("topics: [not, a, mapping\n", encoding="utf-8")
    server = start_api(url, tmp_path / "api.log", env={"MARSAD_TAXONOMY": str(broken)})
    try:
        assert server.client.get("/articles", params={"topic": "nosuch"}).json()["items"] == []
    finally:
        server.stop()
    assert "topic/organisation filters are not checked" in server.log.read_text()


def test_token_is_required_when_set(tmp_path):
    url = f"sqlite:///{tmp_path / 'views.sqlite'}"
    fill(url)
    server = start_api(url, tmp_path / "api.log", token="s3cret", send_token=False)
    try:
        c = server.client
        assert c.get("/articles").status_code == 401
        assert c.get("/articles", headers={"Authorization": "Bearer nope"}).json()["error"] == "unauthorized"
        assert c.get("/articles", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.get("/health").status_code == 200
    finally:
        server.stop()


def test_refuses_a_public_address_without_a_token(tmp_path):
    env = {**os.environ, "MARSAD_VIEWS_URL": f"sqlite:///{tmp_path / 'v.sqlite'}", "MARSAD_API_TOKEN": ""}
    r = subprocess.run([sys.executable, "-m", "marsad.deploy.cli.main", "api", "--host", "0.0.0.0", "--port", str(free_port())],
                       env=env, cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "without a token" in r.stderr
