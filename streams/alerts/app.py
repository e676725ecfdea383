"""The alert agent's Faust app, declared once: `marsad alerter` runs it.

A Faust app of its own (id ``{prefix}-alerter``, web port
``alerter_web_port``) rather than more agents in the stream worker: alerts
scale, restart and reload their rules without touching the dedup state, and
a worker can run without alerts. The agents are in `streams.alerts.agents`,
imported at the bottom so they register with this app.
"""

from __future__ import annotations

import faust

from runtime.faust_web import install as install_health
from runtime.settings import Settings, load_settings
from schemas.topics import Topics
from streams.faust_app import faust_app


def create_app(settings: Settings) -> faust.App:
    """The stream worker's Faust settings (`streams.faust_app`), under the alerter's id and port."""
    return faust_app(Topics(settings.topic_prefix).alerter_app_id, settings,
                     datadir=settings.data_path / "alerter", web_port=settings.alerter_web_port)


settings = load_settings()
topics = Topics(settings.topic_prefix)
app = create_app(settings)

from streams.alerts import agents  # noqa: E402,F401  (registers the agents with `app`)

# /health/live, /health/ready, /metrics on the alerter's web server, and its consumer lag
install_health(app, service="alerter", bootstrap=settings.kafka,
               lag_topics=[topics.processed, topics.name("streams.alert-stories"), topics.name("streams.alert-spikes"),
                           topics.name("streams.alert-incidents")],
               stall_after=settings.ready_stall_after)
