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

The engine scans bytes, one byte per character: the matching form of
nearly every article is ASCII and Arabic letters, which a fixed table
(`ONE_BYTE`) codes in one byte each, so byte offsets are the string's offsets
and the automaton steps once per character (UTF-8 takes two bytes per Arabic
letter). It has half the states and no offset conversion: measured, a third
less time for the gazetteer's and incidents' pass. A text with a character
outside the table is scanned as a string by an automaton over the same keys,
built on first need; the hits are the same either way.

`Automaton.scan` gives the hits as ``(key index, start, end)``, overlaps
included (every key found at every position), offsets indexing the Python
string, and the values by key index: ``values[key index]`` is what was stored
with the key, None for a key of another automaton sharing the engine.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from typing import Generic, TypeVar

import ahocorasick_rs

V = TypeVar("V")

_SURROGATES = str.maketrans({c: "\ufffd" for c in range(0xD800, 0xE000)})
Hits = list[tuple[int, int, int]]

# The characters coded in one byte: ASCII as itself, then (bytes 0x80..0xFE) the Arabic letters
# and punctuation, the letters of Persian and Urdu names, common symbols and accented Latin
# letters (the matching form is lower case). Byte 0xFF codes no character: a key holding a
# character outside the table becomes b"\xff" in the byte automaton and so never matches there
# (a text holding one is scanned as a string).
ONE_BYTE = ("".join(map(chr, range(0x80))) + "".join(map(chr, range(0x0600, 0x064B))) + "\u066a"
            + "ٹپچڈڑژڤڨگںھہےۓ" + "–—‐−…•·°×′″©®™€£" + "éèêàâäáçíöóüúñşğıôîëï")
assert len(ONE_BYTE) == 0xFF and len(set(ONE_BYTE)) == 0xFF
_ONE_BYTE_MAP = codecs.charmap_build(ONE_BYTE + "\ufffe")  # U+FFFE: byte 0xFF is no character
_NO_CHARACTER = b"\xff"
_MATCHING = {"matchkind": ahocorasick_rs.MATCHKIND_STANDARD,
             "implementation": ahocorasick_rs.Implementation.ContiguousNFA}


def _one_byte(text: str) -> bytes | None:
    """``text`` one byte per character (see `ONE_BYTE`), or None when a character is outside the table."""
    try:
        return codecs.charmap_encode(text, "strict", _ONE_BYTE_MAP)[0]
    except UnicodeEncodeError:
        return None


class _ByText(Generic[V]):
    """What a pure function gave for the last few texts, by identity (this very object: the stages
    of one article hand each other the same string). A text not found is worked out again, so a race
    between threads costs time, never a result."""

    __slots__ = ("_items",)
    SIZE = 4

    def __init__(self) -> None:
        self._items: list[tuple[str, V]] = []

    def find(self, text: str) -> tuple[bool, V | None]:
        """(True, the value kept for ``text``), or (False, None)."""
        for known, value in self._items:
            if known is text:
                return True, value
        return False, None

    def keep(self, text: str, value: V) -> None:
        self._items.insert(0, (text, value))
        del self._items[self.SIZE:]


# The codes of the last few texts coded or handed over (`remember`): an article's matching form is
# scanned by two engines (the taxonomy's and the shared one) and its code is known before either
# (cleaning folds the text as bytes, the taxonomy's view is that code without quote marks).
_codes: _ByText[bytes | None] = _ByText()


def one_byte(text: str) -> bytes | None:
    """`_one_byte` of ``text``, coded once for the stages that scan it."""
    known, data = _codes.find(text)
    if not known:
        data = _one_byte(text)
        _codes.keep(text, data)
    return data


def remember(text: str, data: bytes | None) -> None:
    """Keep ``data``, which must be ``_one_byte(text)``, as the code of ``text`` (this very object)."""
    _codes.keep(text, data)


# What kind of character each byte codes (`word_marks`): a letter, a digit (``str.isdigit``) or another
# numeric character; 0 for anything else. Derived from `ONE_BYTE` by the str methods themselves.
ALPHA, DIGIT, NUMERIC = 1, 2, 4


