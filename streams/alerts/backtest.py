"""Back-test: the alerts a rules file would have raised over the ArticleProcessed history.

`marsad alerts backtest` reads ``articles.processed`` from Kafka (every
partition, up to the end offsets taken at start), runs the live agent's own
functions (`engine.route`, `expiry.fold_story`, `spike.apply_spike`,
`incidents.fold_incident`: incident fusion and incident rules) with dicts for
state, and publishes nothing. Partitions are merged in the order of
their record timestamps, which is close to the order the live agent read
them; story alerts do not depend on that order at all (see `engine`), spike
alerts only when late reports change a baseline.

With ``since``, earlier articles still build the state (stories, baselines)
but only alerts raised from ``since`` on are reported; articles from
``until`` on are left out.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from kafka import KafkaConsumer

from marsad.runtime.kafka.connection import Kafka, kafka_python_options
from marsad.runtime.kafka.read import RAISE, partitions_of, read_to_end
from marsad.runtime.table import render
from marsad.schemas.alert_state import DayBucket, IncidentState, StoryState
from marsad.schemas.codec import SchemaError, decode_as
from marsad.schemas.events import AlertRaised, AlertUpdated, ArticleProcessed, IncidentRecorded
from marsad.schemas.facts import Place, Quantity
from marsad.streams.alerts.engine import ArticleNotes, route
from marsad.streams.alerts.expiry import (
    DEFAULT_DAYS,
    DEFAULT_FIRED_DAYS,
    fold_story,
    story_keep_s,
    story_ttl_s,
)
from marsad.streams.alerts.incidents import fold_incident
from marsad.streams.alerts.notes import StateStore
from marsad.streams.alerts.rules import Ruleset
from marsad.streams.alerts.spike import Scope, SpikeStores, apply_spike
from marsad.streams.fusion.expiry import incident_ttl_s
from marsad.streams.fusion.state import IncidentStores
from marsad.streams.hour_index import HourIndex

T = TypeVar("T")


@dataclass
class AlertSummary:
    """One alert as the back-test ends with it (the latest revision's counts)."""

    alert_id: str
    rule_id: str
    severity: str
    kind: str
    raised_at: str  # event time of the article that raised it (ISO)
    story_id: str = ""
    scope: str = ""
    window_start: str = ""
    first_title: str = ""
    article_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    observed: float | None = None
    expected: float | None = None
    revision: int = 0
    places: list[str] = field(default_factory=list)
    quantities: list[str] = field(default_factory=list)
    incident_id: str = ""  # incident alerts: the fused incident and its latest figures
    killed: int | None = None
    outlets: int | None = None

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["articles"] = len(self.article_ids)
        return d


@dataclass
class Report:
    rules: Ruleset
    articles: int = 0  # articles run through the rules
    undecodable: int = 0
    reports: int = 0  # incident reports fused
    incidents: int = 0  # incidents they made
    alerts: dict[str, AlertSummary] = field(default_factory=dict)  # alert id -> summary, in raising order
    taxonomies: Counter[str] = field(default_factory=Counter)  # taxonomy version -> articles it last classified

    def by_rule(self) -> dict[str, list[AlertSummary]]:
        out: dict[str, list[AlertSummary]] = {rid: [] for rid in self.rules.ids}
        for a in self.alerts.values():
            out.setdefault(a.rule_id, []).append(a)
        return out


@dataclass(frozen=True, order=True)
class _Item:
    ts: int  # record timestamp (ms)
    partition: int
    offset: int
    routed: ArticleNotes | None = field(compare=False, default=None)
    at: float = field(compare=False, default=0.0)


def replay(routed: Iterable[tuple[float, ArticleNotes]], rules: Ruleset, *, since: datetime | None = None,
           story_days: int = DEFAULT_DAYS, fired_days: int = DEFAULT_FIRED_DAYS, encoded: bool = False) -> Report:
    """Fold routed articles (event time, notes), in order, into fresh dict states; collect what fires.

    Stories and incidents expire after ``story_days`` as in the live agent
    (`expiry`), over one partition where the agent has one clock per
    partition: the two can differ only for a copy processed about
    ``story_days`` after its story or incident. A story that raised an alert is
    kept (as its rule states) ``fired_days`` after it was last seen, as there.

    ``encoded``: keep the states encoded, as the agent's tables do (slower; the report is the same).
    """
    report = Report(rules)
    # States stay objects here (the agent keeps them encoded in its tables): a JSON round trip per
    # note cost more than the rules themselves. The folds store every state they change, and the
    # states round-trip exactly, so the alerts are the same (tests/streams/alerts/test_backtest_states.py;
    # `benchmarks.bench_alerts --golden` compares the whole output on a large corpus).
    stories: MutableMapping[str, StoryState] = StateStore({}, StoryState) if encoded else {}
    spikes = SpikeStores.over({}) if encoded else SpikeStores({}, {})
    scopes: dict[str, Scope] | None = None if encoded else {}  # kept where states live as objects (`Scope`)
    ttl_s = story_ttl_s(story_days, rules)
    expiry = HourIndex({}, 0, ttl_s) if ttl_s else None
    keep_s = story_keep_s(fired_days, ttl_s) if ttl_s else None
    incidents = IncidentStores(StateStore({}, IncidentState), StateStore({}, DayBucket), StateStore({}, str)) \
        if encoded else IncidentStores({}, {}, {})
    incident_ttl = incident_ttl_s(story_days)
    incident_expiry = HourIndex({}, 0, incident_ttl) if incident_ttl else None
    floor = since.timestamp() if since else None
    labels = Labels()
    with collector_paused():
        for at, r in routed:
            report.articles += 1
            events, _ = fold_story(stories, r.story, expiry, keep_s)
            for note in r.spikes:
                events += apply_spike(spikes, note, scopes)
            for note in r.reports:
                folded = fold_incident(incidents, note, incident_expiry, rules)
                report.reports += 1
                report.incidents += sum(type(e) is IncidentRecorded for e in folded.incidents)
                events += folded.alerts
                for spike in folded.spikes:
                    events += apply_spike(spikes, spike, scopes)
            for event in events:
                _record(report, event, at, floor, labels)
    return report


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a back-test's folds (on again after, as it was).

    A back-test builds millions of small objects (notes, states) that live to its end and hold no
    cycles: the collector rescanned them again and again, for half the run's time, freeing nothing.
    On resuming, what was built meanwhile goes straight to the collector's oldest generation
    (`gc.freeze` then `gc.unfreeze`), where a young collection would have scanned it all once more.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


class Labels:
    """Readable labels, each made once: of a list of facts (the alerts a story raises under several
    rules share its article's lists of places and quantities), of an article's time, of a window's start."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[list, list[str]]] = {}  # id of a list -> the list (kept alive), its labels
        self._time: tuple[float, str] = (math.nan, "")
        self._start: tuple[datetime | None, str] = (None, "")

    def time(self, at: float) -> str:
        if self._time[0] != at:
            self._time = (at, datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds"))
        return self._time[1]

    def start(self, when: datetime | None) -> str:
        """A window's start, as the summary shows it (the alerts of one story share it)."""
        if when is None:
            return ""
        last = self._start[0]
        if last is None or last != when or last.tzinfo is not when.tzinfo:  # equal instants, other zones: other text
            self._start = (when, when.isoformat())
        return self._start[1]

    def of(self, items: list[T], label: Callable[[T], str]) -> list[str]:
        made = self._made.get(id(items))
        if made is None or made[0] is not items:
            made = self._made[id(items)] = (items, [label(x) for x in items])
        return list(made[1])


def _place_label(p: Place) -> str:
    return f"{p.name} ({p.lat:.4f}, {p.lon:.4f})"


def _quantity_label(q: Quantity) -> str:
    return f"{q.value:,.0f} {q.unit}{' ' + q.item if q.item else ''}"


def _record(report: Report, event: AlertRaised | AlertUpdated, at: float, floor: float | None, labels: Labels) -> None:
    if isinstance(event, AlertRaised):
        if floor is not None and at < floor:
            return
        report.alerts[event.alert_id] = AlertSummary(
            event.alert_id, event.rule_id, event.severity, event.kind,
            labels.time(at), event.story_id, event.scope,
            labels.start(event.window_start), event.titles[0] if event.titles else "",
            list(event.article_ids), list(event.sources), event.observed, event.expected, 0,
            labels.of(event.places, _place_label), labels.of(event.quantities, _quantity_label),
            event.incident_id, event.killed, event.outlets)
        return
    summary = report.alerts.get(event.alert_id)
    if summary is not None:
        summary.article_ids = list(event.article_ids)
        summary.sources = list(event.sources)
        summary.revision = event.revision
        if event.observed is not None:
            summary.observed = event.observed
        if event.incident_id:
            summary.killed, summary.outlets = event.killed, event.outlets


def read_routed(bootstrap: Kafka, topic: str, rules: Ruleset, *, until: datetime | None = None,
                progress: Callable[[int, int], None] | None = None,
                taxonomies: dict[str, str] | None = None) -> tuple[list[tuple[float, ArticleNotes]], int]:
    """Route every ArticleProcessed of ``topic`` up to its end offsets now; return them in replay order
    (partitions merged by record timestamp) and the number of undecodable records. ``taxonomies``,
    when given, gets each article's taxonomy version, of its latest processing (a reprocessed
    article counts with the taxonomy that reprocessed it)."""
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), enable_auto_commit=False, client_id="marsad-backtest",
                             max_poll_records=5000, max_partition_fetch_bytes=8 * 1024 * 1024,
                             fetch_max_bytes=64 * 1024 * 1024)
    limit = until.timestamp() if until else None
    try:
        parts = partitions_of(consumer, topic)
        begins, ends = consumer.beginning_offsets(parts), consumer.end_offsets(parts)
        total = sum(ends[tp] - begins[tp] for tp in parts)
        per_part: dict[int, list[_Item]] = {tp.partition: [] for tp in parts}
        bad = done = 0
        with collector_paused():  # every routed article is kept to the end (see `collector_paused`)
            for record in read_to_end(consumer, ends, starts=begins, stall=RAISE):
                done += 1
                try:
                    article = decode_as(record.value, ArticleProcessed)
                except SchemaError:
                    bad += 1
                    continue
                if taxonomies is not None:
                    taxonomies[article.article_id] = article.taxonomy_version
                r = route(article, rules)
                at = r.story.article.at
                if limit is None or at < limit:
                    per_part[record.partition].append(_Item(record.timestamp, record.partition, record.offset, r, at))
                if progress:
                    progress(done, total)
    finally:
        consumer.close()
    merged = heapq.merge(*per_part.values())  # keeps each partition's own order
    return [(item.at, item.routed) for item in merged if item.routed is not None], bad


