"""Find the places an article mentions, with coordinates from the gazetteer.

`find_places` runs in four steps:

1. every gazetteer name in the normalised text, clitics allowed, longest
   first ("دير الزور" over "الزور"), via the gazetteer's automaton;
2. each mention's context (`marsad.streams.extract.place_context`): a place noun
   ("مدينة", "ريف", "معبر"; "X camp"), a preposition ("في", "إلى", ب on the
   word; "in"), a coordination with a place ("الحسكة ودير الزور"), or a
   person's title or given name / an organisation word before it, which rules
   it out; an English name must be capitalised;
3. the names are resolved, unambiguous ones first: their countries join the
   countries the article names as evidence, and an ambiguous name goes to the
   reading in an evidenced country, else in the region's countries, else the
   most important one; but a name placed by a bigger place right after it
   ("القصر غربي حلب", "الحضر بريف القنيطرة", "شبعا - حاصبيا") goes to its
   reading nearest that place (within `_WITHIN_KM` or in its governorate),
   and to none when no reading is near (a village the gazetteer lacks is not
   its namesake elsewhere), unless a big town of that place's country is
   named loosely ("الرقة شرقي حلب");
4. a name is kept when its context is strong enough for it: big unambiguous
   towns of the region need nothing, small, ambiguous or far-away ones a cue,
   capitals a locative cue or a list of places (alone, "واشنطن" is the US
   government), common words a place noun; a name that only a list's plural
   noun makes a place ("مناطق: عرسال، القصر") lies in a country of the list's
   other names or of the article.

Each place is reported once, with the number of its mentions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from marsad.schemas.facts import Place
from marsad.streams.extract.countries import (
    CountryVocab,
    countries_of,
    country_mentions,
    load_country_vocab,
    mentions_in,
    placing_words,
)
from marsad.streams.extract.gazetteer import admin1
from marsad.streams.extract.gazetteer.model import Gazetteer, PlaceEntry
from marsad.streams.extract.lexicon import Hit, find_each
from marsad.streams.extract.place_context import COORD, NONE, NOUN, PREP, Mention, coordinate, read_context
from marsad.streams.extract.place_rules import PlaceRules, load_place_rules
from marsad.streams.extract.surface import surface
from marsad.streams.geo import km_between, place_key
from marsad.streams.text.normalize import SourceMap

_SMALL_PLACE_MAX_POP = 100_000
_CITY_POP = 1_000_000  # at home, a "town" of GeoNames' 100,000 may be a district's seat counted with its district
_REGION_KINDS = frozenset({"governorate", "region"})
_WITHIN_KM = 100.0  # how far a name's reading may lie from the place it is said to lie in or by


@dataclass(slots=True)
class _Group:
    """All mentions of one name."""

    phrase: str
    mentions: list[Mention] = field(default_factory=list)
    entry: int | None = None


def find_places(norm_text: str, gazetteer: Gazetteer, *, text: str | None = None,
                rules: PlaceRules | None = None, countries: CountryVocab | None = None) -> list[Place]:
    """The places ``norm_text`` (normalised clean text) mentions, each once.

    ``text`` is the clean text itself, to report names as written; without it
    names come in their matching form.
    """
    hits = gazetteer.lexicon.find(norm_text)
    if not hits:
        return []
    vocab = countries or load_country_vocab()
    return _places(norm_text, gazetteer, text, rules or load_place_rules(), hits,
                   dict(country_mentions(norm_text, vocab)), vocab)


def find_places_and_countries(norm_text: str, gazetteer: Gazetteer, *, text: str | None = None,
                              rules: PlaceRules | None = None,
                              countries: CountryVocab | None = None,
                              written: SourceMap | None = None) -> tuple[list[Place], list[str]]:
    """``(find_places(...), find_countries(...))`` of one article, with one pass over its text.

    Gazetteer names and country words are found together (`find_each`), and
    the country mentions serve both as evidence for places and as the start
    of the country list. ``written``, when the caller has it, is the
    `SourceMap` of ``text`` to ``norm_text`` (it speeds up quoting names as written).
    """
    vocab = countries or load_country_vocab()
    hits, country_hits = find_each(norm_text, (gazetteer.lexicon, vocab.lexicon))
    mentions = dict(mentions_in(norm_text, country_hits, vocab))
    places = _places(norm_text, gazetteer, text, rules or load_place_rules(), hits, dict(mentions),
                     vocab, written) if hits else []
    return places, countries_of(mentions, places)


def _places(norm_text: str, gazetteer: Gazetteer, text: str | None, rules: PlaceRules,
            hits: list[Hit[int]], evidence: dict[str, int], vocab: CountryVocab,
            written: SourceMap | None = None) -> list[Place]:
    """`find_places` once the names (``hits``) and country mentions (``evidence``, updated here) are found."""
    mentions = [read_context(norm_text, h, rules) for h in hits]
    placing = placing_words(vocab)
    entries = gazetteer.entries
    for m in mentions:  # "طرابلس الليبية", "قم الإيرانية": the adjective names the place's country
        if m.after in placing:
            iso = placing[m.after]
            evidence[iso] = evidence.get(iso, 0) + 1
            if m.level < PREP and any(entries[i].country == iso for i in m.hit.values):
                m.level = PREP  # "سنجار بالعراق", "بلدة ... السورية": the writer places it, as a preposition would
    if text is not None:
        for m in mentions:
            if m.ali:  # "على سنجار" as written is the preposition, not a man named علي
                written = written or SourceMap(text, norm_text)
                if written.span(m.ali - 1, m.ali) == "ى":
                    m.blocked, m.level = False, PREP
        for m in mentions:  # an English name is a proper noun: "Homs", not "homs"
            if m.hit.phrase[0] < "\x80":  # a name in Latin letters
                written = written or SourceMap(text, norm_text)
                m.blocked = m.blocked or written.span(m.hit.core_start, m.hit.end).islower()
    coordinate(norm_text, mentions, gazetteer.entries, rules)
    groups: dict[str, _Group] = {}
    for m in mentions:
        g = groups.get(m.hit.phrase)
        if g is None:  # a group only for a name's first mention (setdefault would build one for each)
            g = groups[m.hit.phrase] = _Group(m.hit.phrase)
        g.mentions.append(m)

    entries = gazetteer.entries
    # Pass 1: names with one reading; their countries become evidence for pass 2.
    ambiguous = []
    for g in groups.values():
        cands = g.mentions[0].hit.values
        if len(cands) > 1 and len({entries[i].country for i in cands}) > 1:
            ambiguous.append((g, cands))
            continue
        g.entry = _choose(g, cands, entries, evidence, rules, False)
        if g.entry is not None:
            c = entries[g.entry].country
            evidence[c] = evidence.get(c, 0) + 1
    for g, cands in ambiguous:
        g.entry = _choose(g, cands, entries, evidence, rules, True)

    return _report(norm_text, text, groups, entries, written)


def _required(entry: PlaceEntry, phrase: str, ambiguous: bool, evidenced: bool, rules: PlaceRules) -> int:
    """The weakest context with which ``phrase`` may stand for ``entry``."""
    if phrase in rules.needs_place_noun:
        return NOUN
    if phrase in rules.needs_cue or entry.kind == "capital":
        return COORD
    if entry.country not in rules.home_countries and not evidenced:
        return COORD  # far away and the article does not name its country: "بوشر" is a verb here
    if entry.population >= rules.no_cue_population and (evidenced or not ambiguous):
        return NONE
    return COORD


def _choose(g: _Group, cands: tuple[int, ...], entries: tuple[PlaceEntry, ...],
            evidence: dict[str, int], rules: PlaceRules, ambiguous: bool) -> int | None:
    """The entry a name stands for in this article, or None when it is not a place here.

    ``ambiguous``: the candidates lie in more than one country.
    """
    level, small, capital_ok, vague, kinds = NONE, False, False, True, set()
    own = NONE  # the level without the cues lent by a list's plural noun ("قرى X، Y")
    live = False
    for m in g.mentions:  # one loop for what the mentions say together (most names have one)
        if m.blocked:
            continue
        live = True
        if m.level > level:
            level = m.level
        if m.level > own and not m.listed:
            own = m.level
        small = small or m.small_noun
        capital_ok = capital_ok or m.capital_ok
        vague = vague and m.oriented
        if m.noun_kind:
            kinds.add(m.noun_kind)
    if not live:
        return None
    anchors = _anchors(g, entries)
    if anchors:  # "القصر غربي حلب": only a reading near Aleppo, the nearest first
        inside = not all(m.within_loose for m in g.mentions if m.within is not None)
        near = {i: km for i in cands if (km := _km_to(entries[i], anchors, inside)) is not None}
        if near:
            cands = tuple(sorted(near, key=near.__getitem__))
        elif not inside:
            # none is there: the gazetteer lacks this one, unless a big town is named loosely ("الرقة شرقي حلب")
            countries = {a.country for a in anchors}
            cands = tuple(i for i in cands if entries[i].country in countries
                          and entries[i].population >= rules.no_cue_population)
        else:  # said to be inside a place none of its readings is in ("حوض اليرموك بريف درعا"): none of them
            cands = ()
    lent = level > own  # only a list's plural noun makes it a place: "قرى X، Y"
    fellows = _fellow_countries(g, entries) if lent else frozenset()
    unplaced = lent and not fellows and not any(evidence.values())  # nothing says where the list lies
    best, best_score = None, -math.inf
    for rank, i in enumerate(cands):
        e = entries[i]
        evidenced = evidence.get(e.country, 0) > 0
        if small and e.population >= _SMALL_PLACE_MAX_POP and not evidenced and \
                (e.country not in rules.home_countries or e.population >= _CITY_POP):
            continue  # "قرية X" is not a big city of a country the article does not speak of ("بلدة الشرقاط" may be
            # the seat of a district GeoNames counts whole)
        required = _required(e, g.phrase, ambiguous, evidenced, rules)
        if level < required or (own < required and not evidenced and e.country not in fellows and not unplaced):
            continue  # a name a list lends its cue to lies where the list's other names or the article are
        if e.kind == "capital" and not capital_ok:
            continue
        if vague and e.kind in _REGION_KINDS:
            continue  # "البقاع الشمالي": a part of a region, not a point
        score = (100.0 if evidenced else 0.0) + (50.0 if e.kind in kinds else 0.0) \
            + (10.0 if e.country in rules.home_countries else 0.0) + math.log10(e.population + 10)
        if anchors:
            score = float(-rank)  # near the place named after it: the nearest
        if score > best_score:
            best, best_score = i, score
    return best


def _anchors(g: _Group, entries: tuple[PlaceEntry, ...]) -> list[PlaceEntry]:
    """The readings of the places the name's mentions are placed in or by (`Mention.within`)."""
    out: list[PlaceEntry] = []
    for m in g.mentions:
        w = m.within
        if w is not None and not m.blocked and not w.blocked:
            out.extend(entries[i] for i in w.hit.values if entries[i].kind != "region")
    return out


