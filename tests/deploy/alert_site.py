"""What the drills need to run the alert services: broad rules, a webhook receiver's settings, and reading back.

The rules fire on topics most corpus texts carry (narcotics ~90 %, security_ops
~70 %, smuggling ~60 %) with no corroboration, so nearly every article of a
`GrowingSite` raises or updates alerts. Alerts are keyed by rule id;
drill-narcotics hashes to partition 0 of the alerts topic, the others to 1.
"""

from __future__ import annotations

from pathlib import Path

from marsad.runtime.kafka.read import read_all
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.streams.alerts.backtest import read_routed, replay
from marsad.streams.alerts.delivery.signing import idempotency_key
from marsad.streams.alerts.rules import load_rules
from marsad.streams.classify import Taxonomy
from marsad.streams.extract.gazetteer.model import load_gazetteer
from tests.deploy.services_site import Pipeline

SECRET = "drill-secret-0123456789"
RULES = """\
rules:
  - id: drill-narcotics
    title: أخبار المخدرات
    severity: info
    topics: [narcotics]
  - id: drill-security
    title: عمليات أمنية
    severity: warning
    topics: [security_ops]
  - id: drill-smuggling
    title: تهريب
    severity: critical
    topics: [smuggling]
"""


def alert_settings(tmp: Path, hook_url: str, *, concurrency: int = 4) -> dict[str, str]:
    """The settings (environment) that run the alert services on `RULES`, delivering to ``hook_url``."""
    rules = tmp / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    webhooks = tmp / "webhooks.yaml"
    webhooks.write_text(f"endpoints:\n  - name: drill-hook\n    url: {hook_url}\n    secret_env: MARSAD_DRILL_HOOK_SECRET\n"
                        f"    concurrency: {concurrency}\n", encoding="utf-8")
    return {"MARSAD_ALERT_RULES": str(rules), "MARSAD_ALERT_WEBHOOKS": str(webhooks),
            "MARSAD_DRILL_HOOK_SECRET": SECRET, "MARSAD_ALERT_DELIVER_BACKOFF": "0.2"}


def alert_events(p: Pipeline) -> list[AlertRaised | AlertUpdated]:
    return [e for e in read_all(p.bootstrap, p.topics.alerts) if isinstance(e, AlertRaised | AlertUpdated)]


def topic_keys(p: Pipeline) -> set[str]:
    """The idempotency keys of the alert events on the alerts topic (what the webhook must accept)."""
    return {idempotency_key(e) for e in alert_events(p)}


def expected_alerts(p: Pipeline, rules: Path) -> set[str]:
    """The alert ids the rules give on the whole processed log, by the back-test's functions (which alerts
    exist does not depend on the order articles arrive in; see marsad.streams.alerts.engine)."""
    ruleset = load_rules(rules, Taxonomy.load(None), load_gazetteer())
    routed, bad = read_routed(p.bootstrap, p.topics.processed, ruleset)
    assert not bad
    return set(replay(routed, ruleset).alerts)
