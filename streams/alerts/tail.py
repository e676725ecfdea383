"""`marsad alerts tail`: follow the alert topics and print alerts for people, or as JSON lines.

The all-alerts topic, or one severity's topic; ``--rule`` filters on the
record key (the rule id), so other rules' alerts are not even decoded. Reads
without a consumer group (every partition assigned), from the end or, with
``--from-beginning``, from the start. Ctrl-C or SIGTERM stops it cleanly.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

import orjson
from kafka import KafkaConsumer

from marsad.runtime.kafka.connection import Kafka, kafka_python_options
from marsad.runtime.kafka.read import partitions_of
from marsad.schemas.codec import SchemaError, decode, to_dict
from marsad.schemas.events import AlertRaised, AlertUpdated, Event


def describe(event: Event) -> str:
    """An alert event for a terminal: severity, rule, title, sources, places, quantities (Arabic intact)."""
    if isinstance(event, AlertRaised):
        head = f"[{event.severity.upper()}] {event.rule_id}  {event.title}"
        when = f"{event.occurred_at:%Y-%m-%d %H:%M} UTC"
        lines = [head, f"  {when}  alert {event.alert_id}  {len(event.sources)} source(s): {', '.join(event.sources)}"]
        if event.kind == "spike":
            lines.append(f"  spike {event.scope}: observed {event.observed:g}, expected {event.expected:g}"
                         + (f" ({event.window_start:%Y-%m-%d %H:%M} to {event.window_end:%H:%M})"
                            if event.window_start and event.window_end else ""))
        if event.kind == "incident":
            lines.append(f"  incident {event.incident_type} {event.incident_id}: {_figures(event)}")
        for title in event.titles[:3]:
            lines.append(f"  - {title}")
        if event.places:
            lines.append("  places: " + ", ".join(f"{p.name} ({p.lat:.4f}, {p.lon:.4f})" for p in event.places))
        if event.quantities:
            lines.append("  quantities: " + ", ".join(
                f"{q.value:,.0f} {q.unit}{' ' + q.item if q.item else ''}" for q in event.quantities))
        if event.orgs:
            lines.append("  organisations: " + ", ".join(o.name for o in event.orgs))
        if event.matched:
            lines.append("  why: " + "; ".join(event.matched))
        return "\n".join(lines)
    if isinstance(event, AlertUpdated):
        observed = f", observed {event.observed:g}" if event.observed is not None else ""
        if event.incident_id:
            observed = f", {_figures(event)}"
        return (f"[{event.severity.upper()}] {event.rule_id}  update {event.revision} of alert {event.alert_id}: "
                f"{len(event.article_ids)} article(s), {len(event.sources)} source(s): "
                f"{', '.join(event.sources)}{observed}")
    return f"{type(event).__name__} (not an alert event)"


def _figures(event: AlertRaised | AlertUpdated) -> str:
    """An incident alert's reconciled figures: "killed 4, injured 2, 3 outlet(s)"."""
    counts = [f"{name} {value}" for name in ("killed", "injured", "arrested")
              if (value := getattr(event, name)) is not None]
    return ", ".join([*counts, f"{event.outlets} independent outlet(s)"])


def follow(bootstrap: Kafka, topic: str, *, rule: str | None = None, from_beginning: bool = False,
           as_json: bool = False, out: Callable[[str], None] = print, stop: threading.Event | None = None) -> int:
    """Print alert events of ``topic`` until ``stop`` is set (SIGTERM and Ctrl-C set it); the number printed."""
    stop = stop or threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) \
        if threading.current_thread() is threading.main_thread() else None
    consumer = KafkaConsumer(**kafka_python_options(bootstrap), enable_auto_commit=False, client_id="marsad-alerts-tail")
    shown = 0
    try:
        parts = partitions_of(consumer, topic)
        consumer.assign(parts)
        (consumer.seek_to_beginning if from_beginning else consumer.seek_to_end)(*parts)
        want = rule.encode() if rule else None
        while not stop.is_set():
            for records in consumer.poll(timeout_ms=300).values():
                for r in records:
                    if want is not None and r.key != want:
                        continue
                    try:
                        event = decode(r.value)
                    except SchemaError as e:
                        out(orjson.dumps({"error": str(e)}).decode() if as_json else f"<malformed: {e}>")
                        continue
                    out(orjson.dumps(to_dict(event)).decode() if as_json else describe(event))
                    shown += 1
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return shown
