"""Read numbers written in digits or words from a list of normalised tokens.

"2.5 مليون", "2,500,000", "٢٫٥" (normalised to "2.5"), "2,5" (decimal comma),
"816.7 مليار", "مليار", "مليوني" (dual: 2 000 000), "نصف مليون",
"مليون ونصف", "مليونين ونصف مليون" (2 500 000: the half's scale may be
repeated), "ثلاثة ملايين", "$1 billion". Vague amounts ("عشرات الآلاف",
"ملايين الدولارات") are not numbers. The scale words come from quantities.yaml,
the number words from numbers.yaml (`number_words`: the one list of them, which
the incident coder's counts of people take theirs from too), through `NumberWords`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml

NUMBERS_FILE = Path(__file__).with_name("numbers.yaml")

_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(?:\.\d{3}){2,}$")


def parse_digits(token: str) -> float | None:
    """The value of a digit token: "2,500,000", "2.5", "2,5" (decimal comma), "1,270"."""
    if _THOUSANDS_COMMA.match(token):
        return float(token.replace(",", ""))
    if _THOUSANDS_DOT.match(token):
        return float(token.replace(".", ""))
    if token.count(",") == 1 and "." not in token:
        token = token.replace(",", ".")
    try:
        return float(token)
    except ValueError:
        return None


@cache
def _number_lists() -> dict[str, dict[float, list[str]]]:
    return yaml.safe_load(NUMBERS_FILE.read_text(encoding="utf-8"))


def number_words(reader: Literal["amounts", "counts"]) -> dict[float, list[str]]:
    """{value: words as written} of numbers.yaml that ``reader`` knows: the words of both readers and its own
    ("amounts": this module's reader, for quantities; "counts": the incident coder's counts of people)."""
    lists = _number_lists()
    out: dict[float, list[str]] = {}
    for part in ("both", reader):
        for value, words in lists[part].items():
            out.setdefault(value, []).extend(words)
    return out


@dataclass(frozen=True, slots=True)
class NumberWords:
    """Number vocabulary in the matching form, clitic forms included."""

    scales: dict[str, float]  # "مليون" -> 1e6
    duals: dict[str, float]  # "مليوني" -> 2e6
    plural_scales: frozenset[str]
    vague: frozenset[str]
    counts: dict[str, float]  # "ثلاثة" -> 3, "نصف" -> 0.5
    and_fraction: dict[str, float]  # "ونصف" -> 0.5


def read_number(toks: list[str], i: int, words: NumberWords) -> tuple[float, int] | None:
    """The number starting at token ``i`` and the index after it, or None.

    A bare count word ("ثلاثة") is not a number here (it would be a count of
    people or days); it needs a scale after it (the caller may accept one
    right before a unit, see `read_count`). A scaled number goes on with
    smaller parts joined by "و": "مليونا وثمانمائة ألف" (1 800 000),
    "ستة آلاف و600" (6 600), "16 ألفا و650" (16 650).
    """
    head = _head(toks, i, words)
    if head is None:
        return None
    value, scale, j = head
    n = len(toks)
    if scale > 1 and j < n and toks[j] in words.and_fraction:  # "مليون ونصف", "مليونان ونصف"
        value += scale * words.and_fraction[toks[j]]
        j += 1
        if j < n and words.scales.get(toks[j]) == scale:  # "مليونين ونصف مليون": the fraction's scale, repeated
            j += 1
        return value, j
    while scale > 1:
        part = _and_part(toks, j, words)
        if part is None or part[0] >= scale:
            break
        value, scale, j = value + part[0], part[1], part[2]
    return value, j


def read_count(toks: list[str], i: int, words: NumberWords) -> tuple[float, int] | None:
    """Count words without a scale ("خمسة", "خمسة وعشرون", "four") and the index after them, or None.

    Only for a caller that has checked what follows (a unit: "أربعة كيلوغرامات", "four kilograms").
    """
    return _count_words(toks, i, words)


def _head(toks: list[str], i: int, words: NumberWords) -> tuple[float, float, int] | None:
    """The first part of a number: its value, the scale it ended on (1 for none) and the index after it."""
    n = len(toks)
    tok = toks[i]
    if tok[0].isdigit():
        value = parse_digits(tok)
        if value is None:
            return None
        if i + 1 < n and toks[i + 1] in words.scales:
            scale = words.scales[toks[i + 1]]
            if value < scale:
                return value * scale, scale, i + 2
            # digits already that big are no count of the scale: "(1033000) مليون وثلاثة وثلاثون ألف" is
            # the number written again in words, which is read past when it says the same
            again = read_number(toks, i + 1, words)
            return value, 1.0, again[1] if again is not None and again[0] == value else i + 1
        return value, 1.0, i + 1
    if tok in words.duals:
        return words.duals[tok], words.duals[tok] / 2, i + 1
    counted = _count_words(toks, i, words)
    if counted is not None and counted[1] < n and toks[counted[1]] in words.scales:
        scale = words.scales[toks[counted[1]]]
        return counted[0] * scale, scale, counted[1] + 1
    if tok in words.scales and tok not in words.plural_scales and not (i > 0 and toks[i - 1] in words.vague):
        return words.scales[tok], words.scales[tok], i + 1
    return None


def _count_words(toks: list[str], i: int, words: NumberWords) -> tuple[float, int] | None:
    """Count words joined by "و" ("خمسة وعشرون", "ثلاثمائة وخمسون"): their sum and the index after them."""
    if toks[i] not in words.counts:
        return None
    value, j = words.counts[toks[i]], i + 1
    while j < len(toks) and _and_count(toks[j], words):
        value += words.counts[toks[j]]
        j += 1
    return value, j


def _and_count(tok: str, words: NumberWords) -> bool:
    """A count word written with "و" ("وعشرون", "وخمسمائة")."""
    return len(tok) > 2 and tok[0] == "و" and tok in words.counts and tok[1:] in words.counts


def _and_part(toks: list[str], j: int, words: NumberWords) -> tuple[float, float, int] | None:
    """A smaller part after a scaled number, "و" first: "و600", "و 650", "وثمانمائة ألف", "وخمسمائة".

    Its value, the scale it ended on and the index after it, or None.
    """
    n = len(toks)
    if j >= n:
        return None
    if toks[j] == "و" and j + 1 < n:  # "و600" is tokenised "و", "600"
        k = j + 1
        if toks[k][0].isdigit():
            return _head(toks, k, words)
        if toks[k] not in words.counts:
            return None
    elif _and_count(toks[j], words):
        k = j
    else:
        return None
    value, end = _count_words(toks, k, words) or (0.0, k)
    if end < n and toks[end] in words.scales:
        scale = words.scales[toks[end]]
        return value * scale, scale, end + 1
    return value, 1.0, end
