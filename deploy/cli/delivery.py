"""`marsad alerts deliver`, `deliveries` and `redeliver`: registered on the `alerts` group by deploy/cli/main.py.

Each reads the settings once from the `Ctx` (``click.pass_obj``), loads and
checks the endpoints file before touching Kafka, and hands plain values to
`marsad.streams.alerts.delivery.deliver`, `marsad.streams.alerts.delivery.ledger` or
`marsad.streams.alerts.delivery.redeliver`. All three share one ledger file per topic
prefix, ``{data_dir}/alerts/delivered-{prefix}.sqlite``.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from marsad.runtime.table import render

ENDPOINTS_HELP = """\b
Endpoints file (YAML; MARSAD_ALERT_WEBHOOKS or --webhooks):
  endpoints:
    - name: ops-critical
      url: https://hooks.example.org/marsad
      secret_env: MARSAD_HOOK_OPS        # or secret: "..."
      severities: [critical]             # and/or rules: [captagon-million]; neither: every alert
      updates: true                      # also post AlertUpdated
      timeout: 5                         # seconds per try
"""
DELIVER_EPILOG = ENDPOINTS_HELP + """\b
Each POST carries X-Marsad-Timestamp, Idempotency-Key (alert_id, or
alert_id:revision), X-Marsad-Event and X-Marsad-Signature: sha256=HMAC of
"{timestamp}.{idempotency key}.{body}" with the endpoint's secret.
\b
Retries: MARSAD_ALERT_DELIVER_BACKOFF (2 s) doubled up to
MARSAD_ALERT_DELIVER_BACKOFF_MAX (30 min), over MARSAD_ALERT_DELIVER_RETRY_FOR
(24 h); then the dead-letter topic. See also: marsad alerts deliveries,
marsad alerts redeliver.
"""


def ledger_path(settings: Any) -> Path:
    """One ledger per topic prefix: alert ids repeat across prefixes that hold the same articles (the demo runs)."""
    return Path(settings.data_dir) / "alerts" / f"delivered-{settings.topic_prefix}.sqlite"


def instance_id(group: str, ledger: Path) -> str:
    """The consumer's static group membership: one per host and ledger (the ledger allows one process), so
    a restarted delivery takes its partitions back at once instead of after the dead one's session timeout."""
    import hashlib
    import socket
    where = hashlib.blake2b(f"{socket.gethostname()}:{ledger.resolve()}".encode(), digest_size=6).hexdigest()
    return f"{group}-{where}"


def retry_schedule(settings: Any) -> Any:
    from marsad.streams.alerts.delivery.schedule import RetrySchedule
    return RetrySchedule(settings.alert_deliver_backoff, settings.alert_deliver_backoff_max,
                         settings.alert_deliver_retry_for, max_tries=settings.alert_deliver_attempts)


def _endpoints(path: str | None, *, required: bool) -> list:
    from marsad.streams.alerts.delivery.endpoints import EndpointsError, load_endpoints
    if not path:
        if required:
            raise click.UsageError("no endpoints file: give --webhooks or set MARSAD_ALERT_WEBHOOKS")
        return []
    try:
        return load_endpoints(path)
    except EndpointsError as e:
        raise click.ClickException(str(e)) from None


@click.command("deliver", epilog=DELIVER_EPILOG)
@click.option("--webhooks", type=click.Path(dir_okay=False), default=None,
              help="Webhook endpoints file (default: $MARSAD_ALERT_WEBHOOKS).")
@click.option("--jsonl", default=None, metavar="PATH|-",
              help="Also write every alert event as one JSON line to this file (appended), or - for stdout.")
