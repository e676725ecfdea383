"""`fold_chars` translates a short text in one call and loops over the pairs for a long one; `fold_with_code`
translates the bytes of a text coded one byte a character: all three give the same result. `fold_words`
splits that matching form into its words on the same bytes."""

from __future__ import annotations

import random
import re

from marsad.streams.text.automaton import one_byte
from marsad.streams.text.normalize import (
    _FOLD_IN,
    _REPLACEMENTS,
    _SHORT,
    fold_chars,
    fold_with_code,
    fold_words,
    normalize,
    squash_and_fold,
    squash_spaces,
)


def test_a_short_text_folds_as_a_long_one():
    rng = random.Random(5)
    alphabet = "".join(c for c, _ in _REPLACEMENTS) + "ابتدرسعقلمنهوي AZaz09İΣß.\n"
    pad = " " * (_SHORT + 1)  # spaces are left as they are, and take the text to the loop
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, _SHORT)))
        assert fold_chars(text) == fold_chars(text + pad)[:-len(pad)], repr(text)
    assert normalize("مُحافَظةُ دَرْعا") == "محافظه درعا"


def test_a_text_of_the_fold_table_folds_as_character_by_character():
    rng = random.Random(11)
    alphabet = _FOLD_IN + "".join(c for c, _ in _REPLACEMENTS)  # every mapped character, in the table or not
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(_SHORT + 1, 200)))
        coded = fold_with_code(text)
        if all(c in _FOLD_IN for c in text):
            assert coded is not None and coded[0] == fold_chars(text) == normalize(text), repr(text)
            assert coded[1] == one_byte(coded[0]), repr(text)  # the engine's code of the matching form
        else:
            assert coded is None, repr(text)
    assert fold_with_code("الأسايشُ " * 10 + "\ufef5") is None  # a presentation form: NFKC's work, not the table's
    assert normalize("الأسايشُ " * 10 + "\ufef5").endswith("لا")


def test_squash_and_fold_is_squash_then_fold():
    rng = random.Random(13)
    alphabet = ["ا", "ب", "ة", "ً", "a", "B", "1", " ", " ", "\n", "\n", "\t", "\r", "\u00a0", "\u200f", "\u2028",
                "\u3000", "\x85", "\x1f", "ﻻ", "😀"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        joined = squash_spaces(text)
        assert squash_and_fold(text) == (joined, fold_with_code(joined)), repr(text)


WORDS = re.compile(r"[^\W_]+")  # a word: characters str.isalnum accepts


def test_fold_words_are_the_words_of_the_matching_form():
    rng = random.Random(17)
    for c in _FOLD_IN:  # every character of the table, alone, between words and doubled
        for text in (c, f"درعا{c}حمص", f"a{c}{c} {c}b", f"{c} ضبطُ\n{c}"):
            assert fold_words(text) == " ".join(WORDS.findall(normalize(text))), repr(text)
    alphabet = _FOLD_IN + "ابتثجحخدذرسشصضطظعغفقكلمنهوي" * 4 + " " * 30
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        assert fold_words(text) == " ".join(WORDS.findall(normalize(text))), repr(text)
    assert fold_words("") == "" and fold_words(" ،، \n") == ""
    assert fold_words("ضبطُ شحنةٍ من الكبتاجون، في «درعا»!") == "ضبط شحنه من الكبتاجون في درعا"
    assert fold_words("حمص ﻻ") is None and fold_words("حمص 😀") is None  # outside the table: the caller's other way
