"""marsad on a secured cluster: SASL_SSL with SCRAM, on the project's own broker (issue #24).

One broker for the module, started as `marsad kafka start --secure` starts it
(a CA and a broker certificate made with keytool, the SCRAM login of user
``marsad`` written by Kafka's storage tool at format). It listens with SASL_SSL
only, so a client that skipped the security settings would get nothing. The
services are told about it as a user of a managed cluster tells them:
KAFKA_BOOTSTRAP_SERVERS and the MARSAD_KAFKA_* settings. On it:

- the pipeline end to end, with every Kafka client marsad runs: kafka-python
  (poller, fetcher, webhook delivery, views, topics, the tools that read
  back) and aiokafka under Faust (worker, alerter). A site of
  ``N`` articles, one page missing; the invariant and counts of the plaintext
  drills (tests/deploy/test_services.py, test_alert_drills.py): N discovered,
  N - 1 in the views once each, the missing page's 404 as the one dead letter,
  every alert the back-test finds on the log raised once and delivered;
- a replay's worker processes, each reading its partitions on a connection of its own;
- each SASL mechanism the settings offer logs in;
- a wrong password, a CA the broker's certificate does not chain to, and a
  plaintext client: one line each, naming what to check, exit status 2;
- kcat with the ``-X`` options the README shows.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from marsad.consumers.consume import DeadLetters, LogReader
from marsad.consumers.replay import replay
from marsad.consumers.store import open_store
from marsad.deploy.kafka.local import BrokerError, LocalKafka, free_port
from marsad.runtime.kafka.admin import create_topics
from marsad.runtime.kafka.connection import KafkaConnection, kcat_options
from marsad.runtime.kafka.publish import EventPublisher
from marsad.runtime.kafka.read import read_all
from marsad.runtime.preflight import kafka_problem
from marsad.schemas.events import AlertRaised, DeadLetter
from marsad.schemas.topics import Topics
from tests.consumers.factory import corpus
from tests.deploy.alert_site import SECRET, alert_events, alert_settings, expected_alerts, topic_keys
from tests.deploy.services_site import GrowingSite, Pipeline, wait_for
from tests.streams.alerts.delivery.receiver import Receiver

pytestmark = pytest.mark.kafka

N = 12  # articles; page 5 is missing (a dead letter), article 7 re-publishes an earlier one (a near copy)
MISSING = (5,)
MARSAD = str(Path(sys.executable).parent / "marsad")
KCAT = shutil.which("kcat") or shutil.which("kafkacat")


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaConnection]:
    """A local broker with only a SASL_SSL listener; how to connect to it (address, CA, SCRAM login)."""
    broker = LocalKafka(tmp_path_factory.mktemp("kafka-secure"), port=free_port(), controller_port=free_port(),
                        cache_dir=os.environ.get("MARSAD_CACHE_DIR", Path.home() / ".cache" / "marsad"),
                        start_timeout=120)
    broker.start(quiet=True, secure=True)
    try:
        assert broker.secured and broker.connection.security.protocol == "SASL_SSL"
        yield broker.connection
    finally:
        broker.stop(quiet=True)


def test_the_pipeline_runs_end_to_end_over_sasl_ssl_with_scram(secured: KafkaConnection, tmp_path: Path) -> None:
    site = GrowingSite(N, missing=MISSING)
    hook = Receiver(SECRET.encode(), lambda key, n: 200)
    settings = alert_settings(tmp_path, hook.url)
    p = Pipeline(secured, f"test-sec-{tmp_path.name[-6:]}", tmp_path / "data",
                 site.write_registry(tmp_path / "feeds.yaml"), **settings)
    try:
        p.marsad("up", "--skip", "api")
        site.release(N)

        p.assert_each_article_once_or_dead_lettered(N, MISSING)
        assert len(p.view_rows()) == N - len(MISSING)
        assert collections.Counter(p.view_duplicates().values())["near"] >= 1  # the re-published story

        expected = expected_alerts(p, Path(settings["MARSAD_ALERT_RULES"]))
        assert len(expected) >= 3  # the rules fire on most of the corpus
        raised = wait_for("every alert the back-test gives raised on the topic",
                          lambda: {e.alert_id for e in alert_events(p) if isinstance(e, AlertRaised)} == expected,
                          120, 2.0, p.logs)
        assert raised
        keys = wait_for("every alert event on the topic accepted by the webhook",
                        lambda: (k := topic_keys(p)) and k == set(hook.accepted) and k, 120, 2.0, p.logs)
        assert len(keys) >= len(expected)
        assert all(r.signed and r.status == 200 for r in hook.requests)
    finally:
        p.marsad("down", check=False)
        hook.stop()
        site.close()


def test_a_replays_worker_processes_read_the_secured_log(secured: KafkaConnection, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from marsad.consumers import replay as replay_module
    monkeypatch.setattr(replay_module, "POOL_MIN", 0)  # the worker processes even for this small log
    topics = Topics(f"test-sec-replay-{tmp_path.name[-6:]}")
    create_topics(secured, topics.prefix, partitions=2)
    events = corpus(40)
    with EventPublisher(secured) as pub:
        for e in events:
            pub.publish(topics.processed, e.article_id, e)
        pub.publish_raw(topics.processed, "bad", b"\xff not json")
        pub.flush(timeout=30)
        with open_store(f"sqlite:///{tmp_path / 'views.sqlite'}") as live:
            live.setup()
            reader = LogReader(secured, topics.processed, batch_size=16)
            try:
                report = replay(live, reader, DeadLetters(pub, topics.deadletter("consumers")), batch_ms=100,
                                stop=threading.Event(), workers=2)
            finally:
                reader.close()
    assert report.events == len(events) + 1
    with open_store(f"sqlite:///{tmp_path / 'views.sqlite'}") as now:
        assert now.stats()["articles"] == len(events) and now.content_hash() == report.hash
    dead = read_all(secured, topics.deadletter("consumers"))
    assert len(dead) == 1 and isinstance(dead[0], DeadLetter) and dead[0].key == "bad"


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"])
def test_each_sasl_mechanism_logs_in(secured: KafkaConnection, mechanism: str) -> None:
    login = KafkaConnection(secured.servers, replace(secured.security, mechanism=mechanism))
    assert kafka_problem(login, timeout=10) is None


BAD = {
    "wrong-password": ({"MARSAD_KAFKA_PASSWORD": "not-the-password"}, "Kafka refused the login at",
                       "MARSAD_KAFKA_PASSWORD"),
    "unknown-ca": ({"MARSAD_KAFKA_CA_FILE": ""}, "no TLS connection to Kafka at", "MARSAD_KAFKA_CA_FILE"),
    "plaintext-client": ({"MARSAD_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}, "cannot reach Kafka at",
                         "MARSAD_KAFKA_SECURITY_PROTOCOL"),
}
COMMANDS = {"topics list": ["topics", "list"], "worker": ["worker"], "views": ["views"]}
# a wrong password for three kinds of command (a tool, the Faust worker, a consumer service); the others for one
CASES = [("wrong-password", c) for c in COMMANDS] + [("unknown-ca", "topics list"), ("plaintext-client", "topics list")]


@pytest.fixture(scope="module")
def refused(secured: KafkaConnection, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple]:
    """Each (mistake, command) run once as a real `marsad` process, three at a time: (exit status, output)."""
    folder = tmp_path_factory.mktemp("refused")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MARSAD_", "KAFKA_"))}

    def one(mistake: str, command: str) -> tuple[int, str]:
        env = {**clean, **secured.environment(), "MARSAD_CONFIG": os.devnull, "MARSAD_DATA_DIR": str(folder / "d"),
               "MARSAD_WORKER_WEB_PORT": str(free_port()), "MARSAD_VIEWS_METRICS_PORT": str(free_port()),
               **BAD[mistake][0]}
        done = subprocess.run([MARSAD, *COMMANDS[command]], env=env, cwd=folder, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout + done.stderr

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(CASES, pool.map(lambda case: one(*case), CASES), strict=True))


@pytest.mark.parametrize(("mistake", "command"), CASES, ids=[f"{m}-{c}" for m, c in CASES])
def test_a_refused_connection_is_one_line_and_exit_2(refused: dict, secured: KafkaConnection, mistake: str,
                                                     command: str) -> None:
    code, output = refused[mistake, command]
    lines = [line for line in output.splitlines() if line.strip()]
    _, opening, setting = BAD[mistake]
    assert code == 2, output
    assert len(lines) == 1, output
    assert lines[0].startswith(f"Error: {opening} {secured.servers}"), lines[0]
    assert setting in lines[0]
    assert "not-the-password" not in output


def test_a_wrong_password_names_the_refused_login(refused: dict) -> None:
    _, output = refused["wrong-password", "topics list"]
    assert "login refused for user marsad (SCRAM-SHA-512)" in output
    _, output = refused["unknown-ca", "topics list"]
    assert "certificate verify failed" in output


def test_a_plaintext_broker_is_not_secured_in_place(tmp_path: Path) -> None:
    broker = LocalKafka(tmp_path, port=free_port(), controller_port=free_port(), cache_dir=tmp_path / "cache")
    broker.log_dir.mkdir(parents=True)
    (broker.log_dir / "meta.properties").write_text("formatted plaintext\n")
    with pytest.raises(BrokerError, match=r"made without security: run `marsad kafka reset --yes`"):
        broker.start(quiet=True, secure=True)


@pytest.mark.skipif(KCAT is None, reason="kcat is not installed (apt-get install kcat)")
def test_kcat_connects_with_the_options_the_readme_shows(secured: KafkaConnection) -> None:
    # PLAIN over TLS: Debian's kcat links librdkafka 2.0.2, whose SCRAM Kafka 4 brokers refuse (fixed in
    # librdkafka 2.6.1, confluentinc/librdkafka#4895); the options are the same but for sasl.mechanism
    password = Path(secured.security.password_file).read_text().strip()
    plain = KafkaConnection(secured.servers, replace(secured.security, mechanism="PLAIN"))
    done = subprocess.run([KCAT, "-L", *kcat_options(plain, password=password), "-m", "10"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1 brokers:" in done.stdout and secured.servers in done.stdout
