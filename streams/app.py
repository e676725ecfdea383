"""The stream worker's Faust app, built from the settings it is given: `marsad worker` runs it.

`create_app` makes the app (`marsad.streams.faust_app`), declares the worker's
topics and tables on it and registers its agents (`marsad.streams.agents`, and the
previous release's in `marsad.streams.legacy`), with the health and metrics pages.
Nothing is built at import: the entry point builds the settings once and
passes them here.
"""

from __future__ import annotations

import faust

from marsad.runtime.faust_web import install as install_health
from marsad.runtime.kafka.local_files import connection_for
from marsad.runtime.settings import Settings
from marsad.schemas.topics import Topics
from marsad.streams import agents, legacy
from marsad.streams.faust_app import faust_app, lz4_level
from marsad.streams.pipeline import Resources


def create_app(settings: Settings, resources: Resources | None = None) -> faust.App:
    """The worker's app on ``settings``' cluster, with its agents (``resources``: the vocabularies, loaded
    from the settings when not given)."""
    topics = Topics(settings.topic_prefix)
    lz4_level(1)  # the batches cross the broker once per dedup partition: compressed fast (`lz4_level`)
    # every topic the worker writes takes 8 MiB messages: batches of 4 MiB hold a batch of articles
    app = faust_app(topics.streams_app_id, settings, datadir=settings.data_path / "streams",
                    web_port=settings.worker_web_port, max_batch_bytes=4 * 1024 * 1024)
    legacy.register(agents.register(app, settings, resources))
    # /health/live, /health/ready, /metrics on the worker's web server, and its consumer lag
    install_health(app, service="worker", bootstrap=connection_for(settings),
                   lag_topics=[topics.fetched, topics.name("streams.dedup-route"), topics.name("streams.dedup-bands"),
                               topics.name("streams.dedup-votes")],
                   stall_after=settings.ready_stall_after)
    return app
