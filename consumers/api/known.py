"""The taxonomy ids the API's filters may name, kept on the application so every endpoint checks them alike.

`marsad api` gives `make_app` the topics and organisations of the taxonomy in
force; `parse_query` is how every handler reads its query string, so
``/articles?topic=nosuch``, ``/incidents?actor=nobody``, an export or the
dashboard's aggregates all answer the same 400 naming the known ids
(`marsad.consumers.query.params.UnknownIdError`), as `marsad query` does.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from marsad.consumers.query.params import KnownIds, parse

KNOWN_IDS = web.AppKey("known_ids", KnownIds)


def parse_query(endpoint: str, request: web.Request) -> Any:
    """``request``'s query string as `marsad.consumers.query.params.parse` reads it for ``endpoint``, with the ids
    checked against the application's (not checked when it was given none)."""
    return parse(endpoint, request.query.items(), request.app.get(KNOWN_IDS))
