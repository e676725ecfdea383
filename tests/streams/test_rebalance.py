"""The changes to Faust's rebalance handling (streams/rebalance.py) are wired in, and hold what they should.

The behaviour end to end is the kill -9 drill's (tests/deploy/test_services.py);
these check the parts on real Faust objects, without a broker.
"""

from __future__ import annotations

import asyncio

from faust.types import TP

from streams.rebalance import HeldResumeRecovery, SnapshotConsumer


def test_both_stream_apps_use_the_changes():
    from streams.alerts.app import app as alerter
    from streams.app import app as worker
    for app in (worker, alerter):
        assert type(app.tables.recovery) is HeldResumeRecovery
        assert type(app.consumer) is SnapshotConsumer


def test_stream_partitions_resume_only_after_recovery_completes():
    from streams.app import app
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


def test_a_fetch_asks_for_a_copy_of_the_active_partitions():
    from streams.app import app
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
