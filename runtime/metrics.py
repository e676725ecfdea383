"""Every Prometheus metric marsad exports, defined once (prometheus-client).

Each service process imports this module and moves the figures it owns; the
others stay at zero (labelled ones are absent until first used). The health
server (`marsad.runtime.health`) and the workers' web server
(`marsad.runtime.faust_web`) serve them at ``/metrics``.

| metric | type | labels | moved by |
|---|---|---|---|
| marsad_feeds_polled_total | counter | | poller (or producer): every feed poll (200, 304 or failed) |
| marsad_feeds_failed_total | counter | | poller (or producer): polls that failed |
| marsad_pages_fetched_total | counter | | fetcher (or producer): pages fetched and extracted |
| marsad_pages_failed_total | counter | | fetcher (or producer): pages dead-lettered |
| marsad_events_produced_total | counter | event | every service: events Kafka acknowledged, by type |
| marsad_articles_processed_total | counter | stage | worker (streams), views consumer (views) |
| marsad_duplicates_total | counter | kind | worker: exact and near duplicates |
| marsad_dead_letters_total | counter | stage | any stage that dead-letters a message |
| marsad_alerts_raised_total | counter | severity | alert agent |
| marsad_alerts_delivered_total | counter | endpoint | alert delivery |
| marsad_alerts_failed_total | counter | endpoint | alert delivery: gave up (dead-lettered) |
| marsad_alert_deliveries_queued | gauge | endpoint, state | alert delivery: owed in its ledger (pending, retrying) |
| marsad_consumer_lag | gauge | topic | consumers: messages behind the end of the log |
| marsad_processing_latency_seconds | histogram | stage | streams: ArticleFetched to analysed; views: ArticleProcessed to written |
| marsad_last_event_timestamp_seconds | gauge | | unix time of the last event this service handled |
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

FEEDS_POLLED = Counter("marsad_feeds_polled", "Feed polls (200, 304 or failed).")
FEEDS_FAILED = Counter("marsad_feeds_failed", "Feed polls that failed (network, HTTP status, not a feed).")
PAGES_FETCHED = Counter("marsad_pages_fetched", "Article pages fetched and extracted.")
PAGES_FAILED = Counter("marsad_pages_failed", "Article pages that could not be fetched or extracted.")
EVENTS_PRODUCED = Counter("marsad_events_produced", "Events acknowledged by Kafka, by type.", ["event"])
ARTICLES_PROCESSED = Counter("marsad_articles_processed", "Articles through this stage.", ["stage"])
DUPLICATES = Counter("marsad_duplicates", "Articles found to be duplicates, by kind (exact, near).", ["kind"])
DEDUP_EXPIRED = Counter("marsad_dedup_expired", "Articles the dedup state forgot, dedup_days after their fetch.")
DEAD_LETTERS = Counter("marsad_dead_letters", "Messages sent to a dead-letter topic, by stage.", ["stage"])
ALERTS_RAISED = Counter("marsad_alerts_raised", "Alerts raised, by severity.", ["severity"])
INCIDENT_EVENTS = Counter("marsad_incident_events", "Fused incident events published (IncidentRecorded: a new "
                          "incident; IncidentUpdated: a report joined one), by type.", ["type"])
INCIDENTS_EXPIRED = Counter("marsad_incidents_expired", "Incidents the alerter forgot, alert_story_days after "
                            "their latest report.")
ALERT_STORIES_EXPIRED = Counter("marsad_alert_stories_expired",
                                "Stories the alerter expired: dropped, kept as the record of their alerts, or such records forgotten.",
                                ["outcome"])
ALERTS_DELIVERED = Counter("marsad_alerts_delivered", "Alerts delivered to a webhook, by endpoint.", ["endpoint"])
ALERTS_FAILED = Counter("marsad_alerts_failed", "Alerts given up on after every try, by endpoint.", ["endpoint"])
ALERT_DELIVERIES_QUEUED = Gauge("marsad_alert_deliveries_queued",
                                "Alert events owed to an endpoint in the delivery's ledger, pending or retrying.",
                                ["endpoint", "state"])
CONSUMER_LAG = Gauge("marsad_consumer_lag", "Messages between this consumer's position and the log's end.",
                     ["topic"])
LATENCY = Histogram("marsad_processing_latency_seconds",
                    "Seconds from the consumed event's time to this stage done with it "
                    "(streams: ArticleFetched to analysed; views: ArticleProcessed to written).", ["stage"],
                    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
LAST_EVENT = Gauge("marsad_last_event_timestamp_seconds", "Unix time of the last event this service handled.")


def event_seen() -> None:
    """Mark now as the time of this service's last event (`marsad ps` shows it)."""
    LAST_EVENT.set(time.time())


def produced(event_type: str) -> None:
    """One event of ``event_type`` acknowledged by Kafka."""
    EVENTS_PRODUCED.labels(event=event_type).inc()
    event_seen()


def article_done(stage: str, duplicate: str = "original") -> None:
    """One article through ``stage`` (``duplicate``: the worker's verdict, counted when exact or near)."""
    ARTICLES_PROCESSED.labels(stage=stage).inc()
    if duplicate in ("exact", "near"):
        DUPLICATES.labels(kind=duplicate).inc()
    event_seen()


def latency(stage: str, since: datetime) -> None:
    """Observe the seconds from ``since`` (the consumed event's time) to now."""
    LATENCY.labels(stage=stage).observe(max(0.0, time.time() - since.timestamp()))


def latencies(stage: str, since: Iterable[datetime]) -> None:
    """`latency` of a batch of events: the stage's histogram looked up once, and now read once."""
    histogram, now = LATENCY.labels(stage=stage), time.time()
    for t in since:
        histogram.observe(max(0.0, now - t.timestamp()))


def set_lag(lag: dict[str, int]) -> None:
    """Messages behind the end of the log, per topic (every topic reported, 0 included)."""
    for topic, behind in lag.items():
        CONSUMER_LAG.labels(topic=topic).set(behind)


def render() -> tuple[bytes, str]:
    """The exposition text of every metric of this process, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def parse_figures(text: str) -> dict[str, float]:
    """Every sample of an exposition text by ``name{label="value",...}`` (for `marsad ps` and the tests).

    Read with prometheus-client's own parser; raises ValueError on a text
    that is not the exposition format.
    """
    return {_sample_key(s.name, s.labels): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _sample_key(name: str, labels: dict[str, str]) -> str:
    return name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else "")
