"""The words just before and after a match, within its sentence.

Whether a name is a place, a country adjective or a person depends on its
neighbours ("في", "مدينة", "الرئيس", "الجيش ..."). These helpers read them off
the normalised text around a match without tokenising the whole article.
A sentence end (. ! ? ؟ or a line break) stops the look-around.
"""

from __future__ import annotations

import re

WINDOW = 48  # how far the look-around reaches, in characters
_STOPS = frozenset(".!?؟\n")
# Non-word characters other than a sentence stop, then a word (letters and digits, no "_"), matched in C:
# `word_after` is ``WORD_AFTER.match(norm, pos, pos + WINDOW)[1]``, inlined where it runs for every mention.
WORD_AFTER = re.compile(r"(?:(?![.!?؟\n])[\W_])*([^\W_]+)")


def _word_ending(norm: str, pos: int, lo: int) -> tuple[str, int]:
    """The word ending at or before ``pos`` (not crossing a sentence stop) and where it starts."""
    i = pos
    if i > lo + 1 and norm[i - 1] == " " and norm[i - 2].isalnum():  # the usual case: one space, then a word
        j = max(lo, norm.rfind(" ", lo, i - 1) + 1)
        word = norm[j:i - 1]
        if word.isalnum():
            return word, j
    while i > lo and not norm[i - 1].isalnum():
        if norm[i - 1] in _STOPS:
            return "", i
        i -= 1
    j = max(lo, norm.rfind(" ", lo, i) + 1)
    word = norm[j:i]
    if word.isalnum():  # the usual case: the word is all that lies since the last space
        return word, j
    j = i
    while j > lo and norm[j - 1].isalnum():
        j -= 1
    return norm[j:i], j


def word_before(norm: str, pos: int) -> str:
    """The word ending before ``pos`` in the same sentence, or ""."""
    return _word_ending(norm, pos, max(0, pos - WINDOW))[0]


def two_words_before(norm: str, pos: int) -> tuple[str, str]:
    """The two words before ``pos`` in the same sentence, farther first; "" where missing."""
    lo = max(0, pos - 2 * WINDOW)
    near, j = _word_ending(norm, pos, lo)
    if not near:
        return "", ""
    far, _ = _word_ending(norm, j, lo)
    return far, near


def words_before(norm: str, pos: int, n: int) -> list[str]:
    """Up to ``n`` words before ``pos`` in the same sentence, farther first."""
    lo = max(0, pos - n * WINDOW)
    out: list[str] = []
    while len(out) < n:
        word, pos = _word_ending(norm, pos, lo)
        if not word:
            break
        out.append(word)
    return out[::-1]


def word_after(norm: str, pos: int) -> str:
    """The word starting after ``pos`` in the same sentence, or ""."""
    m = WORD_AFTER.match(norm, pos, pos + WINDOW)  # an end past the text is the text's end
    return m.group(1) if m else ""


def gap(norm: str, start: int, end: int) -> str:
    """The text between two matches, spaces squeezed."""
    return " ".join(norm[start:end].split())