def _fellow_countries(g: _Group, entries: tuple[PlaceEntry, ...]) -> frozenset[str]:
    """The countries of the other names of the lists the name is in by a plural noun ("مناطق عرسال، X")."""
    return frozenset(entries[i].country for m in g.mentions if m.listed and m.fellows
                     for f in m.fellows if f is not m and not f.blocked for i in f.hit.values)


def _km_to(e: PlaceEntry, anchors: list[PlaceEntry], inside: bool = False) -> float | None:
    """How far ``e`` lies from the nearest of ``anchors``, if within `_WITHIN_KM` or maybe in one's
    governorate: the same one, or one of its country when either's is not known (a remote crossing).
    ``inside``: said to be in an anchor's area ("بريف درعا"), ``e`` must not lie in another governorate,
    however near (Damascus's Yarmouk camp is 96 km from Daraa)."""
    km = min(km_between(e, a) for a in anchors)
    if km <= _WITHIN_KM and not inside:
        return km
    regions = admin1.load().by_key
    region = regions.get(place_key(e.geonameid, e.lat, e.lon))
    for a in anchors:  # "عكاشات غرب الأنبار": far from the governorate's point, inside it
        other = regions.get(place_key(a.geonameid, a.lat, a.lon))
        if a.country == e.country and (region is None or other is None or other == region):
            return km
    return None


def _report(norm: str, text: str | None, groups: dict[str, _Group],
            entries: tuple[PlaceEntry, ...], written: SourceMap | None) -> list[Place]:
    """One Place per entry, in order of first mention, names as written."""
    by_entry: dict[int, tuple[str, int, int]] = {}  # entry -> (phrase, first offset, mentions)
    for g in groups.values():
        if g.entry is None:
            continue
        starts = [m.hit.start for m in g.mentions if not m.blocked]
        first = starts[0]  # mentions come in text order
        phrase, start, count = by_entry.get(g.entry, (g.phrase, first, 0))
        if first < start:
            phrase, start = g.phrase, first
        by_entry[g.entry] = (phrase, start, count + len(starts))
    if written is None and text is not None and by_entry:
        written = SourceMap(text, norm)
    out = []
    for i, (phrase, _start, count) in sorted(by_entry.items(), key=lambda kv: kv[1][1]):
        e = entries[i]
        name = surface(text, phrase, written=written) if text is not None else phrase
        out.append(Place(name=name, lat=e.lat, lon=e.lon, country=e.country, kind=e.kind,
                         geonameid=e.geonameid, mentions=count))
    return out
