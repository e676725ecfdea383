"""The consumer commands: `marsad views`, `marsad replay`, `marsad api`, `marsad query`.

Registered on the `marsad` group by deploy/cli/main.py. They receive its `Ctx`
with ``click.pass_obj`` (importing marsad.deploy.cli.main's `pass_ctx` here would be a
circular import), read the settings from it once, and hand plain values to
`marsad.consumers.service`, `marsad.consumers.api` and `marsad.consumers.query`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

import click
import orjson

from marsad.consumers.query.params import (
    ENDPOINTS,
    KnownIds,
    QueryError,
    UnknownIdError,
    choices_for,
    help_for,
    parse,
)
from marsad.consumers.store import Store, StoreError, default_url, open_reader, open_store, redact
from marsad.runtime.kafka.connection import KafkaConnection
from marsad.runtime.kafka.local_files import connection_for
from marsad.runtime.preflight import OperatorError
from marsad.runtime.suggest import SuggestingGroup

if TYPE_CHECKING:
    from marsad.streams.classify.taxonomy import Taxonomy


def views_error(e: StoreError) -> OperatorError:
    """A views database that cannot be used, as one line (exit status 2)."""
    return OperatorError(" ".join(str(e).split()))


def views_url(settings: Any) -> str:
    """The configured views URL, or the SQLite file in the data dir."""
    return settings.views_url or default_url(settings.data_dir)


def _broker(settings: Any) -> KafkaConnection:
    """The bootstrap address (the local broker started if it is the one in use), topics created."""
    from marsad.deploy.kafka.reach import ensure_broker
    from marsad.runtime.kafka.admin import create_topics
    bootstrap = ensure_broker(settings, quiet=True)
    create_topics(bootstrap, settings.topic_prefix, settings.partitions, settings.replication_factor, settings.min_insync_replicas)
    return bootstrap


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT: the batch in hand is finished and committed first."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _live(settings: Any) -> Store:
    """The views for their writer: created or migrated to the current schema."""
    try:
        store = open_store(views_url(settings))
        store.setup()
        return store
    except StoreError as e:
        raise views_error(e) from None


def _reader(settings: Any) -> Store:
    """The views for a reader: read-only, existing, at the current schema (else one line saying how to build them)."""
    try:
        return open_reader(views_url(settings))
    except StoreError as e:
        raise views_error(e) from None


# --- views ----------------------------------------------------------------------
VIEWS_EPILOG = """\b
Examples:
  marsad views                 keep the views up to date (Ctrl-C / SIGTERM: finish the batch, stop)
  marsad views hash            content hash of the live views
  marsad views status          schema version, rows, position in the log
