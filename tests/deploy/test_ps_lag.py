"""`marsad ps`'s lag of the views on the real broker: read from the offsets the views store, in the database
the views `marsad up` started write, whatever variables the shell running `ps` has."""

from __future__ import annotations

import stat

import pytest
from kafka import KafkaProducer

from marsad.consumers.store import Record, open_store
from marsad.deploy.services.control import service_lags
from marsad.deploy.services.registry import plan
from marsad.deploy.services.state import Paths, read_state, write_state
from marsad.deploy.services.supervisor import Supervisor
from marsad.runtime.kafka.admin import create_topics
from marsad.runtime.settings import load_settings
from marsad.schemas.topics import Topics
from tests.consumers.factory import corpus

pytestmark = pytest.mark.kafka


def produce(bootstrap: str, topic: str, n: int) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for i in range(n):
        producer.send(topic, f"m{i}".encode(), partition=0)
    producer.flush()
    producer.close()


def test_ps_counts_what_the_views_have_not_stored_without_being_told_where_they_are(kafka_bootstrap, topic_prefix,
                                                                                      tmp_path):
    create_topics(kafka_bootstrap, topic_prefix, partitions=1)
    topics = Topics(topic_prefix)
    produce(kafka_bootstrap, topics.processed, 5)
    produce(kafka_bootstrap, topics.alerts, 2)
    views = f"sqlite:///{tmp_path / 'elsewhere' / 'views.sqlite'}"  # not the data dir's default
    with open_store(views) as store:
        store.setup()
        store.write_batch([Record(topics.processed, 0, i, e) for i, e in enumerate(corpus(3))])  # 3 of 5 stored

    data = tmp_path / "data"
    up = load_settings(env={"MARSAD_DATA_DIR": str(data), "MARSAD_VIEWS_URL": views,
                            "MARSAD_TOPIC_PREFIX": topic_prefix})
    skip = tuple(sorted({i.spec.name for i in plan(up)} - {"views"}))
    paths = Paths(up.data_path)
    paths.root.mkdir(parents=True)
    write_state(paths.state_file, Supervisor(up, plan(up, skip=skip), bootstrap=kafka_bootstrap,
                                             stop_broker=False).state())
    assert stat.S_IMODE(paths.state_file.stat().st_mode) == 0o600  # it names the views database

    ps = load_settings(env={"MARSAD_DATA_DIR": str(data)})  # the shell running `ps`: no MARSAD_VIEWS_URL
    lags = service_lags(ps, read_state(paths.state_file))
    assert lags == {"views": 2 + 2}  # 2 articles and 2 alerts the views have not stored; no incidents
    assert not (data / "views").exists()  # `ps` opened the views read-only: nothing created at the default

    with open_store(views) as store:  # the views catch up: the lag returns to 0
        store.write_batch([Record(topics.processed, 0, i, e) for i, e in enumerate(corpus(5))][3:])
        store.write_batch([Record(topics.alerts, 0, i, None) for i in range(2)])
    assert service_lags(ps, read_state(paths.state_file)) == {"views": 0}
