"""The numbers a sentence writes, each with the noun it counts, for `counts`.

Digits (Arabic-Indic digits are already folded), count words (ثلاثة، four;
the vocabulary's automaton finds them, the longest reading winning: "أحد عشر"
is 11), dual nouns ("عنصران" = 2), "a" / "one" / "أحد" before a person ("a
soldier", "أحد عناصر"), and "one" alone next to a casualty word ("killing
one"). A number of goods or time ("400 ألف حبة", "15 عاماً"), a date ("20
كانون الأول", "24 من الشهر الجاري"), a range ("150-180"), an age ("aged between 30
to 40") and a year are not counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marsad.streams.extract.incidents.sentences import Words
from marsad.streams.extract.incidents.vocab import Cue, IncidentVocab

_YEAR = re.compile(r"^(?:19|20)\d\d$")
_DIGIT = re.compile("[0-9]")  # the digits of a number token (TOKEN)
_YEAR_WORDS = {"عام", "العام", "لعام", "year"}
_AGE_WORDS = frozenset({"aged", "ages", "age", "اعمارهم", "اعمارهما", "عمره", "عمرها", "البالغ", "البالغه"})
_ARTICLE_REACH = 2  # "an Iraqi soldier": the person an article counts is its noun (not "an attack by militants")
_AGE_REACH = 4  # words between an age word and the number ("aged between 30 to 40")
_INDEFINITE = {"a", "an"}
ONE_AFTER = frozenset({"واحد", "واحده", "واحدا"})  # "one" after the noun it counts ("مواطن واحد")
_ARTICLES = {"a", "an", "one", "احد", "احدى", "لاحد", "باحد"}  # one only before a person: "أحد عناصر"
_NISBA = ("يا", "يين", "يون")  # a noun of origin counted: "12 لبنانياً", "سبعة سوريين"


@dataclass(slots=True)
class Number:
    """One count the sentence writes: its value and the tokens of the number and its noun."""

    value: int
    start: int  # token index
    end: int  # token index after the number (and its noun)
    # "stated" (a number, a dual), "implied" (a person alone: "مقتل عنصر", "أحد قادتها"), "group" (a group's size)
    kind: str = "stated"


def number_tokens(words: Words, cues: list[Cue]) -> dict[int, tuple[int, int]]:
    """{token index: (value, tokens)} of each number the sentence writes: digits and count words
    (the automaton found those; the longest reading wins: "أحد عشر" is 11, not 1)."""
    toks = words.toks
    at: dict[int, tuple[int, int]] = {}
    if _DIGIT.search(words.norm, words.start, words.end):  # most sentences write no digit: no loop over tokens
        at = {i: (int(tok), 1) for i, tok in enumerate(toks) if tok.isdigit() and len(tok) < 6}
    if toks and toks[0].isascii():  # "a soldier was killed" (kept out of the automaton: "a" is everywhere)
        at.update((i, (1, 1)) for i, tok in enumerate(toks) if tok in _INDEFINITE)
    days = {words.index_at(c.start) for c in cues if c.label.startswith("wd:")}
    for c in cues:
        if c.label.startswith("n:"):
            i = words.index_at(c.start)
            if i in days:
                continue  # "الاثنين" is Monday ("ليلة الأحد/الاثنين"), not two; "الأحد" Sunday, not one
            size = words.index_at(c.end - 1) - i + 1
            if i not in at or at[i][1] < size:
                at[i] = (int(c.label[2:]), size)
    return at


def numbers_of(words: Words, at: dict[int, tuple[int, int]], months: set[int], vocab: IncidentVocab,
             cue_at: set[int]) -> list[Number]:
    """Every count the sentence writes, in order (a count with the noun after it)."""
    out: list[Number] = []
    toks = words.toks
    n = len(toks)
    done = 0
    for i in sorted(at):
        if i < done:
            continue
        value, size = at[i]
        if toks[i] in ONE_AFTER and i > 0 and i - 1 >= done and words.is_in(i - 1, vocab.tokens["person"]):
            out.append(Number(1, i - 1, i + 1))  # "مواطن واحد", "مواطناً واحداً": the person and its "one"
            done = i + 1
            continue
        if i > 0 and i - 1 >= done and i - 1 not in at and conjoined(toks[i]) \
                and words.is_in(i - 1, vocab.tokens["person"]):
            out.append(Number(1, i - 1, i))  # "ضابطاً وأربعة جنود": one officer, then four soldiers
        end = done = i + size
        # a dual is its own noun ("وطفلان وإصابة عشرة"); "جنديان اثنان": the dual and its number are one count
        noun = not (value == 2 and size == 1 and words.is_in(i, vocab.duals))
        if not noun and at.get(end) == (2, 1) and not words.is_in(end, vocab.duals):
            end = done = end + 1  # (not another dual joined to it: "ضابطان وجنديان" are four)
        elif noun and _not_a_count(words, i, end, at, months, vocab):
            continue
        article = value == 1 and toks[i] in _ARTICLES
        if article and not person_soon(words, end, vocab, _ARTICLE_REACH) and not _bare_one(toks[i], i, cue_at):
            continue
        if noun and end < n and end not in at:  # the noun counted: "4 جنود", "أربعة أشخاص"
            end += 1
        out.append(Number(value, i, end, "implied" if article and toks[i] != "one" else "stated"))
        done = end
    return out


def _not_a_count(words: Words, i: int, end: int, at: dict[int, tuple[int, int]], months: set[int],
                 vocab: IncidentVocab) -> bool:
    """Goods or time ("400 ألف حبة", "15 عاماً"), a date ("20 كانون الأول"), a range ("150-180"), a year,
    an age in brackets ("Khalil Hassan (62)"), an outlet's name ("موقع درعا 24")."""
    toks = words.toks
    if _YEAR.match(toks[i]) or (i > 0 and (i - 1 in months or toks[i - 1] in _YEAR_WORDS)):
        return True
    if not _AGE_WORDS.isdisjoint(toks[max(0, i - _AGE_REACH):i]):
        return True  # an age: "aged between 30 to 40", "تتراوح أعمارهم بين 20 و30"
    if (i > 0 and toks[i - 1].isdigit() and words.between(i - 1, i) == ":") or \
            (end < len(toks) and toks[end].isdigit() and words.between(i, end) == ":"):
        return True  # a time of day: "at 14:35"
    if i > 0 and end == i + 1 and words.between(i - 1, i).endswith("(") and words.between(i, end).startswith(")") \
            and not (end < len(toks) and words.is_in(end, vocab.people_words)):
        return True  # an age in brackets after a name: "Khalil Hassan (62)", "الشاب سامر (25)"
    if toks[i] == "24" and i > 0 and words.is_in(i - 1, vocab.tokens["outlet_before_24"]) \
            and not (end < len(toks) and words.is_in(end, vocab.people_words)):
        return True  # "درعا 24", "Kurdistan 24"; but "قتل في درعا 24 شخصاً"
    # "400 ألف": a number right after is the same number's; not one joined by "و" ("قتيلين وثلاثة جرحى")
    return end < len(toks) and ((end in at and not conjoined(toks[end])) or end in months or
                                (toks[end] == "من" and end + 1 in months) or words.is_in(end, vocab.not_people))


