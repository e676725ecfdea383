"""The events that cross marsad's topics.

Every event is a small frozen record with an explicit ``VERSION``. On the wire
an event is one JSON object carrying, beside its own fields, ``type`` (the
class name) and ``version``; see `marsad.schemas.codec`. Older versions are
described in `marsad.schemas.upcast` and lifted to the current one when read.

Common fields:
    event_id     unique id of this event (deterministic where a retry or a
                 replay must not create a second one)
    occurred_at  when it happened (UTC)
    causation_id the event_id of the event that caused this one, if any
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import ClassVar, Literal

import msgspec

from marsad.schemas.facts import Incident, Org, Place, Quantity, Topic
from marsad.schemas.wire import (
    AlertKind,
    Base64,
    Compression,
    Count,
    Day,
    DeadLetterStage,
    DuplicateStatus,
    IncidentType,
    Origin,
    Revision,
    Severity,
    SourceKind,
    Timestamp,
)


def new_event_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class Event(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Base of all events. Subclasses set VERSION and declare their fields."""

    VERSION: ClassVar[int] = 1

    event_id: str = msgspec.field(default_factory=new_event_id)
    occurred_at: Timestamp = msgspec.field(default_factory=utcnow)
    causation_id: str | None = None

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__


class ArticleDiscovered(Event, frozen=True, kw_only=True, omit_defaults=True):
    """A feed entry was seen for the first time. Key: article_id."""

    VERSION: ClassVar[int] = 1

    article_id: str  # stable id from the canonical URL
    url: str  # canonical URL
    feed_id: str
    source: str  # outlet (feed title or host)
    title: str = ""
    published: Timestamp | None = None
    summary: str = ""
    lang: str = ""  # language hint of the feed
    has_content: bool = False  # the entry carries the full article text
    # Added for the separate fetcher (`marsad fetch`), optional so older events still decode:
    link: str = ""  # the entry's link as the feed gave it (what gets fetched); empty: fetch `url`
    content_text: str | None = None  # the feed's full article text, when it carries it
    # Added with the sources beyond RSS, optional likewise: where content_text comes from when it is
    # not a feed entry ("telegram": a channel post, which is the article; no page is fetched for it).
    content_origin: Origin | None = None
    # Added with the source kind in the views, optional likewise (absent in events written before):
    source_kind: SourceKind | None = None  # the registry kind of the source that listed it
    edited: bool = False  # the source marks the entry as changed since it was published (a Telegram edit)
    revision: Revision = 1  # 2, 3...: a changed entry announced again under the same article id


class RawPage(msgspec.Struct, frozen=True, omit_defaults=True):
    """The page as fetched, kept so extraction can be re-run by replaying the log."""

    data: Base64  # compressed with `compression`
    compression: Compression = "zlib"
    content_type: str = ""
    encoding: str = ""  # charset the page was decoded with
    size: int = 0  # bytes before compression
    truncated: bool = False  # cut at the size cap before compression


class ArticleFetched(Event, frozen=True, kw_only=True, omit_defaults=True):
    """An article's text is available (fetched page, full feed entry or local import).

    Key: article_id. The source of truth of everything downstream.
    """

    VERSION: ClassVar[int] = 1

    article_id: str
    url: str = ""
    source: str = ""
    feed_id: str = ""
    origin: Origin = "page"  # "page", "feed" (entry content), "import" or "telegram" (a channel post)
    title: str = ""
    text: str  # extracted text (may still hold boilerplate) or HTML for imports
    author: str = ""
    published: Timestamp | None = None
    lang: str = ""
    raw: RawPage | None = None
    # Added with the source kind in the views, optional so older events still decode (`source_kind_of`
    # then infers the kind from `origin` where it can):
    source_kind: SourceKind | None = None
    edited: bool = False  # the source changed the text after publishing it
    revision: Revision = 1  # as in the ArticleDiscovered that caused it


# What an ArticleFetched's origin says of its source's kind, for events written before they carried it:
# a post comes from a channel, an import from `marsad import`, a feed entry's own text from an RSS/Atom feed.
# A fetched page ("page") may have been listed by a feed, a sitemap or a section page: not known.
_KIND_OF_ORIGIN: dict[str, SourceKind] = {"telegram": "telegram", "import": "import", "feed": "rss"}


def source_kind_of(fetched: ArticleFetched) -> SourceKind | None:
    """The kind of source a fetched article came from: as the event says, else as its origin tells."""
    return fetched.source_kind or _KIND_OF_ORIGIN.get(fetched.origin)


