"""The `marsad` command line: one entry point for every service and tool.

Each command builds the settings once (defaults < config file < environment
< options) and hands what it needs to the package that does the work.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from marsad.deploy.kafka.reach import ensure_broker
from marsad.runtime.settings import OPTIONS, Settings, SettingsError, load_settings
from marsad.runtime.suggest import SuggestingGroup
from marsad.runtime.table import render

EPILOG = """\b
First steps:
  marsad demo                 the whole pipeline on the bundled samples, with a summary
  marsad kafka status         is the local broker running?
  marsad topics list          topics with partition and message counts
  marsad tail fetched -n 3    the last events on a topic
\b
Configuration: a TOML file (--config, MARSAD_CONFIG or ./marsad.toml) and
environment variables; `marsad config` shows the values in force.
"""


class Ctx:
    def __init__(self, config: str | None, log_format: str | None = None) -> None:
        self.config = config
        self.log_format = log_format
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config, log_format=self.log_format)
            except SettingsError as e:
                raise click.ClickException(str(e)) from None
        return self._settings


pass_ctx = click.make_pass_decorator(Ctx)


@click.group(cls=SuggestingGroup, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="TOML config file (default: $MARSAD_CONFIG, else ./marsad.toml if present).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default=None,
              help="Log lines as text or JSON (default: $MARSAD_LOG_FORMAT, text).")
@click.version_option(package_name="marsad")
@click.pass_context
def cli(ctx: click.Context, config: str | None, log_format: str | None) -> None:
    """marsad (مرصد): an event-sourced streaming ingestor for Arabic news, around Apache Kafka.

    Feeds are polled and articles fetched into Kafka topics (the log is the
    source of truth); stream workers clean, deduplicate, classify and extract
    places, organisations and quantities; consumers keep views and raise alerts.
    """
    ctx.obj = Ctx(config, log_format)
    s = ctx.obj
    try:
        from marsad.runtime.logs import setup_logging
        settings = s.settings
        setup_logging(settings.log_level, settings.log_format)
    except click.ClickException:
        pass  # reported by the command that needs the settings


TAXONOMY_REMEDY = "fix the path, or unset it for the bundled taxonomy"


def _fail(message: str) -> None:
    raise click.ClickException(message)




# --- config -------------------------------------------------------------------
@cli.command("config")
@click.option("--markdown", is_flag=True, help="Print the settings table of the README instead.")
@pass_ctx
def config_cmd(obj: Ctx, markdown: bool) -> None:
    """Show every setting, its value in force and its environment variable (secrets masked)."""
    from marsad.runtime.settings import shown
    if markdown:
        from marsad.runtime.settings import markdown_table
        click.echo(markdown_table(), nl=False)
        return
    s = obj.settings
    click.echo(f"config file: {s.config_file or '(none)'}")
    for name, opt in OPTIONS.items():
        click.echo(f"  {name:<26} {shown(name, getattr(s, name)):<40} ${opt.env}")


# --- kafka --------------------------------------------------------------------
@cli.group()
def kafka() -> None:
    """The local Apache Kafka: one KRaft broker on 127.0.0.1, or a cluster of several (--brokers).

    With KAFKA_BOOTSTRAP_SERVERS set, marsad uses that cluster and these
    commands start nothing.

    \b
    marsad kafka start                one broker (19092)
    marsad kafka start --brokers 3    three brokers (19092, 19094, 19096) with a 3-voter controller quorum
    marsad kafka restart              a rolling restart, one broker at a time (a cluster)
    marsad kafka stop --broker 2      one broker of the cluster (`start` brings it back)
    """


def _local(obj: Ctx, brokers: int | None = None):
    from marsad.deploy.kafka.local import BrokerError
    from marsad.deploy.kafka.reach import local_kafka
    s = obj.settings
    if not s.uses_local_broker:
        click.echo(f"KAFKA_BOOTSTRAP_SERVERS is set ({s.kafka_bootstrap_servers}): "
                   "marsad uses that cluster and runs no local broker.")
        sys.exit(0)
    try:
        return local_kafka(s, brokers)
    except BrokerError as e:
        _fail(str(e))


def _one_broker(local, number: int | None):
    """Broker ``number`` of a local cluster (None: the whole local Kafka)."""
    from marsad.deploy.kafka.cluster import LocalCluster
    from marsad.deploy.kafka.local import BrokerError
    if number is None:
        return local
    if not isinstance(local, LocalCluster):
        _fail("--broker is for a local cluster (`marsad kafka start --brokers 3`); this one is a single broker")
    try:
        return local.node(number)
    except BrokerError as e:
        _fail(str(e))


@kafka.command("fetch")
@pass_ctx
def kafka_fetch(obj: Ctx) -> None:
    """Download the pinned Kafka jars from Maven Central (once; cached)."""
    from marsad.deploy.kafka import jars
    try:
        path = jars.fetch(obj.settings.cache_dir)
    except (jars.ToolMissing, RuntimeError) as e:
        _fail(str(e))
    click.echo(f"kafka {jars.KAFKA_VERSION} jars in {path}")


@kafka.command("start")
@click.option("--secure", is_flag=True,
              help="A new broker listens with SASL_SSL and SCRAM only: a CA, a broker certificate and the login "
                   "of user marsad are made in {data_dir}/kafka/secure/ (marsad's commands then connect with "
                   "them by themselves; the export lines printed are for other clients). Kept across restarts; "
                   "back to plaintext with `marsad kafka reset --yes`.")
@click.option("--brokers", type=click.IntRange(1, 9), default=None,
              help="A new local Kafka of this many brokers, each also a controller (3: a quorum that survives "
                   "one loss); broker i listens on MARSAD_KAFKA_PORT + 2(i-1), its controller on "
                   "MARSAD_KAFKA_CONTROLLER_PORT + 2(i-1). Kept across restarts (default: what the data dir "
                   "holds, else 1); another count needs `marsad kafka reset --yes`. New topics then get "
                   "replication factor 3 and min.insync.replicas 2 (MARSAD_REPLICATION_FACTOR, "
                   "MARSAD_MIN_INSYNC_REPLICAS).")
@pass_ctx
def kafka_start(obj: Ctx, secure: bool, brokers: int | None) -> None:
    """Start the local broker(s) (harmless if they run already); wait until they answer."""
    if obj.settings.uses_local_broker:
        ensure_broker(obj.settings, secure=secure, brokers=brokers)
    else:
        _local(obj)


@kafka.command("status")
@pass_ctx
def kafka_status(obj: Ctx) -> None:
    """Say whether the local broker(s) run and answer. Exit 1 when none runs."""
    from marsad.deploy.kafka.cluster import LocalCluster
    local = _local(obj)
    st = local.status()
    if isinstance(local, LocalCluster):
        for i, node in enumerate(st.nodes, 1):
            state = (f"running  pid {node.pid}  {'answering' if node.answering else 'NOT answering'}"
                     if node.running else "stopped")
            click.echo(f"broker {i}  {state}  {node.bootstrap}  data {node.data_dir}")
        running = sum(n.running for n in st.nodes)
        click.echo(f"{running} of {len(st.nodes)} brokers running; bootstrap {st.bootstrap}")
        if running:
            from marsad.deploy.kafka.cluster import under_replicated
            lagging = under_replicated(st.connection)
            click.echo("every partition fully replicated" if not lagging
                       else f"{len(lagging)} partition(s) under-replicated")
        if not running:
            sys.exit(1)
        return
    if st.running:
        click.echo(f"running  pid {st.pid}  {'answering' if st.answering else 'NOT answering'}  "
                   f"bootstrap {st.bootstrap}  {st.connection.security.protocol}\n"
                   f"  data {st.data_dir}\n  log  {st.log_file}")
    else:
        click.echo(f"stopped  (bootstrap would be {st.bootstrap}, data {st.data_dir})")
        sys.exit(1)


@kafka.command("stop")
@click.option("--broker", "number", type=int, default=None, help="Only this broker of a local cluster (from 1).")
@pass_ctx
def kafka_stop(obj: Ctx, number: int | None) -> None:
    """Stop the local broker(s) gracefully (no java process is left)."""
    target = _one_broker(_local(obj), number)
    if number is None:
        target.stop()
    elif target.stop(quiet=True):
        click.echo(f"broker {number} stopped (`marsad kafka start` starts it again)")
    else:
        click.echo(f"broker {number} is not running")


@kafka.command("restart")
@click.option("--broker", "number", type=int, default=None, help="Only this broker of a local cluster (from 1).")
@pass_ctx
def kafka_restart(obj: Ctx, number: int | None) -> None:
    """Restart the local Kafka: a cluster one broker at a time (a rolling restart), the next only once
    every partition is fully replicated again, so producers with acks=all never stop."""
    from marsad.deploy.kafka.cluster import LocalCluster
    from marsad.deploy.kafka.local import BrokerError
    local = _local(obj)
    try:
        if isinstance(local, LocalCluster):
            local.restart(numbers=[number] if number else None)
        else:
            _one_broker(local, number)
            local.stop()
            local.start()
    except BrokerError as e:
        _fail(str(e))


@kafka.command("reset")
@click.option("--yes", is_flag=True, help="Confirm: really delete every topic and message.")
@pass_ctx
def kafka_reset(obj: Ctx, yes: bool) -> None:
    """Stop the local broker(s) and delete their data (topics, messages, offsets)."""
    broker = _local(obj)
    if not yes:
        _fail(f"this deletes all data in {broker.home}; run again with --yes to confirm")
    broker.reset()
    click.echo(f"kafka data in {broker.home} deleted")


# --- topics -------------------------------------------------------------------
@cli.group()
def topics() -> None:
    """The topic catalogue (names, partitions, retention) on the cluster."""


@topics.command("create")
@pass_ctx
def topics_create(obj: Ctx) -> None:
    """Create the catalogue's topics with their configs (running it twice is harmless)."""
    from marsad.runtime.kafka.admin import create_topics
    s = obj.settings
    bootstrap = ensure_broker(s)
    created = create_topics(bootstrap, s.topic_prefix, s.partitions, s.replication_factor, s.min_insync_replicas)
    click.echo(f"created {len(created)} topic(s)" + (": " + ", ".join(created) if created else
                                                     " (all existed already)"))


