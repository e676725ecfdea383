"""Quantities of drugs and money in an article: value, unit and drug item.

`find_quantities` reads "2.5 مليون حبة كبتاغون", "108 كيلوغرامات من الحشيش",
"816.7 مليار دولار", "$1 billion", "2.5 million pills", "مليونا وثمانمائة ألف
حبة", "ستة آلاف و600 ليتر", "162,000 Captagon pills", "four kilograms of
crystal meth", "150-180 كغم" (two quantities). A number counts only with a
unit right after it (a currency sign may come before; a drug name may sit
between: "Captagon pills"), so years, dates, ages, percentages and counts of
people never do. Weights count only when a drug is named around them; a drug
quantity whose kind is not named is item "drugs", except bare pills in an
article that names one pill drug (Captagon), which are that drug. A quantity
in a sentence that reports the past ("العام الماضي", "in March 2023") is
marked ``historical`` (`marsad.streams.extract.history`). Vocabulary: quantities.yaml.

Numbers are found from anchors (a digit, a currency sign, a scale word) in
the normalised text; only a few words around each anchor are tokenised,
which keeps this cheap on long articles.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import date
from itertools import islice

from marsad.schemas.facts import Quantity
from marsad.streams.extract.context import word_after
from marsad.streams.extract.history import is_historical
from marsad.streams.extract.numbers import read_count, read_number
from marsad.streams.extract.quantity_vocab import DATA_FILE, SCALE, QuantityVocab, load_quantity_vocab
from marsad.streams.text.automaton import ALPHA, DIGIT, word_marks
from marsad.streams.text.normalize import SourceMap, normalize

__all__ = ["DATA_FILE", "QuantityVocab", "find_quantities", "load_quantity_vocab"]

# Where a quantity may start: digits (any script), a currency sign, a scale word.
_DIGITS = re.compile(r"[0-9$€][0-9.,]*")
_TOKEN = re.compile(r"[\u0621-\u064a]+|[0-9]+(?:[.,][0-9]+)*|[a-z]+|[$€%]|[.!?؟\n]")  # Arabic first, as TOKEN
_STOP = frozenset(".!?؟\n")
# The word right before a position, with what separates them (no sentence stop).
_TOKEN_BACK = re.compile(r"(?:[0-9]+(?:[.,][0-9]+)*|[a-z]+|[\u0621-\u064a]+)(?=[^\w.!?؟\n]*$)")
_PAD_BEFORE, _PAD_AFTER, _PAD_BACK, _WORD_MAX = 90, 140, 64, 24
_BACK_WORDS = 3  # words before an anchor read as part of its number ("خمسة وعشرين ألف") or as its context
_OF = frozenset(("من", "of"))
# Between the two numbers of a range ("150-180 كغ" is tokenised "150", "180"; "بين 150 و180 كغ").
_RANGE_WORDS = frozenset(("الى", "حتى", "to", "و", "and"))
_UNNAMED = ""  # item of pills with no drug named around them (see `_article_pill_item`)
_DROPPED = frozenset(chr(c) for c in range(0x0600, 0x0700) if normalize(chr(c)) == "") | frozenset(
    "\u0640\u200c\u200d\u200e\u200f\u061c\ufeff")
_DROPPED_RE = re.compile("[" + "".join(sorted(_DROPPED)) + "]")


def find_quantities(text: str, vocab: QuantityVocab | None = None, *, norm: str | None = None,
                    written: SourceMap | None = None, published: date | None = None) -> list[Quantity]:
    """Drug and money quantities in ``text`` (clean text, not normalised), each once, in text order.

    ``norm``, when the caller has it already, must be ``normalize(text)``; it saves normalising again.
    ``written``, when the caller has it, is the `SourceMap` of ``text`` (its dropped characters are
    found once for every stage). ``published``, the article's day, lets a year in a sentence
    ("في عام 2023") mark its quantities as history.
    """
    vocab = vocab or load_quantity_vocab()
    if norm is None:
        norm = normalize(text)
    found: list[tuple[float, str, str | None, int, int]] = []
    done = 0
    for anchor in _anchors(norm, vocab):
        if anchor < done:
            continue
        at = _at(norm, anchor, vocab)
        if at is not None:
            found.append(at[:5])
            done = at[5]
    if not found:
        return []
    pill_item = _article_pill_item(norm, vocab) if any(f[2] == _UNNAMED for f in found) else "drugs"
    out: list[Quantity] = []
    seen: set[tuple[float, str, str | None]] = set()
    drops = written.dropped() if written is not None else [m.start() for m in _DROPPED_RE.finditer(text)]
    for value, unit, item, start, end in found:
        bare = vocab.bare_currencies.get(unit)
        if bare is not None and norm[start:end].rsplit(None, 1)[-1] in bare.words and not bare.counts_in(norm):
            continue  # "500 دينار" in a Jordanian story
        item = pill_item if item == _UNNAMED else item
        key = (round(value, 6), unit, item)
        if key in seen:
            continue
        seen.add(key)
        out.append(Quantity(value=value, unit=unit, item=item, text=_as_written(text, drops, start, end),
                            historical=is_historical(norm, start, end, vocab.history, published)))
    return out


def _article_pill_item(norm: str, vocab: QuantityVocab) -> str:
    """The pill drug the article names, when it names exactly one ("Captagon pills ... 61,000 pills"),
    else "drugs"."""
    named = {item for word, item in vocab.pill_words if word in norm}
    return named.pop() if len(named) == 1 else "drugs"


def _anchors(norm: str, vocab: QuantityVocab) -> list[int]:
    """Where a quantity may start: a number followed by a scale, unit or drug word or by the other
    end of a range, a currency sign, a scale word ("مليار دولار"), a unit after a count word
    ("four kilograms")."""
    out = []
    for m in _DIGITS.finditer(norm):
        if m.group()[0] in "$€":
            out.append(m.start())
            continue
        after = word_after(norm, m.end())
        if after in vocab.follows or (after and _range_follows(norm, m.end(), after)):
            out.append(m.start())
    scale_ends, unit_ends = _stem_ends(norm, vocab)
    marks = word_marks(norm) if scale_ends or unit_ends else b""  # marks[i] & ALPHA: norm[i].isalpha()
    for end, size in scale_ends:
        lo, hi = _word_around(marks, end + 1 - size, end + 1)
        word = norm[lo:hi]  # the whole word, so "التحالف" is no anchor while "وألفي" is
        if word in vocab.numbers.scales or word in vocab.numbers.duals:
            out.append(lo)
    for end, size in unit_ends:
        lo, hi = _word_around(marks, end + 1 - size, end + 1)
        if lo >= 2 and marks[lo - 2] & DIGIT:
            continue  # "5 كيلو": the digits are an anchor already
        if norm[lo:hi] in vocab.units:
            back = _TOKEN_BACK.search(norm, max(0, lo - _WORD_MAX), lo)
            if back is not None and back.group() in vocab.numbers.counts:
                out.append(lo)
    out.sort()
    return out


def _range_follows(norm: str, end: int, after: str) -> bool:
    """Whether the word ``after`` the number ending at ``end`` goes on to a range's other end:
    "الى", "و180", "to", or digits after a dash ("150-180")."""
    if after in _RANGE_WORDS or (after[0] == "و" and after[1:].isdigit()):
        return True
    return after.isdigit() and norm[end:end + 2].strip()[:1] in ("-", "–")


def _word_around(marks: bytes, lo: int, hi: int) -> tuple[int, int]:
    """The bounds of the whole word (letters only) holding ``norm[lo:hi]``, ``marks`` being
    ``word_marks(norm)``."""
    while lo > 0 and marks[lo - 1] & ALPHA:
        lo -= 1
    size = len(marks)
    while hi < size and marks[hi] & ALPHA:
        hi += 1
    return lo, hi


def _stem_ends(norm: str, vocab: QuantityVocab) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(last index, size) of every occurrence of every scale stem, and of every unit stem, overlaps included.

    The stems' automaton (`QuantityVocab.stems`) shares the engine that the gazetteer's names are
    found with, so in the pipeline its hits come from the article's one pass, not a scan of their own.
    """
    scale_ends: list[tuple[int, int]] = []
    unit_ends: list[tuple[int, int]] = []
    hits, values = vocab.stems.scan(norm)
    for key, _start, end in hits:
        value = values[key]
        if value is None:
            continue  # a key of an automaton sharing the engine
        for kind, size in value:
            (scale_ends if kind == SCALE else unit_ends).append((end - 1, size))
    return scale_ends, unit_ends


