"""Reading topics back for people: `marsad tail` and the demo's summary, on the real broker."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from kafka import KafkaProducer

from deploy.cli.main import cli
from runtime.kafka.publish import EventPublisher
from runtime.kafka.read import last_events, read_all
from schemas.codec import SchemaError
from schemas.events import ArticleFetched
from schemas.topics import Topics

pytestmark = pytest.mark.kafka


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
    from schemas.events import DeadLetter

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
