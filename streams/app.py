"""The stream workers' Faust app, declared once.

    marsad worker                  # or: faust -A streams.app worker -l info

Broker, table store, web port and topic names come from the settings
(`runtime.settings`), read here, at the entry point. The agents are in
`streams.agents`, imported at the bottom so they register with this app.
"""

from __future__ import annotations

import faust

from runtime.faust_web import install as install_health
from runtime.settings import Settings, load_settings
from schemas.topics import Topics
from streams.faust_app import faust_app, lz4_level


def create_app(settings: Settings) -> faust.App:
    lz4_level(1)  # the batches cross the broker once per dedup partition: compressed fast (`lz4_level`)
    # every topic the worker writes takes 8 MiB messages: batches of 4 MiB hold a batch of articles
    return faust_app(Topics(settings.topic_prefix).streams_app_id, settings,
                     datadir=settings.data_path / "streams", web_port=settings.worker_web_port,
                     max_batch_bytes=4 * 1024 * 1024)


settings = load_settings()
topics = Topics(settings.topic_prefix)
app = create_app(settings)

from streams import agents  # noqa: E402,F401  (registers the agents with `app`)

# /health/live, /health/ready, /metrics on the worker's web server, and its consumer lag
install_health(app, service="worker", bootstrap=settings.kafka,
               lag_topics=[topics.fetched, topics.name("streams.dedup-route"), topics.name("streams.dedup-bands"),
                           topics.name("streams.dedup-votes")],
               stall_after=settings.ready_stall_after)
