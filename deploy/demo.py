"""The main job on embedded defaults (README's first command).

For now: start the local broker, create the topics, import the bundled sample
articles (and the shared seeds when present), and show what is on the topics.
Later issues grow this into the whole pipeline.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from deploy.settings import Settings

SAMPLES = Path(__file__).resolve().parent.parent / "producers" / "samples" / "articles.jsonl"


def run_demo(settings: Settings, *, keep: bool, seeds: Path) -> None:
    from deploy.inspect import describe, last_events
    from deploy.kafka.local import LocalKafka
    from deploy.topics import create_topics, list_topics
    from producers.run_import import run_import
    from schemas.topics import Topics

    t0 = time.monotonic()
    local = LocalKafka.from_settings(settings) if settings.uses_local_broker else None
    was_running = local is not None and local.pid() is not None
    try:
        click.secho("1. broker", bold=True)
        bootstrap = local.start().bootstrap if local else settings.bootstrap_servers
        click.secho("2. topics", bold=True)
        created = create_topics(bootstrap, settings.topic_prefix, settings.partitions,
                                settings.replication_factor)
        click.echo(f"   {len(created)} created, catalogue of {len(Topics(settings.topic_prefix).all())}")
        click.secho("3. import", bold=True)
        inputs = [p for p in (SAMPLES, seeds) if p.exists()]
        for p in inputs:
            report = run_import([p], bootstrap=bootstrap, prefix=settings.topic_prefix)
            click.echo(f"   {p}: published {report.published}, rejected {len(report.rejected)}")
        click.secho("4. on the topics", bold=True)
        for info in list_topics(bootstrap, settings.topic_prefix):
            click.echo(f"   {info.name:<36} {info.partitions:>2} partitions {info.messages:>6} messages")
        click.secho("5. latest articles", bold=True)
        for partition, offset, event in last_events(bootstrap, Topics(settings.topic_prefix).fetched, 2):
            click.echo(f"   [{partition}]@{offset} {describe(event)}")
        click.echo(f"\ndone in {time.monotonic() - t0:.1f}s. Explore: marsad topics list | "
                   "marsad tail fetched -n 3 | marsad kafka status")
    finally:
        if local is not None and not keep and not was_running:
            local.stop(quiet=True)
            click.echo("local broker stopped (use --keep to leave it running)")
