"""The dashboard: a page served by the query API at ``/``, and the aggregate endpoints it reads.

The page (``consumers/api/static/``: plain ES modules, libraries copied from
npm by `marsad.consumers.api.dashboard_assets` at set-up) reads only the API, with
the same token as any client, so whatever it shows a script can get too.
Its static files are served without the token; every data request needs it.

Endpoints added here (all take the query API's filters: topic, place,
lat/lon/radius_km, org, country, source, since, until, q, duplicate, story):

- ``GET /places``: places of matching articles with counts per topic (map markers);
- ``GET /places/{key}/articles``: one place's articles, paged, with topic evidence;
- ``GET /seizures/summary``: the seizure ledger by item, by place and by month (also item, unit);
- ``GET /export/{articles|seizures}.{csv|geojson}``: the filter's rows, counted as the API counts;
- ``GET /live/alerts``: server-sent events from the alerts topic (`marsad.consumers.api.live`);
- ``GET /dashboard/config``: the tile layer URL, which alert sources this API has, the taxonomy's topic
  names and the ids the filters accept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from marsad.consumers.api import dashboard_export as export
from marsad.consumers.api.dashboard_results import (
    DashboardConfig,
    FilterIds,
    PlaceArticlePage,
    PlaceLabels,
    Places,
    SeizureSummary,
)
from marsad.consumers.api.known import KNOWN_IDS, parse_query
from marsad.consumers.api.live import AlertFeed, stream_alerts
from marsad.consumers.api.place_labels import place_labels
from marsad.consumers.query.model import Filters
from marsad.consumers.query.params import CONTROL, FILTERS, QueryError, encode_cursor
from marsad.consumers.query.results import plain, typed
from marsad.consumers.store import Store, StoreError
from marsad.consumers.store import aggregates as agg
from marsad.consumers.store.sqlstore import SqlStore
from marsad.runtime.kafka.connection import Kafka

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "/static/"
PUBLIC_PATHS = frozenset({"/", "/index.html"})
MAX_KEY = 200
PLACE_PAGE = (20, 100)  # default and largest page of a place's articles

DASHBOARD_OPEN_STORE = web.AppKey("dashboard_open_store", Callable[[], Store])
ALERT_FEED = web.AppKey("alert_feed", AlertFeed)


@dataclass(frozen=True)
class DashboardOptions:
    """What the dashboard needs beyond the views: the tile layer, and where the alerts are.

    ``bootstrap`` is called when the first live client connects (so a broker
    need not run for the API to start); without it or ``alerts_topic`` the
    live feed answers 503.
    """

    tiles_url: str = ""
    alerts_topic: str = ""
    bootstrap: Callable[[], Kafka] | None = None
    topic_names: dict[str, str] = field(default_factory=dict)  # the taxonomy's display names, by topic id


DASHBOARD_OPTIONS = web.AppKey("dashboard_options", DashboardOptions)


def is_public(path: str) -> bool:
    """Paths served without the token: the page and its static files (never data)."""
    return path in PUBLIC_PATHS or path.startswith(STATIC_PREFIX)


def _json(data: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=orjson.dumps(data, default=plain), content_type="application/json", charset="utf-8",
                        headers=headers)


def _filters(request: web.Request, *, ledger: bool = False, paged: bool = False) -> Any:
    """The query string as the query API parses it (same names, checks and messages)."""
    allowed = (*FILTERS, *(("item", "unit") if ledger else ()), *(("limit", "cursor") if paged else ()))
    for name in request.query:
        if name not in allowed:
            raise QueryError(f"unknown parameter {name[:40]!r} for {request.path}; known: {', '.join(allowed)}")
    return parse_query("seizures" if ledger else "articles", request)


async def _read(request: web.Request, work: Callable[[SqlStore], Any]) -> Any:
    """Run ``work`` on freshly opened views in a worker thread (database calls block)."""
    open_store = request.app[DASHBOARD_OPEN_STORE]

    def in_thread() -> Any:
        with open_store() as store:
            if not isinstance(store, SqlStore):
                raise StoreError(f"the dashboard needs an SQL views store, not {type(store).__name__}")
            return work(store)
    try:
        return await asyncio.to_thread(in_thread)
    except agg.ExportTooLarge as e:
        raise QueryError(str(e)) from None


async def get_places(request: web.Request) -> web.Response:
    filters: Filters = _filters(request).filters
    return _json(typed(await _read(request, lambda s: agg.places(s, filters)), Places))


async def get_place_articles(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    if not key or len(key) > MAX_KEY or CONTROL.search(key):
        raise QueryError(f"place key must be 1 to {MAX_KEY} characters without control characters")
    q = _filters(request, paged=True)
    limit = q.limit if "limit" in request.query else PLACE_PAGE[0]
    if limit > PLACE_PAGE[1]:
        raise QueryError(f"limit is at most {PLACE_PAGE[1]} for a place's articles (got {limit}); page with cursor")
    page = await _read(request, lambda s: agg.place_articles(s, agg.PlaceQuery(key, q.filters, limit, q.after)))
    return _json(typed({"items": page.items, "next_cursor": encode_cursor(page.next) if page.next else None},
                       PlaceArticlePage))


async def get_seizure_summary(request: web.Request) -> web.Response:
    filters: Filters = _filters(request, ledger=True).filters
    return _json(typed(await _read(request, lambda s: agg.seizure_summary(s, filters)), SeizureSummary))


EXPORTS = {"articles": (agg.export_articles, export.ARTICLE_CSV, False),
           "seizures": (agg.export_seizures, export.SEIZURE_CSV, True)}


async def get_export(request: web.Request) -> web.Response:
    what, fmt = request.match_info["what"], request.match_info["fmt"]
    rows_of, columns, ledger = EXPORTS[what]
    filters: Filters = _filters(request, ledger=ledger).filters
    rows = await _read(request, lambda s: rows_of(s, filters))
    name = f"marsad-{what}-{datetime.now(UTC):%Y%m%d-%H%M%S}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Marsad-Rows": str(len(rows))}
    if fmt == "csv":
        return web.Response(text=export.to_csv(rows, columns), content_type="text/csv", charset="utf-8",
                            headers=headers)
    return web.Response(body=orjson.dumps(export.to_geojson(rows)), content_type="application/geo+json",
                        headers=headers)


async def get_live_alerts(request: web.Request) -> web.StreamResponse:
    feed = request.app.get(ALERT_FEED)
    if feed is None:
        return web.json_response({"error": "unavailable", "message": "the live alert feed is not configured "
                                  "(no Kafka bootstrap or alerts topic given to the API)"}, status=503)
    return await stream_alerts(request, feed)


async def get_config(request: web.Request) -> web.Response:
    options = request.app[DASHBOARD_OPTIONS]
    paths = {getattr(r, "canonical", "") for r in request.app.router.resources()}
    known = request.app.get(KNOWN_IDS)  # the page offers no id the filters would refuse
    return _json(DashboardConfig(options.tiles_url, ALERT_FEED in request.app, "/alerts" in paths, options.topic_names,
                                 FilterIds(sorted(known.topics), sorted(known.orgs)) if known else None))


async def get_place_labels(request: web.Request) -> web.Response:
    """The map's place names (`marsad.consumers.api.place_labels`): the gazetteer does not change while the API runs."""
    rows = await asyncio.to_thread(place_labels)
    return _json(typed({"fields": ["name", "lat", "lon", "rank", "population"], "items": rows}, PlaceLabels),
                 headers={"Cache-Control": "max-age=3600"})


