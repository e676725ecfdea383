"""Countries an article speaks of, as ISO 3166-1 alpha-2 codes.

A country counts when the article names it ("العراق", "الولايات المتحدة"),
uses its adjective or people ("الحرس الثوري الإيراني", "الروس"), names its
capital as its government ("كشفت واشنطن"), or mentions a place inside it.
The vocabulary is countries.yaml.

Two grammatical guards:

- a *definite* adjective ("السوداني") qualifies a definite word before it
  ("الجيش السوداني", "وزارة الداخلية السورية"); after a person's name ("محمد
  شياع السوداني") it is a family name, and does not count;
- an adjective on a currency ("100 ألف دولار أمريكي", "سعر الليرة التركية",
  "U.S. dollars", "Iraqi dinars") names money, not the country, and does not
  count; the currency nouns are the ``currencies`` of countries.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

from marsad.schemas.facts import Place
from marsad.streams.extract.context import word_after, word_before
from marsad.streams.extract.lexicon import ARTICLE, Hit, Lexicon, clitic_forms, is_definite
from marsad.streams.text.normalize import normalize

DATA_FILE = Path(__file__).with_name("countries.yaml")
_ADJECTIVE_ENDINGS = ("", "ه", "ون", "ين", "ات")  # سوري، سورية، سوريون، سوريين، سوريات

NAME, ADJECTIVE, PEOPLE, METONYM = "name", "adjective", "people", "metonym"
CURRENCIES = "currencies"  # the key of countries.yaml that is not a country: currency nouns


@dataclass(frozen=True, slots=True, eq=False)
class CountryVocab:
    """The country vocabulary, indexed for matching: phrase -> (iso, role)."""

    lexicon: Lexicon[tuple[str, str]]
    phrases: tuple[tuple[str, str, str], ...]  # (normalised phrase, iso, role)
    isos: dict[str, tuple[str, ...]]  # normalised phrase -> its countries
    # Currency nouns, normalised: Arabic ones with their clitic forms ("بالدولار"), met before an adjective;
    # English ones, met after it ("dollars" in "U.S. dollars").
    currencies: frozenset[str] = frozenset()

    def name_forms(self) -> set[str]:
        """Normalised names, adjectives and people nouns: words that are never a place's name."""
        out = set()
        for phrase, _iso, role in self.phrases:
            if role != METONYM:
                out.add(phrase)
                if not phrase.startswith(ARTICLE) and not phrase.isascii():
                    out.add(ARTICLE + phrase)
        return out


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def parse_country_vocab(data: dict) -> CountryVocab:
    """Build the vocabulary from the parsed YAML mapping (see countries.yaml)."""
    phrases: list[tuple[str, str, str]] = []
    for iso, spec in data.items():
        if iso == CURRENCIES:
            continue
        if not isinstance(iso, str):  # YAML reads a bare NO (Norway) as false, ON as true
            raise ValueError(f"countries: the key {iso!r} is not an ISO code: quote it (\"NO\":)")
        for name in _as_list(spec.get("names")):
            phrases.append((normalize(name), iso, NAME))
        for stem in _as_list(spec.get("adjective")):
            base = normalize(stem)
            phrases.extend((base + ending, iso, ADJECTIVE) for ending in _ADJECTIVE_ENDINGS)
        for word in _as_list(spec.get("people")) + _as_list(spec.get("english")):
            phrases.append((normalize(word), iso, PEOPLE))
        for word in _as_list(spec.get("metonyms")):
            phrases.append((normalize(word), iso, METONYM))
    lexicon = Lexicon((p, (iso, role)) for p, iso, role in phrases)
    isos: dict[str, tuple[str, ...]] = {}
    for p, iso, _role in phrases:
        key = " ".join(p.split())
        if iso not in isos.get(key, ()):
            isos[key] = (*isos.get(key, ()), iso)
    currencies = data.get(CURRENCIES) or {}
    nouns = clitic_forms(_as_list(currencies.get("arabic"))) | {normalize(w) for w in _as_list(currencies.get("english"))}
    return CountryVocab(lexicon, tuple(phrases), isos, frozenset(nouns))


@cache
def load_country_vocab(path: Path = DATA_FILE) -> CountryVocab:
    """The vocabulary of ``path``, read once per process and shared (it is immutable)."""
    return parse_country_vocab(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def placing_words(vocab: CountryVocab) -> dict[str, str]:
    """Each word that, right after a place's name, places it in one country -> that country: its definite
    adjective ("طرابلس الليبية", "الايرانيه") and its one-word name on ب ("سنجار بالعراق")."""
    out: dict[str, str] = {}
    for phrase, iso, role in vocab.phrases:
        if len(vocab.isos.get(phrase, ())) != 1:
            continue
        if role == ADJECTIVE:
            out[ARTICLE + phrase] = iso
        elif role == NAME and " " not in phrase:
            out["ب" + phrase] = iso
    return out


def _counts(norm: str, hit: Hit[tuple[str, str]], currencies: frozenset[str]) -> bool:
    """False for a definite adjective not after a definite word (a family name), and for a currency's adjective."""
    if currencies and _on_currency(norm, hit, currencies):
        return False
    if not hit.article or hit.phrase.startswith(ARTICLE):
        return True
    if all(role in (PEOPLE, METONYM) for _iso, role in hit.values):
        return True
    return is_definite(word_before(norm, hit.start))


def _on_currency(norm: str, hit: Hit[tuple[str, str]], currencies: frozenset[str]) -> bool:
    """Whether the hit is the adjective of a currency: "دولار أمريكي" (noun first), "U.S. dollars" (noun after)."""
    if hit.phrase.isascii():
        return word_after(norm, hit.end) in currencies
    return any(role == ADJECTIVE for _iso, role in hit.values) and word_before(norm, hit.start) in currencies


def country_mentions(norm_text: str, vocab: CountryVocab | None = None) -> dict[str, int]:
    """How often each country is spoken of by name, adjective, people or capital, in order of first mention."""
    return dict(_mentions(norm_text, vocab or load_country_vocab()))


@lru_cache(maxsize=8)
def _mentions(norm_text: str, vocab: CountryVocab) -> tuple[tuple[str, int], ...]:
    # Memoised on the (immutable) text: find_places needs the same counts as
    # evidence that find_countries then reports, for the same article.
    return mentions_in(norm_text, vocab.lexicon.find(norm_text), vocab)


def mentions_in(norm_text: str, hits: Iterable[Hit[tuple[str, str]]],
                vocab: CountryVocab) -> tuple[tuple[str, int], ...]:
    """`country_mentions` from the hits of ``vocab.lexicon`` in ``norm_text`` (found by the caller)."""
    out: dict[str, int] = {}
    for hit in hits:
        if not _counts(norm_text, hit, vocab.currencies):
            continue
        for iso in vocab.isos[hit.phrase]:
            out[iso] = out.get(iso, 0) + 1
    return tuple(out.items())


def find_countries(norm_text: str, places: Iterable[Place], vocab: CountryVocab | None = None) -> list[str]:
    """ISO codes of every country the article speaks of, directly or through its places.

    ``norm_text`` is the normalised clean text; ``places`` what `find_places`
    found in it. Countries come in order of first mention, then those known
    only through a place.
    """
    return countries_of(country_mentions(norm_text, vocab), places)


def countries_of(mentions: Iterable[str], places: Iterable[Place]) -> list[str]:
    """The countries named (``mentions``, in order of first mention), then those known only through ``places``."""
    found = list(mentions)
    for place in places:
        if place.country and place.country not in found:
            found.append(place.country)
    return found
