"""The alert commands: `marsad alerter`, `marsad alerts tail`, `marsad alerts backtest`.

Registered on `marsad.deploy.cli.main` at its bottom. They take marsad.deploy.cli.main's context
object with ``click.pass_obj`` (importing marsad.deploy.cli.main here would be a circular
import), read the settings from it once, and hand what they need to
`marsad.streams.alerts`.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from marsad.runtime.kafka.connection import KafkaConnection
from marsad.schemas.wire import SEVERITIES


def _broker(settings: Any) -> KafkaConnection:
    from marsad.deploy.kafka.reach import ensure_broker
    return ensure_broker(settings, quiet=True)


def _load_rules(path: str | None, obj: Any):
    """The rules file (argument, else the `alert_rules` setting, else the bundled default), validated."""
    return _rules_and_taxonomy(path, obj)[0]


def _rules_and_taxonomy(path: str | None, obj: Any):
    """The rules (see `_load_rules`) and the taxonomy in force they were checked against."""
    from marsad.runtime.preflight import setting_file
    from marsad.streams.alerts.rules import RulesError, load_rules
    from marsad.streams.classify import Taxonomy
    s = obj.settings
    if not path:
        setting_file(s, "alert_rules", remedy="fix the path, or unset it for the bundled rules")
    setting_file(s, "taxonomy_file", remedy="fix the path, or unset it for the bundled taxonomy")
    try:
        taxonomy = Taxonomy.load(s.taxonomy_file or None)
        return load_rules(path or s.alert_rules or None, taxonomy), taxonomy
    except (RulesError, ValueError) as e:
        raise click.ClickException(f"rules refused: {e}") from None


@click.command("alerter", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--web-port", type=int, default=None, help="Web port of this agent (default: $MARSAD_ALERTER_WEB_PORT).")
@click.pass_context
def alerter_cmd(ctx: click.Context, web_port: int | None) -> None:
    """Run the alert agent (Faust): ArticleProcessed in, AlertRaised / AlertUpdated out.

    \b
    Story rules alert once per story (copies update the alert); spike rules
    alert on a burst of reports in one place or country. Alerts go to the
    `alerts` topic and to `alerts.{critical,warning,info}`, keyed by rule id.
    The agent also fuses the incidents the articles report across outlets
    (the `incidents` topic: IncidentRecorded, IncidentUpdated), and incident
    rules alert once per fused incident.
    The rules file ($MARSAD_ALERT_RULES, else the bundled default) is
    reloaded when it changes; a bad file is refused and the old rules kept.
    Stops gracefully on SIGTERM/SIGINT. Extra options go to faust's worker.
    """
    from dataclasses import replace
    s = ctx.obj.settings
    from marsad.runtime.preflight import require_port
    rules = _load_rules(None, ctx.obj)  # refuse a bad file before starting anything
    port = web_port or s.alerter_web_port
    require_port(s.worker_web_host, port, "MARSAD_ALERTER_WEB_PORT (or --web-port)")
    bootstrap = _broker(s)
    click.echo(f"alert rules {rules.version} from {rules.source}: {len(rules.story)} story, "
               f"{len(rules.spikes)} spike and {len(rules.incidents)} incident rule(s)", err=True)
    s.data_path.mkdir(parents=True, exist_ok=True)  # faust makes its own folder there, not the parents
    from marsad.streams.alerts.app import create_app
    from marsad.streams.faust_app import run_worker
    run_worker(create_app, replace(s, alerter_web_port=port), bootstrap, "marsad alerter", ctx.args)


@click.command("tail")
@click.option("--rule", default=None, help="Only this rule's alerts.")
@click.option("--severity", type=click.Choice(SEVERITIES), default=None,
              help="Only this severity (reads its own topic).")
@click.option("--from-beginning", is_flag=True, help="Start from the first alert, not from now.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (the event as published).")
@click.pass_obj
def alerts_tail_cmd(obj: Any, rule: str | None, severity: str | None, from_beginning: bool, as_json: bool) -> None:
    """Follow alerts as they are raised and updated (Ctrl-C or SIGTERM stops).

    \b
    marsad alerts tail --severity critical
    marsad alerts tail --rule captagon-large-seizure --from-beginning --json
    """
    from marsad.schemas.topics import Topics
    from marsad.streams.alerts.tail import follow
    s = obj.settings
    topics = Topics(s.topic_prefix)
    topic = topics.alerts_for(severity) if severity else topics.alerts

    def out(line: str) -> None:
        click.echo(line if as_json else line + "\n")
        sys.stdout.flush()

    try:
        follow(_broker(s), topic, rule=rule, from_beginning=from_beginning, as_json=as_json,
               out=out)
    except LookupError as e:
        raise click.ClickException(str(e)) from None


def _date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        d = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (2026-01-31 or 2026-01-31T12:00)") from None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


@click.command("backtest")
@click.argument("rules_file", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--since", default=None, help="Report alerts raised from this date (UTC; earlier articles still "
                                            "build stories and baselines).")
@click.option("--until", default=None, help="Leave out articles from this date on (UTC).")
@click.option("--json", "as_json", is_flag=True, help="The report as one JSON object (with every alert id).")
@click.option("--examples", default=3, show_default=True, help="Example alerts shown per rule.")
@click.pass_obj
def backtest_cmd(obj: Any, rules_file: Path | None, since: str | None, until: str | None, as_json: bool,
                 examples: int) -> None:
    """What RULES_FILE (default: the rules in force) would have raised over the processed articles in Kafka.

    \b
    Runs the alert agent's own code (story and spike rules, incident fusion
    and incident rules) over the whole `articles.processed` history (up to
    its end now) and publishes nothing. With the live rules it
    gives the alerts the live agent raised: same ids, same counts.
    \b
    marsad alerts backtest new-rules.yaml --since 2026-01-01
    """
    import orjson

    from marsad.runtime.progress import Progress
    from marsad.schemas.topics import Topics
    from marsad.streams.alerts.backtest import as_json as report_json
    from marsad.streams.alerts.backtest import as_table, backtest, taxonomy_warning
    s = obj.settings
    rules, taxonomy = _rules_and_taxonomy(str(rules_file) if rules_file else None, obj)
    since_d, until_d = _date(since), _date(until)
    try:
        with Progress("backtest", unit=" articles") as bar:
            report = backtest(_broker(s), Topics(s.topic_prefix).processed, rules, since=since_d,
                              until=until_d, story_days=s.alert_story_days,
                              fired_days=s.alert_fired_days, progress=bar.at)
    except (LookupError, TimeoutError) as e:
        raise click.ClickException(str(e)) from None
    warning = taxonomy_warning(report, taxonomy.version)
    if warning:
        click.echo(warning, err=True)
    if as_json:
        click.echo(orjson.dumps(report_json(report, since=since_d, until=until_d, examples=examples)).decode())
    else:
        for line in as_table(report, examples=examples):
            click.echo(line)
