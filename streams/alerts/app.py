"""The alert agent's Faust app, declared once: `marsad alerter` runs it.

A Faust app of its own (id ``{prefix}-alerter``, web port
``alerter_web_port``) rather than more agents in the stream worker: alerts
scale, restart and reload their rules without touching the dedup state, and
a worker can run without alerts. The agents are in `streams.alerts.agents`,
imported at the bottom so they register with this app.
"""

from __future__ import annotations

import faust

from deploy.services.faust_web import install as install_health
from deploy.settings import Settings, load_settings
from schemas.topics import Topics


def create_app(settings: Settings) -> faust.App:
    """The same broker and producer settings as the stream worker (`streams.app`), under the alerter's id."""
    return faust.App(
        Topics(settings.topic_prefix).alerter_app_id,
        broker=";".join(f"kafka://{h.strip()}" for h in settings.bootstrap_servers.split(",") if h.strip()),
        store=settings.worker_store,
        datadir=str(settings.data_path / "alerter"),
        web_host=settings.worker_web_host,
        web_bind=settings.worker_web_host,
        web_port=settings.alerter_web_port,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=True,
        producer_acks=-1,
        producer_compression_type="lz4",
        producer_linger=0.01,
        producer_max_request_size=8 * 1024 * 1024,
        consumer_max_fetch_size=8 * 1024 * 1024,
        key_serializer="raw",
        value_serializer="raw",
        table_standby_replicas=0,
        autodiscover=False,
        broker_commit_every=200,
        broker_commit_interval=1.0,
        stream_wait_empty=False,
    )


settings = load_settings()
topics = Topics(settings.topic_prefix)
app = create_app(settings)

from streams.alerts import agents  # noqa: E402,F401  (registers the agents with `app`)

# /health/live, /health/ready, /metrics on the alerter's web server, and its consumer lag
install_health(app, service="alerter", bootstrap=settings.bootstrap_servers,
               lag_topics=[topics.processed, topics.name("streams.alert-stories"), topics.name("streams.alert-spikes")])
