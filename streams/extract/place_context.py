"""What the words around a gazetteer name say about it: place, person, organisation, or nothing.

`read_context` looks at one mention on its own:

- a place noun just before it ("مدينة", "ريف", "معبر"; "city of", "province of"),
  or in English just after it ("al-Hol camp", "Daquq district");
- a preposition before it ("في", "إلى", ب on the word itself; "in", "near");
- a dual or plural place noun before a list the name is in ("بلدتي X وY",
  "قرى X، Y وZ": each name of the list, even after names the gazetteer lacks);
- a road noun before it ("طريق سرمدا – ..."), a weak cue like a preposition;
- a travel pair ("من دمشق إلى ..."), where even a capital is a place;
- a dateline: the name opening a line, followed by a dash, colon, comma or
  parenthesis ("دمشق - خاص", "BEIRUT (Reuters) -");
- an orientation after it ("راشيا شرق لبنان"), a weak cue like a preposition;
  but a village noun before and an orientation adjective after ("بلدة
  الغارية الشرقية") name another village than the one the gazetteer knows;
- a person's title or given name, or an organisation word, before it ("قناة",
  "مراسل"), or an institution word after it ("Damascus University"), or the
  rest of an outlet's name in quotes or at its line's end ('"حلب اليوم"'):
  not a place.

A place noun names a place in construct, itself without the article ("قرية
السوداء", "سوق الحميدية"); a name that is also a common word, written with
the article after a noun that has it, is that noun's adjective ("السوق
السوداء" is the black market, "بالسوق السوداء" on it), not a place noun's cue.

`coordinate` then lets a name joined by "و", a comma or a dash to a place
inherit its cue: along a whole list ("محافظات حلب وإدلب وحمص ودمشق"), from a big
town that needs no cue ("دير الزور والعشارة"), and a capital listed with
other places is a place too ("بغداد وديالى"), not its government. Two
names joined without any cue are places when both can be towns of one
country less than 150 km apart ("الرطبة وعكاشات"): a list of neighbours.
It also marks the bigger place a name is placed in or by, named right after
it (`Mention.within`): "القصر غربي حلب", "الحضر بريف القنيطرة", and a dash
pair "شبعا - حاصبيا" (town – district; not after a road noun, whose pair is
two ends). `marsad.streams.extract.places` then takes the name's reading near
that place.
"""

from __future__ import annotations

import re
from itertools import pairwise

from marsad.streams.extract.context import WINDOW, WORD_AFTER, two_words_before
from marsad.streams.extract.gazetteer.model import PlaceEntry
from marsad.streams.extract.lexicon import Hit, is_definite
from marsad.streams.extract.place_rules import PlaceRules
from marsad.streams.geo import km_between

# Strength of the context of a mention.
NONE, COORD, PREP, NOUN = 0, 1, 2, 3
_ALI = "علي"  # the given name, and the matching form of the preposition "على"
# Which entry kinds a place noun announces ("مخيم X", "X camp" is the camp).
NOUN_KINDS = {
    "مخيم": "camp", "معبر": "crossing", "منفذ": "crossing", "مطار": "airport", "قاعده": "base",
    "محافظه": "governorate", "سجن": "prison",
    "camp": "camp", "crossing": "crossing", "airport": "airport", "base": "base", "airbase": "base",
    "province": "governorate", "governorate": "governorate", "prison": "prison",
}
_DASHES = frozenset({"-", "–", "—"})
_COORD_GAPS = {"", "،", ",", "و", "، و", ", و", "/", "and", ", and", "or"} | _DASHES
_ORIENTATION = {"الشرقي", "الغربي", "الشمالي", "الجنوبي", "الشرقيه", "الغربيه", "الشماليه", "الجنوبيه"}
_DATELINE_MARKS = "-–—:(,"
_NEIGHBOUR_KM = 150.0
_MAX_JOIN = 16  # the longest text between two joined names: an orientation and ", and"
_MAX_WITHIN = 28  # the longest text between a name and the place it lies in: "في ريف", "شمال غربي مدينة"
_LIST_REACH = 160  # how far before a name a list after a plural place noun is looked for
_LIST_ITEM_WORDS = 3  # the longest name of such a list, in words
_LIST_WORDS = 16  # the most words and commas read back to the noun
_TATWEEL_DASH = "  "  # " ـ " (a tatweel standing as a dash) in the matching form, which drops the tatweel
_IN_AREA, _DASH_PAIR, _BY_ORIENTATION = 2, 1, 3  # how a name is placed by the place after it (`_within`)
_STOPS = frozenset(".!?؟\n")
_LIST_TOKENS = re.compile(r"[^\W_]+|[،,.!?؟\n]")  # words, commas and sentence stops


