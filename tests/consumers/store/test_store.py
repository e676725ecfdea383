"""The store contract, the same tests on SQLite and on PostgreSQL (``views_url`` runs each on both)."""

from __future__ import annotations

from collections import Counter

import pytest

from marsad.consumers.query.model import (
    ArticleQuery,
    CountQuery,
    Filters,
    Near,
    SeizureQuery,
    StoryQuery,
    TotalsQuery,
)
from marsad.consumers.store import Record, StoreError, ViewReplaced, open_store
from marsad.consumers.store.migrate import migrations
from tests.consumers.factory import PLACES, article, corpus
from tests.consumers.test_alert_facets import UNDO_0005

TOPIC = "test.articles.processed"


def records(events, start=0, partition=0):
    return [Record(TOPIC, partition, start + i, e) for i, e in enumerate(events)]


@pytest.fixture
def filled(store):
    store.write_batch(records(corpus(60)))
    return store


def count_map(store, by, **kw):
    return {r["key"]: r["articles"] for r in store.counts(CountQuery(by=by, limit=1000, **kw))}


def test_setup_is_idempotent_and_versioned(store, views_url):
    store.setup()
    assert store.schema_version() == len(migrations("sqlite")) == len(migrations("postgres"))
    with open_store(views_url) as again:
        again.setup()
        assert again.schema_version() == store.schema_version()


def test_counts_are_exact(filled):
    events = corpus(60)
    assert filled.stats()["articles"] == 60
    assert count_map(filled, "topic") == Counter(t.id for e in events for t in e.topics)
    assert count_map(filled, "source") == Counter(e.source for e in events)
    assert count_map(filled, "org") == Counter(o.id for e in events for o in e.orgs)
    assert count_map(filled, "country") == Counter(c for e in events for c in e.countries)
    assert sum(count_map(filled, "place").values()) == 60
    per_day = filled.counts(CountQuery(by="topic", per="day", limit=1000))
    assert sum(r["articles"] for r in per_day) == 60
    assert {r["day"] for r in per_day} == {"2024-02-01", "2024-02-02", "2024-02-03"}
    per_hour = filled.counts(CountQuery(by="source", per="hour", limit=1000))
    assert len(per_hour) == 60 and all(r["articles"] == 1 for r in per_hour)


def test_redelivered_messages_do_not_count_twice(filled):
    before = filled.content_hash()
    assert filled.write_batch(records(corpus(60))) == 0  # the same offsets again
    assert filled.write_batch(records(corpus(60)[10:20], start=10)) == 0
    assert filled.content_hash() == before
    assert filled.offsets() == {(TOPIC, 0): 60}


def test_a_reprocessed_article_replaces_its_previous_state(filled):
    narcotics = count_map(filled, "topic")["narcotics"]
    old = corpus(60)[0]
    assert [t.id for t in old.topics] == ["narcotics"]
    new = article(0, topics=["militias", "smuggling"], version="t2", pills=5.0)
    assert filled.write_batch(records([new], start=60)) == 1
    counts = count_map(filled, "topic")
    assert counts["narcotics"] == narcotics - 1
    assert filled.stats()["articles"] == 60
    got = filled.article("a00000")
    assert [t["id"] for t in got["topics"]] == ["militias", "smuggling"]
    assert got["taxonomy_version"] == "t2"
    ledger = filled.seizures(SeizureQuery(Filters(story="a00000"), limit=10)).items
    assert [(r["value"], r["unit"]) for r in ledger] == [(5.0, "pill")]


def test_the_last_event_of_an_article_in_a_batch_wins(store):
    store.write_batch(records([article(1, topics=["arms"]), article(1, topics=["military"])]))
    assert count_map(store, "topic") == {"military": 1}


def test_a_poison_message_only_advances_the_offset(store):
    assert store.write_batch([Record(TOPIC, 1, 0, None), Record(TOPIC, 1, 1, article(1))]) == 1
    assert store.offsets() == {(TOPIC, 1): 2}
    assert store.stats()["articles"] == 1


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(topic="narcotics"), {i for i in range(60) if i % 4 == 0}),
    (Filters(place="البوكمال"), {i for i in range(60) if i % 5 == 0}),
    (Filters(place="معبر نصيب"), {i for i in range(60) if i % 5 == 3}),
    (Filters(near=Near(32.55, 36.1, 15)), {i for i in range(60) if i % 5 in (2, 3, 4)}),  # Daraa, Nasib, Ramtha
    (Filters(near=Near(32.55, 36.1, 15), country="JO"), {i for i in range(60) if i % 5 == 4}),
    (Filters(org="hezbollah"), {i for i in range(60) if i % 3 == 1}),
    (Filters(since="2024-02-02T00:00:00Z", until="2024-02-02T06:00:00Z"), set(range(18, 24))),
    (Filters(words=("الكبتاغون",)), {i for i in range(60) if i % 4 == 0}),
    (Filters(words=("الامن", "عمليه")), {i for i in range(60) if i % 4 == 1}),  # as written: الأمن / عملية
    (Filters(duplicate="copy"), {i for i in range(60) if i % 7 == 6}),
    (Filters(story="a00005"), {5, 6}),
    (Filters(source="عنب بلدي", topic="narcotics"), {i for i in range(60) if i % 12 == 0}),
], ids=["topic", "place", "place-two-words", "radius", "radius-country", "org", "dates", "text", "text-folded",
        "copies", "story", "source+topic"])
