"""The worker carries each article's source kind and revision: an edited post updates its article.

On the real broker, with the worker as its own process (as `tests/streams/test_worker.py`).
"""

from __future__ import annotations

import pytest

from marsad.runtime.kafka.publish import EventPublisher
from marsad.schemas.events import ArticleFetched, ArticleProcessed
from marsad.schemas.topics import Topics
from tests.streams.test_worker import Reader, Worker

pytestmark = pytest.mark.kafka

POST = ("دير الزور: اشتباكات بين عناصر من قوات سوريا الديمقراطية ومسلحين من العشائر في بلدة ذيبان "
        "بريف دير الزور الشرقي، وأنباء عن سقوط جرحى من الطرفين ونزوح عشرات العائلات إلى القرى المجاورة.")
EDIT = POST.replace("وأنباء عن سقوط جرحى من الطرفين", "وسقوط ثلاثة قتلى وخمسة جرحى من الطرفين")
OTHER = ("بغداد: خلية الإعلام الأمني تعلن ضبط مخزن للعتاد في قضاء الطارمية شمال العاصمة خلال عملية تفتيش "
         "نفذتها قطعات الجيش العراقي بمساندة طيران الجيش، من دون تسجيل أي اشتباك.")


def test_an_edited_post_is_a_later_revision_of_its_article_not_a_copy(kafka_bootstrap, kafka_topics, tmp_path):
    topics = Topics(kafka_topics)
    worker = Worker(kafka_bootstrap, kafka_topics, tmp_path)
    processed = Reader(kafka_bootstrap, topics.processed)
    pub = EventPublisher(kafka_bootstrap)
    url = "https://t.me/deir_news/77"
    worker.start()
    try:
        pub.publish(topics.fetched, "post", ArticleFetched(
            article_id="post", url=url, text=POST, origin="telegram", source_kind="telegram", source="@deir"))
        pub.publish(topics.fetched, "mapped", ArticleFetched(
            article_id="mapped", text=OTHER, origin="page", source_kind="sitemap", source="outlet"))
        pub.publish(topics.fetched, "old", ArticleFetched(article_id="old", text=OTHER[:90], origin="feed"))
        pub.flush()
        processed.until(3, 120, worker)
        pub.publish(topics.fetched, "post", ArticleFetched(
            article_id="post", url=url, text=EDIT, origin="telegram", source_kind="telegram", source="@deir",
            edited=True, revision=2))
        pub.flush()
        seen = processed.until(4, 120, worker)

        assert all(isinstance(e, ArticleProcessed) for e in seen)
        first, mapped, old, edit = (next(e for e in seen if e.article_id == key and e.revision == rev)
                                    for key, rev in (("post", 1), ("mapped", 1), ("old", 1), ("post", 2)))
        assert (first.source_kind, first.edited) == ("telegram", False)
        assert (edit.source_kind, edit.edited, edit.url) == ("telegram", True, url)
        assert "ثلاثة قتلى" in edit.clean_text and edit.event_id != first.event_id
        assert edit.duplicate.status == "original"  # not a copy of its own first version
        assert mapped.source_kind == "sitemap"
        assert old.source_kind == "rss"  # an older fetched event without its kind: a feed entry's own text
    finally:
        worker.stop()
        pub.close()
        processed.consumer.close()
