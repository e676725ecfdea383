"""Table state carries its version: records written in the previous (unversioned) shape are
restored and the stages carry on; an upcaster lifts an older shape; a newer one is refused."""

from __future__ import annotations

import msgspec
import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition

from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas import internal
from marsad.schemas.alert_state import SpikeState, StoryState
from marsad.schemas.events import ArticleFetched
from marsad.schemas.state import StateCodec, StateVersionError, state_upcaster
from marsad.schemas.topics import STREAM_TABLES, Topics
from marsad.streams.alerts.notes import StateStore
from tests.streams.test_dedup import EDITED, STORY
from tests.streams.test_dedup_expiry import T0, BandOwner
from tests.streams.test_worker import Reader, Worker

_plain = msgspec.json.Encoder()


class Shape1(msgspec.Struct):
    name: str
    count: int = 0


class Shape2(msgspec.Struct):  # version 2 of the same record: "count" became "seen", "tags" added
    name: str
    seen: int = 0
    tags: list[str] = []


@state_upcaster("TestRecord", 1)
def _shape1_to_2(value: dict) -> dict:
    return {"name": value["name"], "seen": value.get("count", 0)}


def test_the_current_version_round_trips_with_its_prefix():
    codec = StateCodec(internal.Holder)
    data = codec.encode(internal.Holder([1, 2, 3], 5.0, ["b1"]))
    assert data.startswith(b"v1 ")
    assert codec.decode(data) == internal.Holder([1, 2, 3], 5.0, ["b1"])


def test_an_unversioned_record_reads_as_version_0():
    legacy = _plain.encode(internal.Holder([1, 2, 3], 5.0, ["b1"]))
    assert StateCodec(internal.Holder).decode(legacy) == internal.Holder([1, 2, 3], 5.0, ["b1"])


def test_an_older_shape_is_lifted_by_its_upcaster():
    old = StateCodec(Shape1, version=1, name="TestRecord").encode(Shape1("x", 4))
    assert StateCodec(Shape2, version=2, name="TestRecord").decode(old) == Shape2("x", 4, [])


@pytest.mark.parametrize(("data", "message"), [
    (b'v9 {"name": "x"}', "newer than this code"),
    (b'vx {"name": "x"}', "malformed version prefix"),
    (b'{"name": "x"}', "no upcaster from state version 0"),
], ids=["newer", "malformed", "no-upcaster"])
def test_an_unreadable_version_is_a_clear_error(data, message):
    with pytest.raises(StateVersionError, match=message):
        StateCodec(Shape2, version=2, name="TestRecord").decode(data)


def _unversion(table: dict[bytes, bytes]) -> None:
    """Rewrite every record as the previous release wrote it: the JSON without a version."""
    for key, value in table.items():
        if value.startswith(b"v1 "):
            table[key] = value[3:]


def test_dedup_state_in_the_previous_shape_restores_and_carries_on():
    owner = BandOwner(days=30)
    assert owner.see("first", STORY, T0).status == "original"
    versioned = sum(v.startswith(b"v1 ") for v in {**owner.signatures, **owner.index_raw}.values())
    assert versioned > 0
    _unversion(owner.signatures)
    _unversion(owner.index_raw)
    copy = owner.see("copy", EDITED, T0 + 3600)
    assert (copy.status, copy.first_id) == ("near", "first")
    assert all(v.startswith(b"v1 ") for k, v in owner.signatures.items() if k.startswith(b"copy"))


def test_alert_state_in_the_previous_shape_restores():
    raw: dict[bytes, bytes] = {}
    stories, spikes = StateStore(raw, StoryState), StateStore(raw, SpikeState)
    stories["s1"] = StoryState(seen=T0)
    spikes["sp"] = SpikeState(first_at=T0)
    for key in raw:
        raw[key] = raw[key].removeprefix(b"v1 ")  # as written before versions
    assert stories["s1"] == StoryState(seen=T0)
    assert spikes["sp"] == SpikeState(first_at=T0)


@pytest.mark.kafka
def test_a_worker_restores_changelogs_written_in_the_previous_shape(kafka_bootstrap, kafka_topics, tmp_path):
    """The worker's tables rewritten in their changelogs as the previous release wrote them
    (no version): a restarted worker restores them and still finds the copy."""
    topics = Topics(kafka_topics)
    worker = Worker(kafka_bootstrap, kafka_topics, tmp_path)
    processed = Reader(kafka_bootstrap, topics.processed)
    pub = EventPublisher(kafka_bootstrap)
    worker.start()
    try:
        pub.publish(topics.fetched, "first", ArticleFetched(article_id="first", text=STORY, source="outlet-a"))
        pub.flush()
        processed.until(1, 120, worker)
        worker.stop()
        rewritten = _rewrite_changelogs_unversioned(kafka_bootstrap, topics)
        assert rewritten > 0
        worker.start()
        pub.publish(topics.fetched, "copy", ArticleFetched(article_id="copy", text=EDITED, source="outlet-b"))
        pub.flush()
        by_id = {e.article_id: e for e in processed.until(2, 180, worker)}
        assert (by_id["copy"].duplicate.status, by_id["copy"].duplicate.first_id) == ("near", "first")
        assert "StateVersionError" not in worker.log.read_text()
    finally:
        worker.stop()
        pub.close()
        processed.consumer.close()


def _rewrite_changelogs_unversioned(bootstrap: str, topics: Topics) -> int:
    """Append, for every versioned record of the worker's changelogs, the same record without its
    version (compaction keeps the latest); the number of records rewritten."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    n = 0
    try:
        for table in STREAM_TABLES:
            name = topics.changelog(table)
            parts = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            ends = consumer.end_offsets(parts)
            while any(consumer.position(tp) < ends[tp] for tp in parts):
                for tp, records in consumer.poll(timeout_ms=1000).items():
                    for r in records:
                        if r.value and r.value.startswith(b"v1 "):
                            producer.send(name, key=r.key, value=r.value[3:], partition=tp.partition)
                            n += 1
        producer.flush()
    finally:
        consumer.close()
        producer.close()
    return n
