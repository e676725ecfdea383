"""The OpenAPI description of the incident endpoints, merged into /openapi.json.

Parameters come from `consumers.query.params` (the table requests are
checked with), so the description cannot drift from what is accepted.
"""

from __future__ import annotations

from typing import Any

from consumers.api.incident_exports import ACLED_CSV, INCIDENT_CSV
from consumers.query.params import ENDPOINTS, INCIDENT_FILTERS, LIMITS, PARAMS, PER, help_for
from schemas.wire import INCIDENT_TYPES

STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
NNUM = {"type": ["number", "null"]}
INT = {"type": "integer"}
NINT = {"type": ["integer", "null"]}
STRS = {"type": "array", "items": STR}


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


PLACE = _obj({"name": STR, "lat": {"type": "number"}, "lon": {"type": "number"}, "country": STR, "kind": STR,
              "geonameid": NINT})
TOLLS = {f"{t}{s}": NINT for t in ("killed", "injured", "arrested") for s in ("", "_min", "_max")}
SCHEMAS: dict[str, Any] = {
    "Incident": _obj({
        "incident_id": STR, "incident_type": {"enum": list(INCIDENT_TYPES)}, "event_id": STR,
        "revision": {**INT, "description": "The revision shown: the highest one the views have seen."},
        "updated_at": STR,
        "date": {**NSTR, "description": "The event's day (YYYY-MM-DD) as the reports give it; null when none."},
        "day": {**STR, "description": "date, else the day the incident was first seen: the sort key and what "
                                      "since/until and the per-day counts use."},
        "place": {"oneOf": [PLACE, {"type": "null"}]},
        "admin1": {**_obj({"code": STR, "name": NSTR, "name_en": NSTR}),
                   "description": "The governorate (GeoNames admin1 code, e.g. SY.07); code `unknown` when none."},
        **TOLLS,
        "outlets": {**INT, "description": "Independent outlets (exact and near copies count once)."},
        "reports": {**INT, "description": "Articles that report it (GET /incidents/{id} lists them)."},
        "sources": {**STRS, "description": "Outlets of the reports, first report first."},
        "actors": {**STRS, "description": "Organisation ids: who carried it out."},
        "targets": {**STRS, "description": "Organisation ids: whom it targeted."},
        "quantities": {"type": "array", "items": _obj({"value": {"type": "number"}, "unit": STR, "item": NSTR})},
        "evidence": {**STR, "description": "The first report's evidence sentence."},
        "first_seen": NSTR, "last_seen": NSTR,
    }),
    "IncidentPage": _obj({"items": {"type": "array", "items": _ref("Incident")}, "next_cursor": NSTR}),
    "IncidentReport": _obj({
        "article_id": STR, "source": STR, "url": STR, "title": STR, "published": NSTR, "lang": STR,
        "duplicate_of": {**NSTR, "description": "The article this report copies (not an independent outlet)."},
        "evidence": {**STR, "description": "The sentence of this article that reports the incident."},
        "date": NSTR, "place": {"oneOf": [PLACE, {"type": "null"}]},
        "killed": NINT, "injured": NINT, "arrested": NINT}),
    "IncidentCount": _obj({
        "type": {"enum": list(INCIDENT_TYPES)}, "day": {**STR, "description": "With per=day."},
        "admin1": {**STR, "description": "With per=admin1: the governorate code, or unknown."},
        "name": NSTR, "name_en": NSTR, "country": NSTR,
        "incidents": INT, "killed": INT, "injured": INT, "arrested": INT}),
}
SCHEMAS["IncidentDetail"] = {"allOf": [_ref("Incident"), _obj({
    "reports": {"type": "array", "items": _ref("IncidentReport"),
                "description": "Each article's report, with its evidence."}})]}


def _params(endpoint: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for n in names:
        schema = dict(PARAMS[n].schema)
        if n == "limit":
            default, cap = LIMITS[endpoint]
            schema.update(maximum=cap, default=default)
        if n == "per":
            schema.update(enum=list(PER[endpoint]), default="day")
        if n in ("since", "until"):
            schema = {"type": "string"}
        out.append({"name": n, "in": "query", "required": False, "description": help_for(endpoint, n),
                    "schema": schema})
    return out


def _get(summary: str, op: str, params: list[dict[str, Any]], content: dict[str, Any],
         errors: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"get": {"summary": summary, "operationId": op, "parameters": params,
                    "responses": {"200": {"description": "OK", "content": content}, **(extra or {}), **errors}}}


def paths(errors: dict[str, Any]) -> dict[str, Any]:
    """The incident paths, with ``errors`` (the API's 400/401/503 responses) on each."""
    one = {"name": "incident_id", "in": "path", "required": True, "schema": STR}
    out: dict[str, Any] = {
        "/incidents": _get(
            "Incidents fused across outlets (latest revision), newest event first; since/until are event days.",
            "incidents", _params("incidents", ENDPOINTS["incidents"]),
            {"application/json": {"schema": _ref("IncidentPage")}}, errors),
        "/incidents/counts": _get(
            "Incidents and their summed tolls by type per event day (per=day) or per governorate (per=admin1).",
            "incident_counts", _params("incident_counts", ENDPOINTS["incident_counts"]),
            {"application/json": {"schema": _obj({"per": STR, "items": {"type": "array",
                                                                         "items": _ref("IncidentCount")}})}},
            errors),
        "/incidents/{incident_id}": _get(
            "One incident with its reports, each with its evidence.", "incident", [one],
            {"application/json": {"schema": _ref("IncidentDetail")}}, errors,
            {"404": {"description": "No such incident in the views."}}),
    }
    filters = _params("incidents", INCIDENT_FILTERS)
    for fmt, media, what in (("csv", "text/csv", f"CSV (columns {', '.join(INCIDENT_CSV)})"),
                             ("geojson", "application/geo+json", "GeoJSON, a Point feature per incident"),
                             ("acled.csv", "text/csv", f"ACLED-style CSV (columns {', '.join(ACLED_CSV)})")):
        out[f"/export/incidents.{fmt}"] = _get(
            f"Every matching incident (at most 100,000) as {what}; CSV starts with a UTF-8 BOM, and text cells "
            "that start like a formula get a leading apostrophe.", f"export_incidents_{fmt.replace('.', '_')}",
            filters, {media: {"schema": STR}}, errors)
    return out
