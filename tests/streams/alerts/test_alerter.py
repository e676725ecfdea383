"""The alert agent on the real broker: one alert per story, updates, restart, reload, spikes, back-test, tail."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.partitioner.default import murmur2

from marsad.deploy.cli.main import cli
from marsad.deploy.kafka.local import free_port
from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.alert_state import StoryState
from marsad.schemas.codec import decode
from marsad.schemas.events import AlertRaised, AlertUpdated, ArticleProcessed, DeadLetter
from marsad.schemas.state import StateCodec
from marsad.schemas.topics import Topics
from marsad.streams.alerts.rules import DEFAULT_PATH
from tests.streams.alerts.samples import (
    OFF_TOPIC,
    OTHER_SEIZURE,
    SPIKE_RULES,
    T0,
    arrests,
    article,
    seizure_story,
)
from tests.support.service_process import ServiceProcess

pytestmark = pytest.mark.kafka


class Alerter(ServiceProcess):
    """`marsad alerter` as its own process, as it runs in production."""

    def __init__(self, bootstrap: str, prefix: str, data_dir: Path, rules: Path, **settings: str) -> None:
        super().__init__("alerter", {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": prefix,
                                     "MARSAD_PARTITIONS": "2", "MARSAD_DATA_DIR": str(data_dir),
                                     "MARSAD_ALERT_RULES": str(rules), "MARSAD_ALERTER_WEB_PORT": str(free_port()),
                                     **settings}, data_dir / "alerter.log")

    def check(self) -> None:
        if self.proc and self.proc.poll() is not None:
            raise AssertionError(f"alerter exited: {self.log.read_text()[-3000:]}")

    def wait_log(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log.read_text(errors="replace")
            if text in log:
                return next(line for line in log.splitlines() if text in line)
            self.check()
            time.sleep(0.3)
        raise AssertionError(f"no {text!r} in the alerter's log:\n{self.log.read_text()[-3000:]}")


class Reader:
    """Reads a topic from the beginning, keeping what it saw."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                      group_id=f"reader-{topic}", enable_auto_commit=False)
        self.seen: list = []

    def until(self, done, timeout: float, alerter: Alerter) -> list:
        """Read until ``done(seen)`` holds."""
        deadline = time.monotonic() + timeout
        while not done(self.seen) and time.monotonic() < deadline:
            for records in self.consumer.poll(timeout_ms=300).values():
                self.seen.extend(decode(r.value) for r in records)
            alerter.check()
        assert done(self.seen), f"saw {self.seen!r}; alerter log:\n{alerter.log.read_text()[-3000:]}"
        return self.seen

    def drain(self) -> list:
        """Everything up to the topic's end now."""
        while batch := self.consumer.poll(timeout_ms=1000):
            for records in batch.values():
                self.seen.extend(decode(r.value) for r in records)
        return self.seen


def caught_up(bootstrap: str, topics: Topics, alerter: Alerter, timeout: float = 90) -> None:
    """Wait until the alerter's consumer group has committed every message of its input topics."""
    names = [topics.processed, topics.name("streams.alert-stories"), topics.name("streams.alert-spikes"),
             topics.name("streams.alert-incidents")]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        deadline = time.monotonic() + timeout
        while True:
            parts = [TopicPartition(n, p) for n in names for p in consumer.partitions_for_topic(n) or ()]
            ends = consumer.end_offsets(parts)
            done = admin.list_group_offsets(topics.alerter_app_id).get(topics.alerter_app_id) or {}
            behind = {tp: ends[tp] for tp in parts
                      if ends[tp] and (done.get(tp) is None or done[tp].offset < ends[tp])}
            if not behind:
                return
            assert time.monotonic() < deadline, f"alerter behind on {behind}:\n{alerter.log.read_text()[-2000:]}"
            alerter.check()
            time.sleep(0.5)
    finally:
        admin.close()
        consumer.close()


def final_counts(events: list) -> dict[str, tuple[int, int, float | None]]:
    """alert id -> (articles, sources, observed) of its latest revision."""
    latest: dict[str, tuple[int, AlertRaised | AlertUpdated]] = {}
    for e in events:
        rev = e.revision if isinstance(e, AlertUpdated) else 0
        if e.alert_id not in latest or latest[e.alert_id][0] < rev:
            latest[e.alert_id] = (rev, e)
    return {k: (len(e.article_ids), len(e.sources), e.observed) for k, (_, e) in latest.items()}


