"""`marsad alerts deliver`: registered on the `alerts` group by deploy/cli.py.

Reads the settings once from the `Ctx` (``click.pass_obj``), loads and
checks the endpoints file before touching Kafka, and hands plain values to
`consumers.alerts.deliver.run_deliver`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

DELIVER_EPILOG = """\b
Endpoints file (YAML; MARSAD_ALERT_WEBHOOKS or --webhooks):
  endpoints:
    - name: ops-critical
      url: https://hooks.example.org/marsad
      secret_env: MARSAD_HOOK_OPS        # or secret: "..."
      severities: [critical]             # and/or rules: [captagon-million]; neither: every alert
      updates: true                      # also post AlertUpdated
      timeout: 5                         # seconds per try
\b
Each POST carries X-Marsad-Timestamp, X-Marsad-Signature (sha256=HMAC of
"{timestamp}.{body}") and Idempotency-Key (alert_id, or alert_id:revision).
"""


@click.command("deliver", epilog=DELIVER_EPILOG)
@click.option("--webhooks", type=click.Path(dir_okay=False), default=None,
              help="Webhook endpoints file (default: $MARSAD_ALERT_WEBHOOKS).")
@click.option("--jsonl", default=None, metavar="PATH|-",
              help="Also write every alert event as one JSON line to this file (appended), or - for stdout.")
@click.option("--group", default=None, help="Kafka consumer group (default: {prefix}-alerts-deliver).")
@click.pass_obj
def deliver_cmd(obj: Any, webhooks: str | None, jsonl: str | None, group: str | None) -> None:
    """Post alerts to webhooks (signed, retried, dead-lettered after the last try), at least once.

    Reads the alerts topic in its own consumer group and commits a partition
    only up to the oldest alert some endpoint has not accepted or
    dead-lettered; a ledger in the data dir keeps a restart from posting
    again what was accepted. SIGTERM: reading stops, deliveries in hand get
    MARSAD_SHUTDOWN_GRACE seconds, what is done is committed.
    """
    from consumers.alerts.deliver import DeliverConfig, run_deliver, stop_on_signals
    from consumers.alerts.endpoints import EndpointsError, load_endpoints
    from consumers.alerts.ledger import Ledger
    from consumers.alerts.targets import JsonlSink, RetryPolicy, WebhookTarget
    from consumers.cli import _broker
    from schemas.topics import Topics
    s = obj.settings
    path = webhooks or s.alert_webhooks
    if not webhooks:
        from deploy.preflight import setting_file
        setting_file(s, "alert_webhooks", remedy="fix the path, or unset it and pass --jsonl")
    try:
        endpoints = load_endpoints(path) if path else []
    except EndpointsError as e:
        raise click.ClickException(str(e)) from None
    if not endpoints and not jsonl:
        raise click.UsageError("nothing to deliver to: give an endpoints file (--webhooks or "
                               "MARSAD_ALERT_WEBHOOKS) or --jsonl PATH|-")
    bootstrap = _broker(s)
    topics = Topics(s.topic_prefix)
    policy = RetryPolicy(s.alert_deliver_attempts, s.alert_deliver_timeout, s.alert_deliver_backoff)
    config = DeliverConfig(group=group or f"{s.topic_prefix}-alerts-deliver", grace=s.shutdown_grace)
    # one ledger per topic prefix: alert ids repeat across prefixes that hold the same articles (the demo runs)
    ledger = Ledger(Path(s.data_dir) / "alerts" / f"delivered-{s.topic_prefix}.sqlite")
    click.echo(f"deliver: {topics.alerts} -> " + ", ".join([e.name for e in endpoints] + ([f"jsonl {jsonl}"]
               if jsonl else [])) + " (SIGTERM stops after the grace period)", err=True)

    from deploy.services.health import Health, HealthError, serve_health
    health = Health("deliver")
    try:
        server = serve_health(health, s.metrics_host, s.deliver_metrics_port, setting="MARSAD_DELIVER_METRICS_PORT")
    except HealthError as e:
        raise click.ClickException(str(e)) from None

    async def main() -> None:
        stop = asyncio.Event()
        stop_on_signals(stop)
        targets: list[Any] = [WebhookTarget(e, policy) for e in endpoints]
        if jsonl:
            targets.append(JsonlSink(jsonl))
        beats = asyncio.create_task(health.beat_while_running())
        health.ready()
        try:
            totals = await run_deliver(bootstrap, topics, targets, ledger, config, stop)
        finally:
            beats.cancel()
        click.echo(f"deliver: stopped: {totals.summary()}", err=True)

    try:
        asyncio.run(main())
    finally:
        ledger.close()
        if server:
            server.close()