@topics.command("list")
@pass_ctx
def topics_list(obj: Ctx) -> None:
    """List the catalogue's topics with partition and message counts."""
    from marsad.runtime.kafka.admin import list_topics
    s = obj.settings
    infos = list_topics(ensure_broker(s, quiet=True), s.topic_prefix)
    if not infos:
        click.echo("no marsad topics yet: run `marsad topics create`")
        return
    click.echo(render(("topic", "partitions", "messages"), [(i.name, i.partitions, i.messages) for i in infos],
                      max_width=None))


# --- import -------------------------------------------------------------------
@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@pass_ctx
def import_cmd(obj: Ctx, paths: tuple[Path, ...], progress: bool | None) -> None:
    """Publish local .txt/.html files or JSONL articles as ArticleFetched events.

    \b
    JSONL: one object per line: {"id", "text", "title"?, "url"?, "published"?, "lang"?}
    Folders are searched recursively. Unreadable inputs go to the producers'
    dead-letter topic with the reason; the import goes on.
    """
    from marsad.producers.run_import import run_import
    s = obj.settings
    report = run_import(list(paths), bootstrap=ensure_broker(s, quiet=True), prefix=s.topic_prefix,
                        progress=progress)
    click.echo(f"published {report.published} article(s); rejected {len(report.rejected)}")
    for r in report.rejected[:20]:
        click.echo(f"  rejected {r.where}: {r.reason}", err=True)


