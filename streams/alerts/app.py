"""The alert agent's Faust app, built from the settings it is given: `marsad alerter` runs it.

A Faust app of its own (id ``{prefix}-alerter``, web port
``alerter_web_port``) rather than more agents in the stream worker: alerts
scale, restart and reload their rules without touching the dedup state, and
a worker can run without alerts. `create_app` declares its topics and tables
and registers its agents (`marsad.streams.alerts.agents`); nothing is built at import.
"""

from __future__ import annotations

import faust

from marsad.runtime.faust_web import install as install_health
from marsad.runtime.kafka.local_files import connection_for
from marsad.runtime.settings import Settings
from marsad.schemas.topics import Topics
from marsad.streams.alerts import agents
from marsad.streams.alerts.live import LiveRules
from marsad.streams.faust_app import faust_app, lz4_level


def create_app(settings: Settings, live: LiveRules | None = None) -> faust.App:
    """The stream worker's Faust settings (`marsad.streams.faust_app`) under the alerter's id and port, with its
    agents (``live``: the rules in force, loaded from the settings when not given)."""
    topics = Topics(settings.topic_prefix)
    lz4_level(1)  # every note and table write is compressed in the event loop: fast mode (`lz4_level`)
    app = faust_app(topics.alerter_app_id, settings, datadir=settings.data_path / "alerter",
                    web_port=settings.alerter_web_port)
    agents.register(app, settings, live)
    # /health/live, /health/ready, /metrics on the alerter's web server, and its consumer lag
    install_health(app, service="alerter", bootstrap=connection_for(settings),
                   lag_topics=[topics.processed, topics.name("streams.alert-stories"),
                               topics.name("streams.alert-spikes"), topics.name("streams.alert-incidents")],
                   stall_after=settings.ready_stall_after)
    return app
