"""What the alerter keeps in its tables (compacted changelogs) and the back-test in its dicts.

Every value goes through `marsad.schemas.state.StateCodec` (a ``v<N> `` prefix and
upcasters), by way of `marsad.streams.alerts.notes.StateStore`:

    alert-stories          story id -> `StoryState` (its articles, each story rule's `RuleState`)
    alert-spikes           rule|scope -> `SpikeState`: a scope's head (its windows and their counts, the
                           alerts they fired), and "rule|scope@{window start}" -> `SpikeWindow`: one
                           window's articles, so a note reads and writes its window and the head only
    alert-incidents        incident id -> `IncidentState` (what its reports say together, revision, alert marks)
    alert-incident-days    "{scope}|{day}" -> `DayBucket`: the open incidents filed under that day
                           (their date, else the day of their first report), each with the `Brief`
                           a report is matched against, so a report reads five small buckets and
                           decodes only the incident it joins
    alert-incident-reports report id -> the incident it joined (a plain string)
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from marsad.schemas.facts import Place, Quantity
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


Order = tuple[float, str]  # where a report stands among an incident's: (event time, report id)


class OutletTally(msgspec.Struct, omit_defaults=True):
    """One independent outlet of an incident: the reports of its source(s) and their copies, as one."""

    first: Order  # its earliest report
    source: str  # that report's source: the outlet's name
    best: dict[str, int] = {}  # count -> its highest figure
    dates: list[str] = []  # the dates its reports give (each once)
    places: list[str] = []  # the place keys its reports name (each once)


class Named(msgspec.Struct, frozen=True, array_like=True):
    """Where an id (actor, target) or a place is first named: the report's order, and its position there."""

    first: Order
    pos: int = 0


class PlaceNamed(msgspec.Struct, frozen=True, array_like=True):
    first: Order  # the earliest report naming the place
    place: Place


class Listed(msgspec.Struct, frozen=True, array_like=True):
    """One of an incident's earliest reports, as its alerts list them."""

    first: Order
    article_id: str
    title: str = ""
    url: str = ""


class IncidentTally(msgspec.Struct, omit_defaults=True):
    """What the reports of one incident say together (`marsad.streams.fusion.reconcile.Tally`), kept so a
    new report is counted in without its predecessors: its size grows with the outlets, places, dates
    and parties the reports name, not with the reports. Only the copy links (``roots``) and the
    earliest reports (``listed``) would grow with them: both are capped (see there)."""

    count: int = 0  # reports counted in
    first: Order | None = None  # the earliest report
    last_at: float = 0.0  # the latest event time
    evidence: str = ""  # the earliest report's evidence sentence
    outlets: list[OutletTally] = []
    by_source: dict[str, int] = {}  # source -> its outlet (index in ``outlets``)
    roots: dict[str, int] = {}  # article root id -> its outlet, the latest `ROOTS` roots (oldest dropped)
    sources: dict[str, Order] = {}  # every source -> its earliest report
    stated: dict[str, list[int]] = {}  # count -> [lowest, highest] figure any report gives
    first_place: dict[str, PlaceNamed] = {}  # place key -> its earliest report's place
    actors: dict[str, Named] = {}  # id -> where it is first named
    targets: dict[str, Named] = {}
    quantities: list[Quantity] = []  # the earliest report giving any (``quantities_at``: which)
    quantities_at: Order | None = None
    listed: list[Listed] = []  # the earliest `LISTED` reports, in order


class IncidentState(msgspec.Struct, omit_defaults=True):
    """An open incident: what its reports say together, its revision, where its alerts stand.

    Version 1 kept every report (``reports``), decoded and reconciled again for each new one;
    since version 2 the state keeps their `IncidentTally`, so a report costs the same however many
    the incident has. A version-1 state reads with its reports still in ``reports``: the fold
    tallies them the first time it touches the incident (`marsad.streams.fusion.fusion`).
    """

    state_version: ClassVar[int] = 2
    incident_id: str
    scope: str
    tally: IncidentTally = msgspec.field(default_factory=IncidentTally)
    reports: list[ReportNote] = []  # a version-1 state's reports, not tallied yet
    day: int = 0  # the day it is filed under in the day index
    revision: int = 1  # of its latest event: 1 is the IncidentRecorded
    seen: float = 0.0  # processing time of its latest report, epoch s (expiry)
    alerts: dict[str, AlertMark] = {}  # incident rule id -> its alert


@state_upcaster("IncidentState", 1)
def _incident_state_1_to_2(value: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept every report in ``reports``: they stay there, the fold tallies them on first touch."""
    return value


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
