"""Re-run cleaning, classification and extraction over the ArticleFetched history.

    verdicts = last duplicate verdict of every article on articles.processed
    for each ArticleFetched on articles.fetched (offset 0 to the end as of now):
        analyse(...) with the current taxonomy (`marsad.streams.pipeline`, the worker's code)
        publish ArticleProcessed(taxonomy_version=current, duplicate=verdicts[id])

The duplicate verdict is kept because deduplication depends on the order
articles arrived in, not on the taxonomy. Event ids are derived from the
fetched event and the resources' version, as the worker derives them, so
reprocessing twice with the same taxonomy publishes the same events again
(the views upsert them). `marsad replay --reprocess` then rebuilds the views.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kafka.consumer.fetcher import ConsumerRecord

from marsad.consumers.consume import LogReader
from marsad.runtime.kafka.connection import Kafka
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.kafka.read import WAIT
from marsad.schemas.codec import SchemaError, decode_as
from marsad.schemas.events import ArticleProcessed, Duplicate
from marsad.schemas.topics import Topics

if TYPE_CHECKING:  # streams is imported when reprocessing runs: the views need none of it
    from marsad.streams.pipeline import Resources

log = logging.getLogger(__name__)
POOL_MIN = 2000  # fetched events below which reprocessing stays in this process


@dataclass(frozen=True)
class ReprocessReport:
    published: int
    skipped: int  # fetched messages that could not be decoded or analysed


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


def reprocess(bootstrap: Kafka, topics: Topics, res: Resources, publisher: EventPublisher,
              progress: Callable[[int, int], None] | None = None, workers: int = 1) -> ReprocessReport:
    """Publish a new ArticleProcessed for every ArticleFetched in the log (see the module docstring).

    With ``workers`` > 1 the analysis runs in that many processes (`marsad.streams.parallel`), in order.
    """
    processed = LogReader(bootstrap, topics.processed, batch_size=2000, client_id="marsad-reprocess")
    try:
        processed.assign_from({})
        verdicts = latest_verdicts(processed.read_to_end(WAIT))
    finally:
        processed.close()
    fetched_log = LogReader(bootstrap, topics.fetched, batch_size=500, client_id="marsad-reprocess")
    published = skipped = 0
    where: deque[tuple[str, int, int]] = deque()  # (topic, partition, offset) of each value sent, in order

    def values() -> Iterator[bytes]:
        for msg in fetched_log.read_to_end(WAIT):
            where.append((msg.topic, msg.partition, msg.offset))
            yield msg.value

    from marsad.streams.parallel import reprocess_values
    try:
        fetched_log.assign_from({})
        total = fetched_log.totals()[1]
        if total < POOL_MIN:
            workers = 1  # starting processes that load the resources costs more than it saves
        for n, (article_id, value, reason) in enumerate(reprocess_values(values(), res, verdicts, workers), 1):
            topic, partition, offset = where.popleft()
            if article_id is None:  # undecodable (already dead-lettered by the worker) or no stage foresaw it
                log.warning("skipping %s[%s]@%s: %s", topic, partition, offset, reason)
                skipped += 1
            else:
                publisher.publish_raw(topics.processed, article_id, value)
                published += 1
            if progress:
                progress(n, total)
        publisher.flush()
    finally:
        fetched_log.close()
    if publisher.failed:
        raise RuntimeError(f"{publisher.failed} reprocessed event(s) could not be delivered to Kafka")
    return ReprocessReport(published, skipped)
