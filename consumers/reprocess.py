"""Re-run cleaning, classification and extraction over the ArticleFetched history.

    verdicts = last duplicate verdict of every article on articles.processed
    for each ArticleFetched on articles.fetched (offset 0 to the end as of now):
        analyse(...) with the current taxonomy (`streams.pipeline`, the worker's code)
        publish ArticleProcessed(taxonomy_version=current, duplicate=verdicts[id])

The duplicate verdict is kept because deduplication depends on the order
articles arrived in, not on the taxonomy. Event ids are derived from the
fetched event and the resources' version, as the worker derives them, so
reprocessing twice with the same taxonomy publishes the same events again
(the views upsert them). `marsad replay --reprocess` then rebuilds the views.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec
from kafka import TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from consumers.consume import LogReader
from deploy.kafka.connection import Kafka
from producers.publish import EventPublisher
from schemas.codec import SchemaError, decode_as
from schemas.events import ArticleFetched, ArticleProcessed, Duplicate
from schemas.topics import Topics

if TYPE_CHECKING:  # streams is imported when reprocessing runs: the views need none of it
    from streams.pipeline import Resources

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReprocessReport:
    published: int
    skipped: int  # fetched messages that could not be decoded or analysed


def read_to_end(reader: LogReader) -> Iterator[ConsumerRecord]:
    """Every message from the beginning to the end offsets as of the start."""
    reader.assign_from({})
    ends = reader.ends()
    while not reader.reached(ends):
        for msg in reader.collect(200):
            if msg.offset < ends[TopicPartition(msg.topic, msg.partition)]:
                yield msg


def latest_verdicts(messages: Iterator[ConsumerRecord]) -> dict[str, Duplicate]:
    """The duplicate verdict of the last ArticleProcessed of each article id."""
    verdicts: dict[str, Duplicate] = {}
    for msg in messages:
        try:
            event = decode_as(msg.value, ArticleProcessed)
        except SchemaError:
            continue
        verdicts[event.article_id] = event.duplicate
    return verdicts


def reprocessed(fetched: ArticleFetched, res: Resources, verdict: Duplicate | None) -> ArticleProcessed:
    """The ArticleProcessed the current resources give for ``fetched`` (the worker's own code)."""
    from streams.pipeline import process_fetched
    article, _ = process_fetched(fetched, res)
    return msgspec.structs.replace(article, duplicate=verdict or Duplicate())


def reprocess(bootstrap: Kafka, topics: Topics, res: Resources, publisher: EventPublisher,
              progress: Callable[[int, int], None] | None = None) -> ReprocessReport:
    """Publish a new ArticleProcessed for every ArticleFetched in the log (see the module docstring)."""
    processed = LogReader(bootstrap, topics.processed, batch_size=2000, client_id="marsad-reprocess")
    try:
        verdicts = latest_verdicts(read_to_end(processed))
    finally:
        processed.close()
    fetched_log = LogReader(bootstrap, topics.fetched, batch_size=500, client_id="marsad-reprocess")
    published = skipped = 0
    try:
        total = 0
        for n, msg in enumerate(read_to_end(fetched_log), 1):
            if n == 1:  # the reader is assigned once the first message is asked for
                total = fetched_log.totals()[1]
            try:
                fetched = decode_as(msg.value, ArticleFetched)
                event = reprocessed(fetched, res, verdicts.get(fetched.article_id))
            except SchemaError as e:  # already dead-lettered by the worker
                log.warning("skipping %s[%s]@%s: %s", msg.topic, msg.partition, msg.offset, e)
                skipped += 1
                continue
            except Exception as e:  # an input no stage foresaw: the worker dead-letters it too
                log.warning("cannot reprocess %s[%s]@%s: %s: %s", msg.topic, msg.partition, msg.offset,
                            type(e).__name__, e)
                skipped += 1
                continue
            publisher.publish(topics.processed, event.article_id, event)
            published += 1
            if progress:
                progress(n, total)
        publisher.flush()
    finally:
        fetched_log.close()
    if publisher.failed:
        raise RuntimeError(f"{publisher.failed} reprocessed event(s) could not be delivered to Kafka")
    return ReprocessReport(published, skipped)
