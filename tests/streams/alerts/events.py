"""Deterministic alert events for the consumer tests, published as the alert agent publishes them.

Each event goes to both of its routes (`Topics.alert_routes`: the all-alerts
topic and its severity's topic), keyed by rule id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.schemas.facts import Place, Quantity, Topic
from marsad.schemas.topics import Topics
from tests.consumers.factory import PLACES, SOURCES

T0 = datetime(2024, 2, 1, 6, 0, tzinfo=UTC)
SEVERITY_OF = ("critical", "warning", "info")


def raised(i: int, *, severity: str | None = None, rule: str | None = None, place: Place | None = None,
           pills: float | None = None) -> AlertRaised:
    """Alert ``al{i:04d}``; unless given, severity, rule and place follow from ``i``."""
    sev = severity or SEVERITY_OF[i % 3]
    p = place or PLACES[i % len(PLACES)]
    quantities = [Quantity(pills, "pill", "captagon", f"{pills:g} حبة كبتاغون")] if pills else []
    return AlertRaised(
        event_id=f"ar{i:04d}", occurred_at=T0 + timedelta(hours=i, minutes=5), alert_id=f"al{i:04d}",
        rule_id=rule or f"rule-{sev}", title=f"تنبيه رقم {i}: ضبط في {p.name}", severity=sev, story_id=f"a{i:05d}",
        article_ids=[f"a{i:05d}"], sources=[SOURCES[i % len(SOURCES)]], titles=[f"خبر رقم {i} من {p.name}"],
        urls=[f"https://example.org/news/{i}"], topics=[Topic("narcotics", 0.9)], places=[p], countries=[p.country],
        quantities=quantities, matched=[f"place {p.name}"], window_start=T0 + timedelta(hours=i),
        rules_version="r1", taxonomy_version="t1", gazetteer_version="g1")


def updated(alert: AlertRaised, revision: int) -> AlertUpdated:
    """Revision ``revision`` of ``alert``: one more copy from another outlet."""
    ids = [*alert.article_ids, *(f"{alert.story_id}-c{r}" for r in range(1, revision + 1))]
    sources = [*alert.sources, *(SOURCES[(r + 1) % len(SOURCES)] + f" {r}" for r in range(1, revision + 1))]
    return AlertUpdated(event_id=f"{alert.event_id}-u{revision}", occurred_at=alert.occurred_at + timedelta(
        minutes=10 * revision), alert_id=alert.alert_id, rule_id=alert.rule_id, severity=alert.severity,
        revision=revision, article_id=ids[-1], source=sources[-1], article_ids=ids, sources=sources)


def publish_alerts(bootstrap: str, topics: Topics, events: Iterable[AlertRaised | AlertUpdated]) -> int:
    """Publish each event to its routes; return the events published."""
    n = 0
    with EventPublisher(bootstrap, client_id="test-alerts") as pub:
        for e in events:
            for topic in topics.alert_routes(e.severity):
                pub.publish(topic, e.rule_id, e)
            n += 1
    assert pub.failed == 0
    return n
