"""What the questions to the views answer, as typed records: the API's JSON and its OpenAPI schema in one place.

The stores read rows into plain values; `marsad.consumers.query.answer` (and the
API's single-item and dashboard handlers) turn them into these records with
`typed`, which refuses a row holding a field its record does not declare, so
the API cannot return what its description does not say. The OpenAPI
components (`marsad.consumers.api.openapi`) are generated from these classes, their
docstrings and field descriptions included; the dashboard's answers are in
`marsad.consumers.api.dashboard_results`.

Field order is the order of the JSON objects. Facts stored as the events
carry them (an alert's evidence, a report's place, an incident's quantities)
keep the event types of `marsad.schemas.facts`, which leave out their default values
as the events do; facts read from the view's columns give every field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from marsad.schemas.facts import Evidence, Org, Place, Quantity, Topic
from marsad.schemas.wire import AlertKind, DuplicateStatus, IncidentType, Severity, SourceKind

T = TypeVar("T")


def doc(text: str) -> msgspec.Meta:
    """A field's description, for its OpenAPI schema."""
    return msgspec.Meta(description=text)


class Result(msgspec.Struct, forbid_unknown_fields=True):
    """Base of the answers' records: a row with a field not declared here is an error, not a silent drop."""


# -- articles ----------------------------------------------------------------------------------------------

class ArticleDuplicate(Result):
    status: DuplicateStatus
    first_id: str | None
    similarity: float


class ArticleTopic(Result):
    id: str
    score: float
    evidence: Annotated[list[Evidence] | UnsetType, doc("The matched terms (one article, a place's articles).")] = UNSET


class ArticlePlace(Result):
    name: str
    lat: float
    lon: float
    country: str
    kind: str
    geonameid: int | None
    mentions: int


class ArticleOrg(Result):
    id: str
    name: str
    mentions: int


class ArticleQuantity(Result):
    value: float
    unit: str
    item: str | None
    text: str


class Article(Result, kw_only=True):
    """An article (its latest revision) with its facts."""

    article_id: str
    url: str
    source: str
    title: str
    lang: str
    published: str | None
    at: str
    story_id: str
    taxonomy_version: str
    edited: Annotated[bool, doc("The source changed the text after publishing it.")]
    revision: Annotated[int, msgspec.Meta(ge=1, description="The version shown: 2, 3... after edits.")]
    duplicate: ArticleDuplicate
    kind: Annotated[SourceKind | None, doc("Kind of source the article came from (null: processed before marsad "
                                         "carried it).")]
    snippet: Annotated[str | UnsetType, doc("The start of the clean text (lists only).")] = UNSET
    # the one article (GET /articles/{id}) only:
    clean_text: str | UnsetType = UNSET
    event_id: str | UnsetType = UNSET
    occurred_at: str | UnsetType = UNSET
    gazetteer_version: str | UnsetType = UNSET
    topics: list[ArticleTopic]
    places: list[ArticlePlace]
    countries: list[str]
    orgs: list[ArticleOrg]
    quantities: list[ArticleQuantity]
    copies: Annotated[list[str] | UnsetType, doc("The one article only: the other articles of its story.")] = UNSET


class ArticlePage(Result):
    items: list[Article]
    next_cursor: str | None


# -- counts, seizures, stories -----------------------------------------------------------------------------

class Count(Result, kw_only=True):
    """Distinct articles of one key (and one day or hour); the labels of places and organisations."""

    key: str
    day: Annotated[str | UnsetType, doc("With per=day.")] = UNSET
    hour: Annotated[str | UnsetType, doc("With per=hour.")] = UNSET
    name: Annotated[str | UnsetType | None, doc("By place or org.")] = UNSET
    lat: float | UnsetType | None = UNSET
    lon: float | UnsetType | None = UNSET
    country: str | UnsetType | None = UNSET
    articles: int


class Counts(Result):
    by: str
    per: str | None
    items: list[Count]


class Seizure(Result):
    """A row of the seizure ledger: one drug quantity with its date and place."""

    article_id: str
    ord: int
    item: str
    unit: str
    value: float
    at: str
    day: str
    place_name: str | None
    lat: float | None
    lon: float | None
    country: str | None
    story_id: str
    dup_status: DuplicateStatus
    source: str
    title: str
    text: str


class SeizurePage(Result):
    items: list[Seizure]
    next_cursor: str | None


class Total(Result, kw_only=True):
    """Seized quantities of one item and unit (and day) summed."""

    item: str
    unit: str
    day: Annotated[str | UnsetType, doc("With per=day.")] = UNSET
    total: float
    seizures: int
    articles: int
    first_day: str
    last_day: str


class Totals(Result):
    items: list[Total]


class StorySource(Result):
    source: str
    articles: int


class Story(Result):
    """A story: an original article and its exact and near copies."""

    story_id: str
    articles: int
    first_at: str
    last_at: str
    title: str | None
    source: str | None
    url: str | None
    sources: list[StorySource]


class Stories(Result):
    items: list[Story]


# -- alerts ------------------------------------------------------------------------------------------------

class AlertEvidence(Result):
    """As in the AlertRaised event (schemas/json/AlertRaised.v1.schema.json), keys in alphabetical order."""

    countries: list[str] = []
    matched: list[str] = []
    orgs: list[Org] = []
    places: list[Place] = []
    quantities: list[Quantity] = []
    titles: list[str] = []
    topics: list[Topic] = []
    urls: list[str] = []