def conjoined(tok: str) -> bool:
    """Whether an Arabic token begins with "و" (and): "وأربعة", not "واحد" (one), whose و is its own."""
    return tok.startswith("و") and tok not in ONE_AFTER


def _bare_one(tok: str, i: int, cue_at: set[int]) -> bool:
    """Whether "one" at token ``i`` is a count by itself: right after a casualty word or just before one
    ("killing one and injuring two", "one was killed")."""
    return tok == "one" and (i - 1 in cue_at or i + 1 in cue_at or i + 2 in cue_at)


def person_soon(words: Words, i: int, vocab: IncidentVocab, reach: int = 3) -> bool:
    """Whether a person ("a soldier", "an Iraqi soldier") or people ("أحد عناصر") follow token ``i`` (within
    ``reach`` words)."""
    return any(words.is_in(j, vocab.people_words) for j in range(i, min(i + reach, len(words.toks))))


def of_people(words: Words, number: Number, vocab: IncidentVocab) -> bool:
    """Whether the count is of people ("سبعة أشخاص", "خمسة من العناصر", "12 لبنانياً", "اثنان من الجيش"),
    not of goods ("سبع سيارات")."""
    noun = number.end - 1
    if noun == number.start and number.value == 2 and words.is_in(noun, vocab.duals):
        return True  # "شخصين": the dual is its noun
    if noun > number.start and words.toks[noun] == "من" and noun + 1 < len(words.toks):
        noun += 1  # "خمسة من العناصر"
        if words.is_in(noun, vocab.tokens["forces"]):
            return True  # "و2 من الجيش": two of its men
    return noun > number.start and (words.is_in(noun, vocab.people_words) or words.toks[noun].endswith(_NISBA))