# --- tail ---------------------------------------------------------------------
@cli.command("tail")
@click.argument("topic", default="fetched")
@click.option("-n", "--last", "last", default=5, show_default=True, help="Events to show per topic.")
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON lines.")
@pass_ctx
def tail_cmd(obj: Ctx, topic: str, last: int, as_json: bool) -> None:
    """Show the last events on a topic (fetched, processed, discovered, alerts, deadletter.*...)."""
    from marsad.runtime.kafka.read import tail_topic
    s = obj.settings
    tail_topic(ensure_broker(s, quiet=True), s.topic_prefix, topic, last, as_json)


# --- schemas ------------------------------------------------------------------
@cli.group("schemas")
def schemas_group() -> None:
    """The event definitions, as JSON Schema for consumers in other languages."""


@schemas_group.command("export")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def schemas_export(directory: Path | None) -> None:
    """Write one JSON Schema file per event type (default: schemas/json/)."""
    from marsad.schemas.jsonschema import JSON_DIR, export
    for path in export(directory or JSON_DIR):
        click.echo(str(path))


# --- streams ------------------------------------------------------------------
@cli.command("classify")
@click.option("--taxonomy", type=click.Path(dir_okay=False), default=None,
              help="Taxonomy YAML to use instead of the bundled default (or $MARSAD_TAXONOMY).")
