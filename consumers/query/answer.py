"""Run a parsed question against a store and shape the answer as JSON-ready data (API and CLI alike)."""

from __future__ import annotations

from typing import Any

from consumers.query.model import (
    AlertQuery,
    ArticleQuery,
    CountQuery,
    IncidentCountQuery,
    IncidentQuery,
    SeizureQuery,
    StoryQuery,
    TotalsQuery,
)
from consumers.query.params import encode_cursor
from consumers.store import Store


def answer(store: Store, query: Any) -> dict[str, Any]:
    """The answer to one query object of `consumers.query.model`."""
    if isinstance(query, ArticleQuery | SeizureQuery | AlertQuery):
        if isinstance(query, AlertQuery):
            page = store.alerts(query)
        else:
            page = store.articles(query) if isinstance(query, ArticleQuery) else store.seizures(query)
        return {"items": page.items, "next_cursor": encode_cursor(page.next) if page.next else None}
    if isinstance(query, CountQuery):
        return {"by": query.by, "per": query.per, "items": store.counts(query)}
    if isinstance(query, TotalsQuery):
        return {"items": store.seizure_totals(query)}
    if isinstance(query, StoryQuery):
        return {"items": store.stories(query)}
    if isinstance(query, IncidentQuery):
        page = store.incidents(query)
        return {"items": page.items, "next_cursor": encode_cursor(page.next) if page.next else None}
    if isinstance(query, IncidentCountQuery):
        return {"per": query.per, "items": store.incident_counts(query)}
    raise TypeError(f"not a query: {query!r}")
