"""The producer commands: `marsad produce`, `marsad poll`, `marsad fetch`, `marsad feeds list` / `import` / `try`.

Registered on the `marsad` group by deploy/cli/main.py. Settings are built once here and handed down as a
``ProducerConfig``: nothing below reads the environment.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from marsad.producers.feeds.registry import DEFAULT_INTERVAL, Feed, RegistryError, load_registry
from marsad.producers.poll_log import duration
from marsad.producers.samples import FEEDS_YAML, SITE_DIR
from marsad.runtime.kafka.connection import Kafka
from marsad.runtime.preflight import OperatorError
from marsad.runtime.settings import Settings, SettingsError, load_settings, network_list
from marsad.runtime.table import render

if TYPE_CHECKING:  # imported when a command runs: `marsad --help` stays quick
    from marsad.producers.feeds.state import FeedState
    from marsad.producers.fetch_service import FetcherConfig
    from marsad.producers.service import ProducerConfig

log = logging.getLogger("marsad.producers.service")

REGISTRY_NAME = "feeds.yaml"  # in the data dir

PRODUCE_EPILOG = f"""\b
Examples:
  marsad produce                      poll forever; Ctrl-C or SIGTERM stops cleanly
  marsad produce --once               poll every due feed once, fetch what it found, exit
  marsad produce --once --now         poll every enabled feed now, whatever its schedule or backoff
  marsad produce --feeds my.yaml      another registry (see `marsad feeds list`)
\b
The bundled sample registry points at 127.0.0.1:8765; to try it:
  python -m http.server -d {SITE_DIR} -b 127.0.0.1 8765 &
  MARSAD_ALLOW_NETWORKS=127.0.0.1/32 marsad produce --once
