"""The query parameters, declared once: parsed and checked here for the HTTP API and `marsad query`.

`PARAMS` is the table (name, help, parser, OpenAPI schema); `ENDPOINTS`
lists which parameters each question accepts. `parse` turns text pairs
(a query string, or command-line options) into a query object of
`marsad.consumers.query.model`, or raises `QueryError` whose message says what to
change. Given the taxonomy's ids (`KnownIds`), it also refuses a topic or
organisation id the taxonomy does not have (`UnknownIdError`, naming the
known ones): the views would only answer "nothing matches". The API and
`marsad query` share this one check (`check_ids`). The OpenAPI description
and the command-line options are generated from the same table, so they
cannot drift from what is accepted.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from marsad.consumers.query.model import (
    AlertQuery,
    ArticleQuery,
    CountQuery,
    Cursor,
    Filters,
    IncidentCountQuery,
    IncidentFilters,
    IncidentQuery,
    Near,
    SeizureQuery,
    StoryQuery,
    TotalsQuery,
)
from marsad.consumers.rows import search_words, timestamp
from marsad.runtime.suggest import did_you_mean
from marsad.schemas.wire import DUPLICATE_STATUSES, INCIDENT_TYPES, SEVERITIES, SOURCE_KINDS
from marsad.streams.text.normalize import normalize

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
ADMIN1 = re.compile(r"^(?:[A-Z]{2}\.[0-9A-Z]{1,3}|unknown)$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT = 200
MAX_WORDS = 20
MAX_OFFSET = 100_000


class QueryError(ValueError):
    """A question the views cannot answer as asked (HTTP 400); the message says what to change."""


# Filters naming taxonomy ids: which of the taxonomy's lists each must be in.
ID_FILTERS = {"topic": "topics", "org": "orgs", "actor": "orgs", "target": "orgs"}


@dataclass(frozen=True)
class KnownIds:
    """The ids the filters may name: the topics and organisations of the taxonomy in force."""

    topics: frozenset[str]
    orgs: frozenset[str]


class UnknownIdError(QueryError):
    """A filter names a topic or organisation the taxonomy does not have; says which ones it has."""

    def __init__(self, parameter: str, value: str, known: Iterable[str]) -> None:
        self.parameter, self.value, self.known = parameter, value, sorted(known)
        self.kind = "topic" if ID_FILTERS[parameter] == "topics" else "organisation"
        super().__init__(self.describe(parameter))

    def describe(self, where: str) -> str:
        """The message, naming the filter as ``where`` (``topic`` in the API, ``--topic`` on the command line)."""
        return (f"unknown {self.kind} {self.value!r} for {where}.{did_you_mean(self.value, self.known)} "
                f"Known: {', '.join(self.known)}")


def check_ids(values: Mapping[str, Any], known: KnownIds) -> None:
    """`UnknownIdError` for the first topic/organisation filter whose id ``known`` does not have."""
    for name, list_name in ID_FILTERS.items():
        value = values.get(name)
        ids = getattr(known, list_name)
        if value and value not in ids:
            raise UnknownIdError(name, value, ids)


def _identifier(name: str) -> Callable[[str], str]:
    def parse(v: str) -> str:
        if not IDENTIFIER.match(v):
            raise QueryError(f"{name} must be an id of letters, digits and _ . : - (got {v[:40]!r})")
        return v
    return parse


def _text(name: str) -> Callable[[str], str]:
    def parse(v: str) -> str:
        if len(v) > MAX_TEXT:
            raise QueryError(f"{name} is longer than {MAX_TEXT} characters")
        return v
    return parse


def _place(v: str) -> str:
    norm = " ".join(normalize(_text("place")(v)).split())
    if not norm:
        raise QueryError("place is empty")
    return norm


def _country(v: str) -> str:
    if not COUNTRY.match(v):
        raise QueryError(f"country must be an ISO 3166-1 alpha-2 code such as SY or IQ (got {v[:40]!r})")
    return v.upper()


def _number(name: str, low: float, high: float, *, integer: bool = False) -> Callable[[str], Any]:
    def parse(v: str) -> Any:
        try:
            x = int(v) if integer else float(v)
        except ValueError:
            raise QueryError(f"{name} must be {'an integer' if integer else 'a number'} (got {v[:40]!r})") from None
        if not low <= x <= high:
            raise QueryError(f"{name} must be between {low:g} and {high:g} (got {v[:40]})")
        return x
    return parse


def _time(name: str, *, end: bool) -> Callable[[str], str]:
    """ISO date or date-time (UTC when no zone). A date as an upper bound means the end of that day."""
    def parse(v: str) -> str:
        try:
            if len(v) == 10:
                day = date.fromisoformat(v)
                start = datetime(day.year, day.month, day.day, tzinfo=UTC)
                return timestamp(start + timedelta(days=1) if end else start)
            return timestamp(datetime.fromisoformat(v))
        except (ValueError, OverflowError):
            raise QueryError(f"{name} must be a date (2024-02-08) or date-time (2024-02-08T10:00:00Z), "
                             f"got {v[:40]!r}") from None
    return parse


def _words(v: str) -> tuple[str, ...]:
    words = tuple(search_words(_text("q")(v)))
    if not words:
        raise QueryError("q has no words to search for")
    if len(words) > MAX_WORDS:
        raise QueryError(f"q has more than {MAX_WORDS} words")
    return words


def _choice(name: str, *choices: str) -> Callable[[str], str]:
    def parse(v: str) -> str:
        if v not in choices:
            raise QueryError(f"{name} must be one of {', '.join(choices)} (got {v[:40]!r})")
        return v
    return parse


def _admin1(v: str) -> str:
    code = "unknown" if v.lower() == "unknown" else v.upper()
    if not ADMIN1.match(code):
        raise QueryError(f"admin1 must be a governorate code such as SY.07 or IQ.15, or unknown (got {v[:40]!r})")
    return code


def encode_cursor(c: Cursor) -> str:
    """An opaque, URL-safe token for where the next page starts."""
    return base64.urlsafe_b64encode(orjson.dumps([c.at, c.article_id, c.ord])).decode().rstrip("=")


def decode_cursor(v: str) -> Cursor:
    """The cursor of a token `encode_cursor` gave; `QueryError` for anything else."""
    try:
        at, article_id, ord_ = orjson.loads(base64.urlsafe_b64decode(v + "=" * (-len(v) % 4)))
        if isinstance(at, str) and isinstance(article_id, str) and type(ord_) is int:
            return Cursor(at, article_id, ord_)
    except (binascii.Error, ValueError, TypeError):
        pass
    raise QueryError("cursor is not one this API gave out: pass back `next_cursor` unchanged")


@dataclass(frozen=True)
class Param:
    """One query parameter: its name, help, parser (text to checked value) and OpenAPI schema."""

    name: str
    help: str
    parse: Callable[[str], Any]
    schema: dict = field(default_factory=lambda: {"type": "string"})


def _choices(name: str, help: str, values: tuple[str, ...], **schema: Any) -> Param:
    """A parameter taking one of ``values``: its check and its OpenAPI enum from the one tuple."""
    return Param(name, help, _choice(name, *values), {"type": "string", "enum": list(values), **schema})


ID_SCHEMA = {"type": "string", "pattern": IDENTIFIER.pattern}
# The duplicate filter: a verdict of the dedup stage, or "copy" for either kind of copy.
DUPLICATE_FILTER = (DUPLICATE_STATUSES[0], "copy", *DUPLICATE_STATUSES[1:])
PARAMS: dict[str, Param] = {p.name: p for p in (
    Param("topic", "Topic id from the taxonomy, e.g. narcotics.", _identifier("topic"), ID_SCHEMA),
    Param("place", "Place name as written (matched in normalised form), e.g. البوكمال.", _place,
          {"type": "string", "maxLength": MAX_TEXT}),
    Param("lat", "Latitude of a point; with lon and radius_km: articles naming a place within the radius.",
          _number("lat", -90, 90), {"type": "number", "minimum": -90, "maximum": 90}),
    Param("lon", "Longitude of the point.", _number("lon", -180, 180),
          {"type": "number", "minimum": -180, "maximum": 180}),
    Param("radius_km", "Radius around the point, in km.", _number("radius_km", 0.001, 2000),
          {"type": "number", "exclusiveMinimum": 0, "maximum": 2000}),
    Param("org", "Organisation id from the taxonomy, e.g. sdf.", _identifier("org"), ID_SCHEMA),
    Param("country", "ISO 3166-1 alpha-2 country code, e.g. SY.", _country,
          {"type": "string", "pattern": COUNTRY.pattern}),
    Param("source", "Outlet name, exactly as stored.", _text("source"), {"type": "string", "maxLength": MAX_TEXT}),
    Param("since", "From this date or UTC date-time (inclusive).", _time("since", end=False),
          {"type": "string", "format": "date-time"}),
    Param("until", "Up to this date (inclusive) or UTC date-time (exclusive).", _time("until", end=True),
          {"type": "string", "format": "date-time"}),
    Param("q", "Full-text query: articles holding every word (Arabic spelling variants folded).", _words,
          {"type": "string", "maxLength": MAX_TEXT}),
    _choices("duplicate", "Only originals, copies (exact or near), exact or near copies.", DUPLICATE_FILTER),
    Param("story", "Story id: the article id of its first copy.", _identifier("story"), ID_SCHEMA),
    _choices("kind", f"Kind of source the article came from: {', '.join(SOURCE_KINDS)}.", SOURCE_KINDS),
    Param("item", "Seized item (drug id), e.g. captagon.", _identifier("item"), ID_SCHEMA),
    Param("unit", "Unit of the seized quantity, e.g. pill or kg.", _identifier("unit"), ID_SCHEMA),
    _choices("by", "What to count by (kind: the kind of source).",
             ("topic", "place", "org", "country", "source", "kind"), default="topic"),
    _choices("per", "Split the counts per day or hour (totals: per day; incident counts: per day or admin1, "
                    "the governorate).", ("day", "hour", "admin1")),
    Param("min_copies", "Stories with at least this many articles.", _number("min_copies", 1, 10_000, integer=True),
          {"type": "integer", "minimum": 1, "default": 2}),
    Param("limit", "Rows per page.", _number("limit", 1, 1_000_000, integer=True), {"type": "integer", "minimum": 1}),
    Param("offset", "Rows to skip.", _number("offset", 0, MAX_OFFSET, integer=True),
          {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}),
    Param("cursor", "Where the next page starts: `next_cursor` of the previous page.", decode_cursor,
          {"type": "string"}),
    Param("rule", "Alert rule id, e.g. captagon-million.", _identifier("rule"), ID_SCHEMA),
    _choices("severity", "Alert severity.", SEVERITIES),
    _choices("type", f"Incident type: {', '.join(INCIDENT_TYPES)}.", INCIDENT_TYPES),
    Param("actor", "Organisation id of who carried the incident out, e.g. isis.", _identifier("actor"), ID_SCHEMA),
    Param("target", "Organisation id of whom the incident targeted, e.g. sdf.", _identifier("target"), ID_SCHEMA),
    Param("admin1", "Governorate code (GeoNames admin1, e.g. SY.07 for Deir ez-Zor), or unknown.", _admin1,
          {"type": "string", "pattern": ADMIN1.pattern}),
    Param("min_killed", "Incidents with at least this many killed (the reconciled figure).",
          _number("min_killed", 0, 1_000_000, integer=True), {"type": "integer", "minimum": 0}),
    Param("min_injured", "Incidents with at least this many injured.",
          _number("min_injured", 0, 1_000_000, integer=True), {"type": "integer", "minimum": 0}),
    Param("min_arrested", "Incidents with at least this many arrested.",
          _number("min_arrested", 0, 1_000_000, integer=True), {"type": "integer", "minimum": 0}),
    Param("min_outlets", "Incidents reported by at least this many independent outlets.",
          _number("min_outlets", 1, 10_000, integer=True), {"type": "integer", "minimum": 1}),
)}

FILTERS = ("topic", "place", "lat", "lon", "radius_km", "org", "country", "source", "since", "until", "q",
           "duplicate", "story", "kind")
INCIDENT_FILTERS = ("type", "place", "lat", "lon", "radius_km", "actor", "target", "org", "country", "admin1",
                    "since", "until", "min_killed", "min_injured", "min_arrested", "min_outlets")
ENDPOINTS: dict[str, tuple[str, ...]] = {
    "articles": (*FILTERS, "limit", "cursor"),
    "counts": ("by", "per", *FILTERS, "limit", "offset"),
    "seizures": (*FILTERS, "item", "unit", "limit", "cursor"),
    "totals": (*FILTERS, "item", "unit", "per"),
    "stories": (*FILTERS, "min_copies", "limit", "offset"),
    "alerts": ("rule", "severity", "place", "country", "topic", "org", "since", "until", "limit", "cursor"),
    "incidents": (*INCIDENT_FILTERS, "limit", "cursor"),
    "incident_counts": ("per", *INCIDENT_FILTERS, "limit", "offset"),
}
# where a shared parameter means something more precise for incidents (CLI help and OpenAPI)
INCIDENT_HELP = {
    "place": "The incident's place name as written (matched in normalised form), e.g. البوكمال.",
    "lat": "Latitude of a point; with lon and radius_km: incidents whose place lies within the radius.",
    "org": "Organisation id of either party (actor or target), e.g. sdf.",
    "country": "ISO 3166-1 alpha-2 code of the incident's place, e.g. SY.",
    "since": "From this event day (a date; a date-time counts its whole day).",
    "until": "Up to this event day, inclusive.",
}


def help_for(endpoint: str, name: str) -> str:
    """What parameter ``name`` means for ``endpoint``."""
    if endpoint in ("incidents", "incident_counts"):
        return INCIDENT_HELP.get(name, PARAMS[name].help)
    return PARAMS[name].help


def choices_for(endpoint: str, name: str) -> tuple[str, ...] | None:
    """The values parameter ``name`` takes at ``endpoint`` when it is a choice (None otherwise): for the
    OpenAPI enums and the command-line help alike."""
    if name == "per" and endpoint in PER:
        return PER[endpoint]
    enum = PARAMS[name].schema.get("enum")
    return tuple(enum) if enum is not None else None


LIMITS = {"articles": (20, 200), "counts": (100, 10_000), "seizures": (20, 200), "stories": (20, 200),
          "alerts": (20, 200), "incidents": (20, 200), "incident_counts": (1000, 10_000)}
PER = {"counts": ("day", "hour"), "totals": ("day",), "incident_counts": ("day", "admin1")}


def parse(endpoint: str, pairs: Iterable[tuple[str, str]], known: KnownIds | None = None) -> Any:
    """The query object of ``endpoint`` for these (name, text value) pairs; `QueryError` if unusable.

    With ``known``, a topic or organisation id outside it is an `UnknownIdError` (None: not checked,
    as when the taxonomy cannot be read).
    """
    allowed = ENDPOINTS[endpoint]
    values: dict[str, Any] = {}
    for name, text in pairs:
        if name not in allowed:
            raise QueryError(f"unknown parameter {name[:40]!r} for {endpoint}; known: {', '.join(allowed)}")
        if name in values:
            raise QueryError(f"parameter {name!r} is given more than once")
        if CONTROL.search(text):
            raise QueryError(f"{name} contains control characters")
        if text != "":
            values[name] = PARAMS[name].parse(text)
    if known is not None:
        check_ids(values, known)
    limit = _limit(endpoint, values.get("limit"))
    if "per" in values and values["per"] not in PER.get(endpoint, ()):
        raise QueryError(f"per must be one of {', '.join(PER.get(endpoint, ()))} for {endpoint}")
    if endpoint == "incidents":
        return IncidentQuery(incident_filters(values), limit, values.get("cursor"))
    if endpoint == "incident_counts":
        return IncidentCountQuery(values.get("per", "day"), incident_filters(values), limit, values.get("offset", 0))
    filters = _filters(values)
    if endpoint == "articles":
        return ArticleQuery(filters, limit, values.get("cursor"))
    if endpoint == "counts":
        return CountQuery(values.get("by", "topic"), values.get("per"), filters, limit, values.get("offset", 0))
    if endpoint == "seizures":
        return SeizureQuery(filters, limit, values.get("cursor"))
    if endpoint == "totals":
        return TotalsQuery(filters, values.get("per"))
    if endpoint == "alerts":
        return AlertQuery(values.get("rule"), values.get("severity"), filters.place, filters.country,
                          filters.since, filters.until, limit, values.get("cursor"), filters.topic, filters.org)
    return StoryQuery(filters, values.get("min_copies", 2), limit, values.get("offset", 0))


def _filters(v: dict[str, Any]) -> Filters:
    point = [k for k in ("lat", "lon", "radius_km") if k in v]
    if point and len(point) != 3:
        raise QueryError("lat, lon and radius_km go together (articles naming a place within the radius)")
    if "since" in v and "until" in v and v["since"] >= v["until"]:
        raise QueryError("since must be before until")
    f = Filters(**{k: v[k] for k in ("topic", "place", "org", "country", "source", "since", "until", "duplicate",
                                       "story", "item", "unit", "kind") if k in v})
    if point:
        f = replace(f, near=Near(v["lat"], v["lon"], v["radius_km"]))
    if "q" in v:
        f = replace(f, words=v["q"])
    return f


def incident_filters(v: dict[str, Any]) -> IncidentFilters:
    """The incident filters of checked values; since/until become event days (until exclusive)."""
    f = _filters({k: v[k] for k in ("place", "lat", "lon", "radius_km", "org", "country", "since", "until") if k in v})
    until = None
    if f.until is not None:  # a date-time inside a day still takes that whole day
        day = date.fromisoformat(f.until[:10])
        until = (day if f.until.endswith("T00:00:00Z") else day + timedelta(days=1)).isoformat()
    return IncidentFilters(
        type=v.get("type"), place=f.place, near=f.near, actor=v.get("actor"), target=v.get("target"), org=f.org,
        country=f.country, admin1=v.get("admin1"), since=f.since[:10] if f.since else None, until=until,
        min_killed=v.get("min_killed"), min_injured=v.get("min_injured"), min_arrested=v.get("min_arrested"),
        min_outlets=v.get("min_outlets"))


def _limit(endpoint: str, given: int | None) -> int:
    default, cap = LIMITS.get(endpoint, (0, 0))
    if given is None:
        return default
    if given > cap:
        raise QueryError(f"limit is at most {cap} for {endpoint} (got {given}); page with "
                         + ("cursor" if "cursor" in ENDPOINTS[endpoint] else "offset"))
    return given
