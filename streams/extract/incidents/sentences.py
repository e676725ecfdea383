"""Sentences of the clean text, and the words of one sentence.

Incidents are coded sentence by sentence: a sentence ends at a full stop,
question or exclamation mark, semicolon or line break (a dot between digits,
"1.27", does not end one). Inside a sentence, clauses are the spans between
commas: a cue such as "منذ" or "بشكل مستمر" qualifies its own clause only.
Words are tokens of the matching form with their offsets, read with and
without their Arabic clitics.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate

from marsad.streams.extract.incidents.phrases import Phrases
from marsad.streams.text.tokens import MIN_STEM, PREFIXES, TOKEN, stems

_CLITIC_LETTERS = frozenset(p[0] for p in PREFIXES)

_CUT_CHARS = ".!?؟;؛\n"  # what ends a sentence
# A line opening on one of these goes on with the line before it, if that one ends no sentence: a
# headline's toll continued below it ("مقتل 3 ... في هجوم" / "وإصابة 4 آخرين في ...").
_CONTINUING = ("واصابه ", "ومقتل ", "وجرح ", "واعتقال ")
_ENDED = ".!?؟:;؛"
# A comma, colon, bracket or quote, or a dash between spaces (`[،,:(\[«"]|\s-\s|\s–\s`), written with one
# leading character set so that the regex engine tests each other character once.
_CLAUSE_END = re.compile(r"[،,:(\[«\"\s](?:(?<=[،,:(\[«\"])|(?<=\s)[-–]\s)")
# TOKEN as one capturing group: `split` gives separators and tokens alternately, all in C.
_TOKEN_SPLIT = re.compile(f"({TOKEN.pattern})")
_MATCH_END = re.Match.end


class Words:
    """The tokens of one sentence of the matching form, with where each starts and ends."""

    __slots__ = ("_readings", "_starts", "end", "ends", "norm", "start", "toks")

    def __init__(self, norm: str, start: int, end: int) -> None:
        self.norm, self.start, self.end = norm, start, end
        self.toks, self._starts, self.ends = _tokens(norm, start, end)
        self._readings: dict[int, tuple[str, ...]] = {}

    @classmethod
    def of(cls, norm: str, start: int, end: int) -> Words:
        return cls(norm, start, end)

    def readings(self, i: int) -> tuple[str, ...]:
        """Token ``i`` and its readings without clitics ("وبالهجوم" -> ..., "هجوم")."""
        r = self._readings.get(i)
        if r is None:
            r = self._readings[i] = readings_of(self.toks[i])
        return r

    def is_in(self, i: int, words: frozenset[str] | dict) -> bool:
        """Whether token ``i`` (or a reading of it without clitics) is one of ``words``."""
        if not 0 <= i < len(self.toks):
            return False
        r = self._readings.get(i)  # `readings`, inline: this runs for most words looked at
        if r is None:
            r = self._readings[i] = readings_of(self.toks[i])
        if isinstance(words, frozenset):
            return not words.isdisjoint(r)  # in C
        return any(x in words for x in r)

    def phrase_at(self, i: int, phrases: Phrases) -> int:
        """How many tokens from ``i`` form one of ``phrases`` (its first word may carry clitics); 0 if none."""
        if i >= len(self.toks) or phrases.firsts.isdisjoint(self.readings(i)):
            return 0
        for n in range(min(phrases.longest, len(self.toks) - i), 0, -1):
            rest = " ".join(self.toks[i + 1:i + n])
            for first in self.readings(i):
                if (f"{first} {rest}" if rest else first) in phrases:
                    return n
        return 0

    def span(self, i: int) -> tuple[int, int]:
        """The offsets of token ``i`` in the matching form."""
        return self._starts[i], self.ends[i]

    def between(self, i: int, j: int) -> str:
        """The characters between tokens ``i`` and ``j`` (spaces and punctuation), stripped."""
        end = self.ends[i]
        return self.norm[end:self._starts[j] if j < len(self._starts) else self.end].strip()

    def index_at(self, offset: int) -> int:
        """Index of the first token that ends after ``offset``."""
        return bisect_right(self.ends, offset)


class Sentence:
    """One sentence of an article: its span of the matching form, and its words when first asked for."""

    __slots__ = ("_words", "end", "norm", "start")

    def __init__(self, norm: str, start: int, end: int) -> None:
        self.norm, self.start, self.end = norm, start, end
        self._words: Words | None = None

    @property
    def words(self) -> Words:
        if self._words is None:
            self._words = Words.of(self.norm, self.start, self.end)
        return self._words

    def first_word_in(self, phrases: frozenset[str]) -> bool:
        """Whether the sentence's first word (or a reading of it without clitics) is one of ``phrases``."""
        m = TOKEN.search(self.norm, self.start, self.end)
        return m is not None and not phrases.isdisjoint(readings_of(m.group()))


def _tokens(norm: str, start: int, end: int) -> tuple[list[str], list[int], list[int]]:
    """The tokens of ``norm[start:end]`` (what ``TOKEN.findall`` gives), where each starts and where each ends.

    Splitting on the token pattern gives separator, token, separator, ... and the running sum of
    their lengths gives every offset: no Python step per token (this runs for every sentence coded).
    """
    parts = _TOKEN_SPLIT.split(norm[start:end])
    offsets = list(accumulate(map(len, parts), initial=start))
    return parts[1::2], offsets[1:-1:2], offsets[2::2]


@lru_cache(maxsize=1 << 16)
def readings_of(token: str) -> tuple[str, ...]:
    """The token and its readings without clitics, as `stems` gives them; kept, as words recur."""
    if len(token) <= MIN_STEM or token[0] not in _CLITIC_LETTERS:
        return (token,)  # most words: no clitic can stand in front
    return tuple(stems(token))


def split(norm: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``norm``, in order."""
    out = []
    start = 0
    n = len(norm)
    for cut in _cuts(norm):
        if norm[cut] == "." and not _full_stop(norm, cut, n):
            continue
        if norm[cut] == "\n" and norm.startswith(_CONTINUING, cut + 1) and norm[cut - 1:cut] not in _ENDED:
            continue
        if cut > start:
            out.append((start, cut))
        start = cut + 1
    if start < n:
        out.append((start, n))
    return out


def _cuts(norm: str) -> list[int]:
    """Where ``norm`` has a character that may end a sentence, in order (a `str.find` a character is
    cheaper than testing every character against a class)."""
    out = []
    for char in _CUT_CHARS:
        at = norm.find(char)
        while at != -1:
            out.append(at)
            at = norm.find(char, at + 1)
    out.sort()
    return out


def _full_stop(norm: str, i: int, n: int) -> bool:
    """Whether the dot at ``i`` ends a sentence: not in a number ("1.27"), not in an ellipsis (".."),
    not in a Latin abbreviation ("u.s. forces")."""
    before = norm[i - 1] if i else " "
    after = norm[i + 1] if i + 1 < n else " "
    if before == "." or after == ".":
        return False
    if before.isdigit() and after.isdigit():
        return False
    if after.isascii() and after.isalpha():
        return False  # "u.s"
    return not (before.isascii() and before.isalpha() and (i < 2 or not norm[i - 2].isalnum()))  # "s. forces"


def clause_bounds(norm: str, start: int, end: int) -> list[int]:
    """Offsets where the clauses of the sentence ``[start, end)`` begin (the first is ``start``)."""
    return [start, *map(_MATCH_END, _CLAUSE_END.finditer(norm, start, end))]


def sentence_of(bounds: list[int], offset: int) -> int:
    """Index of the sentence whose start is the last one at or before ``offset``."""
    return bisect_right(bounds, offset) - 1
