"""The language of a text: "ar" or "en", by which script its letters are written in.

A script count, not a language identifier: enough to route Arabic and
English copy, which is all the sources here publish. One function for the
fetcher (an article's ``lang`` when neither the feed nor the page names it)
and the stream stages (when the fetched event carries none).
"""

from __future__ import annotations

import re
import string

# Runs of letters, counted by their lengths: far fewer matches than one per letter.
_ARABIC_LETTERS = re.compile("[\u0621-\u064a\u0671-\u06d3]+")
_LATIN_BYTES = string.ascii_letters.encode()
SAMPLE_CHARS = 400  # a few lines tell the script; counting more only costs time


def detect_lang(text: str) -> str:
    """"ar" when Arabic letters are at least as many as Latin ones (A-Z) in the text's first
    `SAMPLE_CHARS` characters, "en" when fewer, "" when it has neither."""
    sample = text[:SAMPLE_CHARS]
    latin = _latin_letters(sample)
    if not latin:  # the usual Arabic article: one Arabic letter decides, no need to count them
        return "ar" if _ARABIC_LETTERS.search(sample) else ""
    arabic = sum(map(len, _ARABIC_LETTERS.findall(sample)))
    return "ar" if arabic >= latin else "en"


def _latin_letters(text: str) -> int:
    """How many of ``text``'s characters are A-Z or a-z, counted on bytes (in C, no match objects)."""
    data = text.encode("utf-8", "surrogatepass")  # a byte below 0x80 is always a whole character
    return len(data) - len(data.translate(None, _LATIN_BYTES))