class Duplicate(msgspec.Struct, frozen=True, omit_defaults=True):
    """The deduplication verdict: "original", "exact" or "near" (a copy of first_id)."""

    status: DuplicateStatus = "original"
    first_id: str | None = None
    similarity: float = 0.0


class ArticleProcessed(Event, frozen=True, kw_only=True, omit_defaults=True):
    """Clean text and extracted facts of one article. Key: article_id.

    Version 4 adds the source kind and the revision (an edited post processed
    again under its article id replaces the earlier version in the views);
    version 3 added the incidents the article reports; version 2 carried scored
    topics with evidence; version 1 carried topic ids only (see `marsad.schemas.upcast`).
    """

    VERSION: ClassVar[int] = 4

    article_id: str
    url: str = ""
    source: str = ""
    title: str = ""
    published: Timestamp | None = None
    lang: str = ""
    clean_text: str
    topics: list[Topic] = []
    places: list[Place] = []
    countries: list[str] = []
    orgs: list[Org] = []
    quantities: list[Quantity] = []
    incidents: list[Incident] = []
    duplicate: Duplicate = msgspec.field(default_factory=Duplicate)
    taxonomy_version: str = ""  # content hash of the taxonomy file used
    gazetteer_version: str = ""  # content hash of the gazetteer used
    source_kind: SourceKind | None = None  # rss, sitemap, page, telegram or import; None: not known (v3 and older)
    edited: bool = False  # the source changed the text after publishing it
    revision: Revision = 1  # the article's version: a later one replaces an earlier one downstream


class AlertRaised(Event, frozen=True, kw_only=True, omit_defaults=True):
    """A rule matched a story (or a spike in a window, or a fused incident). Key on the alert topics: rule_id.

    ``alert_id`` is deterministic (rule + story, rule + scope + window, or rule +
    incident), so a
    restart or a replay never raises the same alert twice and consumers
    deduplicate by it. Later copies of the same story do not raise again: they
    publish `AlertUpdated` with the same ``alert_id``.
    """

    VERSION: ClassVar[int] = 1

    alert_id: str
    rule_id: str
    title: str
    severity: Severity
    kind: AlertKind = "story"  # "story" (rule matched articles), "spike" (count above baseline) or "incident"
    story_id: str = ""  # article_id of the story's first copy
    article_ids: list[str] = []
    sources: list[str] = []
    titles: list[str] = []  # titles of article_ids, same order
    urls: list[str] = []  # urls of article_ids, same order
    topics: list[Topic] = []
    places: list[Place] = []
    countries: list[str] = []
    orgs: list[Org] = []
    quantities: list[Quantity] = []
    matched: list[str] = []  # human-readable reasons: which condition matched what
    scope: str = ""  # spike alerts: what was counted, e.g. "topic=narcotics place=درعا"
    window_start: Timestamp | None = None  # spike alerts: the window; story alerts: first article
    window_end: Timestamp | None = None
    observed: float | None = None  # spike alerts: count in the window
    expected: float | None = None  # spike alerts: baseline count
    rules_version: str = ""
    taxonomy_version: str = ""
    gazetteer_version: str = ""
    # incident alerts (kind "incident"): the fused incident and its reconciled figures
    incident_id: str = ""
    incident_type: IncidentType | Literal[""] = ""
    killed: int | None = None
    injured: int | None = None
    arrested: int | None = None
    outlets: int | None = None  # independent outlets (copies count once)


class AlertUpdated(Event, frozen=True, kw_only=True, omit_defaults=True):
    """More copies of an alerted story arrived, more reports in a spike's window, or an alerted
    incident's figures changed (a higher toll, a new outlet). Key on the alert topics: rule_id.

    ``revision`` counts up from 1 per alert; (alert_id, revision) is unique and
    deterministic, so consumers apply each update once. ``article_ids`` and
    ``sources`` are the full lists so far, not a delta: the latest revision wins.
    """

    VERSION: ClassVar[int] = 1

    alert_id: str
    rule_id: str
    severity: Severity
    revision: int
    article_id: str  # the copy that caused this update
    source: str = ""
    article_ids: list[str] = []
    sources: list[str] = []
    observed: float | None = None  # spike alerts: the new count in the window
    # incident alerts: the figures that changed (a higher toll, a new outlet), as the incident now stands
    incident_id: str = ""
    killed: Count | None = None
    injured: Count | None = None
    arrested: Count | None = None
    outlets: Count | None = None


