"""The worker built in-process by its factory (`marsad.streams.app.create_app`) from explicit settings.

Two articles (one an edited copy of the other) and a poison message go
through the worker's own agents, in Faust's test mode: fetched -> ``process``
-> a route record -> ``dedup`` at each band partition in turn ->
``articles.processed``. Each hop goes through the real broker of the test
session (tests/support/stream_apps.py). The worker as its own process
(restart, rocksdb, expiry) is the drill's: tests/streams/test_worker.py.
"""

from __future__ import annotations

import asyncio

import pytest

from marsad.schemas import internal
from marsad.schemas.codec import decode, encode
from marsad.schemas.events import ArticleFetched, DeadLetter
from marsad.schemas.topics import Topics
from marsad.streams.app import create_app
from tests.streams.test_dedup import EDITED, STORY
from tests.support.stream_apps import TopicReader, ready, settings_for

pytestmark = pytest.mark.kafka


def test_the_factory_builds_the_worker_on_the_settings_given(tmp_path):
    settings = settings_for("127.0.0.1:9", "factory-test", tmp_path, MARSAD_PARTITIONS="3")
    app = create_app(settings)
    topics = Topics("factory-test")
    assert app.conf.id == topics.streams_app_id and app.conf.web_port == settings.worker_web_port
    assert sorted(app.agents) == ["marsad.streams.agents.dedup", "marsad.streams.agents.process", "marsad.streams.legacy.bands",
                                  "marsad.streams.legacy.verdict"]
    assert {name: t.changelog_topic.get_topic_name() for name, t in app.tables.items()} == {
        name: f"{topics.streams_app_id}-{name}-changelog"
        for name in ("dedup-bands", "dedup-signatures", "dedup-expiry", "dedup-votes", "dedup-drafts")}
    assert {t.partitions for t in app.tables.values()} == {3}
    assert create_app(settings_for("127.0.0.1:9", "other", tmp_path)).conf.id == Topics("other").streams_app_id


def test_an_article_and_its_copy_go_through_process_and_dedup(kafka_bootstrap, kafka_topics, tmp_path):
    topics = Topics(kafka_topics)
    app = create_app(settings_for(kafka_bootstrap, kafka_topics, tmp_path))
    routes = TopicReader(kafka_bootstrap, topics.name("streams.dedup-route"))
    processed = TopicReader(kafka_bootstrap, topics.processed)
    dead = TopicReader(kafka_bootstrap, topics.deadletter("streams"))

    async def scenario() -> None:
        async with ready(app):
            async with app.agents["marsad.streams.agents.process"].test_context() as process:
                for aid, text in (("first", STORY), ("copy", EDITED)):
                    fetched = ArticleFetched(article_id=aid, source="outlet", text=text, url=f"https://x.example/{aid}")
                    await process.put(key=aid.encode(), value=encode(fetched))
                await process.put(key=b"poison", value=b"not an event")
                (_, value, partition), = await asyncio.to_thread(routes.until, 1)
            record = internal.decode_route(value)
            assert partition == record.parts[0] and [a.article_id for a in record.articles] == ["first", "copy"]
            async with app.agents["marsad.streams.agents.dedup"].test_context() as dedup:
                for hop, part in enumerate(record.parts):  # the record visits each band partition in turn
                    _, value, partition = (await asyncio.to_thread(routes.until, hop + 1))[hop]
                    assert partition == part
                    await dedup.put(key=b"batch", value=value, partition=part)
                await asyncio.to_thread(processed.until, 2)

    try:
        asyncio.run(scenario())
        out = {a.article_id: a for a in (decode(v) for _, v, _ in processed.seen)}
        assert (out["first"].duplicate.status, out["copy"].duplicate.status) == ("original", "near")
        assert out["copy"].duplicate.first_id == "first" and out["first"].topics
        (key, value, _), = dead.until(1)
        letter = decode(value)
        assert isinstance(letter, DeadLetter) and (key, letter.error, letter.stage) == (b"poison", "schema", "process")
    finally:
        for reader in (routes, processed, dead):
            reader.close()
