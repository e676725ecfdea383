"""Two changes to faust-streaming 0.15.3 so that a rebalance cannot drop a record.

The kill -9 drill found that an article published while a restarted worker
waited for its dead predecessor's session to expire was sometimes never
processed, while the worker group's committed offset moved past it. Traces of
the consumer showed two ways a record is lost around the end of a rebalance;
either way the consumer then commits the later offsets the agents acknowledge
(its gap check is one off against Kafka's "next offset to read"), so the
record is skipped for good.

1. **The queues are emptied after the stream partitions resume.** At the end of
   recovery Faust resumes the stream partitions, seeks them to their committed
   offsets, then calls ``app.flow_control.resume()``, which (mode's
   ``FlowControlEvent``) also empties every stream queue. A record fetched
   after the seek and queued before that call is thrown away and never fetched
   again. `HeldResumeRecovery` resumes the stream partitions last, after the
   seek and the emptying.
2. **An empty partition set means "every partition" to aiokafka.** The fetcher
   hands its live set of active partitions to aiokafka's ``fetched_records``
   and filters the result by the same set afterwards. When the set empties
   while aiokafka waits (the changelog partitions paused at the end of
   recovery), aiokafka drains the records of every partition, the stream
   partitions included, and Faust drops them as inactive, after aiokafka's
   position has passed them. `SnapshotConsumer` asks for a copy of the set as
   it is when the fetch starts, so the records of other partitions stay in
   aiokafka until asked for.

Besides, its transport's producer (`IdempotentProducer`) always sends with
acks=all and idempotence, which Faust keeps for transactions otherwise.

`faust_app` builds `RebalanceSafeApp`; both stream apps (worker, alerter) use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import faust
from faust.tables import TableManager
from faust.tables.recovery import Recovery
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP
from faust.types.transports import TransportT


class HeldResumeRecovery(Recovery):
    """Recovery that resumes the stream partitions last, after their seek and the queue emptying."""

    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        await self._holding_streams(super().on_recovery_completed, generation_id)

    async def _resume_streams(self, generation_id: int = 0) -> None:  # the path of apps without tables
        await self._holding_streams(super()._resume_streams, generation_id)

    async def _holding_streams(self, complete: Any, generation_id: int) -> None:
        consumer = self.app.consumer
        held: set[TP] = set()

        def hold(tps: Iterable[TP]) -> None:
            held.update(tps)

        consumer.resume_partitions = hold  # shadows the method while `complete` runs
        try:
            await complete(generation_id)
        finally:
            if vars(consumer).get("resume_partitions") is hold:
                del consumer.resume_partitions
        if held and self.app.consumer_generation_id == generation_id:
            consumer.resume_partitions(held)


class SafeTableManager(TableManager):
    """Faust's table manager, recovering with `HeldResumeRecovery`."""

    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = HeldResumeRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery


class SnapshotConsumer(faust_aiokafka.Consumer):
    """The aiokafka consumer, fetching for the partitions active when the fetch starts, and only those."""

    async def _getmany(self, active_partitions: set[TP] | None, timeout: float) -> Any:
        if active_partitions is None:  # a client-only app: every assigned partition
            return await super()._getmany(None, timeout)
        asked = set(active_partitions)
        if not asked:
            return {}
        return await super()._getmany(asked, timeout)


class IdempotentProducer(faust_aiokafka.Producer):
    """Faust's aiokafka producer with acks=all and idempotence always on (Faust turns them on only inside
    transactions): a send retried after a broker fails over is written once, in order, on every replica
    that ``min.insync.replicas`` asks for."""

    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}


class SnapshotTransport(faust_aiokafka.Transport):
    Consumer = SnapshotConsumer
    Producer = IdempotentProducer


class RebalanceSafeApp(faust.App):
    """A Faust app with both changes (set ``TableManager=SafeTableManager`` too; `faust_app` does)."""

    def _new_transport(self) -> TransportT:
        return SnapshotTransport(self.conf.broker_consumer, self)
