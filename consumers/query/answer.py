"""Run a parsed question against a store and give the answer as its typed record (API and CLI alike)."""

from __future__ import annotations

from typing import Any

from marsad.consumers.query.model import (
    AlertQuery,
    ArticleQuery,
    CountQuery,
    IncidentCountQuery,
    IncidentQuery,
    SeizureQuery,
    StoryQuery,
    TotalsQuery,
)
from marsad.consumers.query.params import encode_cursor
from marsad.consumers.query.results import (
    AlertPage,
    ArticlePage,
    Counts,
    IncidentCounts,
    IncidentPage,
    Result,
    SeizurePage,
    Stories,
    Totals,
    typed,
)
from marsad.consumers.store import Store

PAGES: dict[type, tuple[str, type[Result]]] = {
    ArticleQuery: ("articles", ArticlePage), SeizureQuery: ("seizures", SeizurePage),
    AlertQuery: ("alerts", AlertPage), IncidentQuery: ("incidents", IncidentPage),
}


def answer(store: Store, query: Any) -> Result:
    """The answer to one query object of `marsad.consumers.query.model`."""
    if type(query) in PAGES:
        method, cls = PAGES[type(query)]
        page = getattr(store, method)(query)
        return typed({"items": page.items, "next_cursor": encode_cursor(page.next) if page.next else None}, cls)
    if isinstance(query, CountQuery):
        return typed({"by": query.by, "per": query.per, "items": store.counts(query)}, Counts)
    if isinstance(query, TotalsQuery):
        return typed({"items": store.seizure_totals(query)}, Totals)
    if isinstance(query, StoryQuery):
        return typed({"items": store.stories(query)}, Stories)
    if isinstance(query, IncidentCountQuery):
        return typed({"per": query.per, "items": store.incident_counts(query)}, IncidentCounts)
    raise TypeError(f"not a query: {query!r}")