class Mention:
    """One occurrence of a gazetteer name and what its context says.

    A plain class with slots rather than a dataclass: one is made for every gazetteer name in every
    article, and this ``__init__`` takes only what differs (half the time of the dataclass's).
    """

    __slots__ = ("after", "ali", "blocked", "capital_ok", "fellows", "hit", "level", "listed", "noun_kind",
                 "oriented", "road", "small_noun", "within", "within_loose")

    def __init__(self, hit: Hit[int], after: str = "") -> None:
        self.hit = hit
        self.level = NONE
        self.capital_ok = False
        self.small_noun = False
        self.noun_kind = ""
        self.blocked = False
        self.oriented = False  # an orientation adjective follows: "البقاع الشمالي", "الغارية الشرقية"
        self.after = after  # the word after the name
        self.road = False  # a road noun before: "طريق سرمدا"
        self.listed = False  # the cue is a list's plural noun, not the name's own: "قرى X، Y"
        self.fellows: list[Mention] | None = None  # the names of its list, itself included: "X، Y وZ"
        self.within: Mention | None = None  # the bigger place named right after: "القصر غربي حلب"
        self.within_loose = False  # placed by an orientation or a dash ("غربي حلب"), not inside it ("بريف حلب")
        self.ali = 0  # blocked as after the name "علي": where that word ends (the preposition "على" folds to it)

    def __repr__(self) -> str:
        return (f"Mention({self.hit.phrase!r}, level={self.level}, capital_ok={self.capital_ok}, "
                f"blocked={self.blocked}, after={self.after!r})")


def read_context(norm: str, hit: Hit[int], rules: PlaceRules) -> Mention:
    """What the words around one mention say about it (see the module docstring).

    This runs for every gazetteer name in every article: cheap tests come first,
    and the Latin test is a comparison rather than a call.
    """
    phrase = hit.phrase
    latin = phrase[0] < "\x80"
    following = WORD_AFTER.match(norm, hit.end, hit.end + WINDOW)
    after = following[1] if following else ""
    m = Mention(hit, after)
    first = phrase.split(" ", 1)[0]
    if first in rules.place_nouns:  # "مخيم الهول", "معبر نصيب": the cue is in the name
        m.level, m.capital_ok, m.noun_kind = NOUN, True, NOUN_KINDS.get(first, "")
        return m
    if latin:
        last = phrase.rsplit(" ", 1)[-1]
        if last in rules.nouns_after and last != phrase:  # "al-Hol camp"
            m.level, m.capital_ok, m.noun_kind = NOUN, True, NOUN_KINDS.get(last, "")
            return m
    far, near = two_words_before(norm, hit.start)
    if (near in rules.person_words or near in rules.organisation_words) and _glued(norm, hit.start):
        m.blocked = True  # not across a dash or comma: "وادي خالد – عكار" is no man named خالد عكار
        if near == _ALI:  # ... unless the text wrote the preposition "على" ("غارة على سنجار"): `places` reads it
            m.ali = norm.rindex(_ALI, 0, hit.start) + len(_ALI)
        return m
    if latin and after in rules.nouns_after:  # "Daquq district", "Kirkuk province"
        m.level, m.capital_ok, m.noun_kind = NOUN, True, NOUN_KINDS.get(after, "")
        return m
    if after in rules.blocking_words_after or (phrase in rules.outlet_tails and _outlet(norm, hit, rules)):
        m.blocked = True  # "Damascus University", "Aleppo Media Center", '"حلب اليوم"'
        return m
    m.oriented = after in _ORIENTATION
    pair = f"{far} {near}"
    if (near in rules.place_nouns or pair in rules.place_nouns) and not _adjective_of(near, hit, rules):
        m.level = NOUN
        m.capital_ok = near in rules.capital_cues or pair in rules.capital_cues
        m.small_noun = near in rules.small_place_nouns
        base = near[1:] if near[:1] in "وفبل" and near[1:] in rules.place_nouns else near
        m.noun_kind = NOUN_KINDS.get(base.removeprefix("ال"), "")
    elif "ب" in hit.clitics:
        m.level, m.capital_ok = PREP, True
    elif near in rules.road_nouns:  # "طريق سرمدا": a road is named by the towns it joins
        m.level, m.road = PREP, True
    elif near in rules.prepositions or "ل" in hit.clitics:
        m.level = PREP
        m.capital_ok = near in rules.capital_cues or pair in rules.capital_cues or \
            (near in rules.from_words and after in rules.to_words)
    elif noun := _list_noun(norm, hit, rules):  # "بلدتي X وY", "قرى X، Y وZ"
        m.level, m.small_noun, m.listed = NOUN, noun in rules.small_place_nouns, True
    elif (not hit.start or norm[hit.start - 1] == "\n") and _opens_line(norm, hit):
        m.level, m.capital_ok = PREP, True
    elif after in rules.orientation_nouns:  # "راشيا شرق لبنان", "Qamishli, northeast Syria"
        m.level = PREP
    if m.oriented and m.small_noun:
        m.blocked = True  # "بلدة الغارية الشرقية" is East Ghariyah, another village than الغارية
    return m


