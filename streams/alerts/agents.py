"""The alert agents: thin shells around `streams.alerts.engine` and `streams.alerts.spike`.

    articles.processed ──route──► streams.alert-stories   (key: story id) ──stories──┐
                          ├─────► streams.alert-spikes    (key: rule|scope) ──spikes──┤
                          └─────► streams.alert-incidents (key: type|country) ─incidents─► incidents (key: incident id)
                                                                                     ▼         │
                                          alerts + alerts.{severity} (key: rule id) ◄───────────┘

- ``route`` evaluates the rules on one article (no state) and sends its notes
  on, repartitioned so that one story, one spike scope, or the incidents a
  report may join (same type and country: `streams.incidents.reports`), live
  in one partition with their state.
- ``stories`` and ``spikes`` fold the notes into their tables and publish
  each alert event to the all-alerts topic and its severity's topic.
- ``incidents`` fuses each report into the open incidents of its scope
  (`streams.alerts.incidents.fold_incident`), publishes the incident to the
  ``incidents`` topic and the incident rules' alerts to the alert topics, and
  sends each new incident to ``spikes`` for the spike rules counting incidents.

The rules file is checked every few seconds and reloaded when it changed; a
bad new file is refused with a log line naming the rule and the field, and
the agents keep the rules they had. Undecodable or failing messages go to
``deadletter.streams`` with the reason, and the agents go on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from faust.types import EventT

from runtime import metrics
from schemas.alert_state import DayBucket, IncidentState, SpikeState, StoryState
from schemas.codec import SchemaError, decode_as, encode
from schemas.events import (
    AlertRaised,
    AlertUpdated,
    ArticleProcessed,
    DeadLetter,
    IncidentRecorded,
    IncidentUpdated,
)
from schemas.notes import ReportNote, SpikeNote, StoryNote, decode_note, encode_note
from schemas.topics import SEVERITIES
from streams.alerts.app import app, settings, topics
from streams.alerts.engine import route
from streams.alerts.expiry import Swept, fold_story, story_ttl_s
from streams.alerts.incidents import fold_incident
from streams.alerts.notes import Staged, StateStore
from streams.alerts.rules import DEFAULT_PATH, RulesError, Ruleset, files_stamp, load_rules
from streams.alerts.spike import apply_spike
from streams.classify import Taxonomy
from streams.expiry import HourIndex
from streams.extract.gazetteer.model import load_gazetteer
from streams.incidents.expiry import incident_ttl_s
from streams.incidents.state import IncidentStores

log = logging.getLogger(__name__)
RELOAD_EVERY = 3.0  # seconds between two looks at the rules file


@dataclass
class LiveRules:
    """The rules in force and the file they come from; `check` swaps in a changed, valid file."""

    path: Path
    rules: Ruleset
    stamp: tuple[float, ...]  # modification times of the file and of the files it extends
    taxonomy: Taxonomy

    @classmethod
    def load(cls, path: Path, taxonomy: Taxonomy) -> LiveRules:
        rules = load_rules(path, taxonomy, load_gazetteer())
        return cls(path, rules, files_stamp(rules), taxonomy)

    def check(self) -> None:
        """Reload when the file or a file it extends changed (blocking: run it in a thread)."""
        try:
            stamp = files_stamp(self.rules)
        except OSError as e:
            if self.stamp:
                log.error("rules file %s cannot be read (%s): keeping rules %s", self.path, e, self.rules.version)
                self.stamp = ()
            return
        if stamp == self.stamp:
            return
        self.stamp = stamp
        try:
            new = load_rules(self.path, self.taxonomy, load_gazetteer())
        except RulesError as e:
            log.error("rules file refused, keeping rules %s: %s", self.rules.version, e)
            return
        if new.version != self.rules.version:
            log.info("rules reloaded from %s: version %s, %d story, %d spike and %d incident rules",
                     self.path, new.version, len(new.story), len(new.spikes), len(new.incidents))
            self.rules = new


live = LiveRules.load(Path(settings.alert_rules) if settings.alert_rules else DEFAULT_PATH,
                      Taxonomy.load(settings.taxonomy_file or None))
log.info("alert rules %s from %s: %d story, %d spike and %d incident rules", live.rules.version, live.path,
         len(live.rules.story), len(live.rules.spikes), len(live.rules.incidents))

processed_topic = app.topic(topics.processed, key_type=bytes, value_type=bytes)
stories_topic = app.topic(topics.name("streams.alert-stories"), key_type=bytes, value_type=bytes)
spikes_topic = app.topic(topics.name("streams.alert-spikes"), key_type=bytes, value_type=bytes)
reports_topic = app.topic(topics.name("streams.alert-incidents"), key_type=bytes, value_type=bytes)
incidents_topic = app.topic(topics.name("incidents"), key_type=bytes, value_type=bytes)
dead_topic = app.topic(topics.deadletter("streams"), key_type=bytes, value_type=bytes)
alert_topics = {name: app.topic(name, key_type=bytes, value_type=bytes)
                for severity in SEVERITIES for name in topics.alert_routes(severity)}

# story id -> StoryState; "rule|scope" -> SpikeState (partitioned like their note topics)
story_table = app.Table("alert-stories", default=None, key_type=bytes, value_type=bytes,
                        partitions=settings.partitions)
spike_table = app.Table("alert-spikes", default=None, key_type=bytes, value_type=bytes,
                        partitions=settings.partitions)
# "clock:{p}" and "hour:{p}:{h}" -> the story expiry index (`streams.expiry`), partitioned like the stories
expiry_table = app.Table("alert-story-expiry", default=None, key_type=bytes, value_type=bytes,
                         partitions=settings.partitions)
# incident id -> IncidentState; "type|country|day" -> DayBucket; the incident expiry index; report id ->
# the incident it joined (all partitioned like the reports: by type and country; `streams.incidents.state`)
incident_table = app.Table("alert-incidents", default=None, key_type=bytes, value_type=bytes,
                           partitions=settings.partitions)
incident_days_table = app.Table("alert-incident-days", default=None, key_type=bytes, value_type=bytes,
                                partitions=settings.partitions)
incident_expiry_table = app.Table("alert-incident-expiry", default=None, key_type=bytes, value_type=bytes,
                                  partitions=settings.partitions)
incident_reports_table = app.Table("alert-incident-reports", default=None, key_type=bytes, value_type=bytes,
                                   partitions=settings.partitions)
stories_store = StateStore(story_table, StoryState)
spikes_store = StateStore(spike_table, SpikeState)
incidents_store = StateStore(incident_table, IncidentState)
days_store = StateStore(incident_days_table, DayBucket)
report_links = StateStore(incident_reports_table, str)


async def dead_letter(event: EventT, reason: str, error: str) -> None:
    msg = event.message
    key = event.key.decode(errors="replace") if isinstance(event.key, bytes) else None
    log.warning("dead letter from %s[%s]@%s: %s", msg.topic, msg.partition, msg.offset, reason)
    value = event.value if isinstance(event.value, bytes) else b""
    await dead_topic.send(key=event.key, value=encode(DeadLetter(
        stage="alerts", reason=reason, error=error, key=key, source_topic=msg.topic,
        source_partition=msg.partition, source_offset=msg.offset, payload=value[:65536])))


async def publish(events: list[AlertRaised | AlertUpdated]) -> None:
    for event in events:
        value = encode(event)
        for name in topics.alert_routes(event.severity):
            await alert_topics[name].send(key=event.rule_id.encode(), value=value)
        if isinstance(event, AlertRaised):
            metrics.ALERTS_RAISED.labels(severity=event.severity).inc()
            log.info("alert %s raised: %s (%s, %d source(s))", event.alert_id, event.rule_id, event.severity,
                     len(event.sources))


@app.timer(RELOAD_EVERY)
async def watch_rules() -> None:
    await asyncio.to_thread(live.check)


@app.agent(processed_topic)
async def route_articles(stream):
    async for event in stream.events():
        try:
            article = decode_as(event.value, ArticleProcessed)
        except SchemaError as e:
            await dead_letter(event, str(e), "schema")
            continue
        try:
            routed = route(article, live.rules)
        except Exception as e:  # a bug or an input no rule foresaw: keep it, say why, go on
            log.exception("alert rules on %s failed", article.article_id)
            await dead_letter(event, f"alert rules failed: {type(e).__name__}: {e}", "processing")
            continue
        await stories_topic.send(key=routed.story.story_id.encode(), value=encode_note(routed.story))
        for note in routed.spikes:
            await spikes_topic.send(key=note.state_key.encode(), value=encode_note(note))
        for report in routed.reports:
            await reports_topic.send(key=report.scope.encode(), value=encode_note(report))


@app.agent(stories_topic)
async def stories(stream):
    async for event in stream.events():
        note = await _note(event, StoryNote)
        if note is None:
            continue
        staged, staged_index = Staged(stories_store), Staged(expiry_table)
        ttl_s = story_ttl_s(settings.alert_story_days, live.rules)
        index = HourIndex(staged_index, event.message.partition, ttl_s) if ttl_s else None
        try:
            events, swept = fold_story(staged, note, index)
        except Exception as e:  # never crash the agent: that would skip the message
            log.exception("story %s failed", note.story_id)
            await dead_letter(event, f"story alert failed: {type(e).__name__}: {e}", "processing")
            continue
        await publish(events)  # the alerts first, then the state that says they fired (`Staged`)
        staged.commit()
        staged_index.commit()
        if swept is not None:
            _expired(swept)


@app.agent(spikes_topic)
async def spikes(stream):
    async for event in stream.events():
        note = await _note(event, SpikeNote)
        if note is None:
            continue
        staged = Staged(spikes_store)
        try:
            events = apply_spike(staged, note)
        except Exception as e:
            log.exception("spike %s failed", note.state_key)
            await dead_letter(event, f"spike alert failed: {type(e).__name__}: {e}", "processing")
            continue
        await publish(events)
        staged.commit()


@app.agent(reports_topic)
async def incidents(stream):
    async for event in stream.events():
        report = await _note(event, ReportNote)
        if report is None:
            continue
        stores = IncidentStores(Staged(incidents_store), Staged(days_store), Staged(report_links))
        staged_index = Staged(incident_expiry_table)
        ttl_s = incident_ttl_s(settings.alert_story_days)
        index = HourIndex(staged_index, event.message.partition, ttl_s) if ttl_s else None
        try:
            folded = fold_incident(stores, report, index, live.rules)
        except Exception as e:  # never crash the agent: that would skip the message
            log.exception("incident report %s failed", report.report_id)
            await dead_letter(event, f"incident fusion failed: {type(e).__name__}: {e}", "processing")
            continue
        # the events first, then the state that says they were published (`Staged`)
        await publish_incidents(folded.incidents)
        for note in folded.spikes:
            await spikes_topic.send(key=note.state_key.encode(), value=encode_note(note))
        await publish(folded.alerts)
        for store in (stores.incidents, stores.days, stores.reports, staged_index):
            store.commit()
        if folded.expired:
            metrics.INCIDENTS_EXPIRED.inc(folded.expired)
            log.info("incidents of partition %d with no report for %d day(s) expired: %d dropped",
                     event.message.partition, round(ttl_s / 86400), folded.expired)


async def publish_incidents(events: list[IncidentRecorded | IncidentUpdated]) -> None:
    for event in events:
        await incidents_topic.send(key=event.incident_id.encode(), value=encode(event))
        metrics.INCIDENT_EVENTS.labels(type=type(event).__name__).inc()


def _expired(swept: Swept) -> None:
    metrics.ALERT_STORIES_EXPIRED.labels(outcome="dropped").inc(swept.dropped)
    metrics.ALERT_STORIES_EXPIRED.labels(outcome="kept").inc(swept.kept)
    log.info("stories of partition %d with no article since %s expired: %d dropped, %d kept as alert records",
             swept.partition, datetime.fromtimestamp(swept.upto, UTC).isoformat(timespec="minutes"),
             swept.dropped, swept.kept)


async def _note(event: EventT, cls: type) -> StoryNote | SpikeNote | ReportNote | None:
    try:
        note = decode_note(event.value)
    except (msgspec.DecodeError, TypeError) as e:
        await dead_letter(event, f"bad alert note: {e}", "schema")
        return None
    if not isinstance(note, cls):
        await dead_letter(event, f"expected a {cls.__name__}, got a {type(note).__name__}", "schema")
        return None
    return note