@click.option("--group", default=None, help="Kafka consumer group (default: {prefix}-alerts-deliver).")
@click.pass_obj
def deliver_cmd(obj: Any, webhooks: str | None, jsonl: str | None, group: str | None) -> None:
    """Post alerts to webhooks: signed, retried for hours, dead-lettered only when the schedule is spent.

    Reads the alerts topic in its own consumer group and queues each event,
    per endpoint that takes it, in the ledger (a SQLite file in the data
    dir) before committing its offset; each endpoint is then sent its queue
    at its own pace, so a failing endpoint delays nobody else, and what it
    is owed survives a restart or kill -9. An endpoint that accepted an
    event is not sent it again; one alert's events reach an endpoint in
    order (an update waits behind its raise). SIGTERM: reading stops,
    deliveries in flight get MARSAD_SHUTDOWN_GRACE seconds, the rest stay
    queued for the next start.
    """
    from marsad.deploy.cli.views import _broker
    from marsad.schemas.topics import Topics
    from marsad.streams.alerts.delivery.deliver import DeliverConfig, run_deliver, stop_on_signals
    from marsad.streams.alerts.delivery.ledger import Ledger, LedgerBusy
    from marsad.streams.alerts.delivery.targets import JsonlSink, WebhookTarget
    s = obj.settings
    if not webhooks:
        from marsad.runtime.preflight import setting_file
        setting_file(s, "alert_webhooks", remedy="fix the path, or unset it and pass --jsonl")
    endpoints = _endpoints(webhooks or s.alert_webhooks, required=False)
    if not endpoints and not jsonl:
        raise click.UsageError("nothing to deliver to: give an endpoints file (--webhooks or "
                               "MARSAD_ALERT_WEBHOOKS) or --jsonl PATH|-")
    bootstrap = _broker(s)
    topics = Topics(s.topic_prefix)
    group = group or f"{s.topic_prefix}-alerts-deliver"
    config = DeliverConfig(group=group, grace=s.shutdown_grace, schedule=retry_schedule(s),
                           instance_id=instance_id(group, ledger_path(s)), stall_after=s.ready_stall_after)
    ledger = Ledger(ledger_path(s))
    try:
        ledger.claim()
    except LedgerBusy as e:
        ledger.close()
        raise click.ClickException(f"{e}: one delivery per data dir and topic prefix") from None
    click.echo(f"deliver: {topics.alerts} -> " + ", ".join([e.name for e in endpoints] + ([f"jsonl {jsonl}"]
               if jsonl else [])) + " (SIGTERM stops after the grace period)", err=True)

    from marsad.runtime.health import Health, serve_health
    health = Health("deliver")
    server = serve_health(health, s.metrics_host, s.deliver_metrics_port, setting="MARSAD_DELIVER_METRICS_PORT")

    async def main() -> None:
        stop = asyncio.Event()
        stop_on_signals(stop)
        targets: list[Any] = [WebhookTarget(e, s.alert_deliver_timeout) for e in endpoints]
        if jsonl:
            targets.append(JsonlSink(jsonl))
        beats = asyncio.create_task(health.beat_while_running())
        try:
            totals = await run_deliver(bootstrap, topics, targets, ledger, config, stop, health)
        finally:
            beats.cancel()
        click.echo(f"deliver: stopped: {totals.summary()}", err=True)

    try:
        asyncio.run(main())
    finally:
        ledger.close()
        if server:
            server.close()


@click.command("deliveries")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per endpoint, one per line.")
@click.pass_obj
def deliveries_cmd(obj: Any, as_json: bool) -> None:
    """Per endpoint: deliveries pending, retrying (and the next try), dead-lettered and accepted.

    \b
    pending    queued, not tried yet (or waiting behind an earlier event of the same alert)
    retrying   tried and failed; another try is scheduled (NEXT TRY)
    dead       dead-lettered (refused, or the retry schedule spent): `marsad alerts redeliver`
    accepted   answered 2xx (within the ledger's 30 days)
    Reads the ledger file only (no broker needed), so it works while `marsad alerts deliver` runs.
    """
    import orjson

    from marsad.streams.alerts.delivery.ledger import Ledger, TargetStatus
    s = obj.settings
    path = ledger_path(s)
    try:
        ledger = Ledger(path, create=False)
    except FileNotFoundError:
        rows: dict[str, TargetStatus] = {}
    else:
        try:
            rows = ledger.status()
        finally:
            ledger.close()
    try:  # the configured endpoints show even before their first delivery
        configured = _endpoints(s.alert_webhooks, required=False)
    except click.ClickException:
        configured = []  # `marsad alerts deliver` reports a bad file; the ledger is still worth showing
    for e in configured:
        rows.setdefault(e.name, TargetStatus(e.name))
    if not rows:
        click.echo(f"no deliveries yet (no ledger at {path})" if not path.exists() else "no deliveries yet")
        return
    now = time.time()
    if as_json:
        for r in rows.values():
            click.echo(orjson.dumps({**vars(r), "next_try_at": _iso(r.next_try_at),
                                     "oldest_queued_at": _iso(r.oldest_queued_at)}).decode())
        return
    header = ("ENDPOINT", "PENDING", "RETRYING", "NEXT TRY", "OLDEST QUEUED", "DEAD", "ACCEPTED", "LAST ERROR")
    click.echo(render(header, [(r.target, str(r.pending), str(r.retrying), _in(r.next_try_at, now),
                                _ago(r.oldest_queued_at, now), str(r.dead), str(r.accepted), r.last_error[:60] or "-")
                               for r in sorted(rows.values(), key=lambda r: r.target)], max_width=None))


