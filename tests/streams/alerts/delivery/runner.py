"""`run_deliver` in a thread of the test process, with its own event loop, stopped on request."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from marsad.schemas.topics import Topics
from marsad.streams.alerts.delivery.deliver import DeliverConfig, DeliverTotals, run_deliver
from marsad.streams.alerts.delivery.ledger import Ledger
from marsad.streams.alerts.delivery.targets import Target


class InProcess:
    def __init__(self, bootstrap: str, topics: Topics, make_targets: Callable[[], Sequence[Target]],
                 ledger: Path, config: DeliverConfig) -> None:
        self._args = (bootstrap, topics, make_targets, ledger, config)
        self._ready = threading.Event()
        self.error: BaseException | None = None
        self.totals: DeliverTotals | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._thread.start()
        assert self._ready.wait(30)

    async def _main(self) -> None:
        bootstrap, topics, make_targets, path, config = self._args
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        ledger = Ledger(path)
        try:
            self.totals = await run_deliver(bootstrap, topics, make_targets(), ledger, config, self._stop)
        except BaseException as e:
            self.error = e
        finally:
            ledger.close()

    def stop(self, timeout: float = 60) -> DeliverTotals:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "deliver did not stop"
        if self.error:
            raise self.error
        assert self.totals is not None
        return self.totals


def committed(bootstrap: str, group: str, topic: str) -> dict[int, int | None]:
    """The group's committed offset per partition of ``topic`` (None: nothing committed)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        offsets = admin.list_group_offsets({group: None})[group]
    finally:
        admin.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = sorted(consumer.partitions_for_topic(topic) or ())
    finally:
        consumer.close()
    return {p: (offsets[TopicPartition(topic, p)].offset if TopicPartition(topic, p) in offsets else None)
            for p in parts}


def all_committed(bootstrap: str, group: str, topic: str) -> bool:
    """Has the group committed every partition of ``topic`` to its end (empty partitions need nothing)?"""
    done = committed(bootstrap, group, topic)
    return all(done[p] == end for p, end in end_offsets(bootstrap, topic).items() if end)


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        return {tp.partition: o for tp, o in consumer.end_offsets(tps).items()}
    finally:
        consumer.close()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition``; the timeout only turns a hang into a failure, it is not what is tested."""
    import time
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
