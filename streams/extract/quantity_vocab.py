"""The vocabulary of quantities (quantities.yaml; the number words from numbers.yaml), indexed for
`marsad.streams.extract.quantities`.

Every word is stored in its matching form and with its clitic forms ("بمليون",
"والكبتاغون"), so the extractor only looks words up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from marsad.streams.extract.history import HistoryMarkers
from marsad.streams.extract.lexicon import clitic_forms
from marsad.streams.extract.numbers import NumberWords, number_words
from marsad.streams.text.automaton import Automaton
from marsad.streams.text.normalize import normalize

DATA_FILE = Path(__file__).with_name("quantities.yaml")
# Beginnings of scale words: a quantity written without digits starts with one.
_SCALE_STEMS = ("مليو", "مليا", "ملاي", "بليو", "تريليو", "الف", "الاف", "thousand", "million", "billion")


def _clitic_map(table: dict, cast=float) -> dict[str, object]:
    """{value: [words]} -> {word form with clitics: value}."""
    out: dict[str, object] = {}
    for value, words in table.items():
        for form in clitic_forms(words):
            out.setdefault(form, cast(value))
    return out


def _forms(words: list[str]) -> tuple[str, ...]:
    return tuple(" ".join(normalize(w).split()) for w in words)


@dataclass(frozen=True, slots=True)
class BareCurrency:
    """A currency word written alone ("ليرة") and the country cues that decide whose it is."""

    words: frozenset[str]  # the word and its clitic forms
    home: tuple[str, ...]  # the article names the unit's country: it is that currency
    abroad: tuple[str, ...]  # ...or names another country of that currency (and not home): it is not

    def counts_in(self, norm: str) -> bool:
        """Whether the word, written alone in the article ``norm``, is this unit."""
        return any(w in norm for w in self.home) or not any(w in norm for w in self.abroad)


SCALE, UNIT = 0, 1  # the kinds of stem in `QuantityVocab.stems`


def _stem_automaton(scale_stems: tuple[tuple[str, int], ...],
                    unit_stems: tuple[tuple[str, int], ...]) -> Automaton[tuple[tuple[int, int], ...]]:
    by_stem: dict[str, list[tuple[int, int]]] = {}
    for kind, stems in ((SCALE, scale_stems), (UNIT, unit_stems)):
        for stem, size in stems:
            by_stem.setdefault(stem, []).append((kind, size))
    return Automaton((stem, tuple(pairs)) for stem, pairs in by_stem.items())


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
    not_units: frozenset[str]  # "ليرة تركية": a currency that is none of ours
    pill_words: tuple[tuple[str, str], ...]  # (word, item) of drugs sold as pills ("كبتاغون", captagon)
    bare_currencies: dict[str, BareCurrency]  # by unit: a pound or dinar written alone
    unit_stems: tuple[tuple[str, int], ...]  # beginnings of units a count word may stand before
    history: HistoryMarkers
    item_after: int
    item_before: int
    # The scale and unit stems in one automaton, each with ((kind, size), ...): kind SCALE or UNIT,
    # size as in ``scale_stems``/``unit_stems``. The pipeline puts it on the engine of the
    # gazetteer's automaton (`Automaton.share`), so the article's one pass finds the stems too.
    stems: Automaton[tuple[tuple[int, int], ...]]

    @classmethod
    def from_mapping(cls, data: dict) -> QuantityVocab:
        """Build from the parsed YAML mapping."""
        numbers = NumberWords(
            scales=_clitic_map(data["scales"]), duals=_clitic_map(data["dual_scales"]),
            plural_scales=clitic_forms(data["plural_scales"]), vague=clitic_forms(data["vague"]),
            counts=_clitic_map(number_words("amounts")),
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
        not_units = frozenset(" ".join(normalize(p).split()) for p in data["not_units"])
        scale_stems = tuple(dict((normalize(stem), len(stem)) for stem in _SCALE_STEMS).items())
        unit_stems = tuple(dict((normalize(stem), len(stem)) for stem in data["count_unit_stems"]).items())
        pill_words = tuple((" ".join(normalize(w).split()), item) for item in data["pill_items"]
                           for w in data["items"][item])
        follows = (frozenset(numbers.scales) | frozenset(units) | {p.split()[0] for p in phrases}
                   | {w for w in items if " " not in w})
        bare = {unit: BareCurrency(clitic_forms(spec["words"]), _forms(spec["home"]), _forms(spec["abroad"]))
                for unit, spec in data["bare_currencies"].items()}
        return cls(numbers, scale_stems, follows, units, phrases, items, frozenset(data["drug_only"]),
                   frozenset(data["money"]), not_units, pill_words, bare, unit_stems,
                   HistoryMarkers.of(data["history"]), int(data["item_after_words"]), int(data["item_before_words"]),
                   _stem_automaton(scale_stems, unit_stems))


@cache
def load_quantity_vocab(path: Path = DATA_FILE) -> QuantityVocab:
    """The vocabulary of ``path``, read once per process and shared (it is immutable)."""
    return QuantityVocab.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))
