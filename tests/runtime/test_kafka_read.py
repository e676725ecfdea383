"""Reading a topic to its end (runtime/kafka/read.py) on the real broker: the one loop and its stall
policies, then what people see through it (`marsad tail`, the demo's summary)."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from marsad.deploy.cli.main import cli
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.kafka.read import (
    RAISE,
    WAIT,
    ReadStalled,
    Stall,
    TopicMissing,
    last_events,
    partitions_of,
    read_all,
    read_to_end,
)
from marsad.schemas.codec import SchemaError
from marsad.schemas.events import ArticleFetched
from marsad.schemas.topics import Topics

pytestmark = pytest.mark.kafka


def _consumer(bootstrap: str) -> KafkaConsumer:
    return KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)


def _publish(bootstrap: str, topic: str, partition: int, values: list[bytes]) -> None:
    with KafkaProducer(bootstrap_servers=bootstrap) as producer:
        for value in values:
            producer.send(topic, value=value, partition=partition)
        producer.flush(timeout=30)


def _whole(consumer: KafkaConsumer, topic: str) -> tuple[dict, dict]:
    parts = partitions_of(consumer, topic)
    return consumer.beginning_offsets(parts), consumer.end_offsets(parts)


def test_reads_each_partition_from_its_start_to_the_end_taken_before(kafka_bootstrap, kafka_topics):
    topic = Topics(kafka_topics).fetched
    _publish(kafka_bootstrap, topic, 0, [b"a0", b"a1", b"a2"])
    _publish(kafka_bootstrap, topic, 1, [b"b0", b"b1"])
    consumer = _consumer(kafka_bootstrap)
    try:
        begins, ends = _whole(consumer, topic)
        starts = {tp: offset + (1 if tp.partition == 0 else 0) for tp, offset in begins.items()}
        records = read_to_end(consumer, ends, starts=starts, stall=RAISE)
        first = next(records)
        _publish(kafka_bootstrap, topic, 0, [b"late"])  # after the ends were taken: not read
        _publish(kafka_bootstrap, topic, 1, [b"late"])
        got = [first, *records]
        by_partition = {p: [r.value for r in got if r.partition == p] for p in (0, 1)}
        assert by_partition == {0: [b"a1", b"a2"], 1: [b"b0", b"b1"]}
        # the finished partitions were resumed: the same consumer reads on past the old ends
        rest = read_to_end(consumer, consumer.end_offsets(list(ends)), stall=RAISE)
        assert sorted(r.value for r in rest) == [b"late", b"late"]
    finally:
        consumer.close()


def test_an_empty_range_reads_nothing_at_once(kafka_bootstrap, kafka_topics):
    consumer = _consumer(kafka_bootstrap)
    try:
        begins, ends = _whole(consumer, Topics(kafka_topics).fetched)
        assert list(read_to_end(consumer, ends, starts=begins, stall=Stall(60.0))) == []
    finally:
        consumer.close()


def test_a_partition_ending_in_a_transaction_marker_ends(kafka_bootstrap, kafka_topics):
    """The end offset counts the commit marker, which no record carries: the position tells the end."""
    topic = Topics(kafka_topics).fetched
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, transactional_id=f"{kafka_topics}-tx")
    try:
        producer.init_transactions()
        producer.begin_transaction()
        for i in range(3):
            producer.send(topic, value=f"t{i}".encode(), partition=0)
        producer.commit_transaction()
    finally:
        producer.close()
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, enable_auto_commit=False,
                             isolation_level="read_committed")
    try:
        begins, ends = _whole(consumer, topic)
        assert ends[TopicPartition(topic, 0)] == 4  # three records and the marker
        got = [r.value for r in read_to_end(consumer, ends, starts=begins, stall=RAISE)]
        assert got == [b"t0", b"t1", b"t2"]
    finally:
        consumer.close()


def test_stall_policies(kafka_bootstrap, kafka_topics):
    """Short of an end that never comes: `raise` says where it stood, `stop` keeps what was read."""
    topic = Topics(kafka_topics).fetched
    _publish(kafka_bootstrap, topic, 0, [b"x"])
    consumer = _consumer(kafka_bootstrap)
    try:
        begins, ends = _whole(consumer, topic)
        beyond = {tp: end + 2 for tp, end in ends.items()}  # two records that will not come
        with pytest.raises(ReadStalled, match=r"no record for 1 s .*\[0\]@1/3"):
            list(read_to_end(consumer, beyond, starts=begins, stall=Stall(1.0, "raise")))
        got = list(read_to_end(consumer, beyond, starts=begins, stall=Stall(1.0, "stop")))
        assert [r.value for r in got] == [b"x"]
    finally:
        consumer.close()


def test_wait_reads_what_comes_late(kafka_bootstrap, kafka_topics):
    """`WAIT` has no stall limit: records up to the end that arrive after a pause are read."""
    topic = Topics(kafka_topics).fetched
    consumer = _consumer(kafka_bootstrap)
    try:
        begins, ends = _whole(consumer, topic)
        wanted = {tp: end + (2 if tp.partition == 1 else 0) for tp, end in ends.items()}
        later = threading.Timer(1.5, _publish, (kafka_bootstrap, topic, 1, [b"y0", b"y1"]))
        later.start()
        got = [r.value for r in read_to_end(consumer, wanted, starts=begins, stall=WAIT)]
        later.join()
        assert got == [b"y0", b"y1"]
    finally:
        consumer.close()


def test_a_missing_topic_is_named(kafka_bootstrap, topic_prefix):
    consumer = _consumer(kafka_bootstrap)
    try:
        with pytest.raises(TopicMissing, match="run `marsad topics create`"):
            partitions_of(consumer, f"{topic_prefix}.nothing-here")
    finally:
        consumer.close()


def test_read_all_and_last_events(kafka_bootstrap, kafka_topics):
    topic = Topics(kafka_topics).fetched
    with EventPublisher(kafka_bootstrap) as pub:
        for i in range(7):
            pub.publish(topic, f"a{i}", ArticleFetched(article_id=f"a{i}", text=f"نص {i}"))
    raw = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    raw.send(topic, key=b"bad", value=b"{oops").get(timeout=10)
    raw.close()
    everything = read_all(kafka_bootstrap, topic)
    assert len(everything) == 8
    assert sorted(e.article_id for e in everything if isinstance(e, ArticleFetched)) == [f"a{i}" for i in range(7)]
    assert sum(isinstance(e, SchemaError) for e in everything) == 1
    assert 2 <= len(last_events(kafka_bootstrap, topic, 1)) <= 2  # one per partition (2 partitions)


def test_tail_command(kafka_bootstrap, kafka_topics, monkeypatch):
    with EventPublisher(kafka_bootstrap) as pub:
        pub.publish(Topics(kafka_topics).fetched, "t1", ArticleFetched(article_id="t1", text="ضبط شحنة", title="عنوان"))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("MARSAD_TOPIC_PREFIX", kafka_topics)
    result = CliRunner().invoke(cli, ["tail", "fetched", "-n", "3"])
    assert result.exit_code == 0, result.output
    assert "ArticleFetched v1  t1  عنوان" in result.output
    assert CliRunner().invoke(cli, ["tail", "nonsense"]).exit_code != 0


def test_tail_of_dead_letters_shows_the_url(kafka_bootstrap, kafka_topics, monkeypatch):
    from marsad.schemas.events import DeadLetter

    letter = DeadLetter(stage="fetch", reason="fetch: redirect without a Location header (HTTP 302 Found)",
                        error="http_status", key="d1", url="https://news.example/ar/moved.html")
    with EventPublisher(kafka_bootstrap) as pub:
        pub.publish(Topics(kafka_topics).deadletter("producers"), "d1", letter)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("MARSAD_TOPIC_PREFIX", kafka_topics)
    result = CliRunner().invoke(cli, ["tail", "deadletter.producers", "-n", "3"])
    assert result.exit_code == 0, result.output
    assert ("DeadLetter v1  d1  https://news.example/ar/moved.html  [http_status] "
            "fetch: redirect without a Location header (HTTP 302 Found)") in result.output
