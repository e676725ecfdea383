"""Tokens of the matching form, and the Arabic clitic prefixes attached to them.

Arabic writes conjunctions, prepositions and the article on the word:
"وبالقامشلي" is و + ب + ال + القامشلي's stem. `stems` lists the readings of a
token with those prefixes taken off, longest prefix last, so a lookup can try
each against a vocabulary. Tokens are runs of letters and digits of the
*normalised* text (see `normalize`); their offsets index that text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# A token is a run of Arabic letters, or a number ("1.5", "2,500"), or a Latin word ("al-bukamal's"):
# `[ARABIC]+|[0-9]+(?:[.,][0-9]+)*|[a-z]+(?:['-][a-z]+)*`. The three start with disjoint characters, so
# the pattern is written with one character set first and then the rest of the alternative that
# character chose: the regex engine passes over the characters between tokens with one set test each
# instead of trying three alternatives. The same tokens (pinned by tests/streams/test_automaton.py).
_ARABIC, _DIGITS, _LATIN = "\u0621-\u064a\u0671-\u06d3", "0-9", "a-z"
TOKEN = re.compile(f"[{_ARABIC}{_DIGITS}{_LATIN}]"
                   f"(?:(?<=[{_ARABIC}])[{_ARABIC}]*"
                   f"|(?<=[{_DIGITS}])[{_DIGITS}]*(?:[.,][{_DIGITS}]+)*"
                   f"|(?<=[{_LATIN}])[{_LATIN}]*(?:['-][{_LATIN}]+)*)")

# Proclitic chains, in the matching form (no hamza on alef). Order matters only
# for readability; every applicable one is tried.
_PREFIXES = (
    "و", "ف", "ب", "ل", "ك",
    "ال", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل",
    "وب", "فب", "ول", "فل", "وك", "وبال", "فبال", "وكال",
)
_PREFIXES_BY_LEN = sorted(set(_PREFIXES), key=len)
MIN_STEM = 2
# The same chains as a set, for matchers that test "is the start of this word a clitic?".
PREFIXES: frozenset[str] = frozenset(_PREFIXES)


def tokens(norm: str) -> Iterator[tuple[str, int, int]]:
    """Yield ``(token, start, end)`` for each token of a normalised text."""
    for m in TOKEN.finditer(norm):
        yield m.group(), m.start(), m.end()


def stems(token: str) -> list[str]:
    """The token and each reading of it without a clitic prefix.

    For a prefix ending in the article (ال, بال, لل…) the reading *with* the
    article is also given, because gazetteers and taxonomies often store names
    with it ("القامشلي"): "وبالقامشلي" -> [وبالقامشلي, بالقامشلي, القامشلي,
    قامشلي, …]. "لل" is "ل" + "ال", so "للحدود" also reads "الحدود".
    """
    out = [token]
    for p in _PREFIXES_BY_LEN:
        if token.startswith(p) and len(token) - len(p) >= MIN_STEM:
            rest = token[len(p):]
            out.append(rest)
            if p.endswith("ال") or p.endswith("لل"):
                out.append("ال" + rest)
    # keep order, drop repeats
    seen: set[str] = set()
    return [s for s in out if not (s in seen or seen.add(s))]
