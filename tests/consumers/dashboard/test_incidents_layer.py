"""The dashboard's incidents in a real browser (Debian's Chromium through Playwright) against `marsad api`:
the map layer, the list and its incident view, the page's filters, the timeline by event date, the exports.

What the page shows is compared with what the API answers for the same filter.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.consumers.api.server import Api, start_api
from tests.consumers.dashboard.conftest import apply_filter, timeline_totals
from tests.consumers.dashboard.demo import fill_views
from tests.consumers.factory import corpus
from tests.consumers.incidents.test_views import N, incident_log


@pytest.fixture(scope="module")
def incidents_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    url = f"sqlite:///{tmp_path_factory.mktemp('incidents') / 'views.sqlite'}"
    fill_views(url, [*corpus(30), *incident_log()])
    api = start_api(url, tmp_path_factory.mktemp("api") / "api.log")
    yield api
    api.stop()


def listed(page) -> list[str]:
    return [li.get_attribute("data-incident") for li in page.locator("#incidents li[data-incident]").all()]


def markers(page) -> dict[str, dict[str, str]]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.incident-marker')]
        .map((e) => [e.dataset.incident, { type: e.dataset.type, size: Number(e.dataset.size) }]))""")


def test_incidents_on_the_map_and_in_the_list(incidents_api: Api, open_page) -> None:
    p = open_page(incidents_api.base)
    page = p.page
    api_items = incidents_api.get("/incidents", limit="200")["items"]
    assert listed(page) == [it["incident_id"] for it in api_items] and len(api_items) == N
    first = page.locator("#incidents li").first
    assert first.locator(".type-chip").inner_text().strip() == "خطف"  # in0023: led by its type, in Arabic
    # one point per incident with a place, coloured (typed) as the API says
    drawn = markers(page)
    located = {it["incident_id"]: it for it in api_items if it["place"]}
    assert set(drawn) == set(located) and len(drawn) == 20
    assert all(drawn[i]["type"] == located[i]["incident_type"] for i in drawn)
    most_killed = max(located.values(), key=lambda it: it["killed"])["incident_id"]
    assert drawn[most_killed]["size"] == max(m["size"] for m in drawn.values())
    page.locator("#incident-size").select_option("outlets")
    by_outlets = markers(page)
    assert {i for i, m in by_outlets.items() if m["size"] == max(m["size"] for m in by_outlets.values())} == {
        "in0000", "in0003"}
    page.locator("#show-incidents").uncheck()
    assert markers(page) == {}
    page.locator("#show-incidents").check()
    assert len(markers(page)) == 20
    assert not p.errors, p.errors


def test_an_incident_opens_with_its_reports_and_evidence(incidents_api: Api, open_page) -> None:
    p = open_page(incidents_api.base)
    page = p.page
    page.locator("#incidents li[data-incident=in0003] button").click()
    body = page.locator("#incident-body[data-incident=in0003]")
    body.wait_for()
    assert page.locator("#incident-title").inner_text().startswith("مداهمة واعتقال")
    reports = body.locator(".reports li")
    assert reports.count() == 3 and "قتل 3 في الحادثة رقم 3." in reports.first.inner_text()
    assert "5 (3–5)" in body.inner_text() and "درعا" in body.inner_text()  # the toll's range, the governorate
    page.keyboard.press("Escape")
    # a marker opens the same view
    page.locator(".incident-marker[data-incident=in0002]").click()
    page.locator("#incident-body[data-incident=in0002]").wait_for()
    assert not p.errors, p.errors


def test_the_page_filters_apply_to_incidents(incidents_api: Api, open_page) -> None:
    p = open_page(incidents_api.base)
    page = p.page
    apply_filter(page, country="SY", since="2024-02-03", until="2024-02-08")
    expected = incidents_api.get("/incidents", country="SY", since="2024-02-03", until="2024-02-08")["items"]
    assert listed(page) == [it["incident_id"] for it in expected] and expected
    assert set(markers(page)) == {it["incident_id"] for it in expected}
    page.locator("#incident-type").select_option("arrest_raid")
    page.wait_for_function("() => [...document.querySelectorAll('#incidents li')].every(li => li.dataset.type === 'arrest_raid')")
    assert listed(page) == [it["incident_id"] for it in expected if it["incident_type"] == "arrest_raid"]
    assert not p.errors, p.errors


def test_timeline_counts_incidents_by_event_date(incidents_api: Api, open_page) -> None:
    p = open_page(incidents_api.base)
    page = p.page
    page.locator("#timeline-window").select_option("all")
    page.locator("#timeline-what").select_option("incidents")
    page.wait_for_selector("#timeline svg rect[data-topic=armed_clash]", state="attached")
    drawn = timeline_totals(page)
    totals: Counter[str] = Counter()
    for r in incidents_api.get("/incidents/counts", per="day")["items"]:
        totals[r["type"]] += r["incidents"]
    assert drawn == dict(totals) and sum(drawn.values()) == N
    assert page.locator("#per").is_disabled()
    page.locator("#timeline-what").select_option("articles")
    page.wait_for_selector("#timeline svg rect[data-topic=narcotics]", state="attached")
    assert not p.errors, p.errors


def test_incident_exports_of_the_filter(incidents_api: Api, open_page, tmp_path: Path) -> None:
    p = open_page(incidents_api.base)
    page = p.page
    apply_filter(page, country="SY")
    with page.expect_download() as info:
        page.locator("[data-incident-export='incidents.acled.csv']").click()
    path = tmp_path / "acled.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [r["incident_id"] for r in rows] == [it["incident_id"] for it in incidents_api.get(
        "/incidents", country="SY", limit="200")["items"]]
    assert {"event_date", "event_type", "actor1", "admin1", "fatalities"} <= set(rows[0])
    assert not p.errors, p.errors


def test_english_interface(incidents_api: Api, open_page) -> None:
    p = open_page(incidents_api.base)
    page = p.page
    page.locator("#lang-button").click()
    assert page.locator("#incidents li").first.locator(".type-chip").inner_text().strip() == "Kidnapping"
    assert page.locator("#incidents-title").inner_text() == "Incidents"
    assert not p.errors, p.errors
