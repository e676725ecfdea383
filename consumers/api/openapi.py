"""The OpenAPI 3.1 description of the query API, generated from `consumers.query.params`.

Parameters, their checks and their help come from the one table the API
validates requests with, so the description cannot promise what the API
refuses (or the reverse).
"""

from __future__ import annotations

from typing import Any

from consumers.api import dashboard_openapi, incidents_openapi
from consumers.query.params import ENDPOINTS, LIMITS, PARAMS, PER
from schemas.wire import ALERT_KINDS, DUPLICATE_STATUSES, SEVERITIES, SOURCE_KINDS

NUM = {"type": "number"}
STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
NNUM = {"type": ["number", "null"]}
INT = {"type": "integer"}


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def _list(ref: str) -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}


SCHEMAS: dict[str, Any] = {
    # unknown_id errors also name the filter, the id given and the ids the taxonomy knows
    "Error": _obj({"error": STR, "message": STR, "parameter": STR, "value": STR, "known": {"type": "array", "items": STR}}),
    "Article": _obj({
        "article_id": STR, "url": STR, "source": STR, "title": STR, "lang": STR, "published": NSTR, "at": STR,
        "story_id": STR, "taxonomy_version": STR, "snippet": STR,
        "kind": {"enum": [*SOURCE_KINDS, None], "description": "kind of source the article came from "
                 "(null: processed before marsad carried it)"},
        "edited": {"type": "boolean", "description": "the source changed the text after publishing it"},
        "revision": {"type": "integer", "minimum": 1, "description": "the version shown: 2, 3... after edits"},
        "duplicate": _obj({"status": {"enum": list(DUPLICATE_STATUSES)}, "first_id": NSTR, "similarity": NUM}),
        "topics": {"type": "array", "items": _obj({"id": STR, "score": NUM})},
        "places": {"type": "array", "items": _obj({"name": STR, "lat": NUM, "lon": NUM, "country": STR,
                                                   "kind": STR, "geonameid": {"type": ["integer", "null"]},
                                                   "mentions": INT})},
        "countries": {"type": "array", "items": STR},
        "orgs": {"type": "array", "items": _obj({"id": STR, "name": STR, "mentions": INT})},
        "quantities": {"type": "array", "items": _obj({"value": NUM, "unit": STR, "item": NSTR, "text": STR})},
    }),
    "ArticlePage": _obj({"items": _list("Article"), "next_cursor": NSTR}),
    "Count": _obj({"key": STR, "day": STR, "hour": STR, "name": STR, "lat": NUM, "lon": NUM, "country": STR,
                   "articles": INT}),
    "Seizure": _obj({"article_id": STR, "ord": INT, "item": STR, "unit": STR, "value": NUM, "at": STR, "day": STR,
                     "place_name": NSTR, "lat": NNUM, "lon": NNUM, "country": NSTR, "story_id": STR,
                     "dup_status": STR, "source": STR, "title": STR, "text": STR}),
    "SeizurePage": _obj({"items": _list("Seizure"), "next_cursor": NSTR}),
    "Total": _obj({"item": STR, "unit": STR, "day": STR, "total": NUM, "seizures": INT, "articles": INT,
                   "first_day": STR, "last_day": STR}),
    "Alert": _obj({
        "alert_id": STR, "rule_id": STR, "title": STR, "severity": {"enum": list(SEVERITIES)},
        "kind": {"enum": list(ALERT_KINDS)}, "story_id": STR, "event_id": NSTR,
        "raised_at": {**NSTR, "description": "When it was raised; null while only updates of it were seen."},
        "at": {**STR, "description": "Window start (story alerts: the first article), else raised_at; "
                                     "what since/until filter and what the list is sorted by."},
        "revision": {**INT, "description": "0: as raised; else the latest AlertUpdated revision applied."},
        "updated_at": STR, "articles": INT, "distinct_sources": INT,
        "article_ids": {"type": "array", "items": STR}, "sources": {"type": "array", "items": STR},
        "scope": STR, "window_start": NSTR, "window_end": NSTR, "observed": NNUM, "expected": NNUM,
        "rules_version": STR, "taxonomy_version": STR, "gazetteer_version": STR,
        "evidence": {**_obj({k: {"type": "array"} for k in ("titles", "urls", "topics", "places", "countries",
                                                           "orgs", "quantities", "matched")}),
                     "description": "As in the AlertRaised event (schemas/json/AlertRaised.v1.schema.json)."},
        "incident_id": {**STR, "description": "Incident alerts: the incident; else empty."},
        "incident_type": STR,
        **{f: {"type": ["integer", "null"], "description": "Incident alerts: the incident's figure as it stands."}
           for f in ("killed", "injured", "arrested", "outlets")},
        "incident_date": {**NSTR, "description": "Incident alerts: the incident's event day, when known."},
    }),
    "AlertPage": _obj({"items": _list("Alert"), "next_cursor": NSTR}),
    "Story": _obj({"story_id": STR, "articles": INT, "first_at": STR, "last_at": STR, "title": NSTR,
                   "source": NSTR, "url": NSTR,
                   "sources": {"type": "array", "items": _obj({"source": STR, "articles": INT})}}),
}

PATHS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "/articles": ("articles", "Articles (latest state), newest first, with their facts.",
                  {"$ref": "#/components/schemas/ArticlePage"}),
    "/counts": ("counts", "Articles counted by topic, place, organisation, country or source; per day or hour.",
                _obj({"by": STR, "per": NSTR, "items": _list("Count")})),
    "/seizures": ("seizures", "The seizure ledger: drug quantities with date and place, newest first.",
                  {"$ref": "#/components/schemas/SeizurePage"}),
    "/seizures/totals": ("totals", "Seized quantities summed by item and unit (and per day).",
                         _obj({"items": _list("Total")})),
    "/stories": ("stories", "Story clusters: an original article and its exact and near copies.",
                 _obj({"items": _list("Story")})),
    "/alerts": ("alerts", "Alerts (latest revision, with evidence), newest first.",
                {"$ref": "#/components/schemas/AlertPage"}),
}  # the incident paths are in consumers.api.incidents_openapi


def _param(endpoint: str, name: str) -> dict[str, Any]:
    p = PARAMS[name]
    schema = dict(p.schema)
    if name == "limit":
        default, cap = LIMITS[endpoint]
        schema.update(maximum=cap, default=default)
    if name == "per":
        schema["enum"] = list(PER[endpoint])
    return {"name": name, "in": "query", "required": False, "description": p.help, "schema": schema}


def _errors() -> dict[str, Any]:
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
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
            "parameters": [_param(endpoint, n) for n in ENDPOINTS[endpoint]],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                          **_errors()}}}
    paths["/articles/{article_id}"] = {"get": {
        "summary": "One article with its text, facts with evidence, and its story's other copies.",
        "operationId": "article",
        "parameters": [{"name": "article_id", "in": "path", "required": True, "schema": STR}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Article"}}}},
            "404": {"description": "No such article in the views."}, **_errors()}}}
    paths["/alerts/{alert_id}"] = {"get": {
        "summary": "One alert with its evidence.", "operationId": "alert",
        "parameters": [{"name": "alert_id", "in": "path", "required": True, "schema": STR}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Alert"}}}},
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
        "components": {"schemas": {**SCHEMAS, **dashboard_openapi.SCHEMAS, **incidents_openapi.SCHEMAS}},
    }
    if token:
        doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        doc["security"] = [{"bearer": []}]
    return doc