EVERY_RESPONSE = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _page_headers(tiles_url: str) -> dict[str, str]:
    """What every HTML response carries, whichever path served it (/, /index.html, /static/index.html)."""
    images = "'self' data:" + (" https: http:" if tiles_url else "")
    return {"Cache-Control": "no-cache", "X-Frame-Options": "DENY",
            "Content-Security-Policy": f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                       f"img-src {images}; connect-src 'self'; font-src 'self'; "
                                       "object-src 'none'; base-uri 'none'; form-action 'none'; "
                                       "frame-ancestors 'none'"}


def _security_headers(tiles_url: str) -> Callable[[web.Request, web.StreamResponse], Any]:
    """An ``on_response_prepare`` hook: the headers are set by content type, so no HTML path can miss them."""
    page = _page_headers(tiles_url)

    async def add(request: web.Request, response: web.StreamResponse) -> None:
        response.headers.update(EVERY_RESPONSE)
        if response.content_type == "text/html":
            response.headers.update(page)
    return add


async def get_index(request: web.Request) -> web.StreamResponse:
    if not (STATIC / "vendor" / "leaflet" / "leaflet.js").exists():
        return web.Response(status=503, content_type="text/plain", text=(
            "the dashboard's libraries are missing from consumers/api/static/vendor: run `make setup` "
            "(npm ci, then python -m marsad.consumers.api.dashboard_assets)"))
    return web.FileResponse(STATIC / "index.html")


def add_dashboard(app: web.Application, open_store: Callable[[], Store], options: DashboardOptions) -> None:
    """Register the page, its static files and its endpoints on the query API ``app``."""
    app[DASHBOARD_OPEN_STORE] = open_store
    app[DASHBOARD_OPTIONS] = options
    if options.bootstrap is not None and options.alerts_topic:
        feed = AlertFeed(options.bootstrap, options.alerts_topic)
        app[ALERT_FEED] = feed

        async def stop_feed(_: web.Application) -> None:
            await feed.stop()
        app.on_shutdown.append(stop_feed)
    app.on_response_prepare.append(_security_headers(options.tiles_url))
    app.router.add_get("/", get_index)
    app.router.add_get("/index.html", get_index)
    app.router.add_static(STATIC_PREFIX, STATIC)
    app.router.add_get("/dashboard/config", get_config)
    app.router.add_get("/dashboard/place-labels", get_place_labels)
    app.router.add_get("/places", get_places)
    app.router.add_get("/places/{key}/articles", get_place_articles)
    app.router.add_get("/seizures/summary", get_seizure_summary)
    app.router.add_get("/export/{what:articles|seizures}.{fmt:csv|geojson}", get_export)
    app.router.add_get("/live/alerts", get_live_alerts)
