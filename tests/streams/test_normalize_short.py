"""`fold_chars` translates a short text in one call and loops over the pairs for a long one: the same result."""

from __future__ import annotations

import random

from marsad.streams.text.normalize import _REPLACEMENTS, _SHORT, fold_chars, normalize


def test_a_short_text_folds_as_a_long_one():
    rng = random.Random(5)
    alphabet = "".join(c for c, _ in _REPLACEMENTS) + "ابتدرسعقلمنهوي AZaz09İΣß.\n"
    pad = " " * (_SHORT + 1)  # spaces are left as they are, and take the text to the loop
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, _SHORT)))
        assert fold_chars(text) == fold_chars(text + pad)[:-len(pad)], repr(text)
    assert normalize("مُحافَظةُ دَرْعا") == "محافظه درعا"
