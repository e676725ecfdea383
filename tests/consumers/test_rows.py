"""An ArticleProcessed as view rows: the conventions both databases rely on."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import msgspec

from marsad.consumers.rows import (
    SEPARATORS,
    WORDS,
    article_rows,
    main_place,
    search_text,
    search_words,
    timestamp,
)
from marsad.schemas.facts import Place, Quantity
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
    # its fast path (separators replaced, spaces squeezed, one str.isalnum) and its fallback, on texts of every kind
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


def test_a_quantity_reported_as_history_is_no_seizure_of_the_article():
    ev = article(7, pills=2.5e6)
    past = Quantity(value=9e6, unit="pill", item="captagon", text="9 ملايين حبة", historical=True)
    rows = article_rows(msgspec.structs.replace(ev, quantities=[*ev.quantities, past]))
    assert [r[2:5] for r in rows.children["seizures"]] == [("captagon", "pill", 2.5e6)]
    assert len(rows.children["article_quantities"]) == 3  # still a fact of the article
