"""The alerter built in-process by its factory (`marsad.streams.alerts.app.create_app`) from explicit settings.

A large captagon seizure goes through the alerter's own agents in Faust's
test mode: ``articles.processed`` -> ``route_articles`` -> a story note ->
``stories`` -> one critical alert on ``alerts`` and ``alerts.critical``, with
a poison message dead-lettered on the way. Each hop goes through the real
broker of the test session (tests/support/stream_apps.py). The alerter as its
own process (restart, reload, spikes, expiry) is the drill's:
tests/streams/alerts/test_alerter.py.
"""

from __future__ import annotations

import asyncio

import pytest

from marsad.schemas.codec import decode, encode
from marsad.schemas.events import AlertRaised, DeadLetter
from marsad.schemas.notes import StoryNote, decode_notes
from marsad.schemas.topics import Topics
from marsad.streams.alerts.app import create_app
from marsad.streams.alerts.rules import DEFAULT_PATH
from tests.streams.alerts.samples import seizure_story
from tests.support.stream_apps import TopicReader, ready, settings_for

pytestmark = pytest.mark.kafka

AGENTS = ["marsad.streams.alerts.agents.incidents", "marsad.streams.alerts.agents.route_articles",
          "marsad.streams.alerts.agents.spikes", "marsad.streams.alerts.agents.stories"]
TABLES = ["alert-incident-days", "alert-incident-expiry", "alert-incident-reports", "alert-incidents",
          "alert-spikes", "alert-stories", "alert-story-expiry"]


def test_the_factory_builds_the_alerter_on_the_settings_given(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    settings = settings_for("127.0.0.1:9", "factory-test", tmp_path, MARSAD_ALERT_RULES=str(rules))
    app = create_app(settings)
    topics = Topics("factory-test")
    assert app.conf.id == topics.alerter_app_id and app.conf.web_port == settings.alerter_web_port
    assert sorted(app.agents) == AGENTS and sorted(app.tables) == TABLES
    assert {t.changelog_topic.get_topic_name() for t in app.tables.values()} == {
        f"{topics.alerter_app_id}-{name}-changelog" for name in TABLES}
    assert {t.partitions for t in app.tables.values()} == {2}


def test_a_large_seizure_raises_one_critical_alert(kafka_bootstrap, kafka_topics, tmp_path):
    topics = Topics(kafka_topics)
    app = create_app(settings_for(kafka_bootstrap, kafka_topics, tmp_path))
    notes = TopicReader(kafka_bootstrap, topics.name("streams.alert-stories"))
    alerts = TopicReader(kafka_bootstrap, topics.alerts)
    critical = TopicReader(kafka_bootstrap, topics.alerts_for("critical"))
    dead = TopicReader(kafka_bootstrap, topics.deadletter("streams"))
    article = seizure_story()[0]

    async def scenario() -> None:
        async with ready(app):
            async with app.agents["marsad.streams.alerts.agents.route_articles"].test_context() as route:
                await route.put(key=b"poison", value=b"not an event")
                await route.put(key=article.article_id.encode(), value=encode(article))
                (key, value, partition), = await asyncio.to_thread(notes.until, 1)
            note, = decode_notes(value)  # the batch of one article: its story note
            assert isinstance(note, StoryNote) and key == note.story_id.encode() and note.hits
            async with app.agents["marsad.streams.alerts.agents.stories"].test_context() as stories:
                await stories.put(key=key, value=value, partition=partition)
                await asyncio.to_thread(alerts.until, 1)

    try:
        asyncio.run(scenario())
        (key, value, _), = alerts.seen
        alert = decode(value)
        assert isinstance(alert, AlertRaised) and key == b"captagon-large-seizure"
        assert (alert.rule_id, alert.severity, alert.article_ids) == ("captagon-large-seizure", "critical",
                                                                       [article.article_id])
        assert [v for _, v, _ in critical.until(1)] == [value]
        (key, value, _), = dead.until(1)
        letter = decode(value)
        assert isinstance(letter, DeadLetter) and (key, letter.error, letter.stage) == (b"poison", "schema", "alerts")
    finally:
        for reader in (notes, alerts, critical, dead):
            reader.close()
