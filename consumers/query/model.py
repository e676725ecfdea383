"""What a question to the views is: validated, typed values only (no SQL here).

`marsad.consumers.query.params` builds these from text (HTTP query strings or
command-line options); `marsad.consumers.store.queries` turns them into SQL with
bound parameters. A value that reaches a query object has been checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marsad.schemas.wire import IncidentType, Severity, SourceKind


@dataclass(frozen=True)
class Near:
    """Places within ``radius_km`` of a point."""

    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class Filters:
    """Which articles (or seizure-ledger rows) a question is about; every field optional."""

    topic: str | None = None
    place: str | None = None  # place name in matching form
    near: Near | None = None
    org: str | None = None
    country: str | None = None
    source: str | None = None
    since: str | None = None  # inclusive, UTC text as stored (see marsad.consumers.rows)
    until: str | None = None  # exclusive
    words: tuple[str, ...] = ()  # full-text query, in matching form
    duplicate: str | None = None  # original | copy | exact | near
    story: str | None = None
    item: str | None = None  # seizure ledger only
    unit: str | None = None  # seizure ledger only
    kind: SourceKind | None = None  # kind of source


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: the sort key of its last row."""

    at: str
    article_id: str
    ord: int = 0


@dataclass(frozen=True)
class ArticleQuery:
    """Articles matching ``filters``, ``limit`` per page, after ``after``."""

    filters: Filters = field(default_factory=Filters)
    limit: int = 20
    after: Cursor | None = None


@dataclass(frozen=True)
class CountQuery:
    """Distinct articles per ``by`` key (and per day or hour)."""

    by: str = "topic"  # topic | place | org | country | source | kind
    per: str | None = None  # None, "day" or "hour"
    filters: Filters = field(default_factory=Filters)
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class SeizureQuery:
    """Seizure-ledger rows matching ``filters``, paged like articles."""

    filters: Filters = field(default_factory=Filters)
    limit: int = 20
    after: Cursor | None = None


@dataclass(frozen=True)
class TotalsQuery:
    """Seized quantities summed by item and unit (and per day)."""

    filters: Filters = field(default_factory=Filters)
    per: str | None = None  # None or "day"


@dataclass(frozen=True)
class StoryQuery:
    """Stories with at least ``min_copies`` articles, largest first."""

    filters: Filters = field(default_factory=Filters)
    min_copies: int = 2
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class AlertQuery:
    """Alerts by rule, severity, place (name in matching form), country, topic, organisation and date;
    newest first."""

    rule: str | None = None
    severity: Severity | None = None
    place: str | None = None
    country: str | None = None
    since: str | None = None  # inclusive, UTC text as stored; on the alert's `at`
    until: str | None = None  # exclusive
    limit: int = 20
    after: Cursor | None = None  # Cursor.article_id holds the alert id
    topic: str | None = None  # a topic of the alert's evidence
    org: str | None = None  # an organisation of its evidence, or a party of its incident


@dataclass(frozen=True)
class Page:
    """Rows of one page and where the next one starts (None on the last page)."""

    items: list[dict]
    next: Cursor | None = None


@dataclass(frozen=True)
class IncidentFilters:
    """Which incidents a question is about; every field optional. Days are YYYY-MM-DD text."""

    type: IncidentType | None = None
    place: str | None = None  # the incident's place name in matching form
    near: Near | None = None
    actor: str | None = None  # organisation id
    target: str | None = None
    org: str | None = None  # actor or target
    country: str | None = None
    admin1: str | None = None  # governorate code, e.g. SY.09, or "unknown"
    since: str | None = None  # first event day (inclusive)
    until: str | None = None  # day after the last (exclusive)
    min_killed: int | None = None
    min_injured: int | None = None
    min_arrested: int | None = None
    min_outlets: int | None = None


@dataclass(frozen=True)
class IncidentQuery:
    """Incidents matching ``filters``, newest event first, ``limit`` per page, after ``after``."""

    filters: IncidentFilters = field(default_factory=IncidentFilters)
    limit: int = 20
    after: Cursor | None = None  # Cursor.at holds the day, Cursor.article_id the incident id


@dataclass(frozen=True)
class IncidentCountQuery:
    """Incidents counted by type per event day or per governorate (admin1)."""

    per: str = "day"  # "day" or "admin1"
    filters: IncidentFilters = field(default_factory=IncidentFilters)
    limit: int = 1000
    offset: int = 0
