"""The look-around helpers: words before and after a match, within its sentence."""

from __future__ import annotations

import pytest

from marsad.streams.extract.context import two_words_before, word_after, word_before, words_before

# (id, text, position, word after)
AFTER = [
    ("next-word", "في الرقة اليوم", 8, "اليوم"),
    ("skips-punctuation", "al-Hol (camp) was", 6, "camp"),
    ("stops-at-sentence-end", "Raqqa. Then", 5, ""),
    ("stops-at-line-break", "الرقة\nاليوم", 5, ""),
    ("end-of-text", "الرقة", 5, ""),
    ("no-underscore", "a _b", 1, "b"),
]


@pytest.mark.parametrize(("text", "pos", "word"), [c[1:] for c in AFTER], ids=[c[0] for c in AFTER])
def test_word_after(text: str, pos: int, word: str) -> None:
    assert word_after(text, pos) == word


# (id, text, position of the name, the two words before it)
BEFORE = [
    ("usual-spaces", "قصفت الطائرات مدينة الرقة", 20, ("الطائرات", "مدينة")),
    ("punctuation-between", "في ريف، الرقة", 8, ("في", "ريف")),
    ("possessive", "over Syria's Al-Tanf", 13, ("Syria", "s")),
    ("sentence-start", "قال. الرقة", 5, ("", "")),
    ("first-word", "الرقة", 0, ("", "")),
]


@pytest.mark.parametrize(("text", "pos", "words"), [c[1:] for c in BEFORE], ids=[c[0] for c in BEFORE])
def test_two_words_before(text: str, pos: int, words: tuple[str, str]) -> None:
    assert two_words_before(text, pos) == words
    assert word_before(text, pos) == words[1]


def test_words_before_stop_at_the_sentence() -> None:
    text = "انتهى. استهدف القصف بلدتي جباب"
    assert words_before(text, len(text), 3) == ["القصف", "بلدتي", "جباب"]
    assert words_before(text, len(text), 9) == ["استهدف", "القصف", "بلدتي", "جباب"]
