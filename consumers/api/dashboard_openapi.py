"""The OpenAPI description of the dashboard's endpoints (`marsad.consumers.api.dashboard`), merged into /openapi.json.

Their filters are the query API's (`marsad.consumers.query.params.PARAMS`), so they
are described from the same table as the rest of the API; their responses'
schemas are the components generated from `marsad.consumers.query.results`.
"""

from __future__ import annotations

from typing import Any

from marsad.consumers.api.openapi_parts import STR, get, query_parameters, ref
from marsad.consumers.query.params import FILTERS


def paths(errors: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's paths, with ``errors`` (the API's 400/401/503 responses) on each."""
    key = {"name": "key", "in": "path", "required": True, "schema": STR,
           "description": "A place's key, as /places gives it."}
    out: dict[str, Any] = {
        "/places": get("Places named by the matching articles, with counts per topic (the map's markers).",
                        "places", query_parameters(None, FILTERS), {"application/json": {"schema": ref("Places")}}, errors),
        "/places/{key}/articles": get(
            "One place's matching articles, newest first, with facts and topic evidence (paged with cursor).",
            "place_articles", [key, *query_parameters(None, (*FILTERS, "limit", "cursor"))],
            {"application/json": {"schema": ref("PlaceArticlePage")}}, errors),
        "/seizures/summary": get("The seizure ledger summed by item and unit, by place and by month.",
                                  "seizure_summary", query_parameters(None, (*FILTERS, "item", "unit")),
                                  {"application/json": {"schema": ref("SeizureSummary")}}, errors),
        "/live/alerts": get(
            "Server-sent events: `status` ({state: starting|live|offline}), then `alert` (AlertRaised or "
            "AlertUpdated as on the alerts topic) for each event published from now on.", "live_alerts", [],
            {"text/event-stream": {"schema": STR}}, errors),
        "/dashboard/config": get("The dashboard's settings: tile layer URL, live feed and alert view present, "
                                  "`topics`: the display name of each topic id of the taxonomy in force, and "
                                  "`known`: the topic and organisation ids the filters accept ({topics, orgs}; "
                                  "null when they are not checked).",
                                  "dashboard_config", [], {"application/json": {"schema": ref("DashboardConfig")}},
                                  errors),
        "/dashboard/place-labels": get(
            "The offline map's place names from the gazetteer: `items` of [name, lat, lon, rank, population], "
            "rank 0 capitals, 1 governorate seats, 2 cities, 3 towns, camps and crossings, 4 villages.",
            "place_labels", [], {"application/json": {"schema": ref("PlaceLabels")}}, errors),
    }
    for what, extra in (("articles", ()), ("seizures", ("item", "unit"))):
        for fmt, media in (("csv", "text/csv"), ("geojson", "application/geo+json")):
            out[f"/export/{what}.{fmt}"] = get(
                f"Every matching {what[:-1]} as {fmt.upper()} (at most 100,000; a CSV starts with a UTF-8 BOM).",
                f"export_{what}_{fmt}", query_parameters(None, (*FILTERS, *extra)), {media: {"schema": STR}}, errors)
    out["/"] = {"get": {"summary": "The dashboard page (its static files need no token; its data requests do).",
                        "operationId": "dashboard", "security": [],
                        "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": STR}}}}}}
    return out
