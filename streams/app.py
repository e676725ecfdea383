"""The stream workers' Faust app, declared once.

    marsad worker                  # or: faust -A streams.app worker -l info

Broker, table store, web port and topic names come from the settings
(`deploy.settings`), read here, at the entry point. The agents are in
`streams.agents`, imported at the bottom so they register with this app.
"""

from __future__ import annotations

import faust

from deploy.logs import logging_config
from deploy.services.faust_web import install as install_health
from deploy.settings import Settings, load_settings
from schemas.topics import Topics


def broker_urls(bootstrap: str) -> str:
    return ";".join(f"kafka://{h.strip()}" for h in bootstrap.split(",") if h.strip())


def create_app(settings: Settings) -> faust.App:
    return faust.App(
        Topics(settings.topic_prefix).streams_app_id,
        broker=broker_urls(settings.bootstrap_servers),
        store=settings.worker_store,
        datadir=str(settings.data_path / "streams"),
        web_host=settings.worker_web_host,
        web_bind=settings.worker_web_host,
        web_port=settings.worker_web_port,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=True,
        producer_acks=-1,
        producer_compression_type="lz4",
        producer_linger=0.01,  # batch sends: every message as its own acks=all request is slow
        producer_max_batch_size=256 * 1024,
        producer_max_request_size=8 * 1024 * 1024,
        consumer_max_fetch_size=8 * 1024 * 1024,
        key_serializer="raw",
        value_serializer="raw",
        table_standby_replicas=0,
        autodiscover=False,
        broker_commit_every=200,
        broker_commit_interval=1.0,
        broker_session_timeout=settings.worker_session_timeout,  # a dead worker's partitions move after this
        stream_wait_empty=False,
        logging_config=logging_config(settings.log_level) if settings.log_format == "json" else None,
    )


settings = load_settings()
topics = Topics(settings.topic_prefix)
app = create_app(settings)

from streams import agents  # noqa: E402,F401  (registers the agents with `app`)

# /health/live, /health/ready, /metrics on the worker's web server, and its consumer lag
install_health(app, service="worker", bootstrap=settings.bootstrap_servers,
               lag_topics=[topics.fetched, topics.name("streams.dedup-bands"), topics.name("streams.dedup-votes")])
