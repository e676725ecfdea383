"""Spike rules: a burst of reports in one scope, against the baseline of the preceding days.

A spike rule counts the articles of one topic per scope: per place (its
GeoNames id, or its point for our own gazetteer additions) or per country,
optionally only in the places or countries the rule lists. Time is cut into
fixed windows aligned on midnight UTC (``window``, e.g. 1h), and an article
counts in the window of its event time (`engine.event_time`: its publication
time, else its processing time, both from the event).

When an article lands in window ``w`` the rule compares the window's count
(``observed``) with the counts of the ``baseline_days`` of windows before it
(zeros included): ``expected`` is their mean. The window fires when all hold:

- observed >= ``min_count``;
- observed >= ``min_ratio`` x expected;
- the Poisson tail P(X >= observed) <= ``max_p``, with the rate the larger of
  the baseline's mean and variance (a bursty background raises the bar), and
  at least 0.1 (so a scope quiet for days still needs ``min_count`` reports);
- the scope has history: its first report is at least ``min_history_days``
  (default: ``baseline_days``) before the window. Nothing fires before.

A spike rule with ``count: incidents`` counts fused incidents instead
(`incident_spike_notes`): each new incident of its ``types`` once, when it is
recorded, at its first report's event time, in its place or country, however
many outlets report it; ten outlets on one attack are not a burst. Its alerts
list incident ids where article spikes list article ids.

A spike alert lists the window's article ids and sources, without titles and
urls (a scope keeps days of reports: their ids, times and sources only); the
report that made it fire is named in ``matched``.

One alert per (rule, scope, window): later reports in a fired window publish
`AlertUpdated` with the new observed count. Each article counts once (by id),
so a redelivery changes nothing. A scope keeps the windows of its baseline
plus a day (for late reports) before its latest window, and drops older ones.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat

from marsad.schemas.alert_state import SpikeState
from marsad.schemas.events import AlertRaised, AlertUpdated, IncidentRecorded
from marsad.schemas.facts import Place
from marsad.schemas.notes import ArticleRef, SpikeNote, Trigger
from marsad.streams.alerts.ids import alert_event_id, spike_alert_id
from marsad.streams.alerts.match import ArticleView, place_matches
from marsad.streams.alerts.notes import distinct_sources
from marsad.streams.alerts.rules import Ruleset, SpikeRule
from marsad.streams.geo import place_key
from marsad.streams.hour_index import DAY

MIN_RATE = 0.1
LATE_S = DAY  # a report up to a day late still finds its window's full baseline


def spike_notes(view: ArticleView, rules: Ruleset, ref: ArticleRef, trigger: Trigger) -> list[SpikeNote]:
    """One note per (spike rule, scope) the article counts in."""
    notes = []
    small = ArticleRef(ref.article_id, ref.at, ref.source)  # a scope keeps days of these: no titles
    for rule in rules.spikes:
        if rule.count != "articles":
            continue
        topic = view.topics.get(rule.topic)
        if topic is None or topic.score < rule.min_score:
            continue
        for scope_key, scope, places, countries in _scopes(rule, view):
            notes.append(SpikeNote(
                rule.id, rule.title, rule.severity, scope_key, scope, rule.window_s, rule.baseline_s,
                rule.history_s, rule.min_count, rule.max_p, rule.min_ratio, rules.version, small, trigger,
                places, countries, [topic], ref.title, ref.url))
    return notes


def incident_spike_notes(record: IncidentRecorded, rules: Ruleset) -> list[SpikeNote]:
    """One note per incident-counting spike rule whose scope a newly recorded incident is in."""
    notes = []
    first = record.reports[0] if record.reports else None
    at = (record.first_seen or record.occurred_at).timestamp()
    ref = ArticleRef(record.incident_id, at, first.source if first else "")
    trigger = Trigger(record.event_id, record.occurred_at)
    for rule in rules.spikes:
        if rule.count != "incidents" or (rule.types and record.incident_type not in rule.types):
            continue
        what = "incident=" + ("+".join(sorted(rule.types)) or "any")
        for scope_key, scope, places, countries in _incident_scopes(rule, record, what):
            notes.append(SpikeNote(
                rule.id, rule.title, rule.severity, scope_key, scope, rule.window_s, rule.baseline_s,
                rule.history_s, rule.min_count, rule.max_p, rule.min_ratio, rules.version, ref, trigger,
                places, countries, [], first.title if first else "", first.url if first else ""))
    return notes


def _incident_scopes(rule: SpikeRule, record: IncidentRecorded, what: str):
    country, p = record.country, record.place
    if rule.countries and country not in rule.countries:
        return
    if rule.per == "country":
        if country:
            yield f"{what} country={country}", f"{what} country={country}", [], [country]
        return
    if p is None:
        return
    key = place_key(p.geonameid, p.lat, p.lon)
    if rule.places and not any(place_matches(m, key, p) for m in rule.places):
        return
    places: list[Place] = [p]
    yield f"{what} place={key}", f"{what} place={p.name}", places, [p.country]


def _scopes(rule: SpikeRule, view: ArticleView):
    """(stable key, readable label, places, countries) of each scope of ``rule`` the article is in."""
    if rule.per == "country":
        for c in sorted(view.countries):
            if not rule.countries or c in rule.countries:
                yield f"topic={rule.topic} country={c}", f"topic={rule.topic} country={c}", [], [c]
        return
    seen = set()
    for key, p in view.places:
        if key in seen or (rule.countries and p.country not in rule.countries):
            continue
        if rule.places and not any(place_matches(m, key, p) for m in rule.places):
            continue
        seen.add(key)
        yield f"topic={rule.topic} place={key}", f"topic={rule.topic} place={p.name}", [p], [p.country]


def poisson_tail(k: int, rate: float) -> float:
    """P(X >= k) for X ~ Poisson(rate), rate > 0; summed from k upwards when that is the small side."""
    if k <= 0:
        return 1.0
    if k <= rate:
        term = total = math.exp(-rate)
        for i in range(1, k):
            term *= rate / i
            total += term
        return max(0.0, 1.0 - total)
    term = math.exp(-rate + k * math.log(rate) - math.lgamma(k + 1))
    total, i = 0.0, k
    while term > total * 1e-15 and term > 0:
        total += term
        i += 1
        term *= rate / i
    return min(1.0, total)


class Baseline:
    """The baseline windows before a window: how many, their mean count, and their variance (worked
    out when first asked: most windows fail the ratio to the mean, and need none)."""

    def __init__(self, state: SpikeState, window: int, window_s: int, n: int, total: int) -> None:
        self.n = n
        self.mean = total / n  # ``total``: the reports of the n windows
        self._where = (state.buckets, window, window_s)
        self._var: float | None = None

    @property
    def var(self) -> float:
        if self._var is None:
            n, mean = self.n, self.mean
            if n == 1:
                self._var = 0.0
            else:
                counts = window_counts(*self._where, n)
                square = [(c - mean) ** 2 for c in range(max(counts) + 1)]  # each count's term, made once
                self._var = sum(map(square.__getitem__, counts)) / (n - 1)  # summed in window order
        return self._var


def window_counts(buckets: dict[int, list[ArticleRef]], window: int, window_s: int, n: int) -> list[int]:
    """The counts of the ``n`` windows before ``window``, the latest first (zeros included)."""
    return list(map(len, map(buckets.get, range(window - window_s, window - (n + 1) * window_s, -window_s),
                             repeat(()))))


@dataclass
class Scope:
    """What `apply_spike` keeps in memory about one scope between its notes, beside its state.

    Valid while the store hands back the very state object it describes: so in the back-test,
    whose states live as objects for the whole run, a note costs the same however many windows
    its scope keeps. The agent decodes a state afresh for each note and keeps none: each note
    starts over from the state, and decides the same.
    """

    state: SpikeState
    window_s: int  # the rule's window when this was made
    kept: bool  # kept for the scope's next note
    windows: list[int]  # the state's windows, in order
    sizes: list[int] | None = None  # their counts (made when a kept scope first needs a baseline)
    aligned: bool = True  # every window starts at a multiple of window_s (a rules file may change a rule's window)
    baseline_of: int | None = None  # the window whose baseline is kept (no other window changed since)
    baseline: Baseline | None = None

    def counted(self, window: int) -> None:
        """One more report in ``window``, a window the state holds."""
        if self.sizes is not None:
            self.sizes[bisect_left(self.windows, window)] += 1

    def opened(self, window: int) -> None:
        """A new window, of one report."""
        at = bisect_left(self.windows, window)
        self.windows.insert(at, window)
        if self.sizes is not None:
            self.sizes.insert(at, 1)

    def dropped(self, gone: int) -> None:
        """The ``gone`` first windows are no more."""
        del self.windows[:gone]
        if self.sizes is not None:
            del self.sizes[:gone]

    def total(self, window: int, n: int) -> int:
        """How many reports the ``n`` windows before ``window`` hold."""
        if not self.kept:  # once only: counted from the state
            return sum(window_counts(self.state.buckets, window, self.window_s, n))
        if self.sizes is None:
            self.sizes = [len(self.state.buckets[w]) for w in self.windows]
            self.aligned = all(w % self.window_s == 0 for w in self.windows)
        if not self.aligned:
            return sum(window_counts(self.state.buckets, window, self.window_s, n))
        windows = self.windows
        return sum(self.sizes[bisect_left(windows, window - n * self.window_s):bisect_left(windows, window)])


def apply_spike(store, note: SpikeNote, scopes: dict[str, Scope] | None = None) -> list[AlertRaised | AlertUpdated]:
    """Count one article in its scope's window (``store``: rule|scope -> `SpikeState`); the events to publish.

    ``scopes`` (rule|scope -> `Scope`) keeps what the scopes' states need not hold from one note to
    the next, when the caller keeps their states as objects (the back-test).
    """
    key = note.state_key
    ref = note.article
    window = int(ref.at // note.window_s) * note.window_s
    state: SpikeState = store.get(key) or SpikeState(first_at=ref.at)
    scope = scopes.get(key) if scopes is not None else None
    if scope is None or scope.state is not state or scope.window_s != note.window_s:
        scope = Scope(state, note.window_s, scopes is not None, sorted(state.buckets))
        if scopes is not None:
            scopes[key] = scope
    buckets, windows = state.buckets, scope.windows
    bucket = buckets.get(window)
    if bucket is not None:
        # A stored state holds no window below its horizon (each fold drops them before storing), so
        # a window it holds is within it, and counting in it moves neither the horizon nor any window.
        if ref.article_id in [a.article_id for a in bucket]:
            return []
        insort(bucket, ref, key=_order)
        scope.counted(window)
        state.first_at = min(state.first_at, ref.at)
    else:
        horizon = (max(window, windows[-1]) if windows else window) - note.baseline_s - LATE_S
        if window < horizon:
            return []  # older than the scope keeps: too late to count
        bucket = buckets[window] = [ref]
        scope.opened(window)
        state.first_at = min(state.first_at, ref.at)
        if windows[0] < horizon:  # the windows that fell out (most new windows drop none)
            gone = bisect_left(windows, horizon)
            for w in windows[:gone]:
                del buckets[w]
            scope.dropped(gone)
        if state.fired and min(state.fired) < horizon:
            state.fired = {w: r for w, r in state.fired.items() if w >= horizon}
    if scope.baseline_of != window:
        scope.baseline_of = None  # a count changed outside the window whose baseline is kept
    events: list[AlertRaised | AlertUpdated] = []
    if window in state.fired:
        state.fired[window] += 1
        alert_id = spike_alert_id(note.rule_id, note.scope_key, window)
        events.append(_updated(note, alert_id, state.fired[window], bucket))
    elif len(bucket) >= note.min_count and state.first_at <= window - note.history_s:
        base = scope.baseline
        n = max(1, note.baseline_s // note.window_s)
        if base is None or scope.baseline_of != window or base.n != n:
            base = scope.baseline = Baseline(state, window, note.window_s, n, scope.total(window, n))
            scope.baseline_of = window
        observed = len(bucket)
        # the ratio first: it fails most often, and then neither the variance nor the tail is needed
        if observed >= note.min_ratio * base.mean:
            p = poisson_tail(observed, max(base.mean, base.var, MIN_RATE))
            if p <= note.max_p:
                state.fired[window] = 0
                events.append(_fired(note, window, bucket, base, p))
    store[key] = state
    return events


def _fired(note: SpikeNote, window: int, bucket: list[ArticleRef], base: Baseline, p: float) -> AlertRaised:
    alert_id = spike_alert_id(note.rule_id, note.scope_key, window)
    observed, mean = len(bucket), base.mean
    reason = (f"{observed} reports in {note.window_s / 3600:g} h from {_dt(window):%Y-%m-%d %H:%M} UTC, "
              f"expected {mean:.2f} (mean of {base.n} windows, variance {base.var:.2f}); "
              f"Poisson P(X >= {observed}) = {p:.2g}")
    latest = f"latest report: {note.title_of_article or note.article.article_id}" + (
        f" ({note.url_of_article})" if note.url_of_article else "")
    return _raised(note, alert_id, window, bucket, mean, reason, latest)


def _order(a: ArticleRef) -> tuple[float, str]:
    return a.at, a.article_id


def _raised(note: SpikeNote, alert_id: str, window: int, bucket: list[ArticleRef], mean: float,
            reason: str, latest: str) -> AlertRaised:
    return AlertRaised(
        event_id=alert_event_id(alert_id, 0), occurred_at=note.trigger.occurred_at,
        causation_id=note.trigger.event_id, alert_id=alert_id, rule_id=note.rule_id, title=note.title,
        severity=note.severity, kind="spike", article_ids=[a.article_id for a in bucket],
        sources=distinct_sources(bucket), topics=note.topics, places=note.places, countries=note.countries, matched=[reason, latest], scope=note.scope,
        window_start=_dt(window), window_end=_dt(window + note.window_s), observed=float(len(bucket)),
        expected=round(mean, 4), rules_version=note.rules_version)


def _updated(note: SpikeNote, alert_id: str, revision: int, bucket: list[ArticleRef]) -> AlertUpdated:
    return AlertUpdated(
        event_id=alert_event_id(alert_id, revision), occurred_at=note.trigger.occurred_at,
        causation_id=note.trigger.event_id, alert_id=alert_id, rule_id=note.rule_id, severity=note.severity,
        revision=revision, article_id=note.article.article_id, source=note.article.source,
        article_ids=[a.article_id for a in bucket], sources=distinct_sources(bucket), observed=float(len(bucket)))


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