def test_article_filters(filled, filters, expected):
    items = filled.articles(ArticleQuery(filters, limit=200)).items
    assert {int(it["article_id"][1:]) for it in items} == expected


def test_pages_cover_every_article_once_newest_first(filled):
    seen, cursor = [], None
    while True:
        page = filled.articles(ArticleQuery(Filters(), limit=7, after=cursor))
        seen += [it["at"] + it["article_id"] for it in page.items]
        assert len(page.items) <= 7
        if page.next is None:
            break
        cursor = page.next
    assert len(seen) == 60 == len(set(seen))
    assert seen == sorted(seen, reverse=True)


def test_articles_carry_their_facts(filled):
    it = filled.articles(ArticleQuery(Filters(story="a00005"), limit=10)).items
    copy = next(x for x in it if x["article_id"] == "a00006")
    assert copy["duplicate"] == {"status": "near", "first_id": "a00005", "similarity": 0.9}
    assert copy["places"][0]["name"] == PLACES[1].name and copy["countries"] == ["SY"]
    full = filled.article("a00005")
    assert full["copies"] == ["a00006"]
    assert full["topics"][0]["evidence"][0]["text"] == "الكبتاغون"
    assert filled.article("nope") is None


def test_an_articles_kind_and_revision_are_stored_filtered_and_counted(filled):
    """A post and its edit: the later revision replaces the article (counted once), its kind filters."""
    filled.write_batch(records([article(100, kind="telegram"), article(101, kind="sitemap")], start=60))
    assert filled.write_batch(records([article(100, kind="telegram", topics=["arms"], revision=2,
                                               title="خبر معدل")], start=62)) == 1
    assert filled.stats()["articles"] == 62
    (post,) = filled.articles(ArticleQuery(Filters(kind="telegram"), limit=10)).items
    assert (post["article_id"], post["kind"], post["edited"], post["revision"]) == ("a00100", "telegram", True, 2)
    assert post["title"] == "خبر معدل" and [t["id"] for t in post["topics"]] == ["arms"]
    assert [it["article_id"] for it in filled.articles(ArticleQuery(Filters(kind="sitemap"))).items] == ["a00101"]
    assert filled.articles(ArticleQuery(Filters(kind="import"))).items == []
    older = filled.article("a00001")  # processed before the kind was carried
    assert (older["kind"], older["edited"], older["revision"]) == (None, False, 1)
    assert filled.article("a00100")["kind"] == "telegram"
    assert count_map(filled, "kind") == {"unknown": 60, "telegram": 1, "sitemap": 1}
    assert count_map(filled, "topic", filters=Filters(kind="telegram")) == {"arms": 1}


def test_the_migration_gives_articles_stored_before_it_no_kind_and_their_first_revision(store, views_url):
    store.write_batch(records([article(1)]))
    with store._transaction(write=True) as tx:  # back to version 4, the article kept
        for stmt in (*UNDO_0005, "DELETE FROM schema_version WHERE version >= 5"):
            tx.run(stmt, [])
    with open_store(views_url) as again:
        again.setup()
        got = again.article("a00001")
        assert (got["kind"], got["edited"], got["revision"]) == (None, False, 1)
        again.write_batch(records([article(1, kind="telegram", revision=2)], start=1))
        assert again.articles(ArticleQuery(Filters(kind="telegram"))).items[0]["revision"] == 2


def test_seizure_ledger_and_totals(filled):
    ledger = filled.seizures(SeizureQuery(Filters(item="captagon"), limit=200)).items
    assert len(ledger) == 10 and {r["unit"] for r in ledger} == {"pill"}
    assert all(r["place_name"] for r in ledger) and ledger[0]["text"].endswith("حبة كبتاغون")
    totals = filled.seizure_totals(TotalsQuery(Filters(item="captagon")))
    assert totals == [{"item": "captagon", "unit": "pill", "total": sum(1000.0 * (i + 1) for i in range(0, 60, 6)),
                       "seizures": 10, "articles": 10, "first_day": "2024-02-01", "last_day": "2024-02-03"}]
    near_jordan = filled.seizure_totals(TotalsQuery(Filters(near=Near(32.55, 36.1, 15), item="captagon")))
    assert near_jordan[0]["seizures"] == len([i for i in range(0, 60, 6) if i % 5 in (2, 3, 4)]) == 6
    assert sum(r["total"] for r in filled.seizure_totals(TotalsQuery(Filters(duplicate="original")))) \
        == sum(1000.0 * (i + 1) for i in range(0, 60, 6) if i % 7 != 6)
    money = filled.seizures(SeizureQuery(Filters(unit="USD"), limit=10)).items
    assert money == []  # money is a quantity, not a seizure


