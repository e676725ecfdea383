"""`Phrases`: a set of normalised phrases that knows its first words and its longest length.

A module of its own because it subclasses a built-in type: the compiled stages
(`marsad.streams.compiled`) cannot compile such a class, so it stays Python.
"""

from __future__ import annotations

from collections.abc import Iterable


class Phrases(frozenset):
    """Normalised phrases (words joined by one space), knowing their first words and longest length,
    so that `Words.phrase_at` rejects most tokens with one set lookup."""

    firsts: frozenset[str]
    longest: int

    def __new__(cls, phrases: Iterable[str]) -> Phrases:
        obj = super().__new__(cls, phrases)
        obj.firsts = frozenset(p.split(" ", 1)[0] for p in obj)
        obj.longest = max((p.count(" ") + 1 for p in obj), default=1)
        return obj
