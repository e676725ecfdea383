"""The pieces every part of the OpenAPI description is built from: query parameters and GET operations.

Parameters come from `marsad.consumers.query.params` (the table requests are checked
with) and response schemas from `marsad.consumers.query.results`, so no part of the
description is written twice (`marsad.consumers.api.openapi` assembles the document
from its own paths, the dashboard's and the incidents').
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from marsad.consumers.query.params import LIMITS, PARAMS, choices_for, help_for

STR = {"type": "string"}
REF = "#/components/schemas/{name}"
INCIDENT_ENDPOINTS = ("incidents", "incident_counts")


def query_parameters(endpoint: str | None, names: Iterable[str]) -> list[dict[str, Any]]:
    """The parameter objects of ``names`` as question ``endpoint`` takes them (None: a dashboard path, which
    takes the filters as they are)."""
    out = []
    for name in names:
        schema = dict(PARAMS[name].schema)
        if endpoint is not None:
            if name == "limit":
                default, cap = LIMITS[endpoint]
                schema.update(maximum=cap, default=default)
            choices = choices_for(endpoint, name)
            if choices is not None:
                schema["enum"] = list(choices)
            if endpoint in INCIDENT_ENDPOINTS and name == "per":
                schema["default"] = "day"
            if endpoint in INCIDENT_ENDPOINTS and name in ("since", "until"):
                schema = dict(STR)  # event days, not date-times
        description = help_for(endpoint, name) if endpoint is not None else PARAMS[name].help
        out.append({"name": name, "in": "query", "required": False, "description": description, "schema": schema})
    return out


def get(summary: str, op: str, params: list[dict[str, Any]], content: dict[str, Any], errors: dict[str, Any],
        extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A GET operation answering ``content`` (200), ``extra`` responses, then the API's ``errors``."""
    return {"get": {"summary": summary, "operationId": op, "parameters": params,
                    "responses": {"200": {"description": "OK", "content": content}, **(extra or {}), **errors}}}


def components(roots: Iterable[type]) -> dict[str, Any]:
    """The JSON Schema of the ``roots`` records and of every record they hold, as OpenAPI components."""
    _, schemas = msgspec.json.schema_components(tuple(roots), ref_template=REF)
    return schemas


def ref(name: str) -> dict[str, str]:
    """An OpenAPI reference to the component of record ``name``."""
    return {"$ref": REF.format(name=name)}
