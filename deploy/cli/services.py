"""The service commands: `marsad up`, `marsad down`, `marsad ps` (registered by deploy/cli/main.py)."""

from __future__ import annotations

import sys
from typing import Any

import click
import orjson

UP_EPILOG = """\b
Examples:
  marsad up --demo              the main job: all of it on the bundled samples, a summary, then stop
  marsad up --demo --keep       the same, left running (the dashboard's address is printed)
  marsad up                     broker, topics, then every service, detached; returns when all are ready
  marsad up --workers 2         two stream workers sharing the partitions
  marsad up --fetchers 2        two fetchers sharing the announced pages
  marsad up --foreground        stay in the terminal (containers, systemd); Ctrl-C stops everything
  marsad ps                     state, pid, uptime, restarts, readiness, lag, last event of each service
  marsad down                   stop them in reverse order, then the broker `up` started
\b
Logs: DATA_DIR/logs/{service}.log (supervisor.log: starts, crashes, restarts).
With KAFKA_BOOTSTRAP_SERVERS set, no local broker is started or stopped.
"""


def _settings(obj: Any):
    return obj.settings


def _run(action: Any) -> Any:
    from marsad.deploy.services.control import ServicesError
    try:
        return action()
    except ServicesError as e:
        raise click.ClickException(str(e)) from None


@click.command("up", epilog=UP_EPILOG)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Stream workers to run (each its own process, web port and table store dir).")
@click.option("--fetchers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Fetchers to run (each its own process and metrics port), sharing the discovered partitions.")
@click.option("--foreground", is_flag=True, help="Run the supervisor in this terminal instead of detached.")
@click.option("--skip", multiple=True, metavar="SERVICE",
              help="A service not to run here (poller, fetcher, worker, alerter, deliver, views, api); repeatable.")
@click.option("--demo", is_flag=True,
              help="The main job: everything on the bundled samples and seeds, a summary, then stop (see below).")
@click.option("--keep", is_flag=True, help="With --demo: keep it all running afterwards (dashboard included).")
@click.pass_obj
def up_cmd(obj: Any, workers: int, fetchers: int, foreground: bool, skip: tuple[str, ...], demo: bool,
           keep: bool) -> None:
    """Run the whole pipeline as supervised services: poller, fetcher, worker(s), alerts, views, API.

    Starts the local broker (unless KAFKA_BOOTSTRAP_SERVERS is set) and the
    topics, then each service as its own process, in order. A crashed service
    is restarted with a backoff (1 s doubling to 60 s), and the supervisor
    logs it. Each service serves /health/live, /health/ready and /metrics.
    """
    from marsad.deploy.services.control import up
    if demo:
        from marsad.deploy.demo import SHARED_SEEDS, run_demo
        run_demo(_settings(obj), keep=keep, seeds=SHARED_SEEDS, workers=workers)
        return
    if keep:
        raise click.UsageError("--keep goes with --demo (without it, `marsad up` keeps running anyway)")
    if workers > (s := _settings(obj)).partitions:
        click.echo(f"note: {workers} workers for {s.partitions} partitions: {workers - s.partitions} will idle "
                   "(MARSAD_PARTITIONS sets the partitions of new topics)", err=True)
    _run(lambda: up(s, workers=workers, fetchers=fetchers, foreground=foreground, echo=click.echo, skip=skip))


@click.command("down")
@click.pass_obj
def down_cmd(obj: Any) -> None:
    """Stop the services in reverse order (SIGTERM, then SIGKILL after MARSAD_STOP_TIMEOUT), then the broker.

    Producers flush and consumers commit before they exit; the local broker
    is stopped when `marsad up` started it. No process is left behind.
    """
    from marsad.deploy.services.control import down
    _run(lambda: down(_settings(obj), echo=click.echo))


@click.command("ps")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def ps_cmd(obj: Any, as_json: bool) -> None:
    """Each service's state, pid, uptime, restarts, readiness, consumer lag and last event. Exit 1 when down.

    Lag is read from Kafka: the committed offsets of the workers' consumer
    group, and the offsets stored in the views database, against the end of
    the log. The last event comes from each service's /metrics.
    """
    from marsad.deploy.services.control import ps_table, status
    rows = _run(lambda: status(_settings(obj)))
    if rows is None:
        if as_json:
            click.echo("[]")
        else:
            click.echo("marsad is not running (`marsad up` starts it)")
        sys.exit(1)
    if as_json:
        click.echo(orjson.dumps([r.as_dict() for r in rows], option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(ps_table(rows))
