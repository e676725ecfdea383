"""A lone fetcher left with no partition of a topic that has some: not ready, back by itself, nothing lost.

The failure seen after a `marsad down` / `marsad up`: the group's leader
assigned while its metadata had no partition of ``articles.discovered``
(kafka-python logs "No partition metadata for topic"), the fetcher logged
"assigned nothing" and sat idle. Here the same happens on the real broker
to one `marsad fetch` process: its topic is deleted under it (the group
rebalances with the topic missing from the metadata, so the assignment is
empty), then created again and filled with a backlog of announcements.
The fetcher must say it is not ready, come back to the partitions with no
one restarting it, and fetch every announced page. Why not a topic that is
missing when the fetcher subscribes: `marsad fetch` creates the catalogue
before it subscribes, so that cannot happen to it.

Who brings it back: as group leader, kafka-python rejoins once its metadata
shows the partitions again (the fetcher looks at its topic's partitions every
few seconds, which refreshes that metadata); the fetcher's own rejoin after
``MARSAD_READY_STALL_AFTER`` without a partition is the backstop when that
does not happen. The test asks for the outcome, not for one of the two.

Why the not-ready step is read from the fetcher's log and not from
/health/ready: the 503 lasts from the empty assignment until the fetcher's
next metadata look (every few seconds) or its rejoin, whichever is first,
so a poller could miss it; the log line is written by the same `Health`
at the moment /health/ready starts answering 503.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from kafka import KafkaAdminClient

from marsad.deploy.kafka.local import free_port
from marsad.runtime.kafka.admin import create_topics, list_topics
from marsad.schemas.events import ArticleFetched
from marsad.schemas.topics import Topics
from tests.producers.scripted_feeds import serve_articles
from tests.producers.scripted_server import ScriptedServer
from tests.producers.test_fetch_service import announce
from tests.producers.test_service import VENV_BIN, events

WAIT = 90.0  # seconds any one step may take on a loaded machine (a hang guard, not a timing under test)


def wait_for(condition: Callable[[], object], what: str, log: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert process.poll() is None, f"the fetcher exited waiting for {what}; its log:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}; fetcher log:\n{log.read_text()}"
        time.sleep(0.2)


def readiness(port: int) -> tuple[int, str]:
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2)
    except httpx.TransportError:
        return 0, "no answer"
    return answer.status_code, answer.json()["reason"]


def lag_reported(port: int, topic: str) -> bool:
    """Whether the fetcher has measured its topic (partitions and lag) at least once: its lag gauge is out."""
    try:
        return f'marsad_consumer_lag{{topic="{topic}"}}' in httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
    except httpx.TransportError:
        return False


def recreate(bootstrap: str, prefix: str, topic: str) -> None:
    """Create the deleted topic again (2 partitions), once the broker has finished deleting it."""
    deadline = time.monotonic() + WAIT
    while topic not in create_topics(bootstrap, prefix, partitions=2):
        assert time.monotonic() < deadline, f"{topic} could not be created again"
        time.sleep(0.5)
    assert next(t.partitions for t in list_topics(bootstrap, prefix) if t.name == topic) == 2


@pytest.mark.kafka
def test_a_lone_fetcher_assigned_nothing_is_not_ready_then_rejoins_and_fetches_the_backlog(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    discovered = Topics(kafka_topics).discovered
    links = [url for _, url in serve_articles(server, "rejoin", range(6))]
    port = free_port()
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": kafka_topics,
           "MARSAD_DATA_DIR": str(tmp_path), "MARSAD_CONFIG": os.devnull, "MARSAD_PARTITIONS": "2",
           "MARSAD_ALLOW_PRIVATE": "1", "MARSAD_PER_HOST_INTERVAL": "0", "MARSAD_FETCHER_METRICS_PORT": str(port),
           "MARSAD_READY_STALL_AFTER": "5"}  # the least allowed
    log = tmp_path / "fetcher.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(VENV_BIN / "marsad"), "fetch"], env=env, cwd=tmp_path, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        held = f"assigned {discovered}[0], {discovered}[1]"
        wait_for(lambda: held in log.read_text() and lag_reported(port, discovered) and readiness(port) == (200, "ok"),
                 "the fetcher to hold both partitions and be ready", log, process)

        admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        try:
            admin.delete_topics([discovered])
        finally:
            admin.close()
        wait_for(lambda: "assigned nothing" in log.read_text(), "the assignment without the topic", log, process)
        wait_for(lambda: "fetcher not ready: no partition assigned" in log.read_text(),
                 "the fetcher to say it is not ready", log, process)

        recreate(kafka_bootstrap, kafka_topics, discovered)
        announced = announce(kafka_bootstrap, kafka_topics, links)  # the backlog, on the new partitions

        def back() -> bool:
            text = log.read_text()
            return held in text[text.rindex("assigned nothing"):]
        wait_for(back, "the fetcher to take the partitions again by itself", log, process)
        fetched: dict[str, object] = {}

        def all_fetched() -> bool:
            fetched.update(events(kafka_bootstrap, Topics(kafka_topics).fetched))
            return set(fetched) >= set(announced)
        wait_for(all_fetched, "every announced page to be fetched", log, process)

        assert process.poll() is None  # nobody restarted it
        assert set(fetched) == set(announced)
        assert all(isinstance(event, ArticleFetched) for event in fetched.values())
        assert {r.path for r in server.requests} >= {f"/rejoin/a{n}.html" for n in range(6)}
        wait_for(lambda: readiness(port) == (200, "ok"), "the fetcher to be ready again", log, process)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
