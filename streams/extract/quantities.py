"""Quantities of drugs and money in an article: value, unit and drug item.

`find_quantities` reads "2.5 مليون حبة كبتاغون", "108 كيلوغرامات من الحشيش",
"816.7 مليار دولار", "$1 billion", "2.5 million pills". A number counts only
with a unit right after it (a currency sign may come before), so years,
dates, ages, percentages and counts of people never do. Weights count only
when a drug is named around them; a drug quantity whose kind is not named is
item "drugs". Vocabulary: quantities.yaml.

Numbers are found from anchors (a digit, a currency sign, a scale word) in
the normalised text; only a few words around each anchor are tokenised,
which keeps this cheap on long articles.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path

import yaml

from schemas.facts import Quantity
from streams.extract.context import word_after
from streams.extract.lexicon import clitic_forms
from streams.extract.numbers import NumberWords, read_number
from streams.text.normalize import SourceMap, normalize

DATA_FILE = Path(__file__).with_name("quantities.yaml")
# Where a quantity may start: digits (any script), a currency sign, a scale word.
_DIGITS = re.compile(r"[0-9$€][0-9.,]*")
# Beginnings of scale words: a quantity written without digits starts with one.
_SCALE_STEMS = ("مليو", "مليا", "ملاي", "بليو", "تريليو", "الف", "الاف", "thousand", "million", "billion")
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[a-z]+|[\u0621-\u064a]+|[$€%]|[.!?؟\n]")
_STOP = frozenset(".!?؟\n")
_TOKEN_BACK = re.compile(r"(?:[0-9]+(?:[.,][0-9]+)*|[a-z]+|[\u0621-\u064a]+)[^\w.!?؟\n]*$")
_PAD_BEFORE, _PAD_AFTER, _WORD_MAX = 90, 140, 24
_OF = frozenset(("من", "of"))
_DROPPED = frozenset(chr(c) for c in range(0x0600, 0x0700) if normalize(chr(c)) == "") | frozenset(
    "\u0640\u200c\u200d\u200e\u200f\u061c\ufeff")
_DROPPED_RE = re.compile("[" + "".join(sorted(_DROPPED)) + "]")


def _clitic_map(table: dict, cast=float) -> dict[str, object]:
    """{value: [words]} -> {word form with clitics: value}."""
    out: dict[str, object] = {}
    for value, words in table.items():
        for form in clitic_forms(words):
            out.setdefault(form, cast(value))
    return out


@dataclass(frozen=True, slots=True, eq=False)
class QuantityVocab:
    """quantities.yaml, indexed."""

    numbers: NumberWords
    scale_stems: tuple[tuple[str, int], ...]  # (normalised stem, its length as written)
    follows: frozenset[str]  # words that may follow digits in a quantity (scales, units)
    units: dict[str, str]  # word -> unit id
    unit_phrases: dict[str, str]  # "ليره سوريه" -> SYP
    items: dict[str, str]  # word or two-word phrase -> item id
    drug_only: frozenset[str]
    money: frozenset[str]
    item_after: int
    item_before: int

    @classmethod
    def from_mapping(cls, data: dict) -> QuantityVocab:
        """Build from the parsed YAML mapping."""
        numbers = NumberWords(
            scales=_clitic_map(data["scales"]), duals=_clitic_map(data["dual_scales"]),
            plural_scales=clitic_forms(data["plural_scales"]), vague=clitic_forms(data["vague"]),
            counts=_clitic_map(data["number_words"]),
            and_fraction={normalize(w): 0.5 for w in data["and_half"]} | {normalize(w): 0.25 for w in data["and_quarter"]},
        )
        phrases = {" ".join(normalize(p).split()): unit for unit, ps in data["unit_phrases"].items() for p in ps}
        items: dict[str, str] = {}
        for item, words in data["items"].items():
            for w in words:
                norm = " ".join(normalize(w).split())
                forms = clitic_forms([norm]) if " " not in norm else {norm, "ال" + norm}
                for f in forms:
                    items.setdefault(f, item)
        units = _clitic_map(data["units"], str)
        scale_stems = tuple(dict((normalize(stem), len(stem)) for stem in _SCALE_STEMS).items())
        follows = frozenset(numbers.scales) | frozenset(units) | {p.split()[0] for p in phrases}
        return cls(numbers, scale_stems, follows, units, phrases, items, frozenset(data["drug_only"]),
                   frozenset(data["money"]), int(data["item_after_words"]), int(data["item_before_words"]))


@cache
def load_quantity_vocab(path: Path = DATA_FILE) -> QuantityVocab:
    """The vocabulary of ``path``, read once per process and shared (it is immutable)."""
    return QuantityVocab.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))


def find_quantities(text: str, vocab: QuantityVocab | None = None, *, norm: str | None = None,
                    written: SourceMap | None = None) -> list[Quantity]:
    """Drug and money quantities in ``text`` (clean text, not normalised), each once, in text order.

    ``norm``, when the caller has it already, must be ``normalize(text)``; it saves normalising again.
    ``written``, when the caller has it, is the `SourceMap` of ``text`` (its dropped characters are
    found once for every stage).
    """
    vocab = vocab or load_quantity_vocab()
    if norm is None:
        norm = normalize(text)
    out: list[Quantity] = []
    seen: set[tuple[float, str, str | None]] = set()
    done = 0
    drops: list[int] | None = None
    for anchor in _anchors(norm, vocab):
        if anchor < done:
            continue
        found = _at(norm, anchor, vocab)
        if found is None:
            continue
        value, unit, item, start, end = found
        done = end
        key = (round(value, 6), unit, item)
        if key not in seen:
            seen.add(key)
            if drops is None:
                drops = written.dropped() if written is not None else [m.start() for m in _DROPPED_RE.finditer(text)]
            out.append(Quantity(value=value, unit=unit, item=item, text=_as_written(text, drops, start, end)))
    return out


def _anchors(norm: str, vocab: QuantityVocab) -> list[int]:
    """Where a quantity may start: a number followed by a scale or unit word, a currency
    sign, or a scale word ("مليار دولار")."""
    out = []
    for m in _DIGITS.finditer(norm):
        if m.group()[0] in "$€" or word_after(norm, m.end()) in vocab.follows:
            out.append(m.start())
    for end, size in _stem_ends(norm, vocab.scale_stems):
        lo, hi = end + 1 - size, end + 1
        while lo > 0 and norm[lo - 1].isalpha():
            lo -= 1
        while hi < len(norm) and norm[hi].isalpha():
            hi += 1
        word = norm[lo:hi]  # the whole word, so "التحالف" is no anchor while "وألفي" is
        if word in vocab.numbers.scales or word in vocab.numbers.duals:
            out.append(lo)
    out.sort()
    return out


def _stem_ends(norm: str, stems: tuple[tuple[str, int], ...]) -> list[tuple[int, int]]:
    """(last index, value) of every occurrence of every stem, overlaps included.

    What an Aho-Corasick automaton over the stems would report, by ``str.find``:
    for a handful of short stems, a few scans in C beat stepping an automaton
    through every character of the article.
    """
    out = []
    for stem, size in stems:
        i = norm.find(stem)
        while i >= 0:
            out.append((i + len(stem) - 1, size))
            i = norm.find(stem, i + 1)
    return out


def _at(norm: str, pos: int, vocab: QuantityVocab) -> tuple[float, str, str | None, int, int] | None:
    """The quantity whose number starts at (or one word before) ``pos``: value, unit, item, span."""
    lo = pos
    if not norm[pos].isdigit():
        while lo > 0 and norm[lo - 1].isalpha():
            lo -= 1  # a scale word may sit behind clitics ("بمليون"), or be inside another word
    hi = min(len(norm), lo + _PAD_AFTER)
    # Token strings only (findall makes no match objects); the two offsets the span
    # needs are looked up at the end (`_token_at`), for the anchors that make a quantity.
    toks = _TOKEN.findall(norm, lo, hi)
    if not toks:
        return None
    before = _TOKEN_BACK.search(norm, max(0, lo - _WORD_MAX), lo)
    if before:  # one word of left context: a count ("ثلاثة ملايين") or a vague word ("عشرات الآلاف")
        word = before.group().rstrip()
        toks.insert(0, word.split()[0] if word.split() else word)
    i = 1 if before else 0
    if before and toks[0] in vocab.numbers.counts and read_number(toks, 0, vocab.numbers):
        i = 0
    prefix = None
    tok = toks[i]
    if tok in ("$", "€") or (tok.isascii() and vocab.units.get(tok) in vocab.money
                             and i + 1 < len(toks) and toks[i + 1][0].isdigit()):
        prefix, i = vocab.units[tok], i + 1
        if i >= len(toks):
            return None
    num = read_number(toks, i, vocab.numbers)
    if num is None:
        return None
    value, j = num
    if j < len(toks) and toks[j] == "%":
        return None
    unit, k = (prefix, j) if prefix else _unit(toks, j, vocab)
    if unit is None:
        return None
    first = i - 1 if prefix else i
    start = _token_at(norm, lo, hi, before, first).start()
    item, last = _item(toks, k, unit, vocab, norm, start)
    if item is False:
        return None
    return value, unit, item, start, _token_at(norm, lo, hi, before, max(k, last) - 1).end()


def _token_at(norm: str, lo: int, hi: int, before: re.Match[str] | None, index: int) -> re.Match[str]:
    """The match of token ``index`` of `_at`'s list: ``before`` first when there is one, then norm[lo:hi]'s."""
    if before is not None:
        if index == 0:
            return before
        index -= 1
    return next(islice(_TOKEN.finditer(norm, lo, hi), index, None))


def _unit(toks: list[str], j: int, vocab: QuantityVocab) -> tuple[str | None, int]:
    """The unit at token ``j`` ("حبة", "ليرة سورية", "من الحبوب") and the index after it."""
    n = len(toks)
    if j < n and toks[j] in _OF and j + 1 < n and vocab.units.get(toks[j + 1]) == "pill":
        j += 1  # "مليون من الحبوب"
    if j + 1 < n and f"{toks[j]} {toks[j + 1]}" in vocab.unit_phrases:
        return vocab.unit_phrases[f"{toks[j]} {toks[j + 1]}"], j + 2
    if j < n and toks[j] in vocab.units:
        return vocab.units[toks[j]], j + 1
    return None, j


def _item(toks: list[str], k: int, unit: str, vocab: QuantityVocab,
          norm: str, start: int) -> tuple[str | bool | None, int]:
    """The drug item of a quantity whose unit ends at token ``k`` and which starts at ``start``.

    None for money, False when it is no drug quantity (a weight with no drug
    around it); with it, the token index after the item when the item closely
    follows the unit ("حبة كبتاغون", "كيلوغرامات من الحشيش"), for the span.
    Items are looked for after the unit, then in the words before the number.
    """
    if unit in vocab.money:
        return None, k
    after, at = _scan(toks, range(k, min(len(toks), k + vocab.item_after)), vocab)
    last = at + 1 if after and at - k <= 2 else k
    if after and after != "drugs":
        return after, last
    back = _TOKEN.findall(norm, max(0, start - _PAD_BEFORE), start)[-vocab.item_before:]
    before, _ = _scan(back, range(len(back) - 1, -1, -1), vocab)
    if before and before != "drugs":
        return before, k
    if after or before or unit == "pill":
        return "drugs", last
    return (None if unit not in vocab.drug_only else False), k


def _scan(toks: list[str], idx: range, vocab: QuantityVocab) -> tuple[str | None, int]:
    """The first drug item over the token indices ``idx`` and its (last) index, stopping at a
    sentence end or a number; a named drug wins over a generic one ("مواد مخدرة")."""
    generic, where = None, -1
    for t in idx:
        tok = toks[t]
        if tok in _STOP or tok[0].isdigit():
            break
        pair = f"{tok} {toks[t + 1]}" if t + 1 < len(toks) else ""
        item = vocab.items.get(pair) or vocab.items.get(tok)
        if item and item != "drugs":
            return item, t + (1 if pair in vocab.items else 0)
        if item and generic is None:
            generic, where = item, t
    return generic, where


def _as_written(text: str, drops: list[int], start: int, end: int) -> str:
    """The span of ``text`` whose normalised form is norm[start:end].

    Normalising only drops characters (diacritics, tatweel, marks; their
    offsets in ``text`` are ``drops``), so a normalised offset plus the number
    of characters dropped before it is the offset in the text.
    """
    return text[_text_offset(drops, start, lead=True):_text_offset(drops, end, lead=False)]


def _text_offset(drops: list[int], norm_pos: int, lead: bool) -> int:
    pos = norm_pos
    while True:
        shifted = norm_pos + bisect_right(drops, pos - 1)
        if shifted == pos:
            break
        pos = shifted
    if lead:  # skip marks at the start of the span
        i = bisect_left(drops, pos)
        while i < len(drops) and drops[i] == pos:
            pos, i = pos + 1, i + 1
    return pos