def _back_matches(norm: str, lo: int, counts: dict[str, float]) -> list[re.Match[str]]:
    """The word right before ``lo``; when it is a count word, up to `_BACK_WORDS` tokens before ``lo``
    (a sentence stop is a token, so it cuts the run)."""
    near = _TOKEN_BACK.search(norm, max(0, lo - _WORD_MAX), lo)
    if near is None or near.group() not in counts:
        return [near] if near is not None else []
    start = max(0, lo - _PAD_BACK)
    back = list(_TOKEN.finditer(norm, start, lo))[-_BACK_WORDS:]
    if back and start and back[0].start() == start and norm[start - 1].isalnum():
        back = back[1:]  # a word cut by the window
    return back


def _at(norm: str, pos: int, vocab: QuantityVocab) -> tuple[float, str, str | None, int, int, int] | None:
    """The quantity whose number starts at (or a few words before) ``pos``: value, unit, item, its span,
    and where to look for the next quantity (after the first number of a range, so the second is read)."""
    lo = pos
    if not norm[pos].isdigit():
        while lo > 0 and norm[lo - 1].isalpha():
            lo -= 1  # a scale word may sit behind clitics ("بمليون"), or be inside another word
    hi = min(len(norm), lo + _PAD_AFTER)
    # Token strings only (findall makes no match objects); the offsets the span needs are
    # looked up at the end (`_token_at`), for the anchors that make a quantity.
    ahead = _TOKEN.findall(norm, lo, hi)
    if not ahead:
        return None
    words = vocab.numbers
    back = _back_matches(norm, lo, words.counts)
    run = len(back)  # the count words right before the anchor ("خمسة وعشرين" ألف) start at back[run]
    while run > 0 and back[run - 1].group() in words.counts:
        run -= 1
    lead = back[max(0, run - 1):]  # those count words and one word of context ("عشرات" الآلاف)
    toks = [m.group() for m in lead] + ahead
    anchor = len(lead)
    first = lead_first = anchor - (len(back) - run)
    num = None
    for i in range(lead_first, anchor):  # a number that begins with the count words before the anchor
        num = read_number(toks, i, words)
        if num is not None and num[1] > anchor:
            first = i
            break
        num = None
    if num is None and lead_first < anchor:  # count words right before a unit: "four kilograms"
        counted = read_count(toks, lead_first, words)
        if counted is not None and counted[1] == anchor and _unit(toks, anchor, vocab)[0]:
            num, first = counted, lead_first
    prefix = None
    if num is None:
        first = i = anchor
        tok = toks[i]
        if tok in ("$", "€") or (tok.isascii() and vocab.units.get(tok) in vocab.money
                                 and i + 1 < len(toks) and toks[i + 1][0].isdigit()):
            prefix, i = vocab.units[tok], i + 1
            if i >= len(toks):
                return None
        num = read_number(toks, i, words)
        if num is None:
            return None
    value, j = num
    if j < len(toks) and toks[j] == "%":
        return None
    resume = None
    unit: str | None
    named: str | None
    if prefix:
        unit, k, named = prefix, j, None
    else:
        unit, k, named = _unit(toks, j, vocab)
        if unit is None:  # the first number of a range: "150-180 كغ", "بين 150 و180 كغ"
            unit, k, named = _range_unit(toks, j, value, vocab)
            resume = j
    if not unit:
        return None
    start = _token_at(norm, lo, hi, lead, first).start()
    item: str | bool | None
    if named:
        item, last = named, k
    else:
        item, last = _item(toks, k, unit, vocab, norm, start)
        if isinstance(item, bool):  # False (the only bool _item gives): no quantity here
            return None
    end = _token_at(norm, lo, hi, lead, max(k, last) - 1).end()
    return value, unit, item, start, end, _token_at(norm, lo, hi, lead, resume - 1).end() if resume else end


