"""What the alerter keeps in its tables (compacted changelogs) and the back-test in its dicts.

Every value goes through `marsad.schemas.state.StateCodec` (a ``v<N> `` prefix and
upcasters), by way of `marsad.streams.alerts.notes.StateStore`:

    alert-stories          story id -> `StoryState` (its articles, each story rule's `RuleState`)
    alert-spikes           rule|scope -> `SpikeState` (its windows' articles, the alerts they fired)
    alert-incidents        incident id -> `IncidentState` (its reports, revision, alert marks)
    alert-incident-days    "{scope}|{day}" -> `DayBucket`: the open incidents filed under that day
                           (their date, else the day of their first report), each with the `Brief`
                           a report is matched against, so a report reads five small buckets and
                           decodes only the incident it joins
    alert-incident-reports report id -> the incident it joined (a plain string)
"""

from __future__ import annotations

import msgspec

from marsad.schemas.facts import Place
from marsad.schemas.notes import ArticleRef, Facts, ReportNote, RuleHit


class RuleState(msgspec.Struct, omit_defaults=True):
    """Where one story rule stands for one story."""

    hit: RuleHit
    hit_article: str  # the article whose evidence the alert carries: the earliest matching one
    hit_at: float
    fired: bool = False
    revision: int = 0  # updates published since the alert was raised


class StoryState(msgspec.Struct, omit_defaults=True):
    articles: list[ArticleRef] = []  # in (at, article_id) order
    rules: dict[str, RuleState] = {}
    facts: dict[str, Facts] = {}  # article id -> its facts, for the articles that matched a rule
    seen: float = 0.0  # when the stream last processed an article of the story, epoch s (`expiry`)


class SpikeState(msgspec.Struct, omit_defaults=True):
    first_at: float  # earliest event time seen in this scope: how much history there is
    buckets: dict[int, list[ArticleRef]] = {}  # window start (epoch s) -> its articles
    fired: dict[int, int] = {}  # window start -> revision of its alert (0: just raised)


class AlertMark(msgspec.Struct, omit_defaults=True):
    """Where one incident rule's alert stands for one incident (see `marsad.streams.alerts.incidents`)."""

    revision: int = 0  # updates published since the alert was raised
    signature: list[int | None] = []  # the figures it last told: a change is an update


class IncidentState(msgspec.Struct, omit_defaults=True):
    incident_id: str
    scope: str
    reports: list[ReportNote] = []  # in arrival order; the first one named the incident
    day: int = 0  # the day it is filed under in the day index
    revision: int = 1  # of its latest event: 1 is the IncidentRecorded
    seen: float = 0.0  # processing time of its latest report, epoch s (expiry)
    alerts: dict[str, AlertMark] = {}  # incident rule id -> its alert


class Brief(msgspec.Struct, frozen=True, omit_defaults=True):
    """What a report is matched against: the incident as its reports reconcile (`marsad.streams.fusion.reconcile`)."""

    first_seen: float
    date: str | None = None
    place: Place | None = None
    actors: list[str] = []
    targets: list[str] = []
    killed: int | None = None
    injured: int | None = None
    arrested: int | None = None


class DayBucket(msgspec.Struct, omit_defaults=True):
    incidents: dict[str, Brief] = {}  # incident id -> its brief