def backtest(bootstrap: str, prefix: str, rules: Path, tmp_path: Path, **settings: str) -> dict:
    env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MARSAD_TOPIC_PREFIX": prefix, "MARSAD_DATA_DIR": str(tmp_path),
           **settings}
    result = CliRunner().invoke(cli, ["alerts", "backtest", str(rules), "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    table = CliRunner().invoke(cli, ["alerts", "backtest", str(rules)], env=env)
    assert table.exit_code == 0 and "alert(s) in all" in table.stdout
    return report


def publish(bootstrap: str, topic: str, articles: list[ArticleProcessed]) -> None:
    with EventPublisher(bootstrap) as pub:
        for a in articles:
            pub.publish(topic, a.article_id, a)


def test_story_alerts_survive_restart_reload_and_replay_exactly(kafka_bootstrap, kafka_topics, tmp_path):
    topics = Topics(kafka_topics)
    rules = tmp_path / "rules.yaml"
    rules.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    kept = tmp_path / "kept-rules.yaml"
    kept.write_text(rules.read_text(encoding="utf-8"), encoding="utf-8")
    alerter = Alerter(kafka_bootstrap, kafka_topics, tmp_path, rules)
    critical = Reader(kafka_bootstrap, topics.alerts_for("critical"))
    everything = Reader(kafka_bootstrap, topics.alerts)
    dead = Reader(kafka_bootstrap, topics.deadletter("streams"))
    first, copy_b, copy_c = seizure_story(T0)

    def updates(n):
        return lambda seen: sum(isinstance(e, AlertUpdated) and e.rule_id == "captagon-large-seizure"
                                for e in seen) >= n

    alerter.start()
    try:
        publish(kafka_bootstrap, topics.processed, [first, article("sport", OFF_TOPIC, at=T0)])
        (alert,) = critical.until(lambda seen: len(seen) >= 1, 120, alerter)
        assert isinstance(alert, AlertRaised) and alert.rule_id == "captagon-large-seizure"
        assert [(q.value, q.unit, q.item) for q in alert.quantities] == [(3_000_000, "pill", "captagon")]
        assert alert.sources == ["outlet-a"] and alert.story_id == "seizure-a"

        publish(kafka_bootstrap, topics.processed, [copy_b])
        everything.until(updates(1), 60, alerter)
        alerter.stop()  # a restart in the middle of the story
        alerter.start()
        publish(kafka_bootstrap, topics.processed, [copy_c])
        everything.until(updates(2), 120, alerter)

        with KafkaProducer(bootstrap_servers=kafka_bootstrap) as raw:
            raw.send(topics.processed, key=b"poison", value=b"\x00 not an event")
        (poison,) = dead.until(lambda seen: len(seen) >= 1, 60, alerter)
        assert isinstance(poison, DeadLetter) and poison.stage == "alerts" and "not JSON" in poison.reason

        # a bad new rules file is refused, naming the rule and the field; the agent keeps its rules
        rules.write_text(kept.read_text(encoding="utf-8").replace(
            "      - {item: captagon, unit: pill, min: 1000000}", "      - {item: captagon, unit: pill, minimum: 1}"),
            encoding="utf-8")
        line = alerter.wait_log("rules file refused")
        assert "rule 'captagon-large-seizure'" in line and "quantities[0].minimum: unknown field" in line
        publish(kafka_bootstrap, topics.processed, [article("qaim", OTHER_SEIZURE, source="outlet-d", at=T0)])
        critical.until(lambda seen: len(seen) >= 4, 60, alerter)  # raised, 2 updates, the new story (kept rules)
        caught_up(kafka_bootstrap, topics, alerter)
    finally:
        alerter.stop()

    events = everything.drain()
    raised = [e for e in events if isinstance(e, AlertRaised)]
    assert len({e.alert_id for e in raised}) == len(raised), "an alert was raised twice"
    assert len({e.event_id for e in events}) == len(events), "an event was published twice"
    seizure = [e for e in raised if e.rule_id == "captagon-large-seizure"]
    assert sorted(e.story_id for e in seizure) == ["qaim", "seizure-a"]
    assert not any("sport" in e.article_ids for e in raised)
    live = final_counts(events)
    story_alert = next(e.alert_id for e in seizure if e.story_id == "seizure-a")
    assert live[story_alert][:2] == (3, 3)  # three articles from three outlets, one alert
    # the critical topic carries exactly the critical alerts
    assert [e.event_id for e in critical.drain()] == [e.event_id for e in events if e.severity == "critical"]

    report = backtest(kafka_bootstrap, kafka_topics, kept, tmp_path)
    replayed = {a["alert_id"]: (a["articles"], len(a["sources"]), a["observed"]) for a in report["alerts"]}
    assert replayed == live
    by_rule = {r["rule_id"]: r for r in report["rules"]}
    assert by_rule["captagon-large-seizure"]["alerts"] == 2
    assert set(by_rule["captagon-large-seizure"]["alert_ids"]) == {e.alert_id for e in seizure}
    assert report["undecodable"] == 1 and report["articles"] == 5

    # tail, readable: the critical alerts with their Arabic titles, sources and quantities
    tail = subprocess.Popen([sys.executable, "-m", "marsad.deploy.cli.main", "alerts", "tail", "--severity", "critical",
                             "--from-beginning"], env=alerter.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        lines = []
        while not any("update 2 of alert" in line for line in lines):
            line = tail.stdout.readline()
            assert line, tail.stderr.read()
            lines.append(line)
    finally:
        tail.send_signal(signal.SIGTERM)
        assert tail.wait(30) == 0
    shown = "".join(lines)
    assert "[CRITICAL] captagon-large-seizure" in shown and "ضبط ثلاثة ملايين حبة كبتاغون في ريف درعا" in shown
    assert "3,000,000 pill captagon" in shown and "3 source(s): outlet-a, outlet-b, outlet-c" in shown


def test_a_burst_over_a_steady_background_raises_one_spike_alert(kafka_bootstrap, kafka_topics, tmp_path):
    topics = Topics(kafka_topics)
    rules = tmp_path / "spike-rules.yaml"
    rules.write_text(SPIKE_RULES, encoding="utf-8")
    alerter = Alerter(kafka_bootstrap, kafka_topics, tmp_path, rules)
    warning = Reader(kafka_bootstrap, topics.alerts_for("warning"))
    background = arrests(32, T0 + timedelta(minutes=10), timedelta(hours=3))  # 4 days, every 3 hours
    burst = arrests(8, T0 + timedelta(days=3, hours=13, minutes=2), timedelta(minutes=6), prefix="burst")
    alerter.start()
    try:
        publish(kafka_bootstrap, topics.processed, background)
        caught_up(kafka_bootstrap, topics, alerter, timeout=120)
        publish(kafka_bootstrap, topics.processed, burst)
        warning.until(lambda seen: sum(isinstance(e, AlertUpdated) for e in seen) >= 3, 60, alerter)
        caught_up(kafka_bootstrap, topics, alerter)
    finally:
        alerter.stop()

    events = warning.drain()
    raised = [e for e in events if isinstance(e, AlertRaised)]
    assert len(raised) == 1, "the background alone must not fire; the burst fires once"
    spike = raised[0]
    assert spike.kind == "spike" and spike.scope == "topic=security_ops place=درعا"
    assert spike.observed == 5 and spike.expected == pytest.approx(1 / 3, abs=0.01)
    assert spike.window_start == T0 + timedelta(days=3, hours=13)
    live = final_counts(events)
    assert live[spike.alert_id][2] == 8

    report = backtest(kafka_bootstrap, kafka_topics, rules, tmp_path)
    assert {a["alert_id"]: (a["articles"], len(a["sources"]), a["observed"]) for a in report["alerts"]} == live
    assert report["alerts"][0]["expected"] == spike.expected

    tail = subprocess.Popen([sys.executable, "-m", "marsad.deploy.cli.main", "alerts", "tail", "--rule", "arrests-spike",
                             "--from-beginning", "--json"], env=alerter.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        lines = [orjson.loads(tail.stdout.readline()) for _ in range(4)]
    finally:
        tail.send_signal(signal.SIGTERM)
        assert tail.wait(30) == 0
    assert [(d["type"], d.get("revision")) for d in lines] == [("AlertRaised", None), ("AlertUpdated", 1),
                                                              ("AlertUpdated", 2), ("AlertUpdated", 3)]
    assert lines[0]["scope"] == "topic=security_ops place=درعا"


def story_partition(story_id: str, partitions: int = 2) -> int:
    """The partition of ``streams.alert-stories`` a story goes to (Kafka's default partitioner)."""
    return (murmur2(story_id.encode()) & 0x7FFFFFFF) % partitions


def test_stories_expire_by_event_time_and_an_old_alert_is_updated_not_raised_again(kafka_bootstrap, kafka_topics,
                                                                                    tmp_path):
    topics = Topics(kafka_topics)
    rules = tmp_path / "rules.yaml"
    rules.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    # one day, stretched to the rules' longest corroboration window (48 h)
    alerter = Alerter(kafka_bootstrap, kafka_topics, tmp_path, rules, MARSAD_ALERT_STORY_DAYS="1")
    everything = Reader(kafka_bootstrap, topics.alerts)
    changelog = KafkaConsumer(topics.changelog("alert-stories"), bootstrap_servers=kafka_bootstrap,
                              auto_offset_reset="earliest", enable_auto_commit=False)
    first, copy_b, _ = seizure_story(T0)
    # off-topic articles three days on, enough of them to move the clock of every partition
    later, covered = [], set()
    for i in itertools.count():
        if covered == {0, 1}:
            break
        later.append(article(f"later-{i}", OFF_TOPIC, source="outlet-q", at=T0 + timedelta(days=3)))
        covered.add(story_partition(f"later-{i}"))
    latest: dict[bytes, bytes | None] = {}

    def read_changelog() -> None:
        for records in changelog.poll(timeout_ms=300).values():
            latest.update((r.key, r.value) for r in records)

    alerter.start()
    try:
        publish(kafka_bootstrap, topics.processed, [first, article("sport", OFF_TOPIC, at=T0)])
        everything.until(lambda seen: any(isinstance(e, AlertRaised) for e in seen), 120, alerter)
        publish(kafka_bootstrap, topics.processed, later)
        alerter.wait_log("expired: ")
        deadline = time.monotonic() + 60
        while not (b"sport" in latest and latest[b"sport"] is None and latest.get(b"seizure-a")):
            assert time.monotonic() < deadline, f"changelog: {latest}\n{alerter.log.read_text()[-2000:]}"
            read_changelog()
        shrunk = StateCodec(StoryState).decode(latest[b"seizure-a"])
        assert shrunk.articles == [] and set(shrunk.rules) == {"captagon-large-seizure"}

        alerter.stop()  # the shrunk story and the index come back from their changelogs
        alerter.start()
        late_copy = article("seizure-late", copy_b.clean_text, source="outlet-b", at=T0 + timedelta(days=3, hours=1),
                            dup=("near", "seizure-a"))
        publish(kafka_bootstrap, topics.processed, [late_copy])
        everything.until(lambda seen: any(isinstance(e, AlertUpdated) for e in seen), 120, alerter)
        caught_up(kafka_bootstrap, topics, alerter)
    finally:
        alerter.stop()
        changelog.close()

    events = everything.drain()
    assert [type(e).__name__ for e in events] == ["AlertRaised", "AlertUpdated"]
    update = events[1]
    assert update.alert_id == events[0].alert_id and update.revision == 1
    assert update.article_ids == ["seizure-late"]  # the forgotten articles no longer count
    log = alerter.log.read_text()
    assert "1 dropped" in log and "1 kept as alert records" in log, log[-3000:]

    report = backtest(kafka_bootstrap, kafka_topics, rules, tmp_path, MARSAD_ALERT_STORY_DAYS="1")
    assert {a["alert_id"]: (a["articles"], len(a["sources"]), a["observed"]) for a in report["alerts"]} \
        == final_counts(events)