\b
Views: MARSAD_VIEWS_URL (default: a SQLite file in the data dir), or
postgresql://user@host/db?schema=marsad_views.
"""


@click.group("views", cls=SuggestingGroup, invoke_without_command=True, epilog=VIEWS_EPILOG)
@click.option("--batch-size", type=click.IntRange(1), default=None,
              help="Messages per transaction (default: $MARSAD_VIEWS_BATCH_SIZE).")
@click.option("--batch-ms", type=click.IntRange(1), default=None,
              help="Longest wait to fill a batch (default: $MARSAD_VIEWS_BATCH_MS).")
@click.pass_context
def views_group(ctx: click.Context, batch_size: int | None, batch_ms: int | None) -> None:
    """Keep the views (articles, counts, seizures, stories, search, alerts, incidents) in step with the log.

    Reads articles.processed, alerts (AlertRaised, AlertUpdated) and incidents
    (IncidentRecorded, IncidentUpdated: the highest revision of each incident wins).

    Offsets are stored in the views database in the same transaction as the
    rows, so a crash or restart resumes exactly where it stopped and never
    counts a message twice. Poison messages go to deadletter.consumers.
    """
    if ctx.invoked_subcommand is not None:
        return
    from marsad.consumers.consume import ConsumeError
    from marsad.consumers.service import run_views
    from marsad.schemas.topics import Topics
    s = ctx.obj.settings
    bootstrap, url = _broker(s), views_url(s)
    _live(s).close()  # created or migrated before /health answers: readers started after it find them
    from marsad.runtime.health import Health, serve_health
    health = Health("views")
    server = serve_health(health, s.metrics_host, s.views_metrics_port, setting="MARSAD_VIEWS_METRICS_PORT")
    click.echo(f"views: {s.topic_prefix}.articles.processed, {s.topic_prefix}.alerts, {s.topic_prefix}.incidents "
               f"-> {redact(url)} (Ctrl-C or SIGTERM stops after the batch in hand)", err=True)
    try:
        totals = run_views(bootstrap, Topics(s.topic_prefix), url, batch_size=batch_size or s.views_batch_size,
                           batch_ms=batch_ms or s.views_batch_ms, stop=_stop_on_signals(), health=health,
                           stall_after=s.ready_stall_after)
    except StoreError as e:
        raise views_error(e) from None
    except ConsumeError as e:
        raise click.ClickException(str(e)) from None
    finally:
        if server:
            server.close()
    click.echo(f"views: stopped after {totals.messages} messages ({totals.dead} dead letters)", err=True)


@views_group.command("hash")
@click.pass_obj
def views_hash(obj: Any) -> None:
    """Print the content hash of the live views (equal to `marsad replay`'s for the same log; read-only)."""
    with _reader(obj.settings) as store:
        click.echo(store.content_hash())


@views_group.command("status")
@click.pass_obj
def views_status(obj: Any) -> None:
    """Schema version, rows per view table, and the views' position in the log (read-only)."""
    with _reader(obj.settings) as store:
        click.echo(f"views   {store.url}\nschema  version {store.schema_version()}")
        for table, n in store.stats().items():
            click.echo(f"  {table:<20} {n:>10,} rows")
        for (topic, part), nxt in sorted(store.offsets().items()):
            click.echo(f"  {topic}[{part}] next offset {nxt:,}")


# --- replay -----------------------------------------------------------------------
@click.command("replay")
@click.option("--reprocess", is_flag=True,
              help="First re-run cleaning and classification over articles.fetched with the current taxonomy.")
@click.option("--taxonomy", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Taxonomy YAML for --reprocess (default: $MARSAD_TAXONOMY, else the bundled one).")
@click.option("--incidents", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Incident vocabulary YAML for --reprocess (default: $MARSAD_INCIDENTS, else the bundled one).")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Processes analysing for --reprocess, and decoding, building and writing rows for the "
                   "replay, each its share of the partitions (default: the cores this process may use; "
                   "1: all in this process, as is a log under 2,000 messages).")
@click.option("--batch-size", type=click.IntRange(1), default=2000, show_default=True,
              help="Messages per transaction.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: on a terminal).")
@click.pass_obj
def replay_cmd(obj: Any, reprocess: bool, taxonomy: str | None, incidents: str | None, workers: int | None,
               batch_size: int, progress: bool | None) -> None:
    """Rebuild the views from the beginning of the log into a fresh database; swap it in when caught up.

    On a terminal, shows events done of total, rate and ETA; then prints the content hash of
    the rebuilt views: the same log always gives the same hash, and
    `marsad views hash` on an up-to-date live view prints it too. The live
    views stay as they are until the swap (and if the replay fails).
    """
    from marsad.consumers.consume import ConsumeError
    from marsad.consumers.replay import ReplayInterrupted
    from marsad.consumers.service import run_replay
    from marsad.schemas.topics import Topics
    s = obj.settings
    resources = None
    if reprocess:
        from marsad.runtime.preflight import setting_file
        from marsad.streams.pipeline import Resources
        if not taxonomy:
            setting_file(s, "taxonomy_file", remedy="fix the path, or unset it for the bundled taxonomy")
        try:
            resources = Resources.load(taxonomy or s.taxonomy_file or None, incidents or s.incidents_file or None)
        except (OSError, ValueError) as e:
            raise click.ClickException(f"cannot load the taxonomy or the incident vocabulary: {e}") from None
    try:
        reprocessed, report = run_replay(_broker(s), Topics(s.topic_prefix), views_url(s), batch_size=batch_size,
                                         batch_ms=s.views_batch_ms, stop=_stop_on_signals(),
                                         resources=resources, progress=progress,
                                         workers=workers or len(os.sched_getaffinity(0)))
    except StoreError as e:
        raise views_error(e) from None
    except (ConsumeError, ReplayInterrupted) as e:
        raise click.ClickException(str(e)) from None
    if reprocessed:
        click.echo(f"reprocessed {reprocessed.published:,} articles with taxonomy {resources.taxonomy_version} "
                   f"({reprocessed.skipped} skipped)")
    rate = report.events / report.seconds if report.seconds else 0
    click.echo(f"replayed {report.events:,} events in {report.seconds:.1f}s ({rate:,.0f} events/s) "
               f"into {report.views}")
    click.echo(f"views hash {report.hash}")


# --- api ----------------------------------------------------------------------------
@click.command("api")
@click.option("--host", default=None, help="Address to bind (default: $MARSAD_API_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: $MARSAD_API_PORT).")
@click.option("--allow-public", is_flag=True,
              help="Allow a non-loopback address without a token (only MARSAD_API_ALLOWED_HOSTS are answered).")
@click.pass_obj
def api_cmd(obj: Any, host: str | None, port: int | None, allow_public: bool) -> None:
    """Serve the views as HTTP JSON (OpenAPI description at /openapi.json).

    \b
    GET /articles?topic=narcotics&place=البوكمال&since=2024-02-01&q=...&limit=20&cursor=...
    GET /articles/{id}   /counts?by=topic&per=day   /seizures   /seizures/totals   /stories
    GET /alerts?rule=...&severity=critical&place=درعا&since=...   /alerts/{id}
    GET /incidents?type=attack&min_killed=1&since=...   /incidents/{id}   /incidents/counts?per=admin1
    The dashboard is at / (map, timeline, live alerts, seizure ledger), reading the same endpoints.
    With MARSAD_API_TOKEN set, requests need `Authorization: Bearer TOKEN`
    (at least 32 characters on a non-loopback address); without it, only
    loopback Host names and MARSAD_API_ALLOWED_HOSTS are answered.
    The views are opened read-only and must exist (`marsad views` builds them).
    """
    from marsad.consumers.api.server import BindError, check_bind, serve
    from marsad.runtime.hosts import allowed_hosts
    from marsad.runtime.preflight import require_port
    s = obj.settings
    url, host, port = views_url(s), host or s.api_host, port or s.api_port
    try:
        check_bind(host, s.api_token, allow_public)
    except BindError as e:
        raise OperatorError(str(e)) from None
    _reader(s).close()  # a missing, foreign or outdated database is an error now, not empty answers later
    require_port(host, port, "MARSAD_API_PORT (or --port)")
    click.echo(f"api: http://{host}:{port}/ over {redact(url)}" + (" (token required)" if s.api_token else ""), err=True)
    from marsad.consumers.api.dashboard import DashboardOptions
    from marsad.schemas.topics import Topics
    taxonomy = _taxonomy(s, without="the dashboard shows topic ids and topic/organisation filters are not checked")
    # the taxonomy's display names, so the dashboard names a topic of one's own taxonomy
    names = {tid: t.name for tid, t in taxonomy.topics.items()} if taxonomy else {}
    dashboard = DashboardOptions(tiles_url=s.dashboard_tiles_url, alerts_topic=Topics(s.topic_prefix).alerts,
                                 bootstrap=lambda: connection_for(s),  # the live feed does not start a broker
                                 topic_names=names)
    serve(lambda: open_store(url, read_only=True), host=host, port=port, token=s.api_token,
          allow_public=allow_public, dashboard=dashboard, allowed_hosts=allowed_hosts(s.api_allowed_hosts),
          known_ids=known_ids(taxonomy))


def _taxonomy(s: Any, *, without: str = "") -> Taxonomy | None:
    """The taxonomy in force, or None when its file cannot be read (`marsad classify` and the workers
    report it): ``without`` says on stderr what the command does then."""
    from marsad.streams.classify.taxonomy import Taxonomy, TaxonomyError
    try:
        return Taxonomy.load(s.taxonomy_file or None)
    except TaxonomyError as e:
        if without:
            click.echo(f"{without}: {e}", err=True)
        return None


def known_ids(taxonomy: Taxonomy | None) -> KnownIds | None:
    """The topic and organisation ids a filter may name (None: not checked, the taxonomy being unreadable;
    a query still answers)."""
    return KnownIds(frozenset(taxonomy.topics), frozenset(taxonomy.orgs)) if taxonomy else None


# --- query ------------------------------------------------------------------------
@click.group("query", cls=SuggestingGroup)
def query_group() -> None:
    """Ask the views from the command line: the API's questions, as tables or --json.

    \b
    marsad query articles --topic narcotics --place البوكمال --since 2024-02-01
    marsad query counts --by topic --per day --since 2024-02-01
    marsad query seizures --item captagon --country SY --json
    marsad query totals --item captagon --duplicate original
    marsad query alerts --severity critical --place درعا --since 2024-02-01
    marsad query incidents --type attack --since 2024-02-01 --min-killed 1
    marsad query incident-counts --per admin1 --country SY
    """


QUERY_HELP = {
    "articles": "Articles, newest first, with topics, places and duplicate verdict.",
    "counts": "Articles counted by topic, place, org, country or source (per day or hour).",
    "seizures": "The seizure ledger: drug quantities by date and place.",
    "totals": "Seized quantities summed by item and unit.",
    "stories": "Story clusters: originals with their copies.",
    "alerts": "Alerts, newest first: rule, severity, sources, places (filters: rule, severity, place, country, "
              "topic, org, dates).",
    "incidents": "Incidents fused across outlets, newest event first: type, day (? when the reports give none, "
                 "then the day first seen), tolls with their range, outlets, governorate, parties, place.",
    "incident_counts": "Incidents and their summed tolls by type per event day, or per governorate "
                       "(--per admin1; places with none count under unknown).",
}


def _query_command(endpoint: str) -> click.Command:
    """`marsad query ENDPOINT`, its options generated from the API's parameter table."""
    def run(obj: Any, as_json: bool, **options: str | None) -> None:
        from marsad.consumers.query.answer import answer
        from marsad.consumers.query.present import as_table
        from marsad.consumers.query.results import plain
        pairs = [(name, value) for name, value in options.items() if value is not None]
        try:
            query = parse(endpoint, pairs, known_ids(_taxonomy(obj.settings)))
        except UnknownIdError as e:
            raise click.UsageError(e.describe(f"--{e.parameter}")) from None
        except QueryError as e:
            raise click.UsageError(str(e)) from None
        try:
            with _reader(obj.settings) as store:
                result = answer(store, query)
        except StoreError as e:
            raise views_error(e) from None
        if as_json:
            sys.stdout.buffer.write(orjson.dumps(result, default=plain, option=orjson.OPT_INDENT_2) + b"\n")
        else:
            click.echo(as_table(endpoint, plain(result)))

    command: Any = click.pass_obj(run)
    for name in reversed(ENDPOINTS[endpoint]):
        choices = choices_for(endpoint, name)  # shown in --help; the check (and its message) stays parse's
        command = click.option(f"--{name.replace('_', '-')}", name, default=None, help=help_for(endpoint, name),
                               metavar=f"[{'|'.join(choices)}]" if choices else None)(command)
    command = click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")(command)
    return click.command(endpoint.replace("_", "-"), help=QUERY_HELP[endpoint])(command)


for _endpoint in ENDPOINTS:
    query_group.add_command(_query_command(_endpoint))
