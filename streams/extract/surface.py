"""Recover a name as the article wrote it from its matching form.

Matching runs on the normalised text, whose offsets differ from the clean
text's (diacritics and tatweel are gone). To report "دير الزور" rather than
"دير الزور" normalised, the normalised phrase is turned into a pattern that
accepts every spelling folding to it and is searched in the clean text.
"""

from __future__ import annotations

import re
from functools import lru_cache

_FOLDS = {
    "ا": "[اأإآٱ]", "ه": "[هةۀە]", "ي": "[يىئیی]", "و": "[وؤ]", "ك": "[كک]",
}
_SKIP = "[\u064b-\u065f\u0670\u0640\u200c\u200d\u200e\u200f]*"


@lru_cache(maxsize=4096)
def _pattern(phrase: str) -> re.Pattern[str]:
    parts = []
    for ch in phrase:
        if ch == " ":
            parts.append(r"\s+")
        else:
            parts.append(_FOLDS.get(ch, re.escape(ch)))
        parts.append(_SKIP)
    return re.compile("".join(parts) + r"(?!\w)", re.IGNORECASE)


def surface(text: str, phrase: str, article: str = "ال") -> str:
    """The first spelling of ``phrase`` (a normalised name) in ``text``, or ``phrase`` itself.

    A name with the article may be written with "لل" ("للقامشلي"); then the
    core is found and the article put back.
    """
    m = _pattern(phrase).search(text)
    if m:
        return m.group()
    if phrase.startswith(article):
        m = _pattern(phrase[len(article):]).search(text)
        if m:
            return article + m.group()
    return phrase
