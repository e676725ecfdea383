"""The import service: read inputs, publish ArticleFetched, dead-letter the rest."""

from __future__ import annotations

import logging
from pathlib import Path

from marsad.producers.importer import ImportReport, Rejected, dead_letter, input_files, read_articles
from marsad.runtime.kafka.connection import Kafka
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.progress import Progress
from marsad.schemas.topics import Topics

log = logging.getLogger(__name__)

PROGRESS_MIN_FILES = 50


def run_import(paths: list[Path], *, bootstrap: Kafka, prefix: str, progress: bool | None = None,
               publisher: EventPublisher | None = None) -> ImportReport:
    """Publish every article found at ``paths``; return what was published and rejected.

    Returns only after every published event is acknowledged by the cluster.
    """
    topics = Topics(prefix)
    files = [f for p in paths for f in input_files(Path(p))]
    jsonl_bytes = sum(f.stat().st_size for f in files if f.suffix.lower() in {".jsonl", ".ndjson"})
    many = len(files) >= PROGRESS_MIN_FILES or jsonl_bytes > 5_000_000
    report = ImportReport()
    own = publisher is None
    pub = publisher or EventPublisher(bootstrap, client_id="marsad-import")
    try:
        with Progress("import", unit=" articles", show=progress if many else False) as bar:
            for f in files:
                for item in read_articles(f):
                    if isinstance(item, Rejected):
                        report.rejected.append(item)
                        log.warning("rejected %s: %s", item.where, item.reason)
                        pub.publish(topics.deadletter("producers"), item.key, dead_letter(item))
                    else:
                        pub.publish(topics.fetched, item.article_id, item)
                        report.published += 1
                    bar.update(1)
        pub.flush()
    finally:
        if own:
            pub.close()
    if pub.failed:
        raise RuntimeError(f"{pub.failed} event(s) could not be delivered to Kafka")
    return report
