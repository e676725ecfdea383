"""Every occurrence of a fixed set of keys in a text, in one pass: the matchers' common engine.

Taxonomy terms, gazetteer names, quantity words, history phrases and the
incident vocabulary are all found by running one Aho-Corasick automaton over
an article's matching form; every hit is then checked in Python (word
boundaries, clitics, context). The pass itself is a good part of the cost of
`marsad classify` (three automata over every article), and most of it is
waiting for memory: between two articles the other stages push the
automaton's tables out of the CPU caches. So it runs on ahocorasick_rs's
contiguous NFA (Rust), whose tables are compact: measured in the pipeline,
about a quarter faster than pyahocorasick's trie. Its DFA, faster on a warm
cache, is slower there (larger tables: 23 MB for the gazetteer).

Hits come as ``(key index, start, end)``, overlaps included (every key found
at every position), offsets indexing the Python string; ``values[key index]``
is what the caller stored with the key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

import ahocorasick_rs

V = TypeVar("V")

_SURROGATES = str.maketrans({c: "\ufffd" for c in range(0xD800, 0xE000)})


class Automaton(Generic[V]):
    """A compiled set of keys, each with a value; immutable and shared by every article."""

    __slots__ = ("_engine", "values")

    def __init__(self, items: Iterable[tuple[str, V]]) -> None:
        keys: list[str] = []
        self.values: list[V] = []
        for key, value in items:
            if key:  # an empty key would match everywhere
                keys.append(key)
                self.values.append(value)
        self._engine = ahocorasick_rs.AhoCorasick(
            keys, matchkind=ahocorasick_rs.MATCHKIND_STANDARD,
            implementation=ahocorasick_rs.Implementation.ContiguousNFA) if keys else None

    def __len__(self) -> int:
        return len(self.values)

    def hits(self, text: str) -> list[tuple[int, int, int]]:
        """``(key index, start, end)`` of every occurrence of every key in ``text``."""
        if self._engine is None:
            return []
        try:
            return self._engine.find_matches_as_indexes(text, overlapping=True)
        except UnicodeEncodeError:
            # A lone surrogate cannot go to UTF-8. Each becomes U+FFFD (one character for one, so
            # offsets hold); no key holds either, so the hits are the same.
            return self._engine.find_matches_as_indexes(text.translate(_SURROGATES), overlapping=True)