\b
Articles already announced are recovered from Kafka at start, so a restart
(even without the local state file) announces nothing twice.
"""

FEEDS_OPTION = click.option(
    "--feeds", "feeds_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help=f"Feed registry YAML (default: $MARSAD_FEEDS, else DATA_DIR/{REGISTRY_NAME}, else the bundled samples).",
)


NOW_OPTION = click.option(
    "--now", is_flag=True,
    help="First poll every enabled feed, whatever its schedule or backoff (then as scheduled, unless --once).")


@click.command("produce", epilog=PRODUCE_EPILOG)
@click.option("--once", is_flag=True, help="Poll every due feed once, fetch what it found, flush, exit.")
@NOW_OPTION
@FEEDS_OPTION
@click.pass_context
def produce_cmd(ctx: click.Context, once: bool, now: bool, feeds_file: Path | None) -> None:
    """Poll the registry's feeds; publish ArticleDiscovered, ArticleFetched and dead letters to Kafka.

    Feeds are polled with conditional GET, per-feed backoff and global and
    per-host limits; each new entry is announced once, then its page is
    fetched and extracted (or its full feed text used). SIGTERM/SIGINT:
    nothing new starts, in-flight fetches finish, everything accepted is
    flushed, and the last line says what Kafka acknowledged.
    """
    _run_polling(ctx, once=once, now=now, feeds_file=feeds_file, fetch_inline=True)


@click.command("poll")
@click.option("--once", is_flag=True, help="Poll every due feed once, announce what it found, flush, exit.")
@NOW_OPTION
@FEEDS_OPTION
@click.pass_context
def poll_cmd(ctx: click.Context, once: bool, now: bool, feeds_file: Path | None) -> None:
    """The poller alone: poll the registry's feeds and publish ArticleDiscovered (`marsad fetch` fetches).

    Same polling as `marsad produce` (conditional GET, per-feed backoff,
    limits, SSRF guard, each entry announced once); nothing is fetched here.
    """
    _run_polling(ctx, once=once, now=now, feeds_file=feeds_file, fetch_inline=False)


@click.command("fetch")
@click.option("--once", is_flag=True, help="Fetch what is announced now, then exit.")
@click.pass_context
def fetch_cmd(ctx: click.Context, once: bool) -> None:
    """The fetcher: consume ArticleDiscovered, fetch and extract each page, publish ArticleFetched or a dead letter.

    A consumer group ({prefix}-fetcher): run several to share the partitions.
    Offsets are committed past the pages whose outcome Kafka acknowledged,
    with the pages still in flight named in the commit, so a restart
    re-fetches only those (with the same event ids), never what was done.
    SIGTERM/SIGINT: nothing new is read, in-flight fetches finish, flush, commit.
    """
    from marsad.deploy.kafka.reach import ensure_broker
    from marsad.producers.fetch_service import run_fetcher
    from marsad.runtime.health import Health, serve_health
    from marsad.runtime.kafka.admin import create_topics

    settings = _settings(ctx)
    bootstrap = ensure_broker(settings, quiet=True)
    create_topics(bootstrap, settings.topic_prefix, settings.partitions, settings.replication_factor, settings.min_insync_replicas)
    config = fetcher_config(settings, bootstrap=bootstrap)
    health = Health("fetcher")
    server = serve_health(health, settings.metrics_host, 0 if once else settings.fetcher_metrics_port,
                          setting="MARSAD_FETCHER_METRICS_PORT")
    try:
        report = asyncio.run(run_fetcher(config, once=once, health=health))
    finally:
        if server:
            server.close()
    if report.undelivered:
        ctx.exit(1)


def _run_polling(ctx: click.Context, *, once: bool, now: bool, feeds_file: Path | None, fetch_inline: bool) -> None:
    """`marsad produce` (fetch_inline) and `marsad poll`: the same service, with or without the fetch."""
    from marsad.deploy.kafka.reach import ensure_broker
    from marsad.producers.recovery import RecoveryError
    from marsad.producers.service import run_producer
    from marsad.runtime.health import Health, serve_health
    from marsad.runtime.kafka.admin import create_topics

    settings = _settings(ctx)
    _registry(settings, feeds_file)  # a missing file is refused before anything starts
    bootstrap = ensure_broker(settings, quiet=True)
    path, base_url = _registry(settings, feeds_file, announce=True)
    create_topics(bootstrap, settings.topic_prefix, settings.partitions, settings.replication_factor, settings.min_insync_replicas)
    config = producer_config(settings, bootstrap=bootstrap, feeds_file=path, feeds_base_url=base_url)
    config = dataclasses.replace(config, fetch_inline=fetch_inline, poll_now=now)
    health = Health("producer" if fetch_inline else "poller")
    # a one-off run serves no health or metrics
    server = serve_health(health, settings.metrics_host, 0 if once else settings.producer_metrics_port,
                          setting="MARSAD_PRODUCER_METRICS_PORT")
    try:
        report = asyncio.run(run_producer(config, once=once, health=health))
    except (RegistryError, RecoveryError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if server:
            server.close()
    if report.undelivered:
        ctx.exit(1)


@click.group("feeds")
def feeds_group() -> None:
    """The feed registry: what `marsad produce` polls, and how each feed is doing.

    \b
    Each entry has a kind (README: "Sources beyond RSS"):
      rss        RSS, Atom, RDF or JSON Feed (the default)
      sitemap    a sitemap or sitemap index, or a home address (robots.txt); max_age_days
      page       a section page whose article links are announced; link_pattern
      telegram   a public channel's web preview, https://t.me/s/NAME; pages, min_chars
    """


@feeds_group.command("list")
@FEEDS_OPTION
@click.pass_context
def feeds_list(ctx: click.Context, feeds_file: Path | None) -> None:
    """Each feed with its kind, schedule and health: last poll, last new entry, last error, backoff."""
    from marsad.producers.feeds.state import FeedStateFile

    settings = _settings(ctx)
    path, base_url = _registry(settings, feeds_file)
    try:
        feeds = load_registry(path, base_url=base_url)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from None
    states = FeedStateFile(settings.data_path).load()
    click.echo(f"{path}: {len(feeds)} feed(s); state from {FeedStateFile(settings.data_path).path}")
    for line in feeds_table(feeds, states, datetime.now(UTC)):
        click.echo(line)


@feeds_group.command("reset")
@click.argument("feed_ids", nargs=-1, metavar="[FEED_ID]...")
@click.option("--all", "every", is_flag=True, help="Reset every feed of the state file.")
@FEEDS_OPTION
@click.pass_context
def feeds_reset(ctx: click.Context, feed_ids: tuple[str, ...], every: bool, feeds_file: Path | None) -> None:
    """Clear a feed's errors and backoff once its cause is fixed: it is polled at the next cycle.

    \b
    marsad feeds reset horan-today      one feed (ids as `marsad feeds list` shows them)
    marsad feeds reset --all            every feed
    A running poller picks the reset up within seconds; validators and the
    recently seen entries are kept, so nothing is announced twice.
    """
    from marsad.producers.feeds.state import ALL_FEEDS, FeedStateFile

    if bool(feed_ids) == every:
        raise click.UsageError("give feed ids or --all (not both)")
    settings = _settings(ctx)
    if feed_ids:
        path, base_url = _registry(settings, feeds_file)
        try:
            known = {feed.id for feed in load_registry(path, base_url=base_url)}
        except RegistryError as exc:
            raise click.ClickException(str(exc)) from None
        unknown = sorted(set(feed_ids) - known)
        if unknown:
            raise OperatorError(f"no feed {', '.join(map(repr, unknown))} in {path}: `marsad feeds list` shows the ids")
    store = FeedStateFile(settings.data_path)
    cleared = store.reset({ALL_FEEDS} if every else set(feed_ids))
    never = sorted(set(feed_ids) - set(cleared))
    click.echo(f"reset {len(cleared)} feed(s) in {store.path}" + (f": {', '.join(cleared)}" if cleared else "")
               + (f" ({', '.join(never)}: never polled, nothing to clear)" if never else ""))


@feeds_group.command("try")
@click.argument("feed_id")
@click.option("--limit", type=click.IntRange(0), default=10, show_default=True, help="Entries to show.")
@FEEDS_OPTION
@click.pass_context
def feeds_try(ctx: click.Context, feed_id: str, limit: int, feeds_file: Path | None) -> None:
    """Poll one source now, as its first poll would, and show what it finds: nothing is published or saved.

    \b
    For checking a source before it goes live: a sitemap's age cut, a section
    page's link_pattern, a Telegram channel's short posts.
    Example: marsad feeds try syria-section --limit 30
    """
    from marsad.producers.http import Fetcher
    from marsad.producers.poller import poll_feed

    settings = _settings(ctx)
    path, base_url = _registry(settings, feeds_file)
    try:
        feeds = {feed.id: feed for feed in load_registry(path, base_url=base_url)}
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from None
    feed = feeds.get(feed_id)
    if feed is None:
        raise OperatorError(f"no feed {feed_id!r} in {path}: `marsad feeds list` shows the ids")
    config = producer_config(settings, bootstrap="", feeds_file=path, feeds_base_url=base_url)

    async def poll_once():
        async with Fetcher(config.fetch) as fetcher:
            return await poll_feed(feed, None, fetcher, config.poll)

    outcome = asyncio.run(poll_once())
    if outcome.status == "failed" and outcome.failure is not None:
        failure = outcome.failure
        raise OperatorError(f"{feed.id} ({feed.kind}): {failure.stage}/{failure.kind}: {failure.reason}")
    notes = [f"{count} {reason}" for reason, count in sorted(outcome.counts.items())]
    if outcome.skipped:
        notes.append(f"{outcome.skipped} without a usable link")
    if outcome.bozo_reason:
        notes.append(f"malformed but readable: {outcome.bozo_reason}")
    click.echo(f"{feed.id} ({feed.kind}): {len(outcome.entries)} entries, HTTP {outcome.http_status}"
               + (f"; {'; '.join(notes)}" if notes else ""))
    for entry in outcome.entries[:limit]:
        when = entry.published.strftime("%Y-%m-%d %H:%M") if entry.published else "(no date)       "
        text = f"  [{len(entry.content_text)} chars of text]" if entry.content_text else ""
        text += "  [edited at the source]" if entry.edited else ""
        click.echo(f"  {when}  {entry.url}\n                    {entry.title or '(no title)'}{text}")
    if len(outcome.entries) > limit:
        click.echo(f"  ... {len(outcome.entries) - limit} more (--limit)")


@feeds_group.command("import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Registry YAML to merge into (default: DATA_DIR/{REGISTRY_NAME}; created when missing).")
@click.option("--interval", type=int, default=DEFAULT_INTERVAL, show_default=True,
              help="Seconds between polls of the imported feeds.")
@click.option("--language", default=None, help="Language hint for feeds whose outline has none (e.g. ar).")
@click.pass_context
def feeds_import(ctx: click.Context, opml: Path, into: Path | None, interval: int, language: str | None) -> None:
    """Merge the feeds of an OPML file into a registry, skipping those already there.

    \b
    Example: marsad feeds import subscriptions.opml
             marsad feeds import subscriptions.opml --into feeds.yaml --interval 600 --language ar
    """
    from marsad.producers.feeds.merge import merge_feeds, registry_with
    from marsad.producers.feeds.opml import load_opml

    settings = _settings(ctx)
    target = into or settings.data_path / REGISTRY_NAME
    text = target.read_text(encoding="utf-8") if target.exists() else None
    try:
        incoming = load_opml(opml, interval=interval, language=language)
        existing = load_registry(target, base_url=settings.feeds_base_url) if text is not None else []
        merge = merge_feeds(existing, incoming)
        updated = registry_with(text, merge.added, base_url=settings.feeds_base_url)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from None
    if merge.added:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(updated, encoding="utf-8")
    click.echo(f"{opml}: {len(incoming)} feed(s): {len(merge.added)} added to {target}, "
               f"{len(merge.already_there)} already there")
    for old, new in merge.renamed.items():
        click.echo(f"  id {old!r} was taken: added as {new!r}")


def producer_config(
    settings: Settings, *, bootstrap: Kafka, feeds_file: Path, feeds_base_url: str | None
) -> ProducerConfig:
    """The service's configuration, from the settings table (the one place that maps settings to options)."""
    from marsad.producers.http import FetchOptions
    from marsad.producers.pages.isolation import IsolationOptions
    from marsad.producers.poller import PollOptions
    from marsad.producers.service import ProducerConfig

    fetch = FetchOptions(
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        total_timeout=settings.fetch_timeout,
        max_bytes=settings.max_response_bytes,
        max_connections=settings.poll_concurrency,
        per_host_connections=settings.per_host_concurrency,
        per_host_interval=settings.per_host_interval,
        allow_private=settings.allow_private,
        allowed_networks=network_list(settings.allow_networks),
    )
    return ProducerConfig(
        bootstrap=bootstrap,
        topic_prefix=settings.topic_prefix,
        feeds_file=feeds_file,
        data_dir=settings.data_path,
        feeds_base_url=feeds_base_url,
        fetch=fetch,
        poll=PollOptions(max_attempts=settings.fetch_attempts, page_deadline=settings.page_deadline),
        feed_deadline=settings.feed_deadline,
        raw_page_cap=settings.raw_page_cap,
        fetch_workers=settings.poll_concurrency,
        shutdown_grace=settings.shutdown_grace,
        resume_window=settings.resume_window_hours * 3600.0,
        isolation=IsolationOptions(workers=settings.extract_workers, timeout=settings.extract_timeout,
                                   memory_mb=settings.extract_memory_mb),
    )


