"""The changes to Faust's rebalance handling (streams/rebalance.py) are wired in, and hold what they should.

The behaviour end to end is the kill -9 drill's (tests/deploy/test_services.py);
these check the parts on real Faust objects, without a broker.
"""

from __future__ import annotations

import asyncio

import pytest
from faust.types import TP

from marsad.deploy.kafka.local import free_port
from marsad.runtime.settings import load_settings
from marsad.streams.alerts.app import create_app as create_alerter
from marsad.streams.app import create_app as create_worker
from marsad.streams.rebalance import HeldResumeRecovery, SnapshotConsumer


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return load_settings(env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "MARSAD_TOPIC_PREFIX": "test",
                              "MARSAD_DATA_DIR": str(tmp_path_factory.mktemp("rebalance")),
                              "MARSAD_WORKER_WEB_PORT": str(free_port()), "MARSAD_ALERTER_WEB_PORT": str(free_port())})


@pytest.fixture(scope="module")
def app(settings):
    return create_worker(settings)


def test_both_stream_apps_use_the_changes(app, settings):
    for built in (app, create_alerter(settings)):
        assert type(built.tables.recovery) is HeldResumeRecovery
        assert type(built.consumer) is SnapshotConsumer


def test_stream_partitions_resume_only_after_recovery_completes(app):
    consumer, recovery = app.consumer, app.tables.recovery
    tp = TP("test.articles.fetched", 0)
    seen_inside = []

    async def complete(generation_id: int) -> None:  # Faust's: resume, seek, empty the queues
        consumer.resume_partitions({tp})
        seen_inside.append(tp in consumer._get_active_partitions())

    asyncio.run(recovery._holding_streams(complete, app.consumer_generation_id))
    assert seen_inside == [False]  # held while recovery completes
    assert tp in consumer._get_active_partitions()  # resumed afterwards
    assert "resume_partitions" not in vars(consumer)  # the method is Faust's again


def test_a_fetch_asks_for_a_copy_of_the_active_partitions(app):
    consumer = app.consumer
    asked = []

    class Thread:
        async def getmany(self, active_partitions, timeout):
            asked.append(active_partitions)
            return {}

    real, consumer._thread = consumer._thread, Thread()  # the aiokafka thread, which needs a broker
    try:
        live = {TP("test.articles.fetched", 0)}
        assert asyncio.run(consumer._getmany(live, 0.1)) == {}
        assert asked == [live] and asked[0] is not live  # a copy: the live set may change while aiokafka waits
        assert asyncio.run(consumer._getmany(set(), 0.1)) == {} and len(asked) == 1  # nothing active: nothing asked
    finally:
        consumer._thread = real
