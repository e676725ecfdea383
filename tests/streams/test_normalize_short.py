"""`fold_chars` translates a short text in one call and loops over the pairs for a long one; `fold_with_code`
translates the bytes of a text coded one byte a character: all three give the same result."""

from __future__ import annotations

import random

from marsad.streams.text.automaton import one_byte
from marsad.streams.text.normalize import (
    _FOLD_IN,
    _REPLACEMENTS,
    _SHORT,
    fold_chars,
    fold_with_code,
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
