"""Taxonomy terms in matching form.

A term is written in the taxonomy as a reader would write it ("الميليشيات
الإيرانية", "Islamic State"). The matcher needs its *key*: the matching form
(see `marsad.streams.text.normalize`) with quote marks removed and spaces squashed,
which is also how the matcher reads an article, so quotes inside a name
("تنظيم “الدولة الإسلامية”") do not stop a match while other punctuation does.

The Arabic article ال is taken off the first word of the key (when at least
three letters remain): the matcher accepts it back as one of the clitic
prefixes, which is what lets "للحدود" (ل + ال + حدود) match "الحدود".
"""

from __future__ import annotations

from dataclasses import dataclass

from marsad.streams.text.normalize import normalize

# Quote marks in the matching form (normalize folds “ ” « » ‘ ’ to these two); the matcher
# reads a text without them.
QUOTES = ('"', "'")

_ARTICLE = "ال"
_MIN_AFTER_ARTICLE = 3


def unquote(norm: str) -> str:
    """``norm`` without quote marks."""
    for q in QUOTES:
        if q in norm:
            norm = norm.replace(q, "")
    return norm


def is_arabic(word: str) -> bool:
    """True when ``word`` (matching form) starts with an Arabic letter."""
    return bool(word) and "\u0621" <= word[0] <= "\u06d3"


def matching_words(text: str) -> str:
    """``text`` as the matcher reads it: matching form, no quote marks, single spaces."""
    return " ".join(unquote(normalize(text)).split())


@dataclass(frozen=True, slots=True)
class Context:
    """Words that must, or must not, stand right before or after a term.

    Words are in matching form; a neighbour matches when one of its readings
    without clitic prefixes does ("وميليشيا" is "ميليشيا").
    """

    preceded_by: frozenset[str] = frozenset()
    not_preceded_by: frozenset[str] = frozenset()
    followed_by: frozenset[str] = frozenset()
    not_followed_by: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Term:
    """One term or organisation form of the taxonomy, ready to match."""

    text: str  # as written in the taxonomy
    key: str  # matching key: words in matching form, leading article removed
    article: bool  # the first word began with ال, taken off the key
    suffixes: bool  # may carry one of the taxonomy's attached suffixes
    context: Context | None = None
    with_orgs: frozenset[str] = frozenset()  # org forms only: needs one of these orgs found too


def make_key(text: str) -> tuple[str, bool]:
    """The matching key of a term and whether a leading article was removed from it.

    Punctuation at either end is dropped ("U.S." is "u.s"): word boundaries are
    checked on the letters around a key.
    """
    key = matching_words(text)
    start, end = 0, len(key)
    while start < end and not key[start].isalnum():
        start += 1
    while end > start and not key[end - 1].isalnum():
        end -= 1
    key = key[start:end]
    first = key.split(" ", 1)[0]
    if first.startswith(_ARTICLE) and len(first) - len(_ARTICLE) >= _MIN_AFTER_ARTICLE:
        return key[len(_ARTICLE):], True
    return key, False
