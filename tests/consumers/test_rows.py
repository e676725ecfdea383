"""An ArticleProcessed as view rows: the conventions both databases rely on."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import msgspec
import orjson

from marsad.consumers.rows import (
    ARTICLE_COLUMNS,
    SEPARATORS,
    WORDS,
    article_rows,
    main_place,
    search_text,
    search_words,
    timestamp,
)
from marsad.consumers.store.hashing import ARTICLE_TABLES, READS_BACK, article_tally, tally
from marsad.schemas.codec import encode
from marsad.schemas.facts import Evidence, Place, Quantity
from marsad.streams.text.normalize import normalize
from tests.conftest import SEEDS
from tests.consumers.factory import article


def test_times_are_utc_text_that_sorts():
    tz = timezone(timedelta(hours=3))
    assert timestamp(datetime(2024, 2, 1, 2, 30, 15, 999, tzinfo=tz)) == "2024-01-31T23:30:15Z"
    assert timestamp(datetime(2024, 2, 1, 2, 30)) == "2024-02-01T02:30:00Z"  # naive: UTC


def test_article_row_conventions():
    rows = article_rows(article(6, duplicate_of=5, pills=2.5e6))
    a = dict(zip(("article_id", "event_id", "occurred_at", "url", "source", "title", "lang", "published", "at",
                  "day", "hour", "story_id", "dup_status"), rows.article, strict=False))
    assert a["at"] == "2024-02-01T12:00:00Z" and a["day"] == "2024-02-01" and a["hour"] == "2024-02-01T12"
    assert a["story_id"] == "a00005" and a["dup_status"] == "near"
    assert [r[2:5] for r in rows.children["seizures"]] == [("captagon", "pill", 2.5e6)]  # money is no seizure
    assert len(rows.children["article_quantities"]) == 2


def test_search_words_are_the_matching_form():
    assert search_words("ضبطُ شحنةٍ من الكبتاجون، في «درعا»!") == ["ضبط", "شحنه", "من", "الكبتاجون", "في", "درعا"]
    assert search_words("أمنية_إيرانية 2024") == ["امنيه", "ايرانيه", "2024"]


def test_search_words_split_exactly_as_the_word_pattern():
    # the fast path (whole tokens checked by str.isalnum) must give what the regex alone gives
    text = ("قال—المصدر:«انفجار» (3) __x__ ²٣ 10.5كغ x_y\tسوريا؛العراق؟ Ⅻ ½ café—Straße! ـــ ٪20 a.b.c")
    assert search_words(text) == WORDS.findall(normalize(text))
    assert search_words("") == [] and search_words(" ،،، ") == []


def test_search_text_is_the_words_joined():
    # its ways (bytes of the fold table; separators replaced, spaces squeezed, one str.isalnum; the words
    # split one by one), on texts of every kind
    rng = random.Random(21)
    alphabet = ("ابتثجحخدذرسشصضطظعغفقكلمنهويءآأإؤئىة٠١٢٣٤٥٦٧٨٩ a_bZ9\t\n\r\v\u00a0\u2009\u200c\u064b\u0640"
                "ﻻﺍﷲİΣßǅ①²½Ⅻ\x00\u2028\u3000" + "".join(SEPARATORS) + "«»$^~`<>=\\")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    texts += [f"{a.title}\n{a.clean_text}" for a in map(article, range(12))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))[:40]] if SEEDS.is_dir() else []
    for text in texts:
        assert search_text(text) == " ".join(search_words(text)), repr(text)


def test_main_place_is_the_most_mentioned_then_the_first():
    a, b, c = (Place(n, 0, 0, "SY", mentions=m) for n, m in (("a", 1), ("b", 3), ("c", 3)))
    assert main_place([a, b, c]) is b and main_place([]) is None


def test_nul_characters_are_dropped():
    ev = article(1, title="عنوان\x00مكسور")
    assert "\x00" not in article_rows(ev).article[5]
    assert article_rows(ev, encode(ev)) == article_rows(ev)  # the test on the JSON the event came in


def test_the_rows_are_the_same_whether_the_event_json_is_given_or_not():
    for ev in [*map(article, range(20)), article(3, title="كلمة \\u0000 حرفياً"),
               msgspec.structs.replace(article(4), places=[Place("قرية\x00", 1.0, 2.0, "SY")])]:
        assert article_rows(ev, encode(ev)) == article_rows(ev)


def test_evidence_is_the_sorted_json_of_its_terms():
    # what orjson with sorted keys gives the plain dicts, for every character and 64-bit integers
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    texts = ["".join(chars[i:i + 4096]) for i in range(0, len(chars), 4096)]
    for i, text in enumerate(texts):
        start = 2 ** min(i, 64) - 1 if i % 2 == 0 else -(2 ** min(i, 63))
        evidence = [Evidence(text, text[::-1], start, "title" if i % 3 else "body")]
        ev = msgspec.structs.replace(article(i), topics=[msgspec.structs.replace(article(i).topics[0],
                                                                                 evidence=evidence)])
        expected = orjson.dumps(msgspec.to_builtins(evidence), option=orjson.OPT_SORT_KEYS).decode()
        assert article_rows(ev).children["article_topics"][0][3] == expected


def test_the_tally_of_an_article_is_the_tally_of_each_of_its_tables():
    for ev in [*map(article, range(0, 60, 7)), msgspec.structs.replace(article(5, pills=-0.0))]:
        rows = article_rows(ev)
        i = ARTICLE_COLUMNS.index("search_text")
        article_row = rows.article[:i] + rows.article[i + 1:]  # the search text is not hashed
        for backend in ("sqlite", "postgres"):
            expected = [n for t in ARTICLE_TABLES
                        for n in tally([article_row] if t == "articles" else rows.children[t], READS_BACK[backend])]
            assert article_tally(rows, backend) == tuple(expected)


def test_a_quantity_reported_as_history_is_no_seizure_of_the_article():
    ev = article(7, pills=2.5e6)
    past = Quantity(value=9e6, unit="pill", item="captagon", text="9 ملايين حبة", historical=True)
    rows = article_rows(msgspec.structs.replace(ev, quantities=[*ev.quantities, past]))
    assert [r[2:5] for r in rows.children["seizures"]] == [("captagon", "pill", 2.5e6)]
    assert len(rows.children["article_quantities"]) == 3  # still a fact of the article