def _kind(c: str) -> int:
    """`ALPHA`, `DIGIT` or `NUMERIC` (or'ed) for ``c``; nonzero exactly when ``c.isalnum()``."""
    kind = (ALPHA if c.isalpha() else 0) | (DIGIT if c.isdigit() else 0)
    return kind or (NUMERIC if c.isalnum() else 0)


_KINDS = bytes(map(_kind, ONE_BYTE)) + b"\0"
_marks: _ByText[bytes] = _ByText()


def word_marks(text: str) -> bytes:
    """One byte per character of ``text``, its kind: nonzero exactly where ``text[i].isalnum()``,
    ``& ALPHA`` where it is a letter, ``& DIGIT`` where it is a digit (``str.isdigit``).

    The word-boundary tests of the matchers run for every hit of every article (some 2,300 an
    article): ``marks[i]`` is a subscript giving a small int, where ``text[i].isalnum()`` builds a
    one-character string and calls a method. Worked out from the text's code (`one_byte`) with
    one ``bytes.translate``, once per text (kept by identity, as the code is); a text the table
    cannot code is read character by character.
    """
    known, marks = _marks.find(text)
    if not known:
        data = one_byte(text)
        marks = data.translate(_KINDS) if data is not None else bytes(map(_kind, text))
        _marks.keep(text, marks)
    return marks


class _Engine:
    """A compiled key set, and the hits of the last text it scanned (for the automata sharing it)."""

    __slots__ = ("_ac", "_index", "_keys", "_last", "_str_ac")

    def __init__(self, keys: list[str]) -> None:
        self._keys = keys
        self._index: dict[str, int] | None = None  # key -> key index, built on first need (`Automaton.starts`)
        self._ac = ahocorasick_rs.BytesAhoCorasick(
            [_one_byte(key) or _NO_CHARACTER for key in keys], **_MATCHING) if keys else None
        self._str_ac: ahocorasick_rs.AhoCorasick | None = None  # for texts the table cannot code
        self._last: tuple[str | None, Hits] = (None, [])

    def hits(self, text: str) -> Hits:
        last = self._last  # one read: another thread may replace it meanwhile
        if last[0] is text:
            return last[1]
        if self._ac is None:
            return []
        data = one_byte(text)
        found = self._ac.find_matches_as_indexes(data, overlapping=True) if data is not None else self._as_str(text)
        self._last = (text, found)
        return found

    def index(self) -> dict[str, int]:
        """The key index of each key."""
        index = self._index
        if index is None:
            index = self._index = {key: i for i, key in enumerate(self._keys)}
        return index

    def _as_str(self, text: str) -> Hits:
        """The hits in a text holding a character outside `ONE_BYTE`, found by a string automaton."""
        ac = self._str_ac
        if ac is None:
            ac = self._str_ac = ahocorasick_rs.AhoCorasick(self._keys, **_MATCHING)
        try:
            return ac.find_matches_as_indexes(text, overlapping=True)
        except UnicodeEncodeError:
            # A lone surrogate cannot go to UTF-8. Each becomes U+FFFD (one character for one, so
            # offsets hold); no key holds either, so the hits are the same.
            return ac.find_matches_as_indexes(text.translate(_SURROGATES), overlapping=True)


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

    def starts(self, text: str, keys: Iterable[str]) -> dict[str, list[int]]:
        """Where each of ``keys`` that the engine holds starts in ``text``, overlaps included, ascending.

        Read off the engine's hits, so for automata sharing an engine the text is not stepped
        through again: a text the stages found names in already is only looked up (the incident
        coder's place mentions: a dozen names an article, each a `str.find` pass otherwise). A key the
        engine does not hold is left out (the caller finds it another way).
        """
        engine, _ = self._state
        index = engine.index()
        wanted = {index[key]: key for key in keys if key in index}
        out: dict[str, list[int]] = {key: [] for key in wanted.values()}
        if wanted:
            get = wanted.get
            for key, start, _ in engine.hits(text):
                found = get(key)
                if found is not None:
                    out[found].append(start)
            for found_starts in out.values():
                found_starts.sort()
        return out

    @staticmethod
    def share(*automata: Automaton) -> None:
        """Put ``automata`` on one engine over all their keys, for texts that all of them scan (start-up only)."""
        keys = list(dict.fromkeys(key for a in automata for key in a._table))
        engine = _Engine(keys)
        for a in automata:
            a._state = (engine, [a._table.get(key) for key in keys])
