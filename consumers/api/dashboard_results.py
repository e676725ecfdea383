"""What the dashboard's own endpoints answer (`marsad.consumers.api.dashboard`), as typed records like the query API's.

See `marsad.consumers.query.results`: the handlers type the rows with `typed`, and the
OpenAPI components are generated from these classes.
"""

from __future__ import annotations

from typing import Annotated

from marsad.consumers.query.results import (
    ArticleOrg,
    ArticlePlace,
    ArticleQuantity,
    ArticleTopic,
    Result,
    Total,
    doc,
)
from marsad.schemas.wire import DuplicateStatus, SourceKind


class PlaceArticle(Result, kw_only=True):
    """An article of one place (the dashboard's list), with its facts and topic evidence."""

    article_id: str
    url: str
    source: str
    title: str
    lang: str
    at: str
    story_id: str
    dup_status: DuplicateStatus
    edited: bool
    revision: int
    kind: SourceKind | None
    topics: list[ArticleTopic]
    places: list[ArticlePlace]
    countries: list[str]
    orgs: list[ArticleOrg]
    quantities: list[ArticleQuantity]


class PlaceArticlePage(Result):
    items: list[PlaceArticle]
    next_cursor: str | None


class MapPlace(Result):
    """A place named by the matching articles (a marker of the map)."""

    key: Annotated[str, doc("g{geonameid}, or n:{name in matching form}")]
    name: str
    lat: float
    lon: float
    country: str
    articles: int
    topic: Annotated[str | None, doc("The topic of most of its articles (the marker's colour).")]
    topics: Annotated[dict[str, int], doc("Articles per topic id, most first.")]


class Places(Result):
    articles: Annotated[int, doc("Articles matching the filter.")]
    located: Annotated[int, doc("Of those, articles naming at least one place.")]
    items: list[MapPlace]
    truncated: Annotated[bool, doc("More than 5,000 places: the largest are given.")]


class PlaceTotal(Result):
    item: str
    unit: str
    place_key: str | None
    place_name: str | None
    lat: float | None
    lon: float | None
    country: str | None
    total: float
    seizures: int
    articles: int


class MonthTotal(Result):
    item: str
    unit: str
    month: str
    total: float
    seizures: int
    articles: int


class SeizureSummary(Result):
    totals: list[Total]
    by_place: list[PlaceTotal]
    by_month: list[MonthTotal]


class FilterIds(Result):
    topics: list[str]
    orgs: list[str]


class DashboardConfig(Result):
    """The dashboard's settings."""

    tiles_url: Annotated[str, doc("The tile layer URL; empty: the offline base map.")]
    live: Annotated[bool, doc("The live alert feed is configured.")]
    alerts_view: Annotated[bool, doc("The alerts view is served.")]
    topics: Annotated[dict[str, str], doc("The display name of each topic id of the taxonomy in force.")]
    known: Annotated[FilterIds | None, doc("The topic and organisation ids the filters accept; null when they are "
                                        "not checked.")]


class PlaceLabels(Result):
    """The offline map's place names from the gazetteer, one row per place in the order of ``fields``."""

    fields: list[str]
    items: Annotated[list[tuple[str, float, float, int, int]],
                     doc("[name, lat, lon, rank, population]; rank 0 capitals, 1 governorate seats, 2 cities, "
                       "3 towns, camps and crossings, 4 villages.")]


# The dashboard's answers: the roots of its OpenAPI components.
DASHBOARD_RESULTS: tuple[type[Result], ...] = (PlaceArticlePage, Places, SeizureSummary, DashboardConfig, PlaceLabels)