@click.option("--incidents", type=click.Path(dir_okay=False), default=None,
              help="Incident vocabulary YAML to use instead of the bundled default (or $MARSAD_INCIDENTS).")
@pass_ctx
def classify_cmd(obj: Ctx, taxonomy: str | None, incidents: str | None) -> None:
    """Clean, classify and extract JSONL articles: stdin to stdout, one result line per input line.

    \b
    in:  {"id": "a1", "text": "...text or HTML...", "title"?, "url"?, "published"?, "lang"?}
    out: {"id", "lang", "clean_text", "topics", "places", "countries", "orgs", "quantities", "incidents"}
    A bad line gives {"id": ..., "error": "..."} in its place; the command goes on.
    \b
    Example: marsad classify < articles.jsonl > results.jsonl
    """
    from marsad.runtime.preflight import setting_file
    from marsad.streams.offline import run
    from marsad.streams.pipeline import Resources
    if not taxonomy:
        setting_file(obj.settings, "taxonomy_file", remedy=TAXONOMY_REMEDY)
    try:
        res = Resources.load(taxonomy or obj.settings.taxonomy_file or None,
                             incidents or obj.settings.incidents_file or None)
    except (OSError, ValueError) as e:
        _fail(f"cannot load the taxonomy or the incident vocabulary: {e}")
    run(sys.stdin.buffer, sys.stdout.buffer, res)


