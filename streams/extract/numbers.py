"""Read numbers written in digits or words from a list of normalised tokens.

"2.5 مليون", "2,500,000", "٢٫٥" (normalised to "2.5"), "2,5" (decimal comma),
"816.7 مليار", "مليار", "مليوني" (dual: 2 000 000), "نصف مليون",
"مليون ونصف", "مليونين ونصف مليون" (2 500 000: the half's scale may be
repeated), "ثلاثة ملايين", "$1 billion". Vague amounts ("عشرات الآلاف",
"ملايين الدولارات") are not numbers. The word lists come from
quantities.yaml through `NumberWords`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    people or days); it needs a scale after it.
    """
    n = len(toks)
    tok = toks[i]
    if tok[0].isdigit():
        value = parse_digits(tok)
        if value is None:
            return None
        if i + 1 < n and toks[i + 1] in words.scales:
            return value * words.scales[toks[i + 1]], i + 2
        return value, i + 1
    if tok in words.duals:
        value, unit, j = words.duals[tok], words.duals[tok] / 2, i + 1
    elif tok in words.counts and i + 1 < n and toks[i + 1] in words.scales:
        unit = words.scales[toks[i + 1]]
        value, j = words.counts[tok] * unit, i + 2
    elif tok in words.scales and tok not in words.plural_scales and not (i > 0 and toks[i - 1] in words.vague):
        value = unit = words.scales[tok]
        j = i + 1
    else:
        return None
    if j < n and toks[j] in words.and_fraction:  # "مليون ونصف", "مليونان ونصف"
        value += unit * words.and_fraction[toks[j]]
        j += 1
        if j < n and words.scales.get(toks[j]) == unit:  # "مليونين ونصف مليون": the fraction's scale, repeated
            j += 1
    return value, j
