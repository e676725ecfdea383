"""The Kafka a benchmark runs against: KAFKA_BOOTSTRAP_SERVERS when set, else a local broker of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from marsad.deploy.kafka.local import LocalKafka, free_port
from marsad.runtime.kafka.admin import create_topics
from marsad.schemas.topics import Topics


@contextmanager
def bench_kafka(home: str | Path) -> Iterator[tuple[str, LocalKafka | None]]:
    """``(bootstrap, broker)``: the configured cluster (broker None), or a broker started on free ports with
    its data in ``home`` and stopped on leaving (the jars from MARSAD_CACHE_DIR, else ~/.cache/marsad)."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        yield bootstrap, None
        return
    broker = LocalKafka(Path(home), port=free_port(), controller_port=free_port(),
                        cache_dir=os.environ.get("MARSAD_CACHE_DIR", Path.home() / ".cache" / "marsad"))
    bootstrap = broker.start(quiet=True).bootstrap
    try:
        yield bootstrap, broker
    finally:
        broker.stop(quiet=True)


def fresh_topics(bootstrap: str, partitions: int = 4) -> Topics:
    """The catalogue's topics under a prefix of this run's own (``bench-`` and 8 hex digits), created."""
    topics = Topics(f"bench-{uuid.uuid4().hex[:8]}")
    create_topics(bootstrap, topics.prefix, partitions)
    return topics


def stop_worker(worker: subprocess.Popen) -> None:
    """Stop a service process the benchmark started: SIGTERM, a minute to finish, then SIGKILL."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
