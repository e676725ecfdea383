"""The alert agents: thin shells around `marsad.streams.alerts.engine` and `marsad.streams.alerts.spike`.

    articles.processed ──route──► streams.alert-stories   (key: story id) ──stories──┐
                          ├─────► streams.alert-spikes    (key: rule|scope) ──spikes──┤
                          └─────► streams.alert-incidents (key: type|country) ─incidents─► incidents (key: incident id)
                                                                                     ▼         │
                                          alerts + alerts.{severity} (key: rule id) ◄───────────┘

- ``route`` takes the articles in batches (up to `BATCH`, or what came
  within `WITHIN` seconds), evaluates the rules on each (no state) and sends
  their notes on, repartitioned so that one story, one spike scope, or the
  incidents a report may join (same type and country:
  `marsad.streams.fusion.reports`), live in one partition with their state:
  one record per topic and partition, holding all the batch's notes for it
  (`marsad.streams.alerts.outbox`).
- ``stories`` and ``spikes`` fold a record's notes, in order, into one staging
  of their tables (`marsad.streams.alerts.folds`), publish each alert event to
  the all-alerts topic and its severity's topic, then store the state once.
- ``incidents`` fuses each report into the open incidents of its scope
  (`marsad.streams.alerts.incidents.fold_incident`), publishes the incidents to the
  ``incidents`` topic and the incident rules' alerts to the alert topics, and
  sends each new incident to ``spikes`` for the spike rules counting incidents.

Events are published before the state that says they were (`Staged`): after a
kill an alert may be raised again (same id), never lost. A note that fails is
dead-lettered alone: its record is then folded again one note at a time.

The rules file is checked every few seconds and reloaded when it changed; a
bad new file is refused with a log line naming the rule and the field, and
the agents keep the rules they had (`marsad.streams.alerts.live`). Undecodable or
failing messages (or notes of a record) go to ``deadletter.streams`` with the
reason, and the agents go on.

`register` declares the topics and tables on the app it is given
(`marsad.streams.alerts.app.create_app`) and registers the agents there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

import faust
import msgspec
from faust.types import EventT

from marsad.runtime import metrics
from marsad.runtime.settings import Settings
from marsad.schemas.alert_state import DayBucket, IncidentState, StoryState
from marsad.schemas.codec import SchemaError, decode_as, encode
from marsad.schemas.events import (
    AlertRaised,
    AlertUpdated,
    ArticleProcessed,
    DeadLetter,
    IncidentRecorded,
    IncidentUpdated,
)
from marsad.schemas.notes import (
    Note,
    ReportNote,
    SpikeNote,
    StoryNote,
    Unreadable,
    decode_notes,
    encode_note,
    key_of,
)
from marsad.schemas.topics import Topics
from marsad.schemas.wire import SEVERITIES
from marsad.streams.alerts.engine import ArticleNotes, route
from marsad.streams.alerts.expiry import Swept, story_keep_s, story_ttl_s
from marsad.streams.alerts.folds import Fold, IncidentFold, SpikeFold, StoryFold
from marsad.streams.alerts.live import LiveRules
from marsad.streams.alerts.notes import StateStore
from marsad.streams.alerts.outbox import Outbox
from marsad.streams.alerts.rules import DEFAULT_PATH
from marsad.streams.alerts.spike import SpikeStores
from marsad.streams.classify import Taxonomy
from marsad.streams.fusion.expiry import incident_ttl_s
from marsad.streams.hour_index import DAY

log = logging.getLogger(__name__)
RELOAD_EVERY = 3.0  # seconds between two looks at the rules file
BATCH = 100  # articles routed before their notes go out together, one record per topic and partition
WITHIN = 0.05  # seconds a batch waits for more articles: the latency it may add
N = TypeVar("N", StoryNote, SpikeNote, ReportNote)


class AlertAgents:
    """The alerter's rules, topics and tables, declared once on ``app``, and what its agents do."""

    def __init__(self, app: faust.App, settings: Settings, live: LiveRules | None = None) -> None:
        self.app = app
        self.settings = settings
        self.topics = topics = Topics(settings.topic_prefix)
        self.live = live or LiveRules.load(Path(settings.alert_rules) if settings.alert_rules else DEFAULT_PATH,
                                           Taxonomy.load(settings.taxonomy_file or None))
        rules = self.live.rules
        log.info("alert rules %s from %s: %d story, %d spike and %d incident rules", rules.version,
                 self.live.path, len(rules.story), len(rules.spikes), len(rules.incidents))

        self.processed_topic = app.topic(topics.processed, key_type=bytes, value_type=bytes)
        self.stories_topic = app.topic(topics.name("streams.alert-stories"), key_type=bytes, value_type=bytes)
        self.spikes_topic = app.topic(topics.name("streams.alert-spikes"), key_type=bytes, value_type=bytes)
        self.reports_topic = app.topic(topics.name("streams.alert-incidents"), key_type=bytes, value_type=bytes)
        self.incidents_topic = app.topic(topics.name("incidents"), key_type=bytes, value_type=bytes)
        self.dead_topic = app.topic(topics.deadletter("streams"), key_type=bytes, value_type=bytes)
        self.alert_topics = {name: app.topic(name, key_type=bytes, value_type=bytes)
                             for severity in SEVERITIES for name in topics.alert_routes(severity)}

        def table(name: str) -> faust.Table:
            return app.Table(name, default=None, key_type=bytes, value_type=bytes, partitions=settings.partitions)

        # story id -> StoryState; "rule|scope" -> SpikeState and "rule|scope@{window}" -> SpikeWindow
        # (partitioned like their note topics)
        self.story_table = table("alert-stories")
        self.spike_table = table("alert-spikes")
        # "clock:{p}" and "hour:{p}:{h}" -> the story expiry index (`marsad.streams.hour_index`), partitioned like the stories
        self.expiry_table = table("alert-story-expiry")
        # incident id -> IncidentState; "type|country|day" -> DayBucket; the incident expiry index; report id ->
        # the incident it joined (all partitioned like the reports: by type and country; `marsad.streams.fusion.state`)
        self.incident_table = table("alert-incidents")
        self.incident_days_table = table("alert-incident-days")
        self.incident_expiry_table = table("alert-incident-expiry")
        self.incident_reports_table = table("alert-incident-reports")
        self.stories_store = StateStore(self.story_table, StoryState)
        self.spikes_store = SpikeStores.over(self.spike_table)
        self.incidents_store = StateStore(self.incident_table, IncidentState)
        self.days_store = StateStore(self.incident_days_table, DayBucket)
        self.report_links = StateStore(self.incident_reports_table, str)

    async def dead_letter(self, event: EventT, reason: str, error: str, *, key: bytes | None = None,
                          payload: bytes | None = None) -> None:
        """Keep what could not be processed on the dead-letter topic, with the reason (the message, or one
        note of it: ``key`` and ``payload``)."""
        msg = event.message
        key = key if key is not None else event.key if isinstance(event.key, bytes) else None
        log.warning("dead letter from %s[%s]@%s: %s", msg.topic, msg.partition, msg.offset, reason)
        value = payload if payload is not None else event.value if isinstance(event.value, bytes) else b""
        await self.dead_topic.send(key=key, value=encode(DeadLetter(
            stage="alerts", reason=reason, error=error, key=key.decode(errors="replace") if key else None,
            source_topic=msg.topic, source_partition=msg.partition, source_offset=msg.offset,
            payload=value[:65536])))

    async def publish(self, events: list[AlertRaised | AlertUpdated]) -> None:
        for event in events:
            value = encode(event)
            for name in self.topics.alert_routes(event.severity):
                await self.alert_topics[name].send(key=event.rule_id.encode(), value=value)
            if isinstance(event, AlertRaised):
                metrics.ALERTS_RAISED.labels(severity=event.severity).inc()
                log.info("alert %s raised: %s (%s, %d source(s))", event.alert_id, event.rule_id, event.severity,
                         len(event.sources))

    async def publish_incidents(self, events: list[IncidentRecorded | IncidentUpdated]) -> None:
        for event in events:
            await self.incidents_topic.send(key=event.incident_id.encode(), value=encode(event))
            metrics.INCIDENT_EVENTS.labels(type=type(event).__name__).inc()

    async def publish_all(self, fold: Fold, partition: int) -> None:
        """Publish what a fold gave: its incident events, its notes for the spike rules counting incidents,
        its alert events (then the caller commits its state); count and log what expired."""
        await self.publish_incidents(fold.incidents)
        if fold.spikes:
            outbox = Outbox(self.app)
            for note in fold.spikes:
                outbox.add(self.spikes_topic, note)
            await outbox.send(f"{fold.spikes[0].article.article_id}+{len(fold.spikes)}")
        await self.publish(fold.alerts)
        for swept in fold.swept:
            _expired(swept)
        if fold.expired:
            metrics.INCIDENTS_EXPIRED.inc(fold.expired)
            log.info("incidents of partition %d with no report for %d day(s) expired: %d dropped",
                     partition, round((incident_ttl_s(self.settings.alert_story_days) or 0) / DAY), fold.expired)

    async def notes(self, event: EventT, cls: type[N]) -> list[N]:
        """The notes ``event`` carries (a batch, or one note of an older release), less those dead-lettered
        (undecodable, or not a ``cls``)."""
        try:
            notes = decode_notes(event.value)
        except (msgspec.DecodeError, TypeError) as e:
            await self.dead_letter(event, f"bad alert note: {e}", "schema")
            return []
        kept = []
        for note in notes:
            if isinstance(note, Unreadable):
                await self.dead_letter(event, f"bad alert note: {note.reason}", "schema", payload=note.payload)
            elif not isinstance(note, cls):
                await self.dead_letter(event, f"expected a {cls.__name__}, got a {type(note).__name__}", "schema",
                                       key=key_of(note).encode(), payload=encode_note(note))
            else:
                kept.append(note)
        return kept

    async def fold(self, event: EventT, notes: Sequence[Note], begin: Callable[[], Fold]) -> None:
        """Fold a record's notes into one staging (``begin`` makes it), publish what they gave, then commit.

        Should a note fail (a bug, or an input no rule foresaw), the record is folded again one note at a time,
        each published and committed on its own, so that the failing note alone is dead-lettered with the reason
        and the others give what they would have given. Nothing was published or stored by the first attempt.
        """
        fold = begin()
        try:
            for note in notes:
                fold.add(note)
        except Exception:  # never crash the agent: that would skip the message
            await self.fold_one_by_one(event, notes, begin)
            return
        await self.publish_all(fold, event.message.partition)  # the events first, then the state (`Staged`)
        fold.commit()

    async def fold_one_by_one(self, event: EventT, notes: Sequence[Note], begin: Callable[[], Fold]) -> None:
        for note in notes:
            fold = begin()
            try:
                fold.add(note)
            except Exception as e:
                log.exception("%s of %s failed", fold.what, key_of(note))
                await self.dead_letter(event, f"{fold.what} failed: {type(e).__name__}: {e}", "processing",
                                       key=key_of(note).encode(), payload=encode_note(note))
                continue
            await self.publish_all(fold, event.message.partition)
            fold.commit()

    # --- the timer and the agents -------------------------------------------------------------------------
    async def watch_rules(self) -> None:
        await asyncio.to_thread(self.live.check)

    async def routed(self, event: EventT) -> ArticleNotes | None:
        """The notes of the article ``event`` carries, or None once it is dead-lettered with the reason."""
        try:
            article = decode_as(event.value, ArticleProcessed)
        except SchemaError as e:
            await self.dead_letter(event, str(e), "schema")
            return None
        try:
            return route(article, self.live.rules)
        except Exception as e:  # a bug or an input no rule foresaw: keep it, say why, go on
            log.exception("alert rules on %s failed", article.article_id)
            await self.dead_letter(event, f"alert rules failed: {type(e).__name__}: {e}", "processing")
            return None

    async def route_articles(self, stream: faust.StreamT) -> None:
        async for events in stream.take_events(BATCH, within=WITHIN):
            outbox = Outbox(self.app)
            for event in events:
                routed = await self.routed(event)
                if routed is None:
                    continue
                outbox.add(self.stories_topic, routed.story)
                for note in routed.spikes:
                    outbox.add(self.spikes_topic, note)
                for report in routed.reports:
                    outbox.add(self.reports_topic, report)
            await outbox.send(f"{events[0].key.decode(errors='replace') if events[0].key else ''}+{len(events)}")

    async def stories(self, stream: faust.StreamT) -> None:
        async for event in stream.events():
            notes = await self.notes(event, StoryNote)
            if notes:
                ttl_s = story_ttl_s(self.settings.alert_story_days, self.live.rules)
                keep_s = story_keep_s(self.settings.alert_fired_days, ttl_s) if ttl_s else None
                await self.fold(event, notes, partial(StoryFold, self.stories_store, self.expiry_table,
                                                      event.message.partition, ttl_s, keep_s))

    async def spikes(self, stream: faust.StreamT) -> None:
        async for event in stream.events():
            notes = await self.notes(event, SpikeNote)
            if notes:
                await self.fold(event, notes, partial(SpikeFold, self.spikes_store))

    async def incidents(self, stream: faust.StreamT) -> None:
        async for event in stream.events():
            notes = await self.notes(event, ReportNote)
            if notes:
                await self.fold(event, notes, partial(
                    IncidentFold, self.incidents_store, self.days_store, self.report_links,
                    self.incident_expiry_table, event.message.partition,
                    incident_ttl_s(self.settings.alert_story_days), self.live.rules))


