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

A scope's state is a small head (`SpikeState`: its windows' counts, the
first report) and one record per window (`SpikeWindow`: its articles, its
alert's revision), so
counting an article reads and writes its window and the head, whatever the
baseline holds: at 2,500 articles a day a scope's baseline is thousands of
article references, which the agent once decoded and encoded whole per record.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from operator import attrgetter

from marsad.schemas.alert_state import SpikeState, SpikeWindow
from marsad.schemas.events import AlertRaised, AlertUpdated, IncidentRecorded
from marsad.schemas.facts import Place
from marsad.schemas.notes import ArticleRef, SpikeNote, Trigger
from marsad.streams.alerts.ids import alert_event_id, spike_alert_id
from marsad.streams.alerts.match import ArticleView, place_matches
from marsad.streams.alerts.notes import StateStore, distinct_sources
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


@dataclass
class SpikeStores:
    """A spike fold's mappings: typed stores over the alerter's spike table, dicts, or staged views of either.

    Both kinds of record live in one table (the ``alert-spikes`` changelog), in the partition of
    their scope: a note reads and writes its scope's head and its own window, never the baseline's
    articles.
    """

    heads: MutableMapping[str, SpikeState]  # rule|scope -> its head
    windows: MutableMapping[str, SpikeWindow]  # "rule|scope@{window start}" -> the window's articles

    @classmethod
    def over(cls, raw: MutableMapping[bytes, bytes]) -> SpikeStores:
        """Typed stores over one mapping of encoded records (a Faust table, or a dict)."""
        return cls(StateStore(raw, SpikeState), StateStore(raw, SpikeWindow))


def window_key(state_key: str, window: int) -> str:
    return f"{state_key}@{window}"


class Baseline:
    """The baseline windows before a window: how many, their mean count, and their variance (worked
    out when first asked: most windows fail the ratio to the mean, and need none)."""

    def __init__(self, state: SpikeState, window: int, window_s: int, n: int, total: int) -> None:
        self.n = n
        self.mean = total / n  # ``total``: the reports of the n windows
        self._where = (state.counts, window, window_s)
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


def window_counts(counts: dict[int, int], window: int, window_s: int, n: int) -> list[int]:
    """The counts of the ``n`` windows before ``window``, the latest first (zeros included)."""
    return list(map(counts.get, range(window - window_s, window - (n + 1) * window_s, -window_s), repeat(0)))


@dataclass
class Scope:
    """What `apply_spike` keeps in memory about one scope between its notes, beside its head.

    Valid while the store hands back the very head object it describes: so in the back-test,
    whose states live as objects for the whole run, and within one record the agent folds (its
    staged views), a note does not sort the scope's windows again. The agent decodes the head
    afresh for each record: each record starts over from the head, and decides the same.
    """

    state: SpikeState
    window_s: int  # the rule's window when this was made
    kept: bool  # kept for the scope's next note
    windows: list[int]  # the state's windows, in order
    aligned: bool | None = None  # every window starts at a multiple of window_s (a rules file may change a
    # rule's window); found out when a kept scope first needs a baseline
    baseline_of: int | None = None  # the window whose baseline is kept (no other window changed since)
    baseline: Baseline | None = None

    def opened(self, window: int) -> None:
        """A new window, of one report."""
        if not self.windows or self.windows[-1] < window:  # most new windows are the latest
            self.windows.append(window)
        else:
            insort(self.windows, window)

    def dropped(self, gone: int) -> None:
        """The ``gone`` first windows are no more."""
        del self.windows[:gone]

    def total(self, window: int, n: int) -> int:
        """How many reports the ``n`` windows before ``window`` hold."""
        counts = self.state.counts
        if self.kept and self.aligned is None:
            self.aligned = all(w % self.window_s == 0 for w in self.windows)
        if not self.kept or not self.aligned:  # counted from the head, window by window
            return sum(window_counts(counts, window, self.window_s, n))
        windows = self.windows  # only the windows that hold reports
        return sum(map(counts.__getitem__, windows[bisect_left(windows, window - n * self.window_s):
                                                   bisect_left(windows, window)]))


def apply_spike(stores: SpikeStores, note: SpikeNote,
                scopes: dict[str, Scope] | None = None) -> list[AlertRaised | AlertUpdated]:
    """Count one article in its scope's window (``stores``: the scopes' heads and windows); the events to publish.

    Reads and writes the scope's head and the note's window, and deletes the windows that fell out of
    the baseline. ``scopes`` (rule|scope -> `Scope`) keeps what the scopes' heads need not hold from one
    note to the next, while the stores hand back the same head objects (the back-test, a record's fold).
    """
    key = note.state_key
    ref = note.article
    window = int(ref.at // note.window_s) * note.window_s
    state = stores.heads.get(key)
    if state is None:
        state = SpikeState(first_at=ref.at)
    elif state.buckets or state.fired:  # a version-1 head
        _split(stores, key, state)
    wkey = window_key(key, window)
    stored = stores.windows.get(wkey)
    scope = scopes.get(key) if scopes is not None else None
    if state.counts.get(window) != (len(stored.articles) if stored is not None else None):
        _reconcile(state, window, stored)
        stores.heads[key] = state  # whatever the note does next: a window the head lists is deleted in time
        scope = None
    if scope is None or scope.state is not state or scope.window_s != note.window_s:
        scope = Scope(state, note.window_s, scopes is not None, sorted(state.counts))
        if scopes is not None:
            scopes[key] = scope
    counts, windows = state.counts, scope.windows
    if stored is not None:
        # A stored head holds no window below its horizon (each fold drops them before storing), so
        # a window it holds is within it, and counting in it moves neither the horizon nor any window.
        bucket = stored.articles
        if ref.article_id in map(_ID, bucket):
            return []
        if bucket and bucket[-1].at < ref.at:  # most reports are the window's latest (a tie: sorted by id)
            bucket.append(ref)
        else:
            insort(bucket, ref, key=_order)
        counts[window] += 1
        if ref.at < state.first_at:
            state.first_at = ref.at
    else:
        horizon = (max(window, windows[-1]) if windows else window) - note.baseline_s - LATE_S
        if window < horizon:
            return []  # older than the scope keeps: too late to count
        stored = SpikeWindow([ref])
        bucket = stored.articles
        counts[window] = 1
        scope.opened(window)
        if ref.at < state.first_at:
            state.first_at = ref.at
        if windows[0] < horizon:  # the windows that fell out (most new windows drop none)
            gone = bisect_left(windows, horizon)
            _forget(stores, key, state, windows[:gone])
            scope.dropped(gone)
    if scope.baseline_of != window:
        scope.baseline_of = None  # a count changed outside the window whose baseline is kept
    events: list[AlertRaised | AlertUpdated] = []
    if stored.fired is not None:
        stored.fired += 1
        alert_id = spike_alert_id(note.rule_id, note.scope_key, window)
        events.append(_updated(note, alert_id, stored.fired, bucket))
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
                stored.fired = 0
                events.append(_fired(note, window, bucket, base, p))
    stores.windows[wkey] = stored  # the window first, then its head (`_reconcile`)
    stores.heads[key] = state
    return events


def _split(stores: SpikeStores, key: str, state: SpikeState) -> None:
    """A version-1 head, its windows' articles and alerts within it: each window to a record of its own."""
    for window, articles in state.buckets.items():
        stores.windows[window_key(key, window)] = SpikeWindow(articles, state.fired.get(window))
    state.counts = {window: len(articles) for window, articles in state.buckets.items()}
    state.buckets, state.fired = {}, {}
    stores.heads[key] = state


def _reconcile(state: SpikeState, window: int, stored: SpikeWindow | None) -> None:
    """The head and the window's record disagree: the window is the truth.

    A fold stores its windows, then their heads, as separate records: a kill between the two leaves
    a window ahead of its head. A window's record holds its articles and its alert's revision
    together, so the redelivered notes find their articles there and raise nothing again (what they
    raised was published before the window was stored). The head takes the window's count and
    earliest report; the windows the lost head would have dropped go at the scope's next new window.
    """
    if stored is None:
        del state.counts[window]
        return
    state.counts[window] = len(stored.articles)
    if stored.articles:
        state.first_at = min(state.first_at, stored.articles[0].at)


def _forget(stores: SpikeStores, key: str, state: SpikeState, windows: list[int]) -> None:
    """Drop ``windows`` from the head and delete their records."""
    for w in windows:
        del state.counts[w]
        wkey = window_key(key, w)
        if wkey in stores.windows:
            del stores.windows[wkey]


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


_ID = attrgetter("article_id")


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