def _range_unit(toks: list[str], j: int, low: float, vocab: QuantityVocab) -> tuple[str | None, int, str | None]:
    """The unit of a range whose first number (``low``) ends at token ``j``, when a larger second number
    follows, bare or after a range word, then a unit: "150-180 كغ" (tokens 150, 180), "150 إلى 180 كغ"."""
    n = len(toks)
    if j < n and toks[j] in _RANGE_WORDS:
        j += 1
    if j >= n or not toks[j][0].isdigit():
        return None, j, None
    second = read_number(toks, j, vocab.numbers)
    if second is None or not low < second[0] <= 10 * low:
        return None, j, None
    return _unit(toks, second[1], vocab)


def _token_at(norm: str, lo: int, hi: int, lead: list[re.Match[str]], index: int) -> re.Match[str]:
    """The match of token ``index`` of `_at`'s list: the ``lead`` words first, then norm[lo:hi]'s."""
    if index < len(lead):
        return lead[index]
    return next(islice(_TOKEN.finditer(norm, lo, hi), index - len(lead), None))


def _unit(toks: list[str], j: int, vocab: QuantityVocab) -> tuple[str | None, int, str | None]:
    """The unit at token ``j`` ("حبة", "ليرة سورية", "من الحبوب", "Captagon pills"), the index after
    it, and the drug named between number and unit ("Captagon" pills) or None."""
    n = len(toks)
    named = None
    if j + 1 < n and toks[j] in vocab.items and vocab.units.get(toks[j + 1]) and toks[j + 1].isascii():
        named, j = vocab.items[toks[j]], j + 1  # "162,000 Captagon pills"
    if j < n and toks[j] in _OF and j + 1 < n and vocab.units.get(toks[j + 1]) == "pill":
        j += 1  # "مليون من الحبوب"
    if j + 1 < n:
        pair = f"{toks[j]} {toks[j + 1]}"
        if pair in vocab.not_units:
            return None, j, None
        if pair in vocab.unit_phrases:
            return vocab.unit_phrases[pair], j + 2, named
    if j < n and toks[j] in vocab.units:
        return vocab.units[toks[j]], j + 1, named
    return None, j, None


def _item(toks: list[str], k: int, unit: str, vocab: QuantityVocab,
          norm: str, start: int) -> tuple[str | bool | None, int]:
    """The drug item of a quantity whose unit ends at token ``k`` and which starts at ``start``.

    None for money, False when it is no drug quantity (a weight with no drug
    around it); with it, the token index after the item when the item closely
    follows the unit ("حبة كبتاغون", "كيلوغرامات من الحشيش"), for the span.
    Items are looked for after the unit, then in the words before the number.
    Pills with no drug word around them are `_UNNAMED` (the article decides).
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
    if after or before:
        return "drugs", last
    if unit == "pill":
        return _UNNAMED, k
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