@cli.command("worker", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--web-port", type=int, default=None, help="Web port of this worker (default: $MARSAD_WORKER_WEB_PORT).")
@click.pass_context
def worker_cmd(ctx: click.Context, web_port: int | None) -> None:
    """Run a stream worker (Faust): ArticleFetched in, ArticleProcessed out.

    Several workers share the load through Kafka's consumer groups: start
    more, each with its own --web-port. Stops gracefully on SIGTERM/SIGINT.
    Extra options go to faust's worker (e.g. -l debug).
    """
    from dataclasses import replace

    from marsad.runtime.preflight import require_port, setting_file
    obj: Ctx = ctx.obj
    s = obj.settings
    setting_file(s, "taxonomy_file", remedy=TAXONOMY_REMEDY)
    port = web_port or s.worker_web_port
    require_port(s.worker_web_host, port, "MARSAD_WORKER_WEB_PORT (or --web-port)")
    bootstrap = ensure_broker(s, quiet=True)
    from marsad.streams.app import create_app
    from marsad.streams.faust_app import run_worker
    run_worker(create_app, replace(s, worker_web_port=port), bootstrap, "marsad worker", ctx.args)


# --- demo ---------------------------------------------------------------------
@cli.command("demo")
@click.option("--keep", is_flag=True, help="Keep it all running afterwards (dashboard included).")
@pass_ctx
def demo_cmd(obj: Ctx, keep: bool) -> None:
    """The main job on embedded defaults: the same as `marsad up --demo`.

    Serves the bundled sample feeds and a sample webhook on 127.0.0.1, runs
    every service on them and on the shared seeds, waits until every article
    is processed and every alert delivered, prints a summary and the commands
    to explore further, then stops everything (--keep: leaves it running).
    """
    from marsad.deploy.demo import SHARED_SEEDS, run_demo
    run_demo(obj.settings, keep=keep, seeds=SHARED_SEEDS)


# --- producers ----------------------------------------------------------------
from marsad.deploy.cli.sources import feeds_group, fetch_cmd, poll_cmd, produce_cmd  # noqa: E402  (need `cli` above)

cli.add_command(produce_cmd)
cli.add_command(poll_cmd)
cli.add_command(fetch_cmd)
cli.add_command(feeds_group)

# --- consumers ----------------------------------------------------------------
from marsad.deploy.cli.views import api_cmd, query_group, replay_cmd, views_group  # noqa: E402  (they need `cli` above)

for _command in (views_group, replay_cmd, api_cmd, query_group):
    cli.add_command(_command)


# --- alerts -------------------------------------------------------------------
@cli.group("alerts")
def alerts_group() -> None:
    """Alerts: follow them, deliver them to webhooks, back-test rules on the log.

    \b
    marsad alerter                              # the alert agent (rules + spikes on the stream)
    marsad alerts tail --severity critical      # follow alerts as they come
    marsad alerts deliver                       # post alerts to the configured webhooks
    marsad alerts deliveries                    # per endpoint: pending, retrying, next try, dead
    marsad alerts redeliver --since 2026-03-01  # send dead-lettered alerts again
    marsad alerts backtest new-rules.yaml       # what new rules would have raised
    """
# marsad.deploy.cli.alerts adds alerter (to cli), tail and backtest; marsad.deploy.cli.delivery adds deliver.
from marsad.deploy.cli.delivery import deliver_cmd  # noqa: E402  (the group is defined above)

alerts_group.add_command(deliver_cmd)
from marsad.deploy.cli.delivery import deliveries_cmd, redeliver_cmd  # noqa: E402

alerts_group.add_command(deliveries_cmd)
alerts_group.add_command(redeliver_cmd)

from marsad.deploy.cli.alerts import alerter_cmd, alerts_tail_cmd, backtest_cmd  # noqa: E402  (they need `cli` above)

cli.add_command(alerter_cmd)
alerts_group.add_command(alerts_tail_cmd)
alerts_group.add_command(backtest_cmd)


# --- services -----------------------------------------------------------------
from marsad.deploy.cli.services import down_cmd, ps_cmd, up_cmd  # noqa: E402

for _command in (up_cmd, down_cmd, ps_cmd):
    cli.add_command(_command)


def main() -> None:
    """The `marsad` command; a Kafka client's connection error (the broker went away) is one line, exit 2."""
    try:
        cli(prog_name="marsad")
    except Exception as e:
        from marsad.runtime.preflight import kafka_failure
        failure = kafka_failure(e, _bootstrap_for_errors())
        if failure is None:
            raise
        failure.show()
        sys.exit(failure.exit_code)


def _bootstrap_for_errors() -> str:
    try:
        return load_settings().bootstrap_servers
    except SettingsError:
        return OPTIONS["kafka_bootstrap_servers"].env


if __name__ == "__main__":
    main()
