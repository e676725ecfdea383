"""The incident endpoints and exports on a real `marsad api` server on 127.0.0.1, over each database."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest

from marsad.consumers.query.params import ENDPOINTS
from marsad.consumers.store import Record, open_store
from marsad.schemas.wire import INCIDENT_TYPES
from tests.consumers.api.server import backend_views, start_api
from tests.consumers.incidents.test_views import KILLED, N, day, expected, incident_log


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(request, tmp_path_factory) -> Iterator[httpx.Client]:
    url = backend_views(request, tmp_path_factory, "api")
    with open_store(url) as s:
        s.setup()
        s.write_batch([Record("incidents", 0, i, e) for i, e in enumerate(incident_log())])
    server = start_api(url, tmp_path_factory.mktemp("api-log") / "api.log")
    yield server.client
    server.stop()


def numbers(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [int(it["incident_id"][2:]) for it in response.json()["items"]]


@pytest.mark.parametrize(("params", "pred"), [
    ({"type": "airstrike"}, lambda i: INCIDENT_TYPES[i % 6] == "airstrike"),
    ({"since": "2024-02-03", "until": "2024-02-04"}, lambda i: "2024-02-03" <= day(i) <= "2024-02-04"),
    ({"since": "2024-02-03T15:00:00Z", "until": "2024-02-03T18:00:00Z"}, lambda i: i // 2 == 2),  # whole days
    ({"place": "القامشلي"}, lambda i: i % 6 == 1),
    ({"lat": "36.33", "lon": "43.12", "radius_km": "10"}, lambda i: i % 6 == 2),
    ({"actor": "pmf"}, lambda i: i % 3 == 2),
    ({"target": "isis"}, lambda i: i % 2 == 0 and (i + 1) % 3 == 0),
    ({"min_killed": "4"}, lambda i: KILLED[i] >= 4),
    ({"min_injured": "3"}, lambda i: i % 4 == 3),
    ({"min_arrested": "3"}, lambda i: INCIDENT_TYPES[i % 6] == "arrest_raid"),
    ({"min_outlets": "3"}, lambda i: i in (0, 3)),
    ({"country": "sy", "admin1": "sy.01"}, lambda i: i % 6 == 1),
    ({"admin1": "unknown", "type": "seizure"}, lambda i: i % 6 == 4),
], ids=["type", "dates", "datetimes", "place", "radius", "actor", "target", "min_killed", "min_injured",
        "min_arrested", "min_outlets", "country+admin1", "unknown-admin1+type"])
def test_incident_filters_newest_event_first(api, params, pred):
    got = numbers(api.get("/incidents", params={**params, "limit": "200"}))
    assert got == expected(pred) and got


def test_pages_with_cursor(api):
    seen, params = [], {"limit": "7"}
    while True:
        body = api.get("/incidents", params=params).json()
        seen += [int(it["incident_id"][2:]) for it in body["items"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert seen == expected(lambda i: True)


def test_one_incident_with_reports_and_evidence_and_404(api):
    body = api.get("/incidents/in0003").json()
    assert body["revision"] == 3 and body["outlets"] == 3 and body["killed"] == 5
    assert [r["article_id"] for r in body["reports"]] == ["a00003", "a00003-r2", "a00003-r3"]
    assert body["reports"][0]["evidence"] == "قتل 3 في الحادثة رقم 3." and body["evidence"]
    assert body["admin1"] == {"code": "SY.06", "name": "درعا", "name_en": "Dara"}
    missing = api.get("/incidents/in9999")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_counts_per_day_and_per_governorate(api):
    per_day = api.get("/incidents/counts").json()
    assert per_day["per"] == "day" and sum(r["incidents"] for r in per_day["items"]) == N
    regions = api.get("/incidents/counts", params={"per": "admin1"}).json()["items"]
    totals: dict[str, int] = {}
    for r in regions:
        totals[r["admin1"]] = totals.get(r["admin1"], 0) + r["incidents"]
    assert totals == {"SY.07": 4, "SY.01": 4, "IQ.15": 4, "SY.06": 4, "unknown": 8}
    assert next(r for r in regions if r["admin1"] == "SY.07")["name_en"] == "Deir-ez-Zor"
    one_type = api.get("/incidents/counts", params={"per": "admin1", "type": "airstrike"}).json()["items"]
    assert [(r["type"], r["admin1"], r["incidents"], r["name"]) for r in one_type] == [
        ("airstrike", "IQ.15", 4, "نينوى")]


def test_openapi_describes_the_incident_endpoints(api):
    doc = api.get("/openapi.json").json()
    for path, endpoint in (("/incidents", "incidents"), ("/incidents/counts", "incident_counts")):
        assert [p["name"] for p in doc["paths"][path]["get"]["parameters"]] == list(ENDPOINTS[endpoint])
    per = next(p for p in doc["paths"]["/incidents/counts"]["get"]["parameters"] if p["name"] == "per")
    assert per["schema"]["enum"] == ["day", "admin1"]
    for path in ("/incidents/{incident_id}", "/export/incidents.csv", "/export/incidents.geojson",
                 "/export/incidents.acled.csv"):
        assert path in doc["paths"]
    assert "Incident" in doc["components"]["schemas"] and "IncidentDetail" in doc["components"]["schemas"]


@pytest.mark.parametrize(("path", "params", "message"), [
    ("/incidents", {"type": "riot"}, "type must be one of"),
    ("/incidents", {"min_killed": "-1"}, "min_killed must be between"),
    ("/incidents", {"min_outlets": "many"}, "min_outlets must be an integer"),
    ("/incidents", {"admin1": "Aleppo"}, "admin1 must be a governorate code"),
    ("/incidents", {"actor": "isis' OR 1=1"}, "actor must be an id"),
    ("/incidents", {"lat": "36"}, "lat, lon and radius_km go together"),
    ("/incidents", {"topic": "narcotics"}, "unknown parameter 'topic'"),
    ("/incidents", {"since": "2024-02-05", "until": "2024-02-01"}, "since must be before until"),
    ("/incidents", {"limit": "500"}, "limit is at most 200"),
    ("/incidents/counts", {"per": "hour"}, "per must be one of day, admin1"),
    ("/incidents/in0001", {"x": "1"}, "unknown parameter"),
    ("/incidents/in'--", {}, "incident id must be"),
    ("/export/incidents.csv", {"limit": "5"}, "unknown parameter 'limit'"),
    ("/export/incidents.acled.csv", {"min_killed": "x"}, "min_killed must be an integer"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None)
def test_bad_parameters_are_json_400_naming_them(api, path, params, message):
    r = api.get(path, params=params)
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/json")
    assert message in r.json()["message"]


def rows_of(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.text.startswith("\ufeff") and response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))


def test_csv_export_of_the_filter(api):
    r = api.get("/export/incidents.csv", params={"country": "SY"})
    rows = rows_of(r)
    assert [int(x["incident_id"][2:]) for x in rows] == expected(lambda i: i % 6 in (0, 1, 3))
    assert r.headers["x-marsad-rows"] == str(len(rows)) and "attachment" in r.headers["content-disposition"]
    first = next(x for x in rows if x["incident_id"] == "in0000")
    assert (first["place"], first["admin1"], first["admin1_name"], first["killed"], first["outlets"]) == (
        "البوكمال", "SY.07", "دير الزور", "2", "3")
    assert first["actors"] == "isis" and first["targets"] == "sdf"
    # a source that starts like a formula is neutralised
    formula = next(x for x in rows if x["incident_id"] == "in0006")
    assert formula["sources"].startswith("'=cmd")
    assert all(not v.startswith(("=", "+", "-", "@")) for x in rows for v in x.values())


def test_acled_csv_export(api):
    rows = rows_of(api.get("/export/incidents.acled.csv", params={"type": "armed_clash"}))
    assert list(rows[0]) == ["event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1",
                             "assoc_actor_1", "actor2", "assoc_actor_2", "country", "admin1", "location", "latitude",
                             "longitude", "geo_precision", "fatalities", "source", "notes", "incident_id"]
    first = next(x for x in rows if x["incident_id"] == "in0000")
    assert (first["event_date"], first["event_type"], first["actor1"], first["actor2"], first["admin1"],
            first["location"], first["fatalities"]) == (
        "2024-02-01", "Battles", "isis", "sdf", "Deir-ez-Zor", "البوكمال", "2")
    assert float(first["latitude"]) == 34.4523 and first["notes"] == "قتل 0 في الحادثة رقم 0."
    assert (first["year"], first["time_precision"], first["geo_precision"]) == ("2024", "1", "1")
    undated = next(x for x in rows if x["incident_id"] == "in0006")
    assert undated["time_precision"] == "2" and undated["event_date"] == "2024-02-04"
    no_place = rows_of(api.get("/export/incidents.acled.csv", params={"type": "kidnapping"}))
    assert no_place and all(x["latitude"] == "" and x["admin1"] == "" and x["location"] == "" for x in no_place)
    assert {x["event_type"] for x in no_place} == {"Violence against civilians"}


def test_geojson_export(api):
    r = api.get("/export/incidents.geojson", params={"min_outlets": "1"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == N
    by_id = {f["id"]: f for f in doc["features"]}
    assert by_id["in0002"]["geometry"] == {"type": "Point", "coordinates": [43.1189, 36.335]}
    assert by_id["in0005"]["geometry"] is None  # no place: kept, without a geometry
    assert by_id["in0002"]["properties"]["admin1_name_en"] == "Ninewa"


def test_never_a_500(api):
    odd = ["", " ", "%", "'", "\\", "\x00", "٫", "9" * 400, "-1", "1e400", "nan", "null", "2024-02-30", "🙂",
           "a" * 5000]
    for name in ("type", "place", "lat", "actor", "org", "admin1", "since", "until", "min_killed", "min_outlets",
                 "limit", "cursor"):
        for value in odd:
            for path in ("/incidents", "/incidents/counts", "/export/incidents.acled.csv"):
                r = api.get(path, params={name: value})
                assert r.status_code < 500, (path, name, value, r.text)
