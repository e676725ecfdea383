"""The rule engine: pure, deterministic functions shared by the live agent and the back-test.

    ArticleProcessed ──route──► StoryNote (key: story id) ──apply_story──► AlertRaised / AlertUpdated
                          ├───► SpikeNote (key: rule + scope) ──apply_spike (spike.py)──► ...
                          └───► ReportNote (key: type|country) ──fold_incident (incidents.py)──► incidents, ...

- `route` looks at one article alone: which story it belongs to, which story
  rules' conditions it meets, which spike scopes it counts in, which
  incidents it reports (`marsad.streams.fusion.reports`). No state.
- `apply_story` folds a note into the story's state (a mapping given by the
  caller: a Faust table in the agent, a dict in the back-test) and returns
  the alert events to publish.

Determinism: a story's id is the first copy's article id (the dedup verdict
of the streams), an alert's id hashes (rule, story), an event's id hashes
(alert, revision), and events take their time from the triggering
ArticleProcessed, so the same input always gives byte-identical events.

Order independence: a story rule fires when (a) at least one article of the
story met its conditions and (b) at least ``min_sources`` distinct outlets
reported the story within some span of ``window`` (any span, not one
anchored on the first article). Both only grow as articles arrive, so firing
is monotone: which alerts exist, and the articles and sources they end with,
do not depend on the order in which partitions are interleaved. (Revision
numbers can: they count the copies that arrived after the alert. So can
what story expiry forgets: see `marsad.streams.alerts.expiry`.)
"""

from __future__ import annotations

from bisect import insort
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from marsad.schemas.alert_state import RuleState, StoryState
from marsad.schemas.events import AlertRaised, AlertUpdated, ArticleProcessed
from marsad.schemas.notes import ArticleRef, Facts, ReportNote, RuleHit, SpikeNote, StoryNote, Trigger
from marsad.streams.alerts.ids import alert_event_id, story_alert_id
from marsad.streams.alerts.match import ArticleView, match_story_rule
from marsad.streams.alerts.notes import distinct_sources
from marsad.streams.alerts.rules import Ruleset
from marsad.streams.alerts.spike import spike_notes
from marsad.streams.fusion.reports import reports_of

# A published date later than the event itself is a feed's mistake: beyond this, ignore it.
FUTURE_SLACK = timedelta(hours=1)


@dataclass(frozen=True)
class ArticleNotes:
    """What one article sends on: its story note, the spike notes of its scopes, its incident reports."""

    story: StoryNote
    spikes: list[SpikeNote]
    reports: list[ReportNote]


def event_time(article: ArticleProcessed) -> datetime:
    """When an article counts (story windows, spike buckets): its publication time when the
    source gave a plausible one, else when the article was processed.

    Both come from the event itself, so the live agent and the back-test
    agree; ``published`` is preferred because it does not move when the log
    is reprocessed, and it places imported archives at their own dates.
    """
    published = article.published
    if published is not None:
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        if published <= article.occurred_at + FUTURE_SLACK:
            return published
    return article.occurred_at


def story_id(article: ArticleProcessed) -> str:
    """The article id of the story's first copy (this article's own id when it is an original)."""
    dup = article.duplicate
    return dup.first_id if dup.status != "original" and dup.first_id else article.article_id


def source_of(article: ArticleProcessed) -> str:
    """The outlet, for counting distinct sources: the source name, else the URL's host."""
    return article.source or urlsplit(article.url).hostname or f"article:{article.article_id}"


def route(article: ArticleProcessed, rules: Ruleset) -> ArticleNotes:
    """The story note and spike notes of one article under ``rules`` (pure; no state)."""
    view = ArticleView(article)
    at = event_time(article)
    ref = ArticleRef(article.article_id, at.timestamp(), source_of(article), article.title, article.url)
    trigger = Trigger(article.event_id, article.occurred_at)
    hits = []
    for rule in rules.candidates(view.topics, view.orgs, view.countries):
        reasons = match_story_rule(rule, view)
        if reasons is not None:
            hits.append(RuleHit(rule.id, rule.title, rule.severity, reasons, rule.min_sources, rule.window_s,
                            rules.version))
    facts = None
    if hits:
        facts = Facts(article.topics, article.places, article.countries, article.orgs, article.quantities,
                      article.taxonomy_version, article.gazetteer_version)
    note = StoryNote(story_id(article), ref, trigger, hits, facts)
    return ArticleNotes(note, spike_notes(view, rules, ref, trigger), reports_of(article, at=at, source=ref.source))


