"""Additions to marsad.streams.text made for classification: SourceMap, the faster normalize, PREFIXES."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from marsad.streams.text import normalize as normalize_module
from marsad.streams.text.normalize import SourceMap, normalize
from marsad.streams.text.tokens import PREFIXES, stems


def _reference(text: str) -> str:
    """normalize as first written: one str.translate over the table."""
    if normalize_module._PRESENTATION.search(text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(normalize_module._TABLE).lower()


def test_normalize_gives_what_the_translate_table_gives() -> None:
    rng = random.Random(7)
    alphabet = ([chr(k) for k in normalize_module._TABLE] + list("ابتثجحخدرسعفقلمنهوي ABCxyz.,\n")
                + ["\ufef5", "\ufdf2", "\ufe8d", "\ufb50", "😀"])
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert normalize(text) == _reference(text), text


@pytest.mark.parametrize(("source", "word"), [
    ("أعلنت الأسايشُ ضبط الشحنة", "الأسايشُ"),
    ("قالت “قسد” إن", "قسد"),
    ("وزارة الخارجيـــة الأميركية", "الخارجيـــة"),
    ("no marks here", "marks"),
], ids=["diacritic-inside", "quotes", "tatweel", "latin"])
def test_source_map_quotes_spans_as_written(source: str, word: str) -> None:
    norm = normalize(source)
    start = norm.index(normalize(word))
    assert SourceMap(source, norm).span(start, start + len(normalize(word))) == word.rstrip("ُ")


# A hashtag's words joined by "_": short texts fold by str.translate, long ones by bytes (`fold_with_code`).
@pytest.mark.parametrize(("text", "name"), [
    ("#الحشد_الشعبي", "الحشد الشعبي"),
    ("قصفت الطائرات مواقع قرب #دير_الزور وأغلقت #معبر_البوكمال مساء الأحد", "دير الزور"),
], ids=["short", "long"])
def test_the_underscore_reads_as_a_space_in_place(text: str, name: str) -> None:
    norm = normalize(text)
    assert norm == normalize(text.replace("_", " "))  # one character for one: offsets stay
    start = norm.index(name)
    assert SourceMap(text, norm).span(start, start + len(name)) == name.replace(" ", "_")  # quoted as written


def test_source_map_falls_back_to_the_matching_form_when_lengths_differ() -> None:
    source = "\ufefbعب"  # the lam-alef ligature becomes two letters under NFKC
    norm = normalize(source)
    assert SourceMap(source, norm).span(0, 2) == norm[:2]


def test_dropped_are_where_a_class_of_the_dropped_characters_matches() -> None:
    dropped_class = re.compile("[" + "".join(normalize_module._DROP) + "]")
    rng = random.Random(3)
    alphabet = list(normalize_module._DROP) + list("ابت ءa\n")
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50)))
        assert SourceMap(text, normalize(text)).dropped() == [m.start() for m in dropped_class.finditer(text)], text


def test_prefixes_are_the_stems_prefixes() -> None:
    assert {"و", "بال", "لل", "وبال"} <= PREFIXES
    assert "قامشلي" in stems("وبالقامشلي")
