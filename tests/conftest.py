"""Shared fixtures: the real Apache Kafka broker of the test session.

The broker is the project's own (deploy/kafka), started once per session on
free ports in a temporary data dir and stopped at the end. With
KAFKA_BOOTSTRAP_SERVERS set, the tests use that cluster and start nothing.
Each test gets its own topic prefix, so tests never see each other's events.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from marsad.deploy.kafka.local import LocalKafka, free_port
from marsad.runtime.kafka.admin import create_topics

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
RESOURCES = Path(__file__).resolve().parent / "resources"


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap address of a real broker: the configured cluster, or our own local one."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    data_dir = tmp_path_factory.mktemp("kafka-session")
    broker = LocalKafka(data_dir, port=free_port(), controller_port=free_port(),
                        cache_dir=os.environ.get("MARSAD_CACHE_DIR", Path.home() / ".cache" / "marsad"),
                        start_timeout=120)
    broker.start(quiet=True)
    try:
        yield broker.bootstrap
    finally:
        broker.stop(quiet=True)


@pytest.fixture
def topic_prefix() -> str:
    """A prefix of this test's own (topics named test-xxxx.articles.fetched ...)."""
    return f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def kafka_topics(kafka_bootstrap: str, topic_prefix: str) -> str:
    """Create the catalogue under this test's prefix (2 partitions each); return the prefix."""
    create_topics(kafka_bootstrap, topic_prefix, partitions=2)
    return topic_prefix


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"shared seeds not found at {SEEDS}")
    return SEEDS


@pytest.fixture
def seeds_gold(seeds_dir: Path) -> list[tuple[dict, str]]:
    """Each shared seed's gold labels (spec/seeds-gold.jsonl) with its text; skipped without the labels."""
    gold_file = SHARED / "spec" / "seeds-gold.jsonl"
    if not gold_file.is_file():
        pytest.skip(f"no gold labels at {gold_file}")
    labels = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines()]
    return [(gold, seed.read_text(encoding="utf-8")) for gold in labels
            if (seed := seeds_dir / f"{gold['id']}.txt").is_file()]
