"""`marsad import` on the real broker: files and JSONL in, bad lines dead-lettered."""

from __future__ import annotations

import pytest
from kafka import KafkaConsumer

from marsad.producers.importer import input_files, read_articles
from marsad.producers.run_import import run_import
from marsad.schemas.codec import decode
from marsad.schemas.events import ArticleFetched, DeadLetter
from marsad.schemas.topics import Topics


def read_topic(bootstrap: str, topic: str, expected: int) -> list:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"r-{topic}",
                             auto_offset_reset="earliest", consumer_timeout_ms=10000)
    out = []
    for r in consumer:
        out.append(decode(r.value))
        if len(out) >= expected:
            break
    consumer.close()
    return out


def test_jsonl_lines_become_events_or_rejections(tmp_path):
    f = tmp_path / "a.jsonl"
    f.write_text("\n".join([
        '{"id": "x1", "text": "ضبط 2 مليون حبة", "title": "ضبط", "published": "2024-02-08T10:00:00Z"}',
        "{broken",
        '{"id": "x2"}',
        '{"text": "no id"}',
        '{"id": "x3", "text": "t", "published": "last week"}',
        "[1]",
        '{"id": 7, "text": "numeric ids are fine"}',
    ]), encoding="utf-8")
    items = list(read_articles(f))
    good = [i for i in items if isinstance(i, ArticleFetched)]
    bad = [i for i in items if not isinstance(i, ArticleFetched)]
    assert [g.article_id for g in good] == ["x1", "7"]
    assert good[0].published.year == 2024 and good[0].title == "ضبط"
    assert {(g.origin, g.source_kind) for g in good} == {("import", "import")}  # the views show them as imports
    reasons = [b.reason for b in bad]
    assert reasons[0].startswith("line 2: not JSON")
    assert reasons[1] == "line 3: missing or empty `text`"
    assert reasons[2] == "line 4: missing or empty `id`"
    assert "`published` is not an ISO date" in reasons[3]
    assert reasons[4] == "line 6: expected a JSON object"


def test_windows_1256_text_file_is_decoded(tmp_path):
    f = tmp_path / "old.txt"
    f.write_bytes("ضبط شحنة كبتاغون في درعا".encode("cp1256"))
    (item,) = read_articles(f)
    assert item.text == "ضبط شحنة كبتاغون في درعا" and item.source_kind == "import"


def test_garbled_text_file_is_rejected_not_imported(tmp_path):
    text = "قالت مصادر محلية إن دورية اعتقلت شابين عند مدخل القرية صباح اليوم ونقلتهما إلى جهة مجهولة."
    once = text.encode("utf-8").decode("cp1256").encode("utf-8")  # saved wrongly once...
    twice = "".join(chr(b) for b in once).encode("utf-8")  # ...and once more: beyond repair
    f = tmp_path / "mangled.txt"
    f.write_bytes(twice)
    (item,) = read_articles(f)
    assert not isinstance(item, ArticleFetched) and item.reason.startswith("garbled text")
    f.write_bytes(once)  # one wrong step is repaired
    (item,) = read_articles(f)
    assert isinstance(item, ArticleFetched) and item.text == text


def test_folders_are_searched_for_importable_files(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "b.html", "sub/c.jsonl", "d.pdf"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in input_files(tmp_path)] == ["a.txt", "b.html", "c.jsonl"]


@pytest.mark.kafka
def test_import_publishes_seeds_and_dead_letters_bad_lines(kafka_bootstrap, kafka_topics, seeds_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "ok1", "text": "نص سليم"}\nnot json\n', encoding="utf-8")
    report = run_import([seeds_dir, bad], bootstrap=kafka_bootstrap, prefix=kafka_topics, progress=False)
    assert report.published == 6
    assert len(report.rejected) == 1
    topics = Topics(kafka_topics)
    fetched = read_topic(kafka_bootstrap, topics.fetched, 6)
    assert sorted(e.article_id for e in fetched) == sorted([p.stem for p in seeds_dir.glob("*.txt")] + ["ok1"])
    (dead,) = read_topic(kafka_bootstrap, topics.deadletter("producers"), 1)
    assert isinstance(dead, DeadLetter)
    assert dead.stage == "import" and "not JSON" in dead.reason and dead.payload == b"not json\n"


@pytest.mark.parametrize(("text", "title"), [
    ("ضبط شحنة كبتاغون في ريف درعا\nأعلنت السلطات اليوم ضبط الشحنة قرب الحدود.", "ضبط شحنة كبتاغون في ريف درعا"),
    ("Seizure near the border\nThe authorities said on Monday they had seized the shipment.", "Seizure near the border"),
    ("أعلنت السلطات اليوم ضبط الشحنة قرب الحدود.\nوقالت إن التحقيق مستمر.", ""),  # a sentence, not a headline
    ("ضبط شحنة كبتاغون في ريف درعا", ""),  # nothing after it: the article itself
    ("درعا\nأعلنت السلطات اليوم ضبط الشحنة قرب الحدود.", ""),  # one word: a dateline, not a title
    ("عناصر من الشرطة قرب معبر حدودي (وزارة الداخلية)\nأعلنت السلطات اليوم ضبط الشحنة.", ""),  # a photo caption
], ids=["arabic-headline", "english-headline", "first-line-a-sentence", "single-line", "one-word", "caption"])
def test_a_text_file_gets_its_first_line_as_title_when_it_reads_as_one(tmp_path, text, title):
    path = tmp_path / "a1.txt"
    path.write_text(text, encoding="utf-8")
    (event,) = read_articles(path)
    assert event.title == title
    assert event.text == text  # the text is kept whole
