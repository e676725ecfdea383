"""What the alerter keeps in its tables (compacted changelogs) and the back-test in its dicts.

Every value goes through `marsad.schemas.state.StateCodec` (a ``v<N> `` prefix and
upcasters), by way of `marsad.streams.alerts.notes.StateStore`:

    alert-stories          story id -> `StoryState` (its articles, each story rule's `RuleState`)
    alert-spikes           rule|scope -> `SpikeState`: a scope's head (its windows and their counts, the
                           alerts they fired), and "rule|scope@{window start}" -> `SpikeWindow`: one
                           window's articles, so a note reads and writes its window and the head only
    alert-incidents        incident id -> `IncidentState` (its reports, revision, alert marks)
    alert-incident-days    "{scope}|{day}" -> `DayBucket`: the open incidents filed under that day
                           (their date, else the day of their first report), each with the `Brief`
                           a report is matched against, so a report reads five small buckets and
                           decodes only the incident it joins
    alert-incident-reports report id -> the incident it joined (a plain string)
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from marsad.schemas.facts import Place
from marsad.schemas.notes import ArticleRef, Facts, ReportNote, RuleHit
from marsad.schemas.state import state_upcaster


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
    """A spike scope's head: which windows it keeps and how many articles each holds.

    Version 1 held every window's articles and alert here (``buckets``, ``fired``), the whole
    baseline rewritten for each note; since version 2 each window is a `SpikeWindow` record of its
    own. A version-1 state reads with its windows still in ``buckets`` and ``fired`` (and their
    ``counts``): the fold moves them out to their records the first time it touches the scope
    (`marsad.streams.alerts.spike`).
    """

    state_version: ClassVar[int] = 2
    first_at: float  # earliest event time seen in this scope: how much history there is
    counts: dict[int, int] = {}  # window start (epoch s) -> how many articles its `SpikeWindow` holds
    buckets: dict[int, list[ArticleRef]] = {}  # a version-1 state's windows, not moved to their records yet
    fired: dict[int, int] = {}  # and their alerts: window start -> revision


class SpikeWindow(msgspec.Struct, omit_defaults=True):
    """One window of a spike scope: its articles, in (at, article id) order, and its alert, once raised."""

    articles: list[ArticleRef] = []
    fired: int | None = None  # revision of the window's alert (0: just raised; None: none raised)


@state_upcaster("SpikeState", 1)
def _spike_state_1_to_2(value: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept the windows' articles in the head: count them; the fold moves them out."""
    return {**value, "counts": {w: len(refs) for w, refs in value.get("buckets", {}).items()}}


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
