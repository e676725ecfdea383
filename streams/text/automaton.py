"""Every occurrence of a fixed set of keys in a text, in one pass: the matchers' common engine.

Taxonomy terms, gazetteer names, quantity words, history phrases and the
incident vocabulary are all found by running one Aho-Corasick automaton over
an article's matching form; every hit is then checked in Python (word
boundaries, clitics, context). The pass itself is a good part of the cost of
`marsad classify` (three automata over every article), and most of it is
waiting for memory: between two articles the other stages push the
automaton's tables out of the CPU caches. So it runs on ahocorasick_rs's
contiguous NFA (Rust), whose tables are compact: measured in the pipeline,
a tenth to a quarter faster than pyahocorasick's trie. Its DFA, faster on a warm
cache, is slower there (larger tables: 23 MB for the gazetteer).

Automata that run over the same text (the gazetteer's and the incident
vocabulary's, both over an article's matching form) can `share` one engine
built over all their keys: the text is then stepped through once, and the
second automaton reads the hits the first one's pass left (the engine keeps
the hits of the last text it scanned, recognised by identity).

`Automaton.scan` gives the hits as ``(key index, start, end)``, overlaps
included (every key found at every position), offsets indexing the Python
string, and the values by key index: ``values[key index]`` is what was stored
with the key, None for a key of another automaton sharing the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

import ahocorasick_rs

V = TypeVar("V")

_SURROGATES = str.maketrans({c: "\ufffd" for c in range(0xD800, 0xE000)})
Hits = list[tuple[int, int, int]]


class _Engine:
    """A compiled key set, and the hits of the last text it scanned (for the automata sharing it)."""

    __slots__ = ("_ac", "_last")

    def __init__(self, keys: list[str]) -> None:
        self._ac = ahocorasick_rs.AhoCorasick(
            keys, matchkind=ahocorasick_rs.MATCHKIND_STANDARD,
            implementation=ahocorasick_rs.Implementation.ContiguousNFA) if keys else None
        self._last: tuple[str | None, Hits] = (None, [])

    def hits(self, text: str) -> Hits:
        last = self._last  # one read: another thread may replace it meanwhile
        if last[0] is text:
            return last[1]
        if self._ac is None:
            return []
        try:
            found = self._ac.find_matches_as_indexes(text, overlapping=True)
        except UnicodeEncodeError:
            # A lone surrogate cannot go to UTF-8. Each becomes U+FFFD (one character for one, so
            # offsets hold); no key holds either, so the hits are the same.
            found = self._ac.find_matches_as_indexes(text.translate(_SURROGATES), overlapping=True)
        self._last = (text, found)
        return found


class Automaton(Generic[V]):
    """A compiled set of keys, each with a value (not None); immutable once shared, used by every article."""

    __slots__ = ("_state", "_table")

    def __init__(self, items: Iterable[tuple[str, V]]) -> None:
        self._table: dict[str, V] = {key: value for key, value in items if key}  # an empty key would match anywhere
        self._state = (_Engine(list(self._table)), list(self._table.values()))

    def __len__(self) -> int:
        return len(self._table)

    def scan(self, text: str) -> tuple[Hits, list[V | None]]:
        """The hits in ``text`` as ``(key index, start, end)``, and the values by key index."""
        engine, values = self._state  # one read: engine and values always go together
        return engine.hits(text), values

    @staticmethod
    def share(*automata: Automaton) -> None:
        """Put ``automata`` on one engine over all their keys, for texts that all of them scan (start-up only)."""
        keys = list(dict.fromkeys(key for a in automata for key in a._table))
        engine = _Engine(keys)
        for a in automata:
            a._state = (engine, [a._table.get(key) for key in keys])
