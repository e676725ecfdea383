"""The alert agents: thin shells around `marsad.streams.alerts.engine` and `marsad.streams.alerts.spike`.

    articles.processed ──route──► streams.alert-stories   (key: story id) ──stories──┐
                          ├─────► streams.alert-spikes    (key: rule|scope) ──spikes──┤
                          └─────► streams.alert-incidents (key: type|country) ─incidents─► incidents (key: incident id)
                                                                                     ▼         │
                                          alerts + alerts.{severity} (key: rule id) ◄───────────┘

- ``route`` evaluates the rules on one article (no state) and sends its notes
  on, repartitioned so that one story, one spike scope, or the incidents a
  report may join (same type and country: `marsad.streams.fusion.reports`), live
  in one partition with their state.
- ``stories`` and ``spikes`` fold the notes into their tables and publish
  each alert event to the all-alerts topic and its severity's topic.
- ``incidents`` fuses each report into the open incidents of its scope
  (`marsad.streams.alerts.incidents.fold_incident`), publishes the incident to the
  ``incidents`` topic and the incident rules' alerts to the alert topics, and
  sends each new incident to ``spikes`` for the spike rules counting incidents.

The rules file is checked every few seconds and reloaded when it changed; a
bad new file is refused with a log line naming the rule and the field, and
the agents keep the rules they had (`marsad.streams.alerts.live`). Undecodable or
failing messages go to ``deadletter.streams`` with the reason, and the agents
go on.

`register` declares the topics and tables on the app it is given
(`marsad.streams.alerts.app.create_app`) and registers the agents there.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import faust
import msgspec
from faust.types import EventT

from marsad.runtime import metrics
from marsad.runtime.settings import Settings
from marsad.schemas.alert_state import DayBucket, IncidentState, SpikeState, StoryState
from marsad.schemas.codec import SchemaError, decode_as, encode
from marsad.schemas.events import (
    AlertRaised,
    AlertUpdated,
    ArticleProcessed,
    DeadLetter,
    IncidentRecorded,
    IncidentUpdated,
)
from marsad.schemas.notes import ReportNote, SpikeNote, StoryNote, decode_note, encode_note
from marsad.schemas.topics import Topics
from marsad.schemas.wire import SEVERITIES
from marsad.streams.alerts.engine import route
from marsad.streams.alerts.expiry import Swept, fold_story, story_keep_s, story_ttl_s
from marsad.streams.alerts.incidents import fold_incident
from marsad.streams.alerts.live import LiveRules
from marsad.streams.alerts.notes import Staged, StateStore
from marsad.streams.alerts.rules import DEFAULT_PATH
from marsad.streams.alerts.spike import apply_spike
from marsad.streams.classify import Taxonomy
from marsad.streams.fusion.expiry import incident_ttl_s
from marsad.streams.fusion.state import IncidentStores
from marsad.streams.hour_index import DAY, HourIndex

log = logging.getLogger(__name__)
RELOAD_EVERY = 3.0  # seconds between two looks at the rules file


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

        # story id -> StoryState; "rule|scope" -> SpikeState (partitioned like their note topics)
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
        self.spikes_store = StateStore(self.spike_table, SpikeState)
        self.incidents_store = StateStore(self.incident_table, IncidentState)
        self.days_store = StateStore(self.incident_days_table, DayBucket)
        self.report_links = StateStore(self.incident_reports_table, str)

    async def dead_letter(self, event: EventT, reason: str, error: str) -> None:
        msg = event.message
        key = event.key.decode(errors="replace") if isinstance(event.key, bytes) else None
        log.warning("dead letter from %s[%s]@%s: %s", msg.topic, msg.partition, msg.offset, reason)
        value = event.value if isinstance(event.value, bytes) else b""
        await self.dead_topic.send(key=event.key, value=encode(DeadLetter(
            stage="alerts", reason=reason, error=error, key=key, source_topic=msg.topic,
            source_partition=msg.partition, source_offset=msg.offset, payload=value[:65536])))

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

    async def note(self, event: EventT, cls: type) -> StoryNote | SpikeNote | ReportNote | None:
        """The note ``event`` carries, or None once it is dead-lettered (undecodable, or not a ``cls``)."""
        try:
            note = decode_note(event.value)
        except (msgspec.DecodeError, TypeError) as e:
            await self.dead_letter(event, f"bad alert note: {e}", "schema")
            return None
        if not isinstance(note, cls):
            await self.dead_letter(event, f"expected a {cls.__name__}, got a {type(note).__name__}", "schema")
            return None
        return note

    # --- the timer and the agents -------------------------------------------------------------------------
    async def watch_rules(self) -> None:
        await asyncio.to_thread(self.live.check)

    async def route_articles(self, stream: faust.StreamT) -> None:
        async for event in stream.events():
            try:
                article = decode_as(event.value, ArticleProcessed)
            except SchemaError as e:
                await self.dead_letter(event, str(e), "schema")
                continue
            try:
                routed = route(article, self.live.rules)
            except Exception as e:  # a bug or an input no rule foresaw: keep it, say why, go on
                log.exception("alert rules on %s failed", article.article_id)
                await self.dead_letter(event, f"alert rules failed: {type(e).__name__}: {e}", "processing")
                continue
            await self.stories_topic.send(key=routed.story.story_id.encode(), value=encode_note(routed.story))
            for note in routed.spikes:
                await self.spikes_topic.send(key=note.state_key.encode(), value=encode_note(note))
            for report in routed.reports:
                await self.reports_topic.send(key=report.scope.encode(), value=encode_note(report))

    async def stories(self, stream: faust.StreamT) -> None:
        async for event in stream.events():
            note = await self.note(event, StoryNote)
            if note is None:
                continue
            staged, staged_index = Staged(self.stories_store), Staged(self.expiry_table)
            ttl_s = story_ttl_s(self.settings.alert_story_days, self.live.rules)
            index = HourIndex(staged_index, event.message.partition, ttl_s) if ttl_s else None
            keep_s = story_keep_s(self.settings.alert_fired_days, ttl_s) if ttl_s else None
            try:
                events, swept = fold_story(staged, note, index, keep_s)
            except Exception as e:  # never crash the agent: that would skip the message
                log.exception("story %s failed", note.story_id)
                await self.dead_letter(event, f"story alert failed: {type(e).__name__}: {e}", "processing")
                continue
            await self.publish(events)  # the alerts first, then the state that says they fired (`Staged`)
            staged.commit()
            staged_index.commit()
            if swept is not None:
                _expired(swept)

    async def spikes(self, stream: faust.StreamT) -> None:
        async for event in stream.events():
            note = await self.note(event, SpikeNote)
            if note is None:
                continue
            staged = Staged(self.spikes_store)
            try:
                events = apply_spike(staged, note)
            except Exception as e:
                log.exception("spike %s failed", note.state_key)
                await self.dead_letter(event, f"spike alert failed: {type(e).__name__}: {e}", "processing")
                continue
            await self.publish(events)
            staged.commit()

    async def incidents(self, stream: faust.StreamT) -> None:
        async for event in stream.events():
            report = await self.note(event, ReportNote)
            if report is None:
                continue
            stores = IncidentStores(Staged(self.incidents_store), Staged(self.days_store), Staged(self.report_links))
            staged_index = Staged(self.incident_expiry_table)
            ttl_s = incident_ttl_s(self.settings.alert_story_days)
            index = HourIndex(staged_index, event.message.partition, ttl_s) if ttl_s else None
            try:
                folded = fold_incident(stores, report, index, self.live.rules)
            except Exception as e:  # never crash the agent: that would skip the message
                log.exception("incident report %s failed", report.report_id)
                await self.dead_letter(event, f"incident fusion failed: {type(e).__name__}: {e}", "processing")
                continue
            # the events first, then the state that says they were published (`Staged`)
            await self.publish_incidents(folded.incidents)
            for note in folded.spikes:
                await self.spikes_topic.send(key=note.state_key.encode(), value=encode_note(note))
            await self.publish(folded.alerts)
            for store in (stores.incidents, stores.days, stores.reports, staged_index):
                store.commit()
            if folded.expired:
                metrics.INCIDENTS_EXPIRED.inc(folded.expired)
                log.info("incidents of partition %d with no report for %d day(s) expired: %d dropped",
                         event.message.partition, round(ttl_s / DAY), folded.expired)


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
