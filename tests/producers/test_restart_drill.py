"""The fetcher's restart drill: 1,000 announced pages, one of them a drip that outlasts two restarts.

`marsad fetch` runs as a subprocess against the real broker and a real HTTP
server on 127.0.0.1. It is stopped with SIGTERM once a third of the pages
were requested, started again, killed with SIGKILL at two thirds, and a
third run (`--once`) finishes. The drip page is in flight across both
stops, so it holds the oldest uncommitted offset of its partition the whole
time: before commits moved past done work, every page read after it in that
partition was fetched again at each restart.

Counted from the topic (articles published twice) and from the server's
request log (pages requested twice): at most what was in flight at each
stop, plus after the kill -9 what finished since the last commit; nothing
lost (each announced article has an ArticleFetched or a dead letter).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from marsad.producers.urls import article_id, canonical_url
from marsad.schemas.topics import Topics
from tests.producers.scripted_feeds import HTML, article_page, serve_articles
from tests.producers.scripted_server import Reply, ScriptedServer
from tests.producers.test_fetch_service import announce, group_lag
from tests.producers.test_service import VENV_BIN, events

PAGES = 1_000
WORKERS = 8  # pages in flight at once (MARSAD_POLL_CONCURRENCY)
DRIP = "drill/drip.html"


def _fetcher(env: dict[str, str], cwd: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([str(VENV_BIN / "marsad"), "fetch", *args], env=env, cwd=cwd,
                                stdout=subprocess.DEVNULL, stderr=out)


def _wait(condition: Callable[[], bool], process: subprocess.Popen[bytes], log: Path, *, within: float) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"fetcher exited ({process.returncode}) or stalled; its log:\n"
                                 + log.read_text(errors="replace")[-4000:])
        time.sleep(0.05)


@pytest.mark.kafka
def test_a_restart_fetches_again_only_what_was_in_flight(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    release = threading.Event()  # the drip ends when the test says so: after the second restart
    drip = server.route(DRIP, Reply(body=article_page(PAGES), headers={"Content-Type": HTML}, drip_until=release))
    links = [drip, *(url for _, url in serve_articles(server, "drill", range(PAGES)))]
    announced = announce(kafka_bootstrap, kafka_topics, links)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": kafka_topics,
           "MARSAD_DATA_DIR": str(tmp_path), "MARSAD_CONFIG": os.devnull, "MARSAD_ALLOW_PRIVATE": "1",
           "MARSAD_POLL_CONCURRENCY": str(WORKERS), "MARSAD_PER_HOST_CONCURRENCY": str(WORKERS),
           "MARSAD_PER_HOST_INTERVAL": "0", "MARSAD_EXTRACT_WORKERS": "0", "MARSAD_FETCHER_METRICS_PORT": "0",
           "MARSAD_READ_TIMEOUT": "10", "MARSAD_FETCH_TIMEOUT": "90", "MARSAD_PAGE_DEADLINE": "100",
           "MARSAD_SHUTDOWN_GRACE": "1", "MARSAD_FETCH_COMMIT_INTERVAL": "0.2"}
    log = tmp_path / "fetcher.log"

    def requested() -> int:
        return len({r.path for r in server.requests if r.path.startswith("/drill/a")})

    def drips() -> int:
        return len(server.requested(DRIP))

    started = time.monotonic()
    try:
        first = _fetcher(env, tmp_path, log)  # run 1: SIGTERM at a third, the drip in flight
        _wait(lambda: requested() >= PAGES // 3 and drips() >= 1, first, log, within=90)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0
        at_term = requested()

        second = _fetcher(env, tmp_path, log)  # run 2: SIGKILL at two thirds, the drip in flight again
        _wait(lambda: requested() >= 2 * PAGES // 3 and drips() >= 2, second, log, within=90)
        second.kill()
        second.wait(timeout=10)
        at_kill = requested()

        third = _fetcher(env, tmp_path, log, "--once")  # run 3: the drip ends once it is asked for again
        _wait(lambda: drips() >= 3, third, log, within=90)
        release.set()
        assert third.wait(timeout=120) == 0, log.read_text(errors="replace")[-4000:]
    finally:
        release.set()
        for process in (p for p in locals().values() if isinstance(p, subprocess.Popen)):
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    elapsed = time.monotonic() - started

    topics = Topics(kafka_topics)
    published = Counter(key for key, _ in events(kafka_bootstrap, topics.fetched))
    letters = {key for key, _ in events(kafka_bootstrap, topics.deadletter("producers"))}
    requests = Counter(r.path for r in server.requests if r.path.startswith("/drill/"))
    twice_published = {key: n for key, n in published.items() if n > 1}
    twice_requested = {path: n for path, n in requests.items() if n > 1}
    print(f"\nrestart drill: {PAGES + 1} pages in {elapsed:.0f} s; SIGTERM after {at_term} requested, SIGKILL "
          f"after {at_kill}; requested more than once: {len(twice_requested)} page(s) "
          f"({sum(twice_requested.values()) - len(twice_requested)} extra requests, the drip "
          f"{requests['/' + DRIP]} times); published more than once: {len(twice_published)} article(s) "
          f"({sum(twice_published.values()) - len(twice_published)} extra events); dead letters {len(letters)}")

    assert set(announced) <= set(published) | letters  # none lost
    assert article_id(canonical_url(drip)) in published  # the page in flight at both stops was fetched in the end
    assert requests["/" + DRIP] == 3  # once per run: in flight at each stop, fetched again each time
    # At the SIGTERM only the drip is cut (the others finish within the grace); at the SIGKILL what was in
    # flight and what finished since the last commit (0.2 s) come again. Before, the drip held its partition's
    # commit: every page read after it there (hundreds) was fetched again.
    assert len(twice_requested) <= 4 * WORKERS
    assert len(twice_published) <= 4 * WORKERS
    assert group_lag(kafka_bootstrap, kafka_topics) == 0


@pytest.mark.kafka
def test_a_fetcher_joining_takes_over_without_repeating_done_work(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    """A rebalance: the first fetcher commits its revoked partitions (from the client's network thread) and
    the second takes them up where that commit says, the drip in flight included."""
    release = threading.Event()
    pages = 60
    drip = server.route(DRIP, Reply(body=article_page(pages), headers={"Content-Type": HTML}, drip_until=release))
    links = [drip, *(url for _, url in serve_articles(server, "drill", range(pages), delay=0.2))]
    announced = announce(kafka_bootstrap, kafka_topics, links)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": kafka_topics,
           "MARSAD_DATA_DIR": str(tmp_path), "MARSAD_CONFIG": os.devnull, "MARSAD_ALLOW_PRIVATE": "1",
           "MARSAD_POLL_CONCURRENCY": "4", "MARSAD_PER_HOST_CONCURRENCY": "8", "MARSAD_PER_HOST_INTERVAL": "0",
           "MARSAD_EXTRACT_WORKERS": "0", "MARSAD_FETCHER_METRICS_PORT": "0", "MARSAD_READ_TIMEOUT": "10",
           "MARSAD_FETCH_TIMEOUT": "90", "MARSAD_SHUTDOWN_GRACE": "1", "MARSAD_FETCH_COMMIT_INTERVAL": "0.2"}
    logs = [tmp_path / "first.log", tmp_path / "second.log"]

    def requested() -> int:
        return len({r.path for r in server.requests if r.path.startswith("/drill/a")})

    running: list[subprocess.Popen[bytes]] = []
    try:
        running.append(_fetcher(env, tmp_path, logs[0]))
        _wait(lambda: requested() >= 10 and len(server.requested(DRIP)) >= 1, running[0], logs[0], within=90)
        running.append(_fetcher(env, tmp_path, logs[1]))
        _wait(lambda: requested() >= pages, running[1], logs[1], within=90)
        release.set()
        for process in running:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        final = _fetcher(env, tmp_path, tmp_path / "final.log", "--once")
        assert final.wait(timeout=90) == 0
    finally:
        release.set()
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    text = "".join(log.read_text(errors="replace") for log in logs)
    assert "Traceback" not in text and "Cannot block" not in text  # no failed rebalance callback
    topics = Topics(kafka_topics)
    published = Counter(key for key, _ in events(kafka_bootstrap, topics.fetched))
    assert set(announced) <= set(published)  # none lost
    requests = Counter(r.path for r in server.requests if r.path.startswith("/drill/a"))
    assert sum(n - 1 for n in requests.values()) <= 8  # at most what was in flight at the hand-over
    assert group_lag(kafka_bootstrap, kafka_topics) == 0
