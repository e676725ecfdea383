"""The query API (aiohttp): thin handlers around `marsad.consumers.query` and a store.

Every handler parses its query string with `marsad.consumers.query.params.parse`
(unknown parameter, bad value or page too large: 400 with a JSON error) and
runs the query in a worker thread (`asyncio.to_thread`: database calls block),
opening the views per request so a replay's swap is picked up at once.
Errors are JSON ``{"error", "message"}``: 400 / 401 / 404 / 405 (with
``Allow``) / 421 for the client's mistakes, 503 when the views database is
unavailable. A topic or organisation id the taxonomy in force does not have
is a 400 too (``"error": "unknown_id"``, with ``parameter``, ``value`` and the
``known`` ids: `marsad.consumers.api.known`). The views are opened read-only: the
API never writes them.

Guards: a non-loopback bind needs a token of `MIN_PUBLIC_TOKEN` characters
(or an explicit ``allow_public``); without a token, a request whose ``Host``
is not a loopback name or an allowed host is refused (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import orjson
from aiohttp import web

from marsad.consumers.api.dashboard import DashboardOptions, add_dashboard, is_public
from marsad.consumers.api.incident_exports import add_incident_exports
from marsad.consumers.api.known import KNOWN_IDS, parse_query
from marsad.consumers.api.openapi import openapi
from marsad.consumers.query.answer import answer
from marsad.consumers.query.params import IDENTIFIER, KnownIds, QueryError, UnknownIdError
from marsad.consumers.query.results import Alert, Article, Error, IncidentDetail, Result, plain, typed
from marsad.consumers.store import Store, StoreError
from marsad.runtime.hosts import host_allowed, is_loopback
from marsad.runtime.metrics import render

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]
OPEN_STORE = web.AppKey("open_store", Callable[[], Store])
MIN_PUBLIC_TOKEN = 32  # characters of a token guarding a non-loopback bind


class BindError(ValueError):
    """The API would be reachable from other hosts without a (long enough) token."""


def check_bind(host: str, token: str, allow_public: bool) -> None:
    """Refuse a non-loopback address without a token (unless explicitly allowed) or with a short one."""
    if is_loopback(host):
        return
    if not token and not allow_public:
        raise BindError(f"refusing to serve the views on {host} without a token: set MARSAD_API_TOKEN to at least "
                        f"{MIN_PUBLIC_TOKEN} random characters (e.g. `openssl rand -hex 24`; clients send "
                        "`Authorization: Bearer <token>`), or pass --allow-public")
    if token and len(token) < MIN_PUBLIC_TOKEN:
        raise BindError(f"MARSAD_API_TOKEN has {len(token)} characters: a token guarding {host} needs at least "
                        f"{MIN_PUBLIC_TOKEN} (e.g. `openssl rand -hex 24`)")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """``data`` (plain values or records of `marsad.consumers.query.results`) as UTF-8 JSON (Arabic unescaped)."""
    return web.Response(body=orjson.dumps(data, default=plain), status=status, content_type="application/json",
                        charset="utf-8", headers=headers)


def error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    """The JSON error body every failure has: ``{"error": kind, "message": what to change}``."""
    return json_response(Error(kind, message), status, headers)


@web.middleware
async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except UnknownIdError as e:  # the known ids too, so a client (the dashboard) can say it in its own words
        return json_response(Error("unknown_id", str(e), e.parameter, e.value, e.known), 400)
    except QueryError as e:
        return error(400, "bad_request", str(e))
    except web.HTTPException as e:
        if e.status < 400:
            raise
        allow = {"Allow": e.headers["Allow"]} if "Allow" in e.headers else None  # 405 says what is allowed
        return error(e.status, e.reason.lower().replace(" ", "_"), e.text or e.reason, allow)
    except StoreError as e:
        log.error("views unavailable: %s", e)
        return error(503, "views_unavailable", "the views database is not available (is `marsad views` running?)")
    except Exception:
        log.exception("%s %s failed", request.method, request.path_qs)
        return error(500, "internal", "internal error; it is logged")


def bearer(token: str) -> Middleware:
    """Require ``Authorization: Bearer <token>`` on everything but /health and /health/* (constant-time check)."""
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != "/health" and not request.path.startswith("/health/") and not is_public(request.path):
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return error(401, "unauthorized", "send the API token as `Authorization: Bearer <token>`",
                             {"WWW-Authenticate": "Bearer"})
        return await handler(request)
    return check


def known_hosts(allowed: frozenset[str]) -> Middleware:
    """Answer only requests whose ``Host`` is a loopback name or an allowed host (no token: DNS rebinding)."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not host_allowed(request.headers.get("Host"), allowed):
            return error(421, "misdirected_request", "this API answers loopback host names only (add the name "
                         "to MARSAD_API_ALLOWED_HOSTS, or set MARSAD_API_TOKEN)")
        return await handler(request)
    return check


async def _run(request: web.Request, work: Callable[[Store], Any]) -> Any:
    open_store = request.app[OPEN_STORE]

    def in_thread() -> Any:
        with open_store() as store:
            return work(store)
    return await asyncio.to_thread(in_thread)


def endpoint(name: str) -> Handler:
    """The handler of one question of `marsad.consumers.query.params.ENDPOINTS`."""
    async def handle(request: web.Request) -> web.Response:
        query = parse_query(name, request)
        return json_response(await _run(request, lambda store: answer(store, query)))
    handle.__name__ = f"get_{name}"
    return handle


def get_one(kind: str, lookup: Callable[[Store, str], Any],
            cls: type[Result]) -> Callable[[web.Request], Awaitable[web.Response]]:
    """GET /{kind}s/{id}: one article, alert or incident by id (as ``cls``), 404 when the views have none."""
    async def handle(request: web.Request) -> web.Response:
        item_id = request.match_info[f"{kind}_id"]
        if not IDENTIFIER.match(item_id):
            raise QueryError(f"{kind} id must be letters, digits and _ . : -")
        if request.query:
            raise QueryError(f"unknown parameter {next(iter(request.query))[:40]!r}: /{kind}s/{{id}} takes none")
        item = await _run(request, lambda store: lookup(store, item_id))
        if item is None:
            return error(404, "not_found", f"no {kind} {item_id!r} in the views")
        return json_response(typed(item, cls))
    handle.__name__ = f"get_{kind}"
    return handle


async def get_health(request: web.Request) -> web.Response:
    return json_response({"status": "ok", "schema_version": await _run(request, lambda s: s.schema_version())})


async def get_live(request: web.Request) -> web.Response:
    return json_response({"service": "api", "status": "ok", "reason": "ok"})


async def get_ready(request: web.Request) -> web.Response:
    """Ready when the views database answers."""
    try:
        await _run(request, lambda s: s.schema_version())
    except StoreError as e:
        return json_response({"service": "api", "status": "unavailable", "reason": str(e)}, 503)
    return json_response({"service": "api", "status": "ok", "reason": "ok"})


async def get_metrics(request: web.Request) -> web.Response:
    body, ctype = render()
    return web.Response(body=body, headers={"Content-Type": ctype})


def make_app(open_store: Callable[[], Store], *, token: str = "", dashboard: DashboardOptions | None = None,
             allowed_hosts: frozenset[str] = frozenset(), known_ids: KnownIds | None = None) -> web.Application:
    """The API application over the views ``open_store`` opens (read-only, for the API).

    With ``known_ids`` (the taxonomy's topics and organisations), a filter naming another id is a 400.
    """
    guard = bearer(token) if token else known_hosts(allowed_hosts)
    app = web.Application(middlewares=[errors_as_json, guard])
    app[OPEN_STORE] = open_store
    if known_ids is not None:
        app[KNOWN_IDS] = known_ids
    try:
        doc = openapi(version("marsad"), token=bool(token))
    except PackageNotFoundError:
        doc = openapi("0", token=bool(token))

    async def get_openapi(request: web.Request) -> web.Response:
        return json_response(doc)

    app.router.add_get("/articles", endpoint("articles"))
    app.router.add_get("/articles/{article_id}", get_one("article", lambda store, i: store.article(i), Article))
    app.router.add_get("/counts", endpoint("counts"))
    app.router.add_get("/seizures", endpoint("seizures"))
    app.router.add_get("/seizures/totals", endpoint("totals"))
    app.router.add_get("/stories", endpoint("stories"))
    app.router.add_get("/alerts", endpoint("alerts"))
    app.router.add_get("/alerts/{alert_id}", get_one("alert", lambda store, i: store.alert(i), Alert))
    app.router.add_get("/incidents", endpoint("incidents"))
    app.router.add_get("/incidents/counts", endpoint("incident_counts"))  # before /incidents/{id}
    app.router.add_get("/incidents/{incident_id}", get_one("incident", lambda store, i: store.incident(i), IncidentDetail))
    add_incident_exports(app, open_store)  # /export/incidents.{csv,geojson,acled.csv}
    app.router.add_get("/openapi.json", get_openapi)
    app.router.add_get("/health", get_health)
    app.router.add_get("/health/live", get_live)
    app.router.add_get("/health/ready", get_ready)
    app.router.add_get("/metrics", get_metrics)
    add_dashboard(app, open_store, dashboard or DashboardOptions())  # the page at / (marsad.consumers.api.dashboard)
    return app


def serve(open_store: Callable[[], Store], *, host: str, port: int, token: str = "",
          allow_public: bool = False, dashboard: DashboardOptions | None = None,
          allowed_hosts: frozenset[str] = frozenset(), known_ids: KnownIds | None = None) -> None:
    """Serve until SIGINT/SIGTERM. Raises `BindError` for an unprotected public address."""
    check_bind(host, token, allow_public)
    app = make_app(open_store, token=token, dashboard=dashboard, allowed_hosts=allowed_hosts, known_ids=known_ids)
    web.run_app(app, host=host, port=port, access_log=log, print=lambda msg: log.info("%s", msg), handle_signals=True)
