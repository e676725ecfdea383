"""The speed-ups of issue #5 give exactly what the plain code gave.

Each fast path (a check done in C, a search started late, a count on bytes)
is compared with the straightforward version it replaces, on the awkward
inputs: every kind of whitespace and line break, marks, presentation forms,
Latin text.
"""

from __future__ import annotations

import random
import re

import pytest

from marsad.streams.clean.boilerplate import _key
from marsad.streams.extract.lexicon import Hit, _leftmost_longest
from marsad.streams.extract.surface import surface
from marsad.streams.text.lang import detect_lang
from marsad.streams.text.normalize import SourceMap, normalize, squash_spaces

# Characters that make the fast paths fall back: whitespace and line breaks of every kind,
# joiners and marks, an underscore, a copyright sign, Arabic and Latin letters.
AWKWARD = ["a", "Z", "ب", "ج", "ً", "ـ", " ", " ", "\n", "\n", "\t", "\r", "\r\n", "\x0b", "\x0c", "\x1c",
           "\x1f", "\x85", "\u2028", "\u00a0", "\u200c", "\u3000", ".", "©", "_", "1", "١"]


def random_texts(count: int, longest: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(AWKWARD) for _ in range(rng.randint(0, longest))) for _ in range(count)]


def squash_reference(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def key_reference(norm_line: str) -> str:
    i, j = 0, len(norm_line)
    while i < j and not (norm_line[i].isalnum() or norm_line[i] == "©"):
        i += 1
    while j > i and not (norm_line[j - 1].isalnum() or norm_line[j - 1] == "©"):
        j -= 1
    return " ".join(norm_line[i:j].split())


@pytest.mark.parametrize("text", ["", "\n", "a\n", "a\n\n", "\na", "a b\nج د", "a  b", "a \nb", "a\n b",
                                  "a\tb", "a\rb", "a\u2028b", "a\u00a0b", "a\u200cb", " a", "a "])
def test_squash_spaces_cases(text: str) -> None:
    assert squash_spaces(text) == squash_reference(text)


def test_squash_spaces_and_line_key_on_random_text() -> None:
    for text in random_texts(20000, 12, seed=5):
        assert squash_spaces(text) == squash_reference(text), repr(text)
        assert _key(text) == key_reference(text), repr(text)


_ARABIC = re.compile("[\u0621-\u064a\u0671-\u06d3]+")
_LATIN = re.compile("[A-Za-z]+")


def lang_reference(text: str) -> str:
    sample = text[:400]
    arabic = sum(map(len, _ARABIC.findall(sample)))
    latin = sum(map(len, _LATIN.findall(sample)))
    if arabic == latin == 0:
        return ""
    return "ar" if arabic >= latin else "en"


@pytest.mark.parametrize("text", ["", "123 !", "داعش", "ISIS", "ISIS داعش", "IS داعش", "é ü", "ٱ ء", "\ud800 a",
                                  "x" * 399 + "بب", "ب" * 200 + "a" * 200 + "c"])
def test_detect_lang_cases(text: str) -> None:
    assert detect_lang(text) == lang_reference(text)


def test_detect_lang_on_random_text() -> None:
    for text in random_texts(5000, 40, seed=6) + random_texts(200, 500, seed=7):
        assert detect_lang(text) == lang_reference(text), repr(text)


# (clean text, normalised phrase): the search may start late only where no spelling can start earlier.
SURFACE_CASES = {
    "marks": ("وصل إلى دَيْر الزّور أمس", "دير الزور"),
    "line-break-between-words": ("من دير\nالزور إلى دير الزور", "دير الزور"),
    "contracted-article": ("وصلت للقامشلي ثم القامشلي", "القامشلي"),
    "first-word-earlier-alone": ("دير عطية ثم دير الزور", "دير الزور"),
    "absent": ("لا شيء هنا", "حمص"),
    "presentation-forms": ("ﺣﻤﺺ ثم حمص", "حمص"),
    "latin": ("Deir ez-Zor and DEIR EZ-ZOR", "deir ez-zor"),
    "tatweel": ("مدينة حـلـب", "حلب"),
}


@pytest.mark.parametrize("name", list(SURFACE_CASES))
def test_surface_with_a_source_map_finds_the_same_spelling(name: str) -> None:
    text, phrase = SURFACE_CASES[name]
    assert surface(text, phrase, written=SourceMap(text, normalize(text))) == surface(text, phrase)


def test_source_offset_is_only_given_when_sure() -> None:
    text = "حَلَب"
    assert SourceMap(text, normalize(text)).source_offset(1) == 2  # the fatha before lam is skipped
    folded = "ﺣﻤﺺ"  # presentation forms: NFKC folded them, offsets are not the source's
    assert SourceMap(folded, normalize(folded)).source_offset(0) is None


def test_leftmost_longest_sorts_as_the_plain_key_does() -> None:
    rng = random.Random(10)
    for _ in range(2000):
        hits = []
        for k in range(rng.randint(0, 12)):
            start = rng.randint(0, 20)
            hits.append(Hit(start, start, start + rng.randint(1, 6), f"p{k}", "", False, (k,)))
        plain = sorted(hits, key=lambda h: (h.start, -h.end))
        kept = plain[:1]
        for h in plain[1:]:
            if h.start >= kept[-1].end:
                kept.append(h)
        assert _leftmost_longest(list(hits)) == kept
