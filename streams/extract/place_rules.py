"""The context vocabulary of place finding (places.yaml), ready for lookups.

Every word list is expanded once, at load, into the forms it takes in text
with clitics ("مدينة" -> "ومدينة", "بمدينة", "لمدينة"…), so that testing the
word before a name is one set lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from marsad.streams.extract.lexicon import ARTICLE_CHAINS, clitic_forms
from marsad.streams.text.normalize import normalize
from marsad.streams.text.tokens import PREFIXES

DATA_FILE = Path(__file__).with_name("places.yaml")


def _bare_clitic_forms(words: list[str]) -> frozenset[str]:
    """The words and each behind a clitic chain without the article: a given name
    takes "و" or "ب" but not "ال" ("والوليد" is "and al-Walid", a place, not "and Walid")."""
    out: set[str] = set()
    for raw in words:
        w = normalize(str(raw)).strip()
        if w:
            out.add(w)
            out.update(p + w for p in PREFIXES if p not in ARTICLE_CHAINS)
    return frozenset(out)


def _plain(words: list[str]) -> frozenset[str]:
    return frozenset(" ".join(normalize(str(w)).split()) for w in words)


def _tails(names: list[str]) -> dict[str, tuple[str, ...]]:
    """Each way to split the names (normalised) into a head and the rest: "حلب اليوم" -> {"حلب": (" اليوم",)}.

    A gazetteer name found at the start of a name is tested against the rest written after it.
    """
    out: dict[str, list[str]] = {}
    for raw in names:
        words = normalize(str(raw)).split()
        for k in range(1, len(words)):
            out.setdefault(" ".join(words[:k]), []).append(" " + " ".join(words[k:]))
    return {head: tuple(tails) for head, tails in out.items()}


@dataclass(frozen=True, slots=True)
class PlaceRules:
    """Which words around a name make it a place, a person or an organisation."""

    place_nouns: frozenset[str]
    small_place_nouns: frozenset[str]
    prepositions: frozenset[str]
    capital_cues: frozenset[str]
    person_words: frozenset[str]
    organisation_words: frozenset[str]
    needs_place_noun: frozenset[str]  # names (normalised) that are common words
    needs_cue: frozenset[str]
    no_cue_population: int
    nouns_after: frozenset[str]  # English: "al-Hol camp", "Daquq district"
    blocking_words_after: frozenset[str]  # "Damascus University"
    dual_place_nouns: frozenset[str]  # "بلدتي X وY"
    from_words: frozenset[str]  # "من دمشق إلى ...": a capital on a journey is a place
    to_words: frozenset[str]
    home_countries: frozenset[str]  # a place elsewhere needs a cue unless its country is named
    orientation_nouns: frozenset[str]  # after a name: "راشيا شرق لبنان"
    road_nouns: frozenset[str]  # "طريق سرمدا – ...": a cue, and a dash pair after it is a road's two ends
    within_nouns: frozenset[str]  # "الحضر بريف القنيطرة": the place after names the area the name lies in
    outlet_tails: dict[str, tuple[str, ...]]  # "حلب" -> (" اليوم",): media named after a place

    @classmethod
    def from_mapping(cls, data: dict) -> PlaceRules:
        """Build from the parsed YAML mapping (see places.yaml)."""
        return cls(
            place_nouns=clitic_forms(data["place_nouns"]),
            small_place_nouns=clitic_forms(data["small_place_nouns"]),
            prepositions=clitic_forms(data["prepositions"]),
            capital_cues=clitic_forms(data["capital_cues"]),
            person_words=_bare_clitic_forms(data["person_words"]),
            organisation_words=clitic_forms(data["organisation_words"]),
            needs_place_noun=_plain(data["needs_place_noun"]),
            needs_cue=_plain(data["needs_cue"]),
            no_cue_population=int(data["no_cue_population"]),
            nouns_after=_plain(data["nouns_after"]),
            blocking_words_after=clitic_forms(data["blocking_words_after"]),
            dual_place_nouns=clitic_forms(data["dual_place_nouns"]),
            from_words=clitic_forms(data["from_words"]),
            to_words=clitic_forms(data["to_words"]),
            home_countries=frozenset(str(c) for c in data["home_countries"]),
            orientation_nouns=_plain(data["orientation_nouns"]),
            road_nouns=clitic_forms(data["road_nouns"]),
            within_nouns=clitic_forms(data["within_nouns"]),
            outlet_tails=_tails(data["outlet_names"]),
        )


@cache
def load_place_rules(path: Path = DATA_FILE) -> PlaceRules:
    """The rules of ``path``, read once per process and shared (they are immutable)."""
    return PlaceRules.from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))
