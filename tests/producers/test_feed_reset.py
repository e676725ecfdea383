"""`marsad feeds reset` and `marsad poll --now`: a fixed feed leaves its backoff without deleting the state file.

The state functions alone, then the real service on a scripted HTTP server
and the session's Kafka broker: in one-shot runs, and with a running poller
that picks a reset up by itself.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad.producers.feeds.registry import Feed
from marsad.producers.feeds.state import ALL_FEEDS, FeedState, FeedStateFile, apply_resets, cleared
from marsad.producers.http import Validators
from tests.producers.scripted_feeds import serve_articles, serve_feed
from tests.producers.scripted_server import Reply, ScriptedServer
from tests.producers.test_service import config, produce_once, registry

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
VENV_BIN = Path(sys.executable).parent


def failing(feed_id: str, failures: int = 3) -> FeedState:
    return FeedState(feed_id=feed_id, last_poll=NOW, last_error="HTTP 500", last_error_at=NOW,
                     consecutive_failures=failures, next_poll=NOW + timedelta(hours=2), etag='"v1"',
                     recent_ids=("a1", "a2"))


# -- the state ----------------------------------------------------------------------------------------------
def test_cleared_state_is_due_without_errors_and_keeps_validators_and_seen_ids() -> None:
    state = cleared(failing("f"))
    assert (state.consecutive_failures, state.last_error, state.last_error_at, state.next_poll) == (0, None, None, None)
    assert state.validators == Validators(etag='"v1"') and state.recent_ids == ("a1", "a2")
    assert state.last_poll == NOW  # history stays


@pytest.mark.parametrize(("ids", "expected"), [
    pytest.param({"a"}, ["a"], id="one"),
    pytest.param({"a", "unknown"}, ["a"], id="unknown-ignored"),
    pytest.param({ALL_FEEDS}, ["a", "b"], id="all"),
])
def test_apply_resets_clears_the_chosen_feeds_only(ids: set[str], expected: list[str]) -> None:
    states = {"a": failing("a"), "b": failing("b")}
    assert apply_resets(states, ids) == expected
    assert sorted(k for k, s in states.items() if s.consecutive_failures == 0) == expected


def test_reset_writes_the_file_and_leaves_a_request_for_a_running_poller(tmp_path: Path) -> None:
    store = FeedStateFile(tmp_path)
    store.save({"a": failing("a"), "b": failing("b")})
    assert store.reset({"a"}) == ["a"]
    assert store.reset({"b"}) == ["b"]  # requests add up until taken
    states = store.load()
    assert states["a"].consecutive_failures == states["b"].consecutive_failures == 0
    assert store.take_resets() == {"a", "b"}
    assert store.take_resets() == set() and not store.reset_path.exists()


# -- the service --------------------------------------------------------------------------------------------
def _cli(args: list[str], data_dir: Path, **env: str) -> str:
    from marsad.deploy.cli.main import cli
    result = CliRunner().invoke(cli, args, env={"MARSAD_DATA_DIR": str(data_dir), "MARSAD_CONFIG": os.devnull, **env})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.kafka
def test_a_fixed_feed_stays_in_backoff_until_reset_then_is_polled(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    feed = Feed(id="flaky", url=server.route("flaky/rss.xml", Reply(status=500)))
    cfg = config(kafka_bootstrap, kafka_topics, registry(tmp_path / "feeds.yaml", [feed]), tmp_path)
    assert produce_once(cfg).discovered == 0
    assert FeedStateFile(tmp_path).load()["flaky"].consecutive_failures == 1

    serve_feed(server, "flaky/rss.xml", serve_articles(server, "flaky", range(2)))  # the cause is fixed
    assert produce_once(cfg).discovered == 0  # still in backoff: not polled
    assert len(server.requested("flaky/rss.xml")) == 1

    output = _cli(["feeds", "reset", "flaky", "--feeds", str(cfg.feeds_file)], tmp_path)
    assert "reset 1 feed(s)" in output and "flaky" in output
    report = produce_once(cfg)
    assert (report.discovered, report.fetched) == (2, 2)
    assert FeedStateFile(tmp_path).load()["flaky"].last_error is None


@pytest.mark.kafka
def test_poll_now_polls_every_enabled_feed_whatever_its_schedule(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    feeds = [Feed(id=f"f{i}", url=serve_feed(server, f"f{i}/rss.xml", serve_articles(server, f"f{i}", range(1))))
             for i in range(2)]
    path = registry(tmp_path / "feeds.yaml", feeds)
    cfg = config(kafka_bootstrap, kafka_topics, path, tmp_path)
    assert produce_once(cfg).discovered == 2
    produce_once(cfg)  # nothing is due: no request
    assert [len(server.requested(f"f{i}/rss.xml")) for i in range(2)] == [1, 1]

    assert produce_once(dataclasses.replace(cfg, poll_now=True)).discovered == 0  # polled; nothing announced twice
    assert [len(server.requested(f"f{i}/rss.xml")) for i in range(2)] == [2, 2]

    _cli(["poll", "--once", "--now", "--feeds", str(path)], tmp_path, KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
         MARSAD_TOPIC_PREFIX=kafka_topics, MARSAD_ALLOW_PRIVATE="1")
    assert [len(server.requested(f"f{i}/rss.xml")) for i in range(2)] == [3, 3]


@pytest.mark.kafka
def test_a_running_poller_takes_a_reset_within_seconds(
    server: ScriptedServer, kafka_bootstrap: str, kafka_topics: str, tmp_path: Path
) -> None:
    feed = Feed(id="flaky", url=server.route("flaky/rss.xml", Reply(status=500)))
    path = registry(tmp_path / "feeds.yaml", [feed])
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MARSAD_TOPIC_PREFIX": kafka_topics,
           "MARSAD_DATA_DIR": str(tmp_path), "MARSAD_ALLOW_PRIVATE": "1", "MARSAD_CONFIG": os.devnull,
           "MARSAD_PRODUCER_METRICS_PORT": "0", "MARSAD_LOG_LEVEL": "info"}
    log = (tmp_path / "poller.log").open("w")
    poller = subprocess.Popen([str(VENV_BIN / "marsad"), "poll", "--feeds", str(path)], env=env, cwd=tmp_path,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: server.requested("flaky/rss.xml"), "the first (failing) poll")
        serve_feed(server, "flaky/rss.xml", [])  # fixed; the feed waits 30 min in backoff otherwise
        _cli(["feeds", "reset", "--all"], tmp_path)
        _wait(lambda: len(server.requested("flaky/rss.xml")) >= 2, "the poll after the reset")
        _wait(lambda: FeedStateFile(tmp_path).load()["flaky"].consecutive_failures == 0, "the cleared state saved")
    finally:
        poller.terminate()
        poller.wait(30)
        log.close()
    assert "feeds reset: flaky" in (tmp_path / "poller.log").read_text()


def _wait(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
