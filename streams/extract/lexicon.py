"""Whole-word phrase matching over the matching form, clitics allowed.

Places, country names and quantity words are all found the same way: a fixed
vocabulary of phrases (one to a few words) looked up in the normalised text of
an article, where the first word may carry Arabic proclitics ("وبالقامشلي",
"لديرالزور", "للعراق"). Looking every token's readings up in a dict costs a
Python loop per token; an Aho-Corasick automaton instead scans the whole text
in C and only the few real hits reach Python.

A phrase is stored by its *core*: without a leading article "ال", so that
"القامشلي" also matches "للقامشلي" (ل + ال, written لل). A hit is kept when
the letters glued before the core form a clitic chain compatible with the
phrase: an article phrase needs a chain ending in the article (ال, بال, لل…),
a phrase without article needs a chain without one (و, ب, ل, وب…).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter
from typing import Generic, NamedTuple, TypeVar

from marsad.streams.text.automaton import Automaton, word_marks
from marsad.streams.text.normalize import normalize
from marsad.streams.text.tokens import PREFIXES

V = TypeVar("V")

ARTICLE = "ال"
# Clitic chains written before a core: those that end in the article (ال, بال; لل is ل + ال)
# and those without it (و, ب, وب…).
ARTICLE_CHAINS = frozenset(p for p in PREFIXES if p.endswith(ARTICLE) or p.endswith("لل"))
_BARE_CHAINS = frozenset({""} | {p for p in PREFIXES if p not in ARTICLE_CHAINS})
_MAX_CHAIN = max(len(p) for p in PREFIXES)
# The last letters of the chains: a core glued to any other letter is inside a longer word.
_CHAIN_ENDS = frozenset(p[-1] for p in PREFIXES)


def is_definite(word: str) -> bool:
    """True when ``word`` carries the article, possibly behind clitics ("الجيش", "وللجيش")."""
    return len(word) > 3 and (word[:2] in ARTICLE_CHAINS or word[:3] in ARTICLE_CHAINS or word[:4] in ARTICLE_CHAINS)


def clitic_forms(words: Iterable[object]) -> frozenset[str]:
    """The normalised words and each of them behind a clitic chain."""
    out: set[str] = set()
    for raw in words:
        w = normalize(str(raw)).strip()
        if not w:
            continue
        out.add(w)
        out.update(p + w for p in PREFIXES)
        if w.startswith(ARTICLE):
            out.update(chain + w[len(ARTICLE):] for chain in ARTICLE_CHAINS)
    return frozenset(out)



class Hit(NamedTuple, Generic[V]):
    """One occurrence of a vocabulary phrase.

    ``start`` is where the whole word begins (clitics included), ``core_start``
    where the phrase's core begins, ``end`` where the phrase ends; all index the
    normalised text. ``clitics`` are the proclitics before the phrase, without
    the article ("وب" for "وبالقامشلي"). ``phrase`` is the vocabulary phrase
    (normalised, article included when it has one); ``article`` tells
    whether the article was written on this occurrence.
    """

    start: int
    core_start: int
    end: int
    phrase: str
    clitics: str
    article: bool
    values: tuple[V, ...]


_START, _END = itemgetter(0), itemgetter(2)  # a Hit's start and end

# Hit(...) runs the namedtuple's __new__, a Python function; tuple.__new__ builds the same
# object in C (hits are made for every mention in every article).
_new_hit = tuple.__new__


class Lexicon(Generic[V]):
    """A vocabulary of phrases, each carrying values, matchable in normalised text."""

    def __init__(self, phrases: Iterable[tuple[str, V]]) -> None:
        # core -> {"article": (phrase, values), "bare": (phrase, values)}
        table: dict[str, dict[bool, tuple[str, list[V]]]] = {}
        for raw, value in phrases:
            phrase = " ".join(normalize(raw).split())
            if not phrase:
                continue
            article = phrase.startswith(ARTICLE) and len(phrase) > len(ARTICLE) + 2 and " " not in phrase[:3]
            core = phrase[len(ARTICLE):] if article else phrase
            slot = table.setdefault(core, {})
            entry = slot.setdefault(article, (phrase, []))
            if value not in entry[1]:
                entry[1].append(value)
        # core -> {article?: (phrase, values)}, kept to build joint automata (`find_each`)
        self._slots = {core: {article: (phrase, tuple(values)) for article, (phrase, values) in slot.items()}
                       for core, slot in table.items()}
        self._automaton = _build_automaton({core: (slot,) for core, slot in self._slots.items()})
        self.size = len(table)

    def find(self, norm: str) -> list[Hit[V]]:
        """Every non-overlapping hit in ``norm`` (leftmost, then longest, wins), in text order."""
        if not self.size:
            return []
        return _find(self._automaton, norm, 1)[0]


def find_each(norm: str, lexicons: tuple[Lexicon, ...]) -> list[list[Hit]]:
    """``[lexicon.find(norm) for lexicon in lexicons]``, in one pass over ``norm``.

    The pass runs an automaton over the cores of all the lexicons (built on
    first use for that tuple of lexicons, then kept). Boundaries and clitic
    chains depend only on where a core stands, so each raw hit is checked once
    and then read against each lexicon that has the core; stepping through
    the text is what costs, and it is done once instead of once per lexicon.
    """
    if len(lexicons) == 1 or not all(lex.size for lex in lexicons):
        return [lex.find(norm) for lex in lexicons]
    return _find(joint_automaton(lexicons), norm, len(lexicons))


@lru_cache(maxsize=4)
def joint_automaton(lexicons: tuple[Lexicon, ...]) -> Automaton:
    """One automaton over the cores of ``lexicons`` (immutable, so built once and shared)."""
    slots: dict[str, list[dict | None]] = {}
    for k, lex in enumerate(lexicons):
        for core, slot in lex._slots.items():
            slots.setdefault(core, [None] * len(lexicons))[k] = slot
    return _build_automaton({core: tuple(per_lexicon) for core, per_lexicon in slots.items()})


def _build_automaton(slots: dict[str, tuple[dict | None, ...]]) -> Automaton:
    """An automaton over the cores, each carrying (core, its slots, its bare readings).

    The slots are ``(k, slot)`` for each lexicon ``k`` that has the core; the bare readings
    ``(k, phrase, values)`` for each lexicon whose phrase is the core itself (no article), the
    reading of the usual hit, a word with no clitics. Both are worked out here, once, so the
    loop over the hits of every article only reads them.
    """
    values = []
    for core, per_lexicon in slots.items():
        present = tuple((k, slot) for k, slot in enumerate(per_lexicon) if slot is not None)
        bare = tuple((k, *slot[False]) for k, slot in present if False in slot)
        values.append((core, (core, present, bare)))
    return Automaton(values)


def _find(automaton: Automaton, norm: str, count: int) -> list[list[Hit]]:
    """The hits of each of ``count`` lexicons whose cores ``automaton`` holds (see `_build_automaton`)."""
    n = len(norm)
    found: list[list[Hit]] = [[] for _ in range(count)]
    hits, cores = automaton.scan(norm)
    marks = word_marks(norm)  # marks[i]: norm[i].isalnum()
    for key, core_start, end in hits:
        value = cores[key]
        if value is None:
            continue  # a key of an automaton sharing the engine (see `Automaton.share`)
        if end < n and marks[end]:
            continue
        core, present, bare = value
        if not core_start or not marks[core_start - 1]:
            # The usual case, a word with no clitics: what `_accept` does for chain "".
            for k, phrase, values in bare:
                found[k].append(_new_hit(Hit, (core_start, core_start, end, phrase, "", False, values)))
            continue
        if norm[core_start - 1] not in _CHAIN_ENDS:
            continue  # inside a longer word: no chain ends with that letter (see `_accept`)
        start = core_start
        floor = core_start - _MAX_CHAIN - 1
        while start > 0 and marks[start - 1]:
            start -= 1
            if start <= floor:
                break
        if start <= floor:
            continue  # the core sits inside a longer word
        chain = norm[start:core_start]
        for k, slot in present:
            hit = _accept(chain, core, slot, start, core_start, end)
            if hit is not None:
                found[k].append(hit)
    return [_leftmost_longest(hits) for hits in found]


def _accept(chain: str, core: str, slot: dict, start: int, core_start: int, end: int) -> Hit | None:
    """The hit for ``chain`` + ``core`` if the clitic chain suits one of the phrase's readings."""
    if chain and core.isascii():
        return None  # Latin words take no Arabic clitics
    if chain in ARTICLE_CHAINS:
        reading = slot.get(True) or slot.get(False)
        clitics = chain[:-2] if chain.endswith(ARTICLE) else chain[:-1]
        article = True
    elif chain in _BARE_CHAINS:
        reading, clitics, article = slot.get(False), chain, False
        if reading is None and core.startswith("ل") and chain.endswith("ل"):
            # ل + ال before a core starting with ل drops one lam: "للاذقية" is ل + اللاذقية
            reading, clitics, article = slot.get(True), chain[:-1] + "ل", True
    else:
        return None
    if reading is None:
        return None
    phrase, values = reading
    return _new_hit(Hit, (start, core_start, end, phrase, clitics, article, values))


def _leftmost_longest(hits: list[Hit]) -> list[Hit]:
    """Drop hits overlapping one that starts earlier, or at the same place and is longer."""
    if len(hits) < 2:
        return hits
    # Start ascending, end descending: two stable sorts on C key functions rather than
    # one on a Python lambda (this runs twice for every article).
    hits.sort(key=_END, reverse=True)
    hits.sort(key=_START)
    kept = [hits[0]]
    for h in hits[1:]:
        if h.start >= kept[-1].end:
            kept.append(h)
    return kept