@click.command("redeliver")
@click.option("--endpoint", "names", multiple=True, metavar="NAME",
              help="Only this endpoint (repeatable; default: every endpoint of the file).")
@click.option("--since", default=None, metavar="DATE", help="Events from this time on (UTC; 2026-01-31 or "
                                                              "2026-01-31T12:00), by the event's occurred_at.")
@click.option("--until", default=None, metavar="DATE", help="Events before this time (UTC).")
@click.option("--rule", "rules", multiple=True, metavar="RULE_ID", help="Only alerts of this rule (repeatable).")
@click.option("--all", "every", is_flag=True,
              help="Every event of the range the endpoint has not accepted, not only the dead-lettered ones "
                   "(e.g. for an endpoint added later).")
@click.option("--force", is_flag=True, help="Even events the endpoint accepted (it lost them); implies --all.")
@click.option("--dry-run", is_flag=True, help="Say what would be queued; queue nothing.")
@click.option("--webhooks", type=click.Path(dir_okay=False), default=None,
              help="Webhook endpoints file (default: $MARSAD_ALERT_WEBHOOKS).")
@click.pass_obj
def redeliver_cmd(obj: Any, names: tuple[str, ...], since: str | None, until: str | None, rules: tuple[str, ...],
                  every: bool, force: bool, dry_run: bool, webhooks: str | None) -> None:
    """Send dead-lettered (or all) alert events of a range again, signed, once per endpoint.

    Reads the alerts topic (as far back as its retention keeps) and queues
    the events picked in the ledger; the running `marsad alerts deliver`
    sends them within a second, through the retry schedule again. An
    endpoint gets an event at most once: what it accepted is left out
    (unless --force), what is already queued is not queued twice. An
    alert's events go together and in order: an update picked brings its
    raise along (when not accepted), a raise brings its held-back updates.

    \b
    marsad alerts redeliver                                   # everything dead-lettered
    marsad alerts redeliver --endpoint ops --since 2026-03-01 --until 2026-03-02
    marsad alerts redeliver --endpoint new-hook --all --since 2026-03-01
    """
    from marsad.deploy.cli.alerts import _date
    from marsad.deploy.cli.views import _broker
    from marsad.schemas.topics import Topics
    from marsad.streams.alerts.delivery.ledger import Ledger
    from marsad.streams.alerts.delivery.redeliver import read_alert_log, redeliver
    s = obj.settings
    endpoints = _endpoints(webhooks or s.alert_webhooks, required=True)
    unknown = sorted(set(names) - {e.name for e in endpoints})
    if unknown:
        raise click.UsageError(f"no endpoint {', '.join(map(repr, unknown))} in the endpoints file "
                               f"(there: {', '.join(e.name for e in endpoints)})")
    since_d, until_d = _date(since), _date(until)
    if since_d and until_d and until_d <= since_d:
        raise click.UsageError("--until must come after --since")
    mode = "any" if force else "unaccepted" if every else "dead"
    topics = Topics(s.topic_prefix)
    log = read_alert_log(_broker(s), topics.alerts)
    chosen = [e for e in endpoints if not names or e.name in names]
    ledger = Ledger(ledger_path(s))
    try:
        done = redeliver(log, chosen, ledger, topics.alerts, mode=mode, since=since_d, until=until_d,
                         rules=frozenset(rules), dry_run=dry_run)
    finally:
        ledger.close()
    what = {"dead": "dead-lettered", "unaccepted": "not accepted", "any": "all"}[mode]
    click.echo(f"redeliver: {len(log)} alert events on {topics.alerts}; {what} in range: {done.summary()}")
    if dry_run:
        click.echo("redeliver: --dry-run: nothing queued")
    elif sum(done.queued.values()):
        click.echo("redeliver: `marsad alerts deliver` sends them (progress: marsad alerts deliveries)")


def _iso(t: float | None) -> str | None:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds") if t else None


def _in(t: float | None, now: float) -> str:
    if t is None:
        return "-"
    return "due" if t <= now else f"in {_span(t - now)}"


def _ago(t: float | None, now: float) -> str:
    return "-" if t is None else f"{_span(now - t)} ago"


def _span(seconds: float) -> str:
    s = int(max(seconds, 0))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"