def fetcher_config(settings: Settings, *, bootstrap: Kafka) -> FetcherConfig:
    """The fetcher's configuration: the same HTTP and attempt settings as the producer's."""
    from marsad.producers.fetch_service import FetcherConfig

    producer = producer_config(settings, bootstrap=bootstrap, feeds_file=FEEDS_YAML, feeds_base_url=None)
    return FetcherConfig(bootstrap=bootstrap, topic_prefix=settings.topic_prefix, fetch=producer.fetch,
                         poll=producer.poll, raw_page_cap=producer.raw_page_cap,
                         fetch_workers=producer.fetch_workers, shutdown_grace=producer.shutdown_grace,
                         isolation=producer.isolation, stall_after=settings.ready_stall_after,
                         commit_interval=settings.fetch_commit_interval)


def feeds_table(feeds: list[Feed], states: dict[str, FeedState], now: datetime) -> list[str]:
    """A readable table: one row per feed, times relative to ``now``, the last error last (it is long)."""
    from marsad.producers.feeds.state import FeedState

    header = ("feed", "kind", "on", "every", "last poll", "last new", "failures", "next poll", "last error")
    rows = []
    for feed in feeds:
        state = states.get(feed.id) or FeedState(feed_id=feed.id)
        rows.append((
            feed.id,
            feed.kind,
            "yes" if feed.enabled else "no",
            duration(feed.interval),
            _ago(state.last_poll, now),
            _ago(state.last_new_entry, now),
            f"{state.consecutive_failures} (backoff)" if state.consecutive_failures else "0",
            _next(state, now) if feed.enabled else "-",
            _error(state, now),
        ))
    return render(header, rows, max_width=None).splitlines()


