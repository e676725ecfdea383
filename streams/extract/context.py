"""The words just before and after a match, within its sentence.

Whether a name is a place, a country adjective or a person depends on its
neighbours ("في", "مدينة", "الرئيس", "الجيش ..."). These helpers read them off
the normalised text around a match without tokenising the whole article.
A sentence end (. ! ? ؟ or a line break) stops the look-around.
"""

from __future__ import annotations

_WINDOW = 48
_STOPS = frozenset(".!?؟\n")


def _word_ending(norm: str, pos: int, lo: int) -> tuple[str, int]:
    """The word ending at or before ``pos`` (not crossing a sentence stop) and where it starts."""
    i = pos
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
    return _word_ending(norm, pos, max(0, pos - _WINDOW))[0]


def two_words_before(norm: str, pos: int) -> tuple[str, str]:
    """The two words before ``pos`` in the same sentence, farther first; "" where missing."""
    lo = max(0, pos - 2 * _WINDOW)
    near, j = _word_ending(norm, pos, lo)
    if not near:
        return "", ""
    far, _ = _word_ending(norm, j, lo)
    return far, near


def word_after(norm: str, pos: int) -> str:
    """The word starting after ``pos`` in the same sentence, or ""."""
    n = min(len(norm), pos + _WINDOW)
    i = pos
    while i < n and not norm[i].isalnum():
        if norm[i] in _STOPS:
            return ""
        i += 1
    j = i
    while j < n and norm[j].isalnum():
        j += 1
    return norm[i:j]


def gap(norm: str, start: int, end: int) -> str:
    """The text between two matches, spaces squeezed."""
    return " ".join(norm[start:end].split())
