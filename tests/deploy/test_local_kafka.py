"""`marsad kafka start|status|stop|reset` through the real command, on a broker of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from marsad.deploy.kafka.local import free_port
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import ArticleFetched
from marsad.schemas.topics import Topics

pytestmark = pytest.mark.kafka


def marsad(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "marsad.deploy.cli.main", *args], env=env, capture_output=True,
                          text=True, timeout=180)


def java_pids(data_dir: Path) -> list[str]:
    out = subprocess.run(["pgrep", "-f", f"kafka.Kafka {data_dir}"], capture_output=True, text=True).stdout
    return out.split()


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    env.update(MARSAD_DATA_DIR=str(tmp_path), MARSAD_KAFKA_PORT=str(free_port()),
               MARSAD_KAFKA_CONTROLLER_PORT=str(free_port()), MARSAD_TOPIC_PREFIX="life")
    yield env
    marsad(env, "kafka", "stop")


def test_start_twice_stop_and_restart_keeps_messages(env, tmp_path):
    bootstrap = f"127.0.0.1:{env['MARSAD_KAFKA_PORT']}"
    first = marsad(env, "kafka", "start")
    assert first.returncode == 0, first.stderr
    assert f"kafka ready at {bootstrap}" in first.stdout and "broker.log" in first.stdout
    second = marsad(env, "kafka", "start")
    assert second.returncode == 0 and "already running" in second.stdout
    assert len(java_pids(tmp_path / "kafka" / "server.properties")) == 1

    assert marsad(env, "topics", "create").returncode == 0
    again = marsad(env, "topics", "create")
    assert "all existed already" in again.stdout
    with EventPublisher(bootstrap) as pub:
        for i in range(3):
            pub.publish(Topics("life").fetched, f"a{i}", ArticleFetched(article_id=f"a{i}", text="نص"))

    status = marsad(env, "kafka", "status")
    assert status.returncode == 0 and "answering" in status.stdout
    assert marsad(env, "kafka", "stop").returncode == 0
    assert java_pids(tmp_path / "kafka" / "server.properties") == []
    assert marsad(env, "kafka", "status").returncode == 1

    assert marsad(env, "kafka", "start").returncode == 0
    listing = marsad(env, "topics", "list")
    assert "life.articles.fetched" in listing.stdout
    line = next(x for x in listing.stdout.splitlines() if x.startswith("life.articles.fetched"))
    assert line.split()[-1] == "3", listing.stdout


def test_stale_pid_file_does_not_confuse_start(env, tmp_path):
    home = tmp_path / "kafka"
    home.mkdir()
    (home / "broker.pid").write_text(str(os.getpid()))  # a live process, but not a broker
    done = marsad(env, "kafka", "start")
    assert done.returncode == 0, done.stderr
    assert "kafka ready" in done.stdout


def test_reset_needs_confirmation(env, tmp_path):
    assert marsad(env, "kafka", "start").returncode == 0
    refused = marsad(env, "kafka", "reset")
    assert refused.returncode != 0 and "--yes" in refused.stderr
    assert (tmp_path / "kafka" / "data").exists()
    assert marsad(env, "kafka", "reset", "--yes").returncode == 0
    assert not (tmp_path / "kafka").exists()
    assert java_pids(tmp_path / "kafka" / "server.properties") == []


def test_external_cluster_means_start_nothing(env):
    done = marsad({**env, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}, "kafka", "start")
    assert done.returncode == 0 and "KAFKA_BOOTSTRAP_SERVERS is set" in done.stdout


def test_missing_java_is_one_clear_line(env):
    done = marsad({**env, "PATH": "/nonexistent", "MARSAD_CACHE_DIR": str(Path(env["MARSAD_DATA_DIR"]) / "c")},
                  "kafka", "start")
    assert done.returncode != 0
    assert "`java` not found: install Java 17+" in done.stderr
