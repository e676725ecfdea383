"""The OpenAPI 3.1 description of the query API, generated from `marsad.consumers.query.params` and `.results`.

Parameters, their checks and their help come from the one table the API
validates requests with, and the responses' schemas from the typed records
the API returns, so the description cannot promise what the API refuses or
returns otherwise (or the reverse).
"""

from __future__ import annotations

from typing import Any

from marsad.consumers.api import dashboard_openapi, incidents_openapi
from marsad.consumers.api.dashboard_results import DASHBOARD_RESULTS
from marsad.consumers.api.openapi_parts import STR, components, query_parameters, ref
from marsad.consumers.query.params import ENDPOINTS
from marsad.consumers.query.results import QUERY_RESULTS

PATHS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "/articles": ("articles", "Articles (latest state), newest first, with their facts.", ref("ArticlePage")),
    "/counts": ("counts", "Articles counted by topic, place, organisation, country or source; per day or hour.",
                ref("Counts")),
    "/seizures": ("seizures", "The seizure ledger: drug quantities with date and place, newest first.",
                  ref("SeizurePage")),
    "/seizures/totals": ("totals", "Seized quantities summed by item and unit (and per day).", ref("Totals")),
    "/stories": ("stories", "Story clusters: an original article and its exact and near copies.", ref("Stories")),
    "/alerts": ("alerts", "Alerts (latest revision, with evidence), newest first.", ref("AlertPage")),
}  # the incident paths are in marsad.consumers.api.incidents_openapi


def _errors() -> dict[str, Any]:
    err = {"content": {"application/json": {"schema": ref("Error")}}}
    return {"400": {"description": "Bad request: unknown parameter, bad value, page too large, "
                                   "a topic or organisation id the taxonomy does not have (unknown_id).", **err},
            "401": {"description": "Missing or wrong bearer token (when the API has one).", **err},
            "503": {"description": "The views database is not available.", **err}}


def openapi(version: str, *, token: bool) -> dict[str, Any]:
    """The OpenAPI document of this API."""
    paths: dict[str, Any] = {}
    for path, (endpoint, summary, schema) in PATHS.items():
        paths[path] = {"get": {
            "summary": summary, "operationId": endpoint,
            "parameters": query_parameters(endpoint, ENDPOINTS[endpoint]),
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                          **_errors()}}}
    paths["/articles/{article_id}"] = {"get": {
        "summary": "One article with its text, facts with evidence, and its story's other copies.",
        "operationId": "article",
        "parameters": [{"name": "article_id", "in": "path", "required": True, "schema": STR}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref("Article")}}},
                      "404": {"description": "No such article in the views."}, **_errors()}}}
    paths["/alerts/{alert_id}"] = {"get": {
        "summary": "One alert with its evidence.", "operationId": "alert",
        "parameters": [{"name": "alert_id", "in": "path", "required": True, "schema": STR}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref("Alert")}}},
                      "404": {"description": "No such alert in the views."}, **_errors()}}}
    paths["/health"] = {"get": {"summary": "Liveness, and the views' schema version.", "operationId": "health",
                                "security": [],
                                "responses": {"200": {"description": "OK"}, "503": {"description": "No views"}}}}
    paths.update(dashboard_openapi.paths(_errors()))  # the dashboard's page and aggregates
    paths.update(incidents_openapi.paths(_errors()))  # /incidents, its counts and exports
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "marsad views", "version": version,
                 "description": "Read-only queries over marsad's materialised views of the event log."},
        "paths": paths,
        "components": {"schemas": components((*QUERY_RESULTS, *DASHBOARD_RESULTS))},
    }
    if token:
        doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        doc["security"] = [{"bearer": []}]
    return doc