def apply_story(store, note: StoryNote) -> list[AlertRaised | AlertUpdated]:
    """Fold one article into its story's state (``store``: story id -> `StoryState`); the events to publish.

    A note seen before (a redelivery after a restart) changes nothing and
    returns nothing.
    """
    state: StoryState = store.get(note.story_id) or StoryState()
    ref = note.article
    new_article = ref.article_id not in [a.article_id for a in state.articles]
    changed = new_article
    if new_article:
        insort(state.articles, ref, key=lambda a: (a.at, a.article_id))
    for hit in note.hits:
        rs = state.rules.get(hit.rule_id)
        if rs is None or (not rs.fired and (ref.at, ref.article_id) < (rs.hit_at, rs.hit_article)):
            # keep the earliest matching article's evidence, whatever the arrival order
            state.rules[hit.rule_id] = RuleState(hit, ref.article_id, ref.at)
            changed = True
    if note.facts is not None and note.hits and ref.article_id not in state.facts:
        state.facts[ref.article_id] = note.facts
        changed = True
    if not changed:
        return []
    events: list[AlertRaised | AlertUpdated] = []
    listing: Listing | None = None  # made once for all the rules that raise or update an alert here
    for rule_id in sorted(state.rules):
        rs = state.rules[rule_id]
        if rs.fired:
            if new_article:
                rs.revision += 1
                listing = listing or Listing(state.articles)
                events.append(_updated(note, rs, listing))
        elif corroborated(state.articles, rs.hit.min_sources, rs.hit.window_s):
            rs.fired = True
            listing = listing or Listing(state.articles)
            events.append(_raised(note, rs, state, listing))
    store[note.story_id] = state
    return events


def corroborated(articles: list[ArticleRef], sources: int, window_s: float) -> bool:
    """Do at least ``sources`` distinct outlets fall within some span of ``window_s`` seconds?

    ``articles`` are in time order. Adding articles never makes it false.
    """
    if sources <= 1:
        return bool(articles)
    counts: Counter[str] = Counter()
    lo = 0
    for a in articles:
        counts[a.source] += 1
        while a.at - articles[lo].at > window_s:
            counts[articles[lo].source] -= 1
            if not counts[articles[lo].source]:
                del counts[articles[lo].source]
            lo += 1
        if len(counts) >= sources:
            return True
    return False


class Listing:
    """A story's articles as its alerts list them (each event gets copies of these lists)."""

    def __init__(self, articles: list[ArticleRef]) -> None:
        self.ids = [a.article_id for a in articles]
        self.sources = distinct_sources(articles)
        self.titles = [a.title for a in articles]
        self.urls = [a.url for a in articles]
        self.start, self.end = _dt(articles[0].at), _dt(articles[-1].at)


def _raised(note: StoryNote, rs: RuleState, state: StoryState, listing: Listing) -> AlertRaised:
    alert_id = story_alert_id(rs.hit.rule_id, note.story_id)
    sources = listing.sources
    matched = list(rs.hit.matched)
    if rs.hit.min_sources > 1:
        matched.append(f"corroborated by {len(sources)} sources (at least {rs.hit.min_sources} "
                       f"within {rs.hit.window_s / 3600:g} h): {', '.join(sources)}")
    f = state.facts[rs.hit_article]
    return AlertRaised(
        event_id=alert_event_id(alert_id, 0), occurred_at=note.trigger.occurred_at,
        causation_id=note.trigger.event_id, alert_id=alert_id, rule_id=rs.hit.rule_id, title=rs.hit.title,
        severity=rs.hit.severity, kind="story", story_id=note.story_id,
        article_ids=list(listing.ids), sources=list(sources), titles=list(listing.titles),
        urls=list(listing.urls), topics=f.topics, places=f.places, countries=f.countries, orgs=f.orgs,
        quantities=f.quantities, matched=matched, window_start=listing.start, window_end=listing.end,
        rules_version=rs.hit.rules_version, taxonomy_version=f.taxonomy_version,
        gazetteer_version=f.gazetteer_version)


def _updated(note: StoryNote, rs: RuleState, listing: Listing) -> AlertUpdated:
    alert_id = story_alert_id(rs.hit.rule_id, note.story_id)
    return AlertUpdated(
        event_id=alert_event_id(alert_id, rs.revision), occurred_at=note.trigger.occurred_at,
        causation_id=note.trigger.event_id, alert_id=alert_id, rule_id=rs.hit.rule_id,
        severity=rs.hit.severity, revision=rs.revision, article_id=note.article.article_id,
        source=note.article.source, article_ids=list(listing.ids), sources=list(listing.sources))


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
