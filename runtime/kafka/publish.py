"""Publish events to Kafka with kafka-python, so that nothing accepted is lost.

acks=all, idempotence on (the broker de-duplicates retried batches),
lz4 compression, key = the event's article id (or alert id). `flush`/`close`
wait until every accepted event is acknowledged; `accepted` and `delivered`
count them so a service can report exactly what reached the log. The one
publisher of events outside Faust: the tools and services in threads, and an
async service through `publish_and_wait` (the alert delivery's dead letters).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from kafka import KafkaProducer
from kafka.errors import KafkaError

from marsad.runtime.kafka.connection import Kafka, kafka_python_options
from marsad.schemas.codec import encode
from marsad.schemas.events import Event

log = logging.getLogger(__name__)


class PublishError(RuntimeError):
    pass


class EventPublisher:
    def __init__(self, bootstrap: Kafka, *, client_id: str = "marsad", linger_ms: int = 20,
                 max_request_size: int = 8 * 1024 * 1024, compression: str | None = "lz4",
                 batch_size: int = 256 * 1024) -> None:
        # Batches of 256 KB rather than the client's 16 KB: a new batch wakes the sender thread,
        # which cost a sixth of reprocessing's time with ~4 KB articles.
        self._producer = KafkaProducer(
            **kafka_python_options(bootstrap), client_id=client_id, acks="all", enable_idempotence=True,
            compression_type=compression, linger_ms=linger_ms, max_request_size=max_request_size,
            batch_size=batch_size,
            retries=2**31 - 1, delivery_timeout_ms=120_000, max_in_flight_requests_per_connection=5)
        self.accepted = 0
        self.delivered = 0
        self.failed = 0

    def publish(self, topic: str, key: str | None, event: Event,
                on_delivered: Callable[[Event], None] | None = None,
                on_failed: Callable[[BaseException], None] | None = None) -> None:
        """Queue one event; raises `PublishError` if the client refuses it outright. The callbacks run in the
        client's thread once Kafka acknowledged the event, or gave up on it (also counted in `failed`)."""
        self.publish_raw(topic, key, encode(event), on_delivered=(lambda: on_delivered(event))
                         if on_delivered else None, on_failed=on_failed)

    def publish_raw(self, topic: str, key: str | None, value: bytes,
                    on_delivered: Callable[[], None] | None = None,
                    on_failed: Callable[[BaseException], None] | None = None) -> None:
        try:
            future = self._producer.send(topic, key=key.encode() if key is not None else None, value=value)
        except KafkaError as e:
            raise PublishError(f"cannot publish to {topic}: {e}") from e
        self.accepted += 1
        future.add_callback(lambda _metadata: self._ok(on_delivered))
        future.add_errback(lambda exc: self._failed(exc, topic, on_failed))

    async def publish_and_wait(self, topic: str, key: str | None, event: Event) -> None:
        """Publish one event and wait, without blocking the event loop, until Kafka acknowledges it.

        Raises `PublishError` when it is refused or not acknowledged within
        the client's delivery timeout: the caller decides whether to try again
        (the delivery's dead letters do, until the broker has them).
        Cancelling the wait does not take the event back.
        """
        loop = asyncio.get_running_loop()
        acked: asyncio.Future[None] = loop.create_future()

        def settle(error: BaseException | None) -> None:  # in the Kafka client's thread, or at once
            if not loop.is_closed():
                loop.call_soon_threadsafe(_settle, acked, error)

        self.publish(topic, key, event, on_delivered=lambda _event: settle(None), on_failed=settle)
        try:
            await acked
        except Exception as e:  # what the client's future failed with (a KafkaError, as a rule)
            raise PublishError(f"{topic} did not acknowledge: {e}") from e

    def _ok(self, on_delivered: Callable[[], None] | None) -> None:
        self.delivered += 1
        if on_delivered:
            on_delivered()

    def _failed(self, exc: BaseException, topic: str, on_failed: Callable[[BaseException], None] | None) -> None:
        self.failed += 1
        log.error("delivery to %s failed: %s", topic, exc)
        if on_failed:
            on_failed(exc)

    def prepare(self, topics: list[str]) -> None:
        """Fetch the topics' metadata now (blocking), so the first `publish` to each does not wait for it."""
        for topic in topics:
            self._producer.partitions_for(topic)

    def flush(self, timeout: float | None = None) -> None:
        self._producer.flush(timeout=timeout)

    def close(self, timeout: float | None = 30.0) -> None:
        """Flush what was accepted, then close."""
        try:
            self._producer.flush(timeout=timeout)
        finally:
            self._producer.close(timeout=timeout)

    def __enter__(self) -> EventPublisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _settle(acked: asyncio.Future[None], error: BaseException | None) -> None:
    if acked.done():  # the wait was cancelled
        return
    if error is None:
        acked.set_result(None)
    else:
        acked.set_exception(error)
