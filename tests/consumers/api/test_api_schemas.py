"""Every answer of the API fits the schema its OpenAPI description gives (generated from the typed results)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import jsonschema
import pytest

from marsad.consumers.store import Record, open_store
from tests.consumers.api.server import backend_views, start_api
from tests.consumers.api.test_api import fill
from tests.consumers.incidents.events import incident, revision

PATHS = ["/articles", "/articles?duplicate=near", "/counts", "/counts?by=place&per=day", "/counts?by=org&per=hour",
         "/counts?by=kind", "/seizures", "/seizures/totals?per=day", "/stories", "/alerts", "/incidents",
         "/incidents/counts", "/incidents/counts?per=admin1", "/places", "/seizures/summary", "/articles/a00006",
         "/incidents/in0001", "/places/g170592/articles?limit=3", "/dashboard/config", "/dashboard/place-labels"]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(request, tmp_path_factory) -> Iterator[httpx.Client]:
    url = backend_views(request, tmp_path_factory, "api")
    fill(url)
    incidents = [incident(i) for i in range(8)]
    with open_store(url) as s:
        s.write_batch([Record("incidents", 0, i, e) for i, e in enumerate([*incidents, revision(incidents[1], 2)])])
    server = start_api(url, tmp_path_factory.mktemp("api-log") / "api.log")
    yield server.client
    server.stop()


def _declared(doc: dict, path: str, status: str = "200") -> dict:
    """The response schema ``doc`` declares for GET ``path`` (a concrete path: its template is matched)."""
    route = path.split("?")[0]
    for template, item in doc["paths"].items():
        parts, want = template.split("/"), route.split("/")
        if len(parts) == len(want) and all(p == w or p.startswith("{") for p, w in zip(parts, want, strict=True)):
            schema = item["get"]["responses"][status]["content"]["application/json"]["schema"]
            return {**schema, "components": doc["components"]}  # so #/components/... resolves
    raise AssertionError(f"{route} is not described")


@pytest.mark.parametrize("path", PATHS)
def test_the_answer_fits_its_declared_schema(api, path):
    doc = api.get("/openapi.json").json()
    response = api.get(path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("items", [body]), f"{path} answered nothing to check"
    jsonschema.validate(body, _declared(doc, path), cls=jsonschema.Draft202012Validator)


def test_one_alert_and_an_error_fit_theirs(api):
    doc = api.get("/openapi.json").json()
    alert_id = api.get("/alerts").json()["items"][0]["alert_id"]
    jsonschema.validate(api.get(f"/alerts/{alert_id}").json(), _declared(doc, f"/alerts/{alert_id}"),
                        cls=jsonschema.Draft202012Validator)
    bad = api.get("/articles", params={"limit": "0"})
    assert bad.status_code == 400
    jsonschema.validate(bad.json(), _declared(doc, "/articles", "400"), cls=jsonschema.Draft202012Validator)
