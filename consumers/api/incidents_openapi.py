"""The OpenAPI description of the incident endpoints, merged into /openapi.json.

Parameters come from `marsad.consumers.query.params` (the table requests are
checked with), so the description cannot drift from what is accepted; the
responses' schemas are the components generated from `marsad.consumers.query.results`.
"""

from __future__ import annotations

from typing import Any

from marsad.consumers.api.incident_exports import ACLED_CSV, INCIDENT_CSV
from marsad.consumers.api.openapi_parts import STR, get, query_parameters, ref
from marsad.consumers.query.params import ENDPOINTS, INCIDENT_FILTERS


def paths(errors: dict[str, Any]) -> dict[str, Any]:
    """The incident paths, with ``errors`` (the API's 400/401/503 responses) on each."""
    one = {"name": "incident_id", "in": "path", "required": True, "schema": STR}
    out: dict[str, Any] = {
        "/incidents": get(
            "Incidents fused across outlets (latest revision), newest event first; since/until are event days.",
            "incidents", query_parameters("incidents", ENDPOINTS["incidents"]),
            {"application/json": {"schema": ref("IncidentPage")}}, errors),
        "/incidents/counts": get(
            "Incidents and their summed tolls by type per event day (per=day) or per governorate (per=admin1).",
            "incident_counts", query_parameters("incident_counts", ENDPOINTS["incident_counts"]),
            {"application/json": {"schema": ref("IncidentCounts")}}, errors),
        "/incidents/{incident_id}": get(
            "One incident with its reports, each with its evidence.", "incident", [one],
            {"application/json": {"schema": ref("IncidentDetail")}}, errors,
            {"404": {"description": "No such incident in the views."}}),
    }
    filters = query_parameters("incidents", INCIDENT_FILTERS)
    for fmt, media, what in (("csv", "text/csv", f"CSV (columns {', '.join(INCIDENT_CSV)})"),
                             ("geojson", "application/geo+json", "GeoJSON, a Point feature per incident"),
                             ("acled.csv", "text/csv", f"ACLED-style CSV (columns {', '.join(ACLED_CSV)})")):
        out[f"/export/incidents.{fmt}"] = get(
            f"Every matching incident (at most 100,000) as {what}; CSV starts with a UTF-8 BOM, and text cells "
            "that start like a formula get a leading apostrophe.", f"export_incidents_{fmt.replace('.', '_')}",
            filters, {media: {"schema": STR}}, errors)
    return out
