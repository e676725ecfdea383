"""Incidents through `marsad views` on the real broker and each database: exactly the right rows,
through kill -9 mid-batch, a restart and a replay.

1. N incident records, revisions of some (in order and out of order), a poison message and an
   incident the view refuses (unknown type) go on the incidents topic;
2. `marsad views` (paused inside each write transaction) is killed with SIGKILL mid-batch;
3. a plain `marsad views` resumes: N incidents, each at its highest revision, and the same content
   hash as the events written straight into a store;
4. `marsad replay` prints that hash too; both bad messages are dead letters, once each.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import msgspec
import pytest

from marsad.consumers.store import Record, open_store
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import IncidentRecorded
from marsad.schemas.topics import Topics
from tests.conftest import ROOT
from tests.consumers.incidents.events import incident, publish_incidents, revision
from tests.consumers.test_consume import dead_letters, kill_mid_batch, live_views, views_env, views_state

pytestmark = pytest.mark.kafka

N = 600
REVISED = range(0, N, 10)  # revisions 2 and 3 of these; every other one arrives 3 before 2


def incident_log() -> list[IncidentRecorded]:
    first = [incident(i) for i in range(N)]
    later = []
    for n, i in enumerate(REVISED):
        pair = [revision(first[i], 2), revision(first[i], 3)]
        later += pair if n % 2 else pair[::-1]
    return [*first, *later]


@pytest.fixture
def env(kafka_bootstrap, kafka_topics, views_url, tmp_path) -> dict:
    return views_env(kafka_bootstrap, kafka_topics, views_url, tmp_path)


def test_incidents_exactly_through_kill_and_replay(env, kafka_bootstrap, kafka_topics, views_url, tmp_path):
    topics = Topics(kafka_topics)
    events = incident_log()
    messages = publish_incidents(kafka_bootstrap, topics, events)
    with EventPublisher(kafka_bootstrap) as pub:
        pub.publish_raw(topics.name("incidents"), "poison", b'{"type": "IncidentRecorded", "version": 1}')
        # decodes, but of a type the spec does not have
        pub.publish(topics.name("incidents"), f"in{N:04d}", msgspec.structs.replace(incident(N), incident_type="riot"))
    messages += 2
    with open_store(f"sqlite:///{tmp_path / 'reference.sqlite'}") as ref:
        ref.setup()
        ref.write_batch([Record("x", 0, i, e) for i, e in enumerate(events)])
        expected_hash = ref.content_hash()

    # 2. kill -9 while a batch is written but not committed
    kill_mid_batch(env, 40, lambda: views_state(views_url, "incidents"), 100, N, messages)

    # 3. restart: exactly the right rows
    with live_views(env, lambda: views_state(views_url, "incidents")[1], messages) as live:
        with open_store(views_url) as s:
            assert s.stats()["incidents"] == N
            assert s.stats()["incident_reports"] == N + 2 * len(REVISED)
            assert {s.incident(f"in{i:04d}")["revision"] for i in REVISED} == {3}
            assert s.incident("in0001")["revision"] == 1 and s.incident(f"in{N:04d}") is None
            assert s.content_hash() == expected_hash
        live.send_signal(signal.SIGTERM)
        assert live.wait(20) == 0, live.stderr.read()

    # 4. replay: the same hash
    replay = subprocess.run([sys.executable, "-m", "marsad.deploy.cli.main", "replay", "--no-progress"], env=env, cwd=ROOT,
                            text=True, capture_output=True, timeout=120)
    assert replay.returncode == 0, replay.stderr
    assert f"views hash {expected_hash}" in replay.stdout
    letters = dead_letters(kafka_bootstrap, topics.deadletter("consumers"))
    # sent again after the kill and by the replay: the same two letters (one event id per source offset)
    assert {d.key for d in letters} == {f"in{N:04d}", "poison"} and len({d.event_id for d in letters}) == 2
    assert any("riot" in d.reason and "$.incident_type" in d.reason for d in letters)
