"""The shortcuts the pipeline takes give what the separate stages give."""

from __future__ import annotations

import pytest

from benchmarks.corpus import articles
from marsad.streams.clean.pipeline import clean, clean_and_normalize
from marsad.streams.extract.countries import find_countries, load_country_vocab
from marsad.streams.extract.gazetteer.model import load_gazetteer
from marsad.streams.extract.lexicon import find_each
from marsad.streams.extract.places import find_places, find_places_and_countries
from marsad.streams.extract.quantities import find_quantities
from marsad.streams.text.normalize import SourceMap, normalize

_ODD = [
    "ﻻ اله في حلب\nΟΔΟΣ\nاقرأ أيضا\nΟΔΟΣ x",  # presentation forms: NFKC on the whole text
    "ΑΣ\nshare\nΣ b\n\nİstanbul ² في دمشق",
    "<p>وصلت إلى القامشلي ² ΑΣ</p><p>x</p>",
    "قال الرئيس السوري\u0651 إن\r\n\u2028الجيش السوداني في دير الزور\x85و\"بالحسكة\"",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [a["text"] for a in articles(150)] + _ODD


def test_clean_and_normalize_is_clean_then_normalize(texts: list[str]) -> None:
    for text in texts:
        body, norm = clean_and_normalize(text)
        assert body == clean(text)
        assert norm == normalize(body)


def test_find_each_is_each_find(texts: list[str]) -> None:
    lexicons = (load_gazetteer().lexicon, load_country_vocab().lexicon)
    for text in texts:
        norm = normalize(clean(text))
        assert find_each(norm, lexicons) == [lex.find(norm) for lex in lexicons]


def test_places_and_countries_together_as_apart(texts: list[str]) -> None:
    gazetteer = load_gazetteer()
    for text in texts:
        body, norm = clean_and_normalize(text)
        places = find_places(norm, gazetteer, text=body)
        assert find_places_and_countries(norm, gazetteer, text=body) == (places, find_countries(norm, places))


def test_quantities_with_the_normalised_text_given(texts: list[str]) -> None:
    for text in texts:
        body, norm = clean_and_normalize(text)
        assert find_quantities(body, norm=norm) == find_quantities(body)


def test_source_map_spans_match_a_linear_walk() -> None:
    source = "الأَسايِش فـــي القامِشلي، وقالَ"
    norm = normalize(source)
    written = SourceMap(source, norm)
    drops = [i for i, c in enumerate(source) if not normalize(c)]

    def to_source(i: int) -> int:
        k = 0
        while k < len(drops) and drops[k] <= i + k:
            k += 1
        return i + k

    for start in range(len(norm)):
        for end in range(start + 1, len(norm) + 1):
            assert written.span(start, end) == source[to_source(start):to_source(end - 1) + 1]