def _glued(norm: str, start: int) -> bool:
    """Whether only a space and quotes stand between ``start`` and the word before it (two spaces are a
    tatweel dash, " ـ ", which the matching form drops)."""
    i = start
    while i > 0 and norm[i - 1] in " \"'(":
        i -= 1
    return i > 0 and norm[i - 1].isalnum() and _TATWEEL_DASH not in norm[i:start]


def _adjective_of(noun: str, hit: Hit[int], rules: PlaceRules) -> bool:
    """Whether the name is an adjective of the place noun ``noun`` before it: a common word with the article
    after a noun with the article ("السوق السوداء", "بالسوق السوداء")."""
    return hit.article and not hit.clitics and hit.phrase in rules.needs_place_noun and is_definite(noun)


def _list_noun(norm: str, hit: Hit[int], rules: PlaceRules) -> str:
    """The dual or plural place noun of the list the name ends, or "": "بلدتي X وY", "قرى X، Y وZ".

    The name must follow a comma or carry و; back from it, names of up to `_LIST_ITEM_WORDS` words, each
    after a comma or a word on و, lead to the noun within `_LIST_WORDS` tokens. A preposition or a
    sentence end on the way ends the search: the name is not in a list after the noun.
    """
    if "و" not in hit.clitics:
        i = hit.start
        while i > 0 and norm[i - 1] == " ":
            i -= 1
        if not i or norm[i - 1] not in "،,":
            return ""  # the usual case, told without reading back
    tokens: list[str] = _LIST_TOKENS.findall(norm, max(0, hit.start - _LIST_REACH), hit.start)
    words = 0  # words of the list's name being read, back from its end
    for tok in reversed(tokens[-_LIST_WORDS:]):
        if tok == "،" or tok == ",":
            words = 0
        elif tok in _STOPS:
            return ""
        elif tok in rules.dual_place_nouns:
            return tok
        elif tok in rules.prepositions or words == _LIST_ITEM_WORDS:
            return ""
        else:
            words = 0 if tok[0] == "و" else words + 1  # "وكفرنوران" starts a name of the list
    return ""


def _opens_line(norm: str, hit: Hit[int]) -> bool:
    """Whether the mention is a dateline: first on its line, a dash, colon or comma after it."""
    if hit.start > 0 and norm[hit.start - 1] != "\n":
        return False
    rest = norm[hit.end:hit.end + 3].lstrip(" ")
    return rest[:1] in _DATELINE_MARKS and rest[:1] != ""


def coordinate(norm: str, mentions: list[Mention], entries: tuple[PlaceEntry, ...], rules: PlaceRules) -> None:
    """Let names joined to a place by "و", a comma or a dash share its cue, and mark the place each name
    lies in (see the module docstring)."""
    for prev, cur in pairwise(mentions):
        if cur.hit.start - prev.hit.end > _MAX_WITHIN or cur.blocked or prev.blocked:
            continue
        raw = norm[prev.hit.end:cur.hit.start]
        between = " ".join(raw.split())
        within = _within(raw, between, prev, cur, rules)
        if within:
            prev.within = cur
            prev.within_loose = within != _IN_AREA  # by an orientation, or a dash ("Baiji-Haditha road")
            if within != _DASH_PAIR:  # "الحضر بريف القنيطرة", like "راشيا شرق لبنان"
                prev.level = max(prev.level, PREP)
        if len(raw) > _MAX_JOIN or not _joined(raw, between, cur):
            continue
        if prev.fellows is None:
            prev.fellows = [prev]
        prev.fellows.append(cur)
        cur.fellows = prev.fellows
        prev_place = prev.level >= COORD or _stands_alone(prev.hit, entries, rules)
        if cur.level < COORD and prev_place:
            cur.level = COORD
            cur.capital_ok = prev.capital_ok or _has_town(prev.hit, entries)
        elif prev_place and _has_town(prev.hit, entries):
            cur.capital_ok = True  # "حلب وإدلب ودمشق": a capital listed with towns
        cur_place = cur.level >= COORD or _stands_alone(cur.hit, entries, rules)
        if cur_place and _has_town(cur.hit, entries) and not prev.capital_ok:
            prev.capital_ok = True  # "بغداد وديالى"
            prev.level = max(prev.level, COORD)
        elif not prev_place and not cur_place and _neighbours(prev.hit, cur.hit, entries, rules):
            prev.level = cur.level = COORD  # "الرطبة وعكاشات": two towns of one area name each other


