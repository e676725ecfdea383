"""The OpenAPI description of the incident endpoints, merged into /openapi.json.

Parameters come from `consumers.query.params` (the table requests are
checked with), so the description cannot drift from what is accepted; the
responses' schemas are the components generated from `consumers.query.results`.
"""

from __future__ import annotations

from typing import Any

from consumers.api.incident_exports import ACLED_CSV, INCIDENT_CSV
from consumers.query.params import ENDPOINTS, INCIDENT_FILTERS, LIMITS, PARAMS, choices_for, help_for

STR = {"type": "string"}


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _params(endpoint: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for n in names:
        schema = dict(PARAMS[n].schema)
        if n == "limit":
            default, cap = LIMITS[endpoint]
            schema.update(maximum=cap, default=default)
        if n == "per":
            schema.update(enum=list(choices_for(endpoint, n) or ()), default="day")
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
            {"application/json": {"schema": _ref("IncidentCounts")}}, errors),
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
