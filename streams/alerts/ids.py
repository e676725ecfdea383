"""Deterministic ids of alerts and of their events.

An alert's id hashes what makes it one alert: (rule, story) for story rules,
(rule, scope, window start) for spikes. An event's id hashes (alert,
revision): revision 0 is the `AlertRaised`, 1, 2... its `AlertUpdated`. A
restart or a replay therefore never makes a second alert or a second copy of
an update, and every consumer can deduplicate by id.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime


def hash_id(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def story_alert_id(rule_id: str, story_id: str) -> str:
    return hash_id("story", rule_id, story_id)


def spike_alert_id(rule_id: str, scope_key: str, window_start: int) -> str:
    return hash_id("spike", rule_id, scope_key, datetime.fromtimestamp(window_start, UTC).isoformat())


def alert_event_id(alert_id: str, revision: int) -> str:
    return hash_id("alert-event", alert_id, str(revision))


def incident_alert_id(rule_id: str, incident_id: str) -> str:
    return hash_id("incident", rule_id, incident_id)