def _neighbours(a: Hit[int], b: Hit[int], entries: tuple[PlaceEntry, ...], rules: PlaceRules) -> bool:
    """Whether two names, neither a common word, can be towns less than `_NEIGHBOUR_KM` apart."""
    if any(h.phrase in rules.needs_place_noun or h.phrase in rules.needs_cue for h in (a, b)):
        return False
    towns_a = [entries[i] for i in a.values if entries[i].kind != "capital"]
    towns_b = [entries[i] for i in b.values if entries[i].kind != "capital"]
    return any(x.country == y.country and km_between(x, y) <= _NEIGHBOUR_KM for x in towns_a for y in towns_b)


def _within(raw: str, between: str, prev: Mention, cur: Mention, rules: PlaceRules) -> int:
    """Whether ``cur`` names the bigger place ``prev`` lies in or by (``raw``: the text between them,
    ``between``: the same, spaces squeezed): `_IN_AREA` for "الحضر بريف القنيطرة", "X في محافظة Y" (the
    noun may open the name: "بريف دمشق"); `_BY_ORIENTATION` for "القصر غربي حلب" (by it, maybe far);
    `_DASH_PAIR` for "شبعا - حاصبيا" (not on a road: "طريق X - Y" names its two ends); else 0."""
    if between in _DASHES or raw == _TATWEEL_DASH:
        return 0 if prev.road else _DASH_PAIR
    words = between.removeprefix("،").removeprefix(",").split()
    if words and words[0][0] == "و" and len(words[0]) > 2:
        return 0  # "دمشق وريف حمص": another place beside it, not the one it lies in
    if words and words[0] in rules.prepositions and words[0] not in rules.orientation_nouns:  # "في ريف"
        words = words[1:]
    if not words:  # "بريف دمشق", "في محافظة صلاح الدين": the noun opens the name
        first = cur.hit.phrase.split(" ", 1)[0]
        inside = first != cur.hit.phrase and first in rules.within_nouns and "و" not in cur.hit.clitics
        return _IN_AREA if inside else 0
    oriented = inside = False
    for w in words:
        if w in rules.orientation_nouns:
            oriented = True
        elif w in rules.within_nouns:
            inside = True
        elif not (oriented and (w in rules.place_nouns or w == "of")):
            return 0
    return _IN_AREA if inside else _BY_ORIENTATION


def _joined(raw: str, between: str, cur: Mention) -> bool:
    """Whether ``cur`` is joined to the name before it (``raw``, ``between``: see `_within`)."""
    if raw == _TATWEEL_DASH:  # "وادي خالد ـ عكار"
        return True
    words = between.split()
    if words and words[0] in _ORIENTATION:  # "ريف حلب الشمالي وإدلب"
        between = " ".join(words[1:])
    return between in _COORD_GAPS and bool(between or "و" in cur.hit.clitics)


def _outlet(norm: str, hit: Hit[int], rules: PlaceRules) -> bool:
    """Whether the name starts an outlet's name ("حلب اليوم") written in quotes or ending its line, or one whose
    name goes on with a number ("السويداء 24", "Suwayda 24 reported"): no place's name does."""
    for tail in rules.outlet_tails[hit.phrase]:
        end = hit.end + len(tail)
        if not norm.startswith(tail, hit.end) or (end < len(norm) and norm[end].isalnum()):
            continue
        quoted = hit.start > 0 and norm[hit.start - 1] == '"' and norm[end:end + 1] == '"'
        if quoted or norm[end:end + 1] in ("", "\n") or any(ch.isdigit() for ch in tail):
            return True
    return False


def _has_town(hit: Hit[int], entries: tuple[PlaceEntry, ...]) -> bool:
    """Whether some reading of the name is a place other than a national capital."""
    return any(entries[i].kind != "capital" for i in hit.values)


def _stands_alone(hit: Hit[int], entries: tuple[PlaceEntry, ...], rules: PlaceRules) -> bool:
    """Whether the name is a place without any cue: a big town of one country, not a common word."""
    if hit.phrase in rules.needs_place_noun or hit.phrase in rules.needs_cue:
        return False
    cands = [entries[i] for i in hit.values]
    return (len({e.country for e in cands}) == 1 and all(e.kind != "capital" for e in cands)
            and max(e.population for e in cands) >= rules.no_cue_population
            and cands[0].country in rules.home_countries)