class Alert(Result):
    """An alert (its latest revision) with its evidence."""

    alert_id: str
    rule_id: str
    title: str
    severity: Severity
    kind: AlertKind
    story_id: str
    event_id: str | None
    raised_at: Annotated[str | None, doc("When it was raised; null while only updates of it were seen.")]
    at: Annotated[str, doc("Window start (story alerts: the first article), else raised_at; what since/until "
                         "filter and what the list is sorted by.")]
    revision: Annotated[int, doc("0: as raised; else the latest AlertUpdated revision applied.")]
    updated_at: str
    articles: int
    distinct_sources: int
    article_ids: list[str]
    sources: list[str]
    scope: str
    window_start: str | None
    window_end: str | None
    observed: float | None
    expected: float | None
    rules_version: str
    taxonomy_version: str
    gazetteer_version: str
    evidence: AlertEvidence
    incident_id: Annotated[str, doc("Incident alerts: the incident; else empty.")]
    incident_type: IncidentType | Literal[""]
    killed: Annotated[int | None, doc("Incident alerts: the incident's figure as it stands.")]
    injured: Annotated[int | None, doc("Incident alerts: the incident's figure as it stands.")]
    arrested: Annotated[int | None, doc("Incident alerts: the incident's figure as it stands.")]
    outlets: Annotated[int | None, doc("Incident alerts: the incident's figure as it stands.")]
    incident_date: Annotated[str | None, doc("Incident alerts: the incident's event day, when known.")]


class AlertPage(Result):
    items: list[Alert]
    next_cursor: str | None


# -- incidents ---------------------------------------------------------------------------------------------

class IncidentPlace(Result):
    name: str
    lat: float
    lon: float
    country: str
    kind: str
    geonameid: int | None


class Admin1(Result):
    """The governorate (GeoNames admin1 code, e.g. SY.07); code `unknown` when none."""

    code: str
    name: str | None
    name_en: str | None


class IncidentReport(Result):
    """One article's report of an incident."""

    article_id: str
    source: str
    url: str
    title: str
    published: str | None
    lang: str
    duplicate_of: Annotated[str | None, doc("The article this report copies (not an independent outlet).")]
    evidence: Annotated[str, doc("The sentence of this article that reports the incident.")]
    date: str | None
    place: Place | None
    killed: int | None
    injured: int | None
    arrested: int | None


class Incident(Result):
    """An incident fused across outlets (its latest revision)."""

    incident_id: str
    incident_type: IncidentType
    event_id: str
    revision: Annotated[int, doc("The revision shown: the highest one the views have seen.")]
    updated_at: str
    date: Annotated[str | None, doc("The event's day (YYYY-MM-DD) as the reports give it; null when none.")]
    day: Annotated[str, doc("date, else the day the incident was first seen: the sort key and what since/until "
                          "and the per-day counts use.")]
    place_key: Annotated[str | None, doc("The place's key, as /places gives it.")]
    killed: int | None
    killed_min: int | None
    killed_max: int | None
    injured: int | None
    injured_min: int | None
    injured_max: int | None
    arrested: int | None
    arrested_min: int | None
    arrested_max: int | None
    outlets: Annotated[int, doc("Independent outlets (exact and near copies count once).")]
    reports: Annotated[int, doc("Articles that report it (GET /incidents/{id} lists them).")]
    sources: Annotated[list[str], doc("Outlets of the reports, first report first.")]
    actors: Annotated[list[str], doc("Organisation ids: who carried it out.")]
    targets: Annotated[list[str], doc("Organisation ids: whom it targeted.")]
    quantities: list[Quantity]
    evidence: Annotated[str, doc("The first report's evidence sentence.")]
    first_seen: str | None
    last_seen: str | None
    place: IncidentPlace | None
    admin1: Admin1


class IncidentDetail(Incident):
    """One incident with its reports."""

    reports: Annotated[list[IncidentReport], doc("Each article's report, with its evidence.")]  # type: ignore[assignment]


class IncidentPage(Result):
    items: list[Incident]
    next_cursor: str | None


class IncidentCount(Result, kw_only=True):
    """Incidents of one type on one event day (per=day) or in one governorate (per=admin1), tolls summed."""

    type: IncidentType
    day: Annotated[str | UnsetType, doc("With per=day.")] = UNSET
    admin1: Annotated[str | UnsetType, doc("With per=admin1: the governorate code, or unknown.")] = UNSET
    name: str | UnsetType | None = UNSET
    name_en: str | UnsetType | None = UNSET
    country: str | UnsetType | None = UNSET
    incidents: int
    killed: int
    injured: int
    arrested: int


class IncidentCounts(Result):
    per: str
    items: list[IncidentCount]


class Error(Result):
    """What a request got wrong; unknown_id errors also name the filter, the id given and the ids known."""

    error: str
    message: str
    parameter: str | UnsetType = UNSET
    value: str | UnsetType = UNSET
    known: list[str] | UnsetType = UNSET


# The answers of the query API's questions and single items: the roots of its OpenAPI components.
QUERY_RESULTS: tuple[type[Result], ...] = (
    Error, ArticlePage, Counts, SeizurePage, Totals, Stories, AlertPage, IncidentPage, IncidentDetail,
    IncidentCounts)


def typed(value: Any, cls: type[T]) -> T:
    """``value`` (a row or an answer of plain values) as its record; `msgspec.ValidationError` if it does not fit."""
    return msgspec.convert(value, cls)


def plain(result: Any) -> Any:
    """A record as plain values (dicts and lists), e.g. for a terminal table."""
    return msgspec.to_builtins(result)