def _expired(swept: Swept) -> None:
    metrics.ALERT_STORIES_EXPIRED.labels(outcome="dropped").inc(swept.dropped)
    metrics.ALERT_STORIES_EXPIRED.labels(outcome="kept").inc(swept.kept)
    metrics.ALERT_STORIES_EXPIRED.labels(outcome="forgotten").inc(swept.forgotten)
    log.info("stories of partition %d with no article since %s expired: %d dropped, %d kept as alert records, "
             "%d alert records forgotten", swept.partition,
             datetime.fromtimestamp(swept.upto, UTC).isoformat(timespec="minutes"), swept.dropped, swept.kept,
             swept.forgotten)


def register(app: faust.App, settings: Settings, live: LiveRules | None = None) -> AlertAgents:
    """Declare the alerter's topics and tables on ``app`` and register its rules timer and agents there
    (``live``: the rules in force, loaded from the settings when not given)."""
    alerter = AlertAgents(app, settings, live)
    app.timer(RELOAD_EVERY, name=f"{__name__}.watch_rules")(alerter.watch_rules)
    app.agent(alerter.processed_topic, name=f"{__name__}.route_articles")(alerter.route_articles)
    app.agent(alerter.stories_topic, name=f"{__name__}.stories")(alerter.stories)
    app.agent(alerter.spikes_topic, name=f"{__name__}.spikes")(alerter.spikes)
    app.agent(alerter.reports_topic, name=f"{__name__}.incidents")(alerter.incidents)
    return alerter
