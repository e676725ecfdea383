"""The matchers' shared engine (`marsad.streams.text.automaton`) and the sentence tokens read in C.

Both replace slower code that gave the same answers; these tests pin the
answers against the plain way of computing them.
"""

from __future__ import annotations

import re

import pytest

from marsad.streams.extract.incidents.sentences import Words, split
from marsad.streams.text.automaton import ALPHA, DIGIT, ONE_BYTE, Automaton, word_marks
from marsad.streams.text.tokens import TOKEN

# What a token is, written plainly (TOKEN is the same pattern written for fewer regex steps).
_PLAIN_TOKEN = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+|[0-9]+(?:[.,][0-9]+)*|[a-z]+(?:['-][a-z]+)*")


def _brute(text: str, keys: list[str]) -> list[tuple[str, int, int]]:
    """Every occurrence of every key, overlaps included, by str.find."""
    out = []
    for key in keys:
        i = text.find(key)
        while i >= 0:
            out.append((key, i, i + len(key)))
            i = text.find(key, i + 1)
    return sorted(out)


def _found(a: Automaton, text: str) -> list[tuple[str, int, int]]:
    hits, values = a.scan(text)
    return sorted((values[k], s, e) for k, s, e in hits if values[k] is not None)


KEYS = ["قتل", "مقتل", "قتلى", "دير الزور", "الزور", "isis", "is"]


@pytest.mark.parametrize("text", [
    "أعلن عن مقتل ثلاثة وقتلى في دير الزور",
    "isis claimed it; this is his",
    "😀 مقتل 😀😀 في دير الزور 𝒳 isis",  # characters outside the BMP: offsets are Python's
    "",
], ids=["arabic", "latin-overlaps", "astral-characters", "empty"])
def test_hits_are_every_occurrence_of_every_key(text: str) -> None:
    a = Automaton((k, k) for k in KEYS)
    assert _found(a, text) == _brute(text, KEYS)


def test_a_lone_surrogate_is_read_as_a_replacement_character() -> None:
    a = Automaton((k, k) for k in KEYS)
    text = "مقتل \ud800 isis"
    assert _found(a, text) == _brute(text, KEYS)


def test_shared_automata_see_only_their_own_keys_from_one_pass() -> None:
    places = Automaton([("دير الزور", "place"), ("الزور", "place-core")])
    cues = Automaton([("مقتل", "cue"), ("الزور", "cue-too")])
    Automaton.share(places, cues)
    text = "مقتل اثنين في دير الزور"
    place, core = text.index("دير الزور"), text.index("الزور")
    assert _found(places, text) == [("place", place, len(text)), ("place-core", core, len(text))]
    assert _found(cues, text) == [("cue", 0, 4), ("cue-too", core, len(text))]
    assert places.scan(text)[0] is cues.scan(text)[0]  # the second reads the first one's pass


def test_an_automaton_without_keys_finds_nothing() -> None:
    assert Automaton([("", 1)]).scan("anything")[0] == []


@pytest.mark.parametrize("text", [
    "قال المصدر إن 3 عناصر قتلوا، وأصيب 1.5 آخرون. وفي u.s. forces ... الحسكة!\nسطر ثان؛ بلا نقاط",
    "  leading spaces, 2,500 pills and al-bukamal's o'clock - x",
    "",
    "عام2024 و3ايام x9y 1.2.3، 4,5. abc'd-e ـكلمة ٹوپی 12ab- -ab'",
], ids=["arabic", "latin", "empty", "mixed"])
def test_sentence_words_are_the_tokens_of_the_pattern(text: str) -> None:
    for start, end in split(text) or [(0, len(text))]:
        w = Words(text, start, end)
        spans = [m.span() for m in TOKEN.finditer(text, start, end)]
        assert w.toks == TOKEN.findall(text, start, end) == _PLAIN_TOKEN.findall(text, start, end)
        assert (w.ends, [a for a, _ in spans]) == ([b for _, b in spans], w._starts)


@pytest.mark.parametrize("text", [
    "straße مقتل في دير الزور",  # a character outside the one-byte table: the text is scanned as a string
    "ærø isis قتلى",
    "قتلى – مقتل… isis",  # symbols of the table: scanned as bytes
], ids=["outside-the-table", "outside-the-table-latin", "symbols-in-the-table"])
def test_texts_outside_the_one_byte_table_find_the_same(text: str) -> None:
    keys = [*KEYS, "straße", "ærø", "– مقتل"]
    a = Automaton((k, k) for k in keys)
    assert _found(a, text) == _brute(text, keys)


def test_a_key_outside_the_one_byte_table_never_matches_a_coded_text() -> None:
    a = Automaton([("ß", "eszett"), ("مقتل", "cue")])
    assert _found(a, "مقتل ss") == [("cue", 0, 4)]
    assert _found(a, "مقتل ß") == [("cue", 0, 4), ("eszett", 5, 6)]


@pytest.mark.parametrize("text", [
    ONE_BYTE,  # every character the table codes
    "قتل 3 مدنيين في «الحسكة»، و٣ آخرون ½ ² ⅔ — يوم ١٢",  # and some it does not: read one by one
    "",
])
def test_word_marks_are_the_characters_kinds(text: str) -> None:
    marks = word_marks(text)
    assert len(marks) == len(text)
    assert [bool(m) for m in marks] == [c.isalnum() for c in text]
    assert [bool(m & ALPHA) for m in marks] == [c.isalpha() for c in text]
    assert [bool(m & DIGIT) for m in marks] == [c.isdigit() for c in text]
    assert word_marks(text) is marks  # kept for the next stage reading the same text


@pytest.mark.parametrize("text", [
    "أعلن عن مقتل ثلاثة وقتلى في دير الزور، ومقتل آخر قرب الزور",
    "isis claimed it; this is his",
    "😀 مقتل في دير الزور 𝒳 isis",  # outside the one-byte table: the string automaton's hits
], ids=["arabic", "latin-overlaps", "astral-characters"])
def test_starts_are_the_hits_of_the_keys_asked_for(text: str) -> None:
    places = Automaton([("دير الزور", 1), ("الزور", 2)])
    cues = Automaton([("مقتل", 1), ("is", 2)])
    Automaton.share(places, cues)
    places.scan(text)
    asked = ["الزور", "مقتل", "is", "not a key"]  # another automaton's keys too: the engine holds them
    found = cues.starts(text, asked)
    assert found == {key: [s for k, s, _ in _brute(text, [key])] for key in asked[:3]}