def backtest(bootstrap: Kafka, topic: str, rules: Ruleset, *, since: datetime | None = None,
             until: datetime | None = None, story_days: int = DEFAULT_DAYS, fired_days: int = DEFAULT_FIRED_DAYS,
             progress: Callable[[int, int], None] | None = None) -> Report:
    """The whole back-test: read, route and replay (publishes nothing)."""
    latest: dict[str, str] = {}
    routed, bad = read_routed(bootstrap, topic, rules, until=until, progress=progress, taxonomies=latest)
    report = replay(routed, rules, since=since, story_days=story_days, fired_days=fired_days)
    report.undecodable, report.taxonomies = bad, Counter(latest.values())
    return report


def taxonomy_warning(report: Report, version: str) -> str | None:
    """One line when articles of the log were classified with another taxonomy than ``version``
    (the one in force): their topics and organisations are the old taxonomy's, so rules on new
    topics or terms miss them until the log is reprocessed. None when every article agrees."""
    other = sum(n for v, n in report.taxonomies.items() if v != version)
    if not other:
        return None
    total = sum(report.taxonomies.values())
    versions = sorted(v or "unknown" for v in report.taxonomies if v != version)
    return (f"warning: {other:,} of {total:,} article(s) were classified with another taxonomy "
            f"({', '.join(versions)}) than the one in force ({version}); topic and organisation conditions "
            "see their old labels: run `marsad replay --reprocess` to classify them again, then back-test")


