"""Recover a name as the article wrote it from its matching form.

Matching runs on the normalised text, whose offsets differ from the clean
text's (diacritics and tatweel are gone). To report "دير الزور" rather than
"دير الزور" normalised, the normalised phrase is turned into a pattern that
accepts every spelling folding to it and is searched in the clean text. A
name written in a hashtag ("#رأس_العين") is reported with spaces.
"""

from __future__ import annotations

import re
from functools import lru_cache

from marsad.streams.text.normalize import SourceMap

_FOLDS = {
    "ا": "[اأإآٱ]", "ه": "[هةۀە]", "ي": "[يىئیی]", "و": "[وؤ]", "ك": "[كک]",
}
_SKIP = "[\u064b-\u065f\u0670\u0640\u200c\u200d\u200e\u200f]*"


@lru_cache(maxsize=4096)
def _pattern(phrase: str) -> tuple[re.Pattern[str], str | None]:
    """The pattern of ``phrase``, and its first word when the phrase has no cased letters.

    Without cased letters (IGNORECASE has nothing to fold), every spelling
    the pattern accepts normalises to the phrase, so a match can only start
    where the matching form holds the first word: `surface` starts searching there.
    """
    parts = []
    for ch in phrase:
        if ch == " ":
            parts.append(r"[\s_]+")  # the matching form reads "_" as a space
        else:
            parts.append(_FOLDS.get(ch, re.escape(ch)))
        parts.append(_SKIP)
    caseless = phrase == phrase.lower() == phrase.upper()
    return re.compile("".join(parts) + r"(?![^\W_])", re.IGNORECASE), phrase.split(" ", 1)[0] if caseless else None


def surface(text: str, phrase: str, article: str = "ال", *, written: SourceMap | None = None) -> str:
    """The first spelling of ``phrase`` (a normalised name) in ``text``, or ``phrase`` itself.

    A name with the article may be written with "لل" ("للقامشلي"); then the
    core is found and the article put back. ``written``, the `SourceMap` of
    ``text`` to its matching form, only saves time: the pattern is searched
    from where the matching form first holds the phrase's first word, since no
    spelling of it can start earlier (the answer is the same without it).
    """
    found = _first(text, phrase, written)
    if found is not None:
        return found
    if phrase.startswith(article):
        found = _first(text, phrase[len(article):], written)
        if found is not None:
            return article + found
    return phrase


def _first(text: str, phrase: str, written: SourceMap | None) -> str | None:
    pattern, first_word = _pattern(phrase)
    start = 0
    if written is not None and first_word:
        at = written.norm.find(first_word)
        if at < 0:
            # A match would normalise to the phrase, so it would be in the matching form: there is none.
            # Only when the offsets are sure (source_offset below): otherwise search from the start.
            if written.source_offset(0) is not None:
                return None
        else:
            start = written.source_offset(at) or 0
    m = pattern.search(text, start)
    return m.group().replace("_", " ") if m else None