def test_seizure_pages(filled):
    first = filled.seizures(SeizureQuery(Filters(), limit=4))
    second = filled.seizures(SeizureQuery(Filters(), limit=4, after=first.next))
    third = filled.seizures(SeizureQuery(Filters(), limit=4, after=second.next))
    ids = [r["article_id"] for r in first.items + second.items + third.items]
    assert len(ids) == 10 == len(set(ids)) and third.next is None


def test_story_clusters(filled):
    stories = filled.stories(StoryQuery(min_copies=2, limit=100))
    assert {s["story_id"] for s in stories} == {f"a{i - 1:05d}" for i in range(60) if i % 7 == 6}
    assert all(s["articles"] == 2 and s["title"] for s in stories)


def test_sql_looking_text_is_only_text(filled):
    for f in (Filters(words=("drop", "table", "articles")), Filters(place="'; DROP TABLE articles; --"),
              Filters(source="x' OR '1'='1"), Filters(words=("it's", 'say "no"', "a\\b", "x & y | !z"))):
        assert filled.articles(ArticleQuery(f)).items == []
    assert filled.stats()["articles"] == 60
    # words not in the matching form are put in it first, each token a word of its own (never a phrase)
    assert {a["article_id"] for a in filled.articles(ArticleQuery(Filters(words=("الأمن عملية",)))).items} \
        == {a["article_id"] for a in filled.articles(ArticleQuery(Filters(words=("الامن", "عمليه")))).items} != set()
    assert filled.articles(ArticleQuery(Filters(words=("!?",)))).items == []


def test_content_hash_ignores_batching_and_order(filled):
    events = corpus(60)
    other = filled.fresh()
    try:
        other.write_batch(records(events[30:], start=30, partition=1))
        for i in range(0, 30, 8):
            other.write_batch(records(events[i:i + 8], start=i))
        assert other.content_hash() == filled.content_hash()
        other.write_batch(records([article(3, topics=["arms"])], start=100))
        assert other.content_hash() != filled.content_hash()
    finally:
        other.discard()


def test_hash_is_the_same_on_both_databases(sqlite_url, postgres_url):
    hashes = []
    for url in (sqlite_url, postgres_url):
        with open_store(url) as s:
            s.setup()
            s.write_batch(records(corpus(40)))
            hashes.append(s.content_hash())
    assert hashes[0] == hashes[1]


def test_promote_swaps_in_the_fresh_view_and_live_writers_notice(views_url, filled):
    fresh = filled.fresh()
    fresh.write_batch(records(corpus(10)))
    with open_store(views_url) as reader:
        assert reader.stats()["articles"] == 60  # not visible before the swap
    fresh.promote()
    with open_store(views_url) as reader:
        assert reader.stats()["articles"] == 10
        assert reader.offsets() == {(TOPIC, 0): 10}
        found = reader.articles(ArticleQuery(Filters(words=("الكبتاغون",)))).items  # the index came along
        assert {it["article_id"] for it in found} == {"a00000", "a00004", "a00008"}
    assert filled.replaced()
    with pytest.raises(ViewReplaced):
        filled.write_batch(records([article(99)], start=99))


def test_discard_leaves_the_live_view_alone(views_url, filled):
    before = filled.content_hash()
    fresh = filled.fresh()
    fresh.write_batch(records(corpus(3)))
    fresh.discard()
    with open_store(views_url) as reader:
        assert reader.content_hash() == before
    assert not filled.replaced()


def test_a_database_newer_than_the_code_is_refused(store):
    with store._transaction(write=True) as tx:
        tx.run("INSERT INTO schema_version VALUES (999, 'future', 'now')")
    with pytest.raises(StoreError, match="schema version 999"):
        store.setup()


def test_the_search_index_keeps_no_positions_and_finds_what_was_indexed_before_it(sqlite_url):
    """0007 rebuilds SQLite's full-text index without word positions (a search asks for words, never a
    phrase): the articles indexed before it are found as before."""
    with open_store(sqlite_url) as store:
        store.setup()
        store.write_batch(records(corpus(12)))
        with store._transaction(write=True) as tx:  # back to version 6: the index with positions, as it was
            tx.run("DROP TABLE articles_fts", [])
            tx.run("CREATE VIRTUAL TABLE articles_fts USING fts5(search_text, content='articles', "
                   "content_rowid='id', tokenize='ascii')", [])
            tx.run("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')", [])
            tx.run("DELETE FROM schema_version WHERE version >= 7", [])
        before = {a["article_id"] for a in store.articles(ArticleQuery(Filters(words=("الكبتاغون",)))).items}
    with open_store(sqlite_url) as again:
        again.setup()
        (definition,) = again._conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
        assert "detail=none" in definition
        assert {a["article_id"] for a in again.articles(ArticleQuery(Filters(words=("الكبتاغون",)))).items} \
            == before == {f"a{i:05d}" for i in range(12) if i % 4 == 0}