# --- output ---------------------------------------------------------------------------------------
def as_json(report: Report, *, since: datetime | None, until: datetime | None, examples: int = 3) -> dict[str, Any]:
    by_rule = report.by_rule()
    meta = {r.id: r for r in (*report.rules.story, *report.rules.spikes, *report.rules.incidents)}
    return {
        "rules_version": report.rules.version, "rules_file": report.rules.source,
        "since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
        "articles": report.articles, "undecodable": report.undecodable, "alerts_total": len(report.alerts),
        "incident_reports": report.reports, "incidents": report.incidents,
        "taxonomies": dict(report.taxonomies),  # taxonomy version -> articles it last classified
        "rules": [{"rule_id": rid, "title": meta[rid].title if rid in meta else "",
                   "severity": meta[rid].severity if rid in meta else "",
                   "kind": _kind(report.rules, rid),
                   "alerts": len(alerts), "alert_ids": [a.alert_id for a in alerts],
                   "examples": [a.as_dict() for a in alerts[:examples]]}
                  for rid, alerts in by_rule.items()],
        "alerts": [a.as_dict() for a in report.alerts.values()],
    }


def as_table(report: Report, *, examples: int = 3) -> list[str]:
    """The back-test for a terminal: a row per rule, its first ``examples`` alerts under it, then the total."""
    by_rule = report.by_rule()
    meta = {r.id: r for r in (*report.rules.story, *report.rules.spikes, *report.rules.incidents)}
    header, *rows = render(("rule", "severity", "kind", "alerts"),
                           [(rid, meta[rid].severity if rid in meta else "", _kind(report.rules, rid), len(alerts))
                            for rid, alerts in by_rule.items()], max_width=None).splitlines()
    lines = [f"rules {report.rules.version} ({report.rules.source}) over {report.articles:,} article(s)"
             + (f", {report.undecodable} undecodable" if report.undecodable else "")
             + (f"; {report.reports:,} incident report(s) fused into {report.incidents:,} incident(s)"
                if report.reports else ""),
             header]
    for row, alerts in zip(rows, by_rule.values(), strict=True):
        lines.append(row)
        for a in alerts[:examples]:
            if a.kind == "spike":
                what = f"observed {a.observed:g} expected {a.expected:g}  {a.scope}"
            elif a.kind == "incident":
                killed = f"killed {a.killed}, " if a.killed is not None else ""
                what = f"incident {a.incident_id[:12]}: {killed}{a.outlets} outlet(s)  {a.first_title}"
            else:
                what = f"{len(a.sources)} source(s)  {a.first_title}"
            lines.append(f"    {a.alert_id[:12]}  {a.raised_at[:16]}  {what}"
                         + (f"  [{'; '.join(a.quantities)}]" if a.quantities else ""))
    lines.append(f"{len(report.alerts)} alert(s) in all")
    return lines


def _kind(rules: Ruleset, rule_id: str) -> str:
    if any(r.id == rule_id for r in rules.spikes):
        return "spike"
    return "incident" if any(r.id == rule_id for r in rules.incidents) else "story"
