"""Health and metrics for a Faust app (stream workers, alert agent), on the app's own web server.

    GET /health/live    200 while the worker's event loop answers
    GET /health/ready   200 once partitions are assigned and tables recovered; 503 while
                        rebalancing or recovering
    GET /metrics        Prometheus exposition (`marsad.runtime.metrics`)

`install` also adds a timer that measures the app's consumer-group lag from
Kafka every few seconds into ``marsad_consumer_lag``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import faust

from marsad.runtime.health import NO_PROGRESS_AFTER, ProgressWatch
from marsad.runtime.kafka.connection import Kafka
from marsad.runtime.lag import GroupProgress, LagProbe
from marsad.runtime.metrics import render, set_lag

log = logging.getLogger(__name__)

LAG_EVERY = 5.0  # seconds


def readiness(app: faust.App) -> tuple[bool, str]:
    """Ready when the app consumes: not rebalancing and its tables recovered."""
    if app.rebalancing:
        return False, "rebalancing"
    recovery = getattr(app.tables, "recovery", None)
    if recovery is not None and not recovery.completed.is_set():
        return False, "recovering tables"
    return True, "ok"


def install(app: faust.App, *, service: str, bootstrap: Kafka, lag_topics: Sequence[str],
            stall_after: float = NO_PROGRESS_AFTER) -> None:
    """Add /health/live, /health/ready and /metrics to ``app``'s web server, and the lag timer.

    Ready also means progress: the lag timer judges this worker's share of
    the partitions (`ProgressWatch`): none held, or behind without its
    committed offsets moving for ``stall_after`` seconds, is not ready.
    """
    watch = ProgressWatch(stall_after)
    verdict: list[tuple[bool, str]] = [(True, "ok")]

    @app.page("/health/live")
    async def live(self: Any, request: Any) -> Any:
        return self.json({"service": service, "status": "ok", "reason": "ok"})

    @app.page("/health/ready")
    async def ready(self: Any, request: Any) -> Any:
        ok, reason = readiness(app)
        if ok:
            ok, reason = verdict[0]
        return self.json({"service": service, "status": "ok" if ok else "unavailable", "reason": reason},
                         status=200 if ok else 503)

    @app.page("/metrics")
    async def metrics(self: Any, request: Any) -> Any:
        body, ctype = render()
        return self.bytes(body, content_type=ctype.split(";")[0])

    probe: list[LagProbe] = []  # opened on first use, in the timer's thread
    failing: list[bool] = [False]  # log the first failure of a series, not every one

    def measure() -> GroupProgress:
        if not probe:
            probe.append(LagProbe(bootstrap))
        return probe[0].group_progress(app.conf.id, lag_topics)

    @app.timer(LAG_EVERY, name=f"{service}-lag")
    async def lag() -> None:
        try:
            progress = await asyncio.to_thread(measure)
            set_lag(progress.lag)
            if not app.rebalancing:
                held, behind, position = progress.share((tp.topic, tp.partition) for tp in app.consumer.assignment())
                verdict[0] = watch.observe(assigned=held, partitions=len(progress.behind), lag=behind,
                                           position=position)
            failing[0] = False
        except Exception as e:  # the broker may be away for a while: lag is unknown then, not fatal
            if not failing[0]:
                log.warning("consumer lag not measured: %s: %s", type(e).__name__, e)
            failing[0] = True