class IncidentReport(msgspec.Struct, frozen=True, omit_defaults=True):
    """One article's report of an incident: which article, which outlet, what it said.

    ``at`` and ``report_id`` (since IncidentRecorded version 2) are where the report stands among the
    incident's: reports are listed in (event time, report id) order, which a view keeps with each report
    it stores as events add them (a version-1 event lists them all, in that order, without either).
    """

    article_id: str
    source: str = ""
    url: str = ""
    title: str = ""
    published: Timestamp | None = None
    lang: str = ""
    duplicate_of: str | None = None  # an exact or near copy of this article id: not an independent outlet
    evidence: str = ""
    date: Day | None = None  # the event's date as this report gives it
    place: Place | None = None
    killed: Count | None = None
    injured: Count | None = None
    arrested: Count | None = None
    at: Timestamp | None = None  # the article's event time, as the fold orders reports
    report_id: str = ""  # "{article_id}#{n}": the article's n-th incident (ties of ``at``)


class IncidentRecorded(Event, frozen=True, kw_only=True, omit_defaults=True):
    """An incident fused across the outlets that reported it. Key on the incidents topic: incident_id.

    ``incident_id`` is deterministic (from its first report), so a replay records the
    same incident again. The counts are reconciled over the reports: the figure most
    independent sources give, with ``*_min``/``*_max`` the range they span.
    ``outlets`` counts independent outlets (exact and near copies count once).

    Version 2 lists in ``reports`` only the report(s) this revision adds (the recorded incident's
    first one; the one that joined an update), with ``reports_total`` and ``sources`` telling the
    whole record: so an event costs the same however many reports the incident has, where version 1
    listed them all in every revision (a widely reported event reached megabytes). A view keeps the
    reports it was given, by (incident, article). Version 1 reads as version 2 with its full list
    (`marsad.schemas.upcast`).
    """

    VERSION: ClassVar[int] = 2

    incident_id: str
    incident_type: IncidentType  # (``type`` is the event's own name on the wire)
    date: Day | None = None  # YYYY-MM-DD, the event's day
    place: Place | None = None
    country: str = ""  # ISO 3166-1 alpha-2: the place's, else the reporting article's only country
    actors: list[str] = []
    targets: list[str] = []
    killed: Count | None = None
    injured: Count | None = None
    arrested: Count | None = None
    killed_min: Count | None = None
    killed_max: Count | None = None
    injured_min: Count | None = None
    injured_max: Count | None = None
    arrested_min: Count | None = None
    arrested_max: Count | None = None
    quantities: list[Quantity] = []
    evidence: str = ""  # the first report's evidence sentence
    reports: list[IncidentReport] = []  # the report(s) this revision adds, in (at, report id) order
    reports_total: Count = 1  # reports of the incident so far (copies included)
    sources: list[str] = []  # every outlet name of its reports, by its earliest report (copies included)
    outlets: Count = 1
    first_seen: Timestamp | None = None
    last_seen: Timestamp | None = None
    revision: Revision = 1  # counts up per incident; (incident_id, revision) is unique and deterministic


class IncidentUpdated(IncidentRecorded, frozen=True, kw_only=True, omit_defaults=True):
    """A new report joined a recorded incident: its figures as the record now stands (the latest
    revision wins), and the report that joined (``reports``, added to those before). Key on the
    incidents topic: incident_id. Versions as `IncidentRecorded`."""

    VERSION: ClassVar[int] = 2


class DeadLetter(Event, frozen=True, kw_only=True, omit_defaults=True):
    """Something a stage could not handle, kept with the reason so nothing is silently lost."""

    VERSION: ClassVar[int] = 1

    stage: DeadLetterStage  # "fetch", "import", "process", "views", "alerts" or "deliver"
    reason: str  # human-readable: what was wrong
    error: str = ""  # machine-readable kind: "schema", "timeout", "too_large"...
    key: str | None = None
    url: str = ""
    source_topic: str = ""
    source_partition: int | None = None
    source_offset: int | None = None
    payload: Base64 = b""  # the original message value (or a prefix of it)


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (ArticleDiscovered, ArticleFetched, ArticleProcessed, AlertRaised, AlertUpdated,
                IncidentRecorded, IncidentUpdated, DeadLetter)
}
