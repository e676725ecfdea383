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
from collections.abc import Iterable
from dataclasses import dataclass, field

from streams.text.tokens import TOKEN, stems

_END = re.compile(r"(?<![\d.])[.!?؟;؛](?![\d.])|(?<![.])[.](?=\s)|\n")
_CLAUSE_END = re.compile(r"[،,:(\[«\"]|\s-\s|\s–\s")


@dataclass(slots=True)
class Words:
    """The tokens of one sentence: text, start and end offsets (in the article's matching form)."""

    toks: list[str]
    starts: list[int]
    ends: list[int]
    norm: str  # the article's matching form the offsets index
    _readings: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, norm: str, start: int, end: int) -> Words:
        toks, starts, ends = [], [], []
        for m in TOKEN.finditer(norm, start, end):
            toks.append(m.group())
            starts.append(m.start())
            ends.append(m.end())
        return cls(toks, starts, ends, norm)

    def readings(self, i: int) -> list[str]:
        """Token ``i`` and its readings without clitics ("وبالهجوم" -> ..., "هجوم")."""
        r = self._readings.get(i)
        if r is None:
            r = self._readings[i] = stems(self.toks[i])
        return r

    def is_in(self, i: int, words: frozenset[str] | dict) -> bool:
        """Whether token ``i`` (or a reading of it without clitics) is one of ``words``."""
        return 0 <= i < len(self.toks) and any(r in words for r in self.readings(i))

    def phrase_at(self, i: int, phrases: frozenset[str], longest: int = 4) -> int:
        """How many tokens from ``i`` form one of ``phrases`` (its first word may carry clitics); 0 if none."""
        for n in range(min(longest, len(self.toks) - i), 0, -1):
            rest = " ".join(self.toks[i + 1:i + n])
            for first in self.readings(i):
                if (f"{first} {rest}" if rest else first) in phrases:
                    return n
        return 0

    def between(self, i: int, j: int) -> str:
        """The characters between tokens ``i`` and ``j`` (spaces and punctuation), stripped."""
        return self.norm[self.ends[i]:self.starts[j]].strip()

    def index_at(self, offset: int) -> int:
        """Index of the first token that ends after ``offset``."""
        return bisect_right(self.ends, offset)


def split(norm: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-empty sentence of ``norm``, in order."""
    out = []
    start = 0
    for m in _END.finditer(norm):
        if norm[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if norm[start:].strip():
        out.append((start, len(norm)))
    return out


def clause_bounds(norm: str, start: int, end: int) -> list[int]:
    """Offsets where the clauses of the sentence ``[start, end)`` begin (the first is ``start``)."""
    return [start] + [m.end() for m in _CLAUSE_END.finditer(norm, start, end)]


def sentence_of(bounds: list[int], offset: int) -> int:
    """Index of the sentence whose start is the last one at or before ``offset``."""
    return bisect_right(bounds, offset) - 1


def first_words(words: Words, phrases: Iterable[str]) -> bool:
    """Whether the sentence starts with one of ``phrases`` (single words)."""
    return bool(words.toks) and words.toks[0] in set(phrases)