def _ago(moment: datetime | None, now: datetime) -> str:
    return "never" if moment is None else f"{duration((now - moment).total_seconds())} ago"


def _next(state: FeedState, now: datetime) -> str:
    if state.next_poll is None or state.next_poll <= now:
        return "due"
    return f"in {duration((state.next_poll - now).total_seconds())}"


def _error(state: FeedState, now: datetime) -> str:
    if not state.last_error:
        return "-"
    when = f" ({_ago(state.last_error_at, now)})" if state.last_error_at else ""
    return (state.last_error if len(state.last_error) <= 90 else state.last_error[:87] + "...") + when


def _settings(ctx: click.Context) -> Settings:
    """The `marsad` group's settings, or (a command run on its own, as in tests) settings built here, with logging."""
    obj = ctx.find_root().obj
    if obj is not None and hasattr(obj, "settings"):
        return obj.settings
    from marsad.runtime.logs import setup_logging

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    setup_logging(settings.log_level, settings.log_format)
    return settings


def _registry(settings: Settings, explicit: Path | None, *, announce: bool = False) -> tuple[Path, str | None]:
    """Which registry to read, and the base for its relative URLs."""
    if explicit is not None:
        return explicit, settings.feeds_base_url
    from marsad.runtime.preflight import setting_file
    if path := setting_file(settings, "feeds_file", remedy="fix the path, or unset it for DATA_DIR/feeds.yaml"):
        return path, settings.feeds_base_url
    local = settings.data_path / REGISTRY_NAME
    if local.exists():
        return local, settings.feeds_base_url
    if announce:
        log.info(
            "no %s: using the bundled sample registry %s, relative URLs resolved against %s "
            "(serve %s there and set MARSAD_ALLOW_NETWORKS=127.0.0.1/32; see `marsad produce --help`)",
            local, FEEDS_YAML, settings.feeds_base_url, SITE_DIR,
        )
    return FEEDS_YAML, settings.feeds_base_url
