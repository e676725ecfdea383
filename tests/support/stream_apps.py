"""A Faust app of the project built in-process by its factory, from explicit settings, and driven agent by agent.

Faust's test mode (`Agent.test_context`) feeds an agent from a local channel
instead of its topic; what the agent sends goes to the real broker of the
test session (the producer starts on the first send), where `TopicReader`
reads it back. The tables live in memory; their changelog topics are
declared first, as a starting worker declares them.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import faust
from kafka import KafkaConsumer

from marsad.deploy.kafka.local import free_port
from marsad.runtime.settings import Settings, load_settings


def settings_for(bootstrap: str, prefix: str, data_dir: Path, **more: str) -> Settings:
    """Settings of a test app, from these values alone (not this process's environment)."""
    return load_settings(env={"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
                              "MARSAD_PARTITIONS": "2", "MARSAD_DATA_DIR": str(data_dir),
                              "MARSAD_WORKER_STORE": "memory://", "MARSAD_WORKER_WEB_PORT": str(free_port()),
                              "MARSAD_ALERTER_WEB_PORT": str(free_port()), **more})


@asynccontextmanager
async def ready(app: faust.App) -> AsyncIterator[faust.App]:
    """``app`` ready for its agents' test contexts: finalized, flow open, changelog topics declared; its
    producer stopped on leaving."""
    app.finalize()
    app.flow_control.resume()
    for table in app.tables.values():
        await table.changelog_topic.maybe_declare()
    try:
        yield app
    finally:
        await app.producer.stop()


class TopicReader:
    """Reads every partition of a topic from the beginning (blocking: call it in a thread from async code)."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                      group_id=None, enable_auto_commit=False)
        self.topic = topic
        self.seen: list[tuple[bytes | None, bytes, int]] = []  # (key, value, partition)

    def until(self, n: int, timeout: float = 60) -> list[tuple[bytes | None, bytes, int]]:
        """The first ``n`` records (or more, if they came together); fails naming the topic after ``timeout``."""
        deadline = time.monotonic() + timeout
        while len(self.seen) < n and time.monotonic() < deadline:
            for records in self.consumer.poll(timeout_ms=300).values():
                self.seen.extend((r.key, r.value, r.partition) for r in records)
        assert len(self.seen) >= n, f"{self.topic}: saw {len(self.seen)} of {n} record(s)"
        return self.seen

    def close(self) -> None:
        self.consumer.close()
