"""The place of an incident: the most precise place the earlier stage found in its sentence.

A village, camp or crossing comes before a town, a town before a city, a
city before a district or governorate (incidents.md rule 4). A place named
as a region around it ("ريف دير الزور", "محافظة ميسان", "بادية حمص") counts as
vague, after any named town (the desert of a town, "بادية العشارة", is near
it). A place the event was near, or a district named after
its town ("قرب داقوق", "قضاء خانقين", "غرب الرقة") is that town, after any
place named more precisely (rule 4: a village with no known point takes the
nearest town named). Not the place: a dateline ("دمشق - سانا" at the start of
the text, "ERBIL, Kurdistan Region - ..."), a person's origin ("المنحدر من
السويداء", "وهو من بلدة نصيب"), a town far off from it ("على بعد 50 كيلومتراً جنوب
أربيل"), a side of a capital ("شمال بغداد": tens of
kilometres of ground), nor the town a road goes to ("على طريق القامشلي – المالكية":
no more precise than the city it starts from; a road out of a capital is no place of it; a road named after
one town is after any other named, "على طريق جنديرس وسط مدينة عفرين"), nor the hospital the wounded were taken
to ("ونقلوا إلى مستشفى مدينة الباب"). People on the move take the place they left
(`left_from`: "عائدة من مخيم الهول").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import itemgetter

from marsad.schemas.facts import Place
from marsad.streams.extract.incidents.sentences import Sentence, readings_of
from marsad.streams.extract.incidents.vocab import IncidentVocab
from marsad.streams.text.automaton import Automaton, word_marks
from marsad.streams.text.normalize import normalize
from marsad.streams.text.tokens import TOKEN

_RANK = {"village": 0, "camp": 0, "crossing": 0, "airport": 0, "base": 0, "prison": 0, "town": 1,
         "city": 2, "capital": 2, "district": 3, "governorate": 4, "region": 5}  # a region holds governorates
NEAR = 1  # a place the event was near ("قرب داقوق") is no more precise than a town, however small
VAGUE = 4  # a region around a place ("ريف دير الزور"): not the event's place
_ORIGIN_WORDS = 4  # words before a place read for an origin ("ينحدر القتيل من بلدة")
_CONTEXT_CHARS = 60  # characters around a mention read for its context words
_PLACING_CHARS = 24  # at most this between a place and the town placing it ("سامراء (40 كم) جنوب تكريت")
_RESIDENTS = frozenset({"اهالي", "ابناء", "سكان"})  # "أهالي بلدة X": where they live, where a protest is
_FROM = frozenset({"من", "from"})  # where people left ("عائدة من مخيم الهول")
_TO = frozenset({"الي", "نحو", "باتجاه", "to", "towards", "toward"})  # where people go ("إلى مخيم الجدعة")
_DATELINE_LEAD = 30  # characters before a place that can still be a dateline's ("ERBIL, Kurdistan Region -")
_DATELINE_DASH = re.compile(r" ?[-–—] ")
_DIGIT = re.compile(r"\d")
_DATELINE_MARKS = ("-", "–", "—", ":", "/", "(", "،", ",", ".")
_ARTICLE = "ال"
_DESERT = "باديه"  # "بادية العشارة": the desert around a town
_PLACE_NOUNS = frozenset({"city", "town", "village", "camp", "cities", "towns", "villages"})  # "the city of X"
_ROAD = frozenset({"طريق", "اوتوستراد", "اتوستراد"})  # "على طريق القامشلي - المالكية": somewhere along it
_ALONG = 2  # the rank of the town a road goes to: no more precise than a city (the town it starts from leads)
_ROAD_NAME = 3  # the rank of the town a road is named after: after any other town named (a district's)
_HOSPITAL = frozenset({"مستشفي", "مشفي", "hospital", "hospitals"})
_TAKEN = frozenset({"نقلوا", "نقله", "نقلهم", "اسعاف", "اسعافه", "اسعافهم", "اسعافها", "taken", "rushed",
                    "transferred", "evacuated"})  # the wounded taken to a hospital ("ونقلوا إلى مستشفى مدينة الباب")
_PAIRED_CHARS = 4  # at most this between the two towns a road is named after ("القامشلي – المالكية")
_PLACE_NOUNS_AR = frozenset({"قريه", "بلده", "مدينه", "ناحيه", "بلدتي", "قريتي"})  # before a place's name
_PLACE_NOUN_TAILS = frozenset(noun[-3:] for noun in _PLACE_NOUNS_AR)  # a cheap test before the clitics are read
_NOT_A_NAME = frozenset({"مجاوره", "اخري", "اخرى", "قريبه", "صغيره", "نائيه", "حدوديه", "واحده", "نفسها", "ذاتها"})
_DISTANCE_UNITS = frozenset({"كم", "كلم", "كيلومتر", "كيلومترا", "كيلومترات", "كيلو", "km", "kilometres", "kilometers",
                             "miles"})
_FAR_KM = 25  # a place this far or nearer from the one named is near it ("25 كم شمال غرب مدينة تدمر")
_MILE = 1.609  # km in a mile ("45 km (28 miles) southwest of Kirkuk")
_SIDES = frozenset({"شرق", "غرب", "شمال", "جنوب", "شرقي", "غربي", "شمالي", "جنوبي",
                    "east", "west", "north", "south", "northeast", "northwest", "southeast", "southwest"})


@dataclass(frozen=True, slots=True)
class Located:
    place: Place
    rank: int  # 0 most precise .. 4 vague (5: a region of governorates)
    offset: int
    named: frozenset[str] = frozenset()  # the names of every place the sentence names ("القيارة جنوبي مدينة الموصل")


def forms(places: Sequence[Place]) -> list[tuple[Place, tuple[str, ...]]]:
    """Each place with the matching forms of its name (with and without the article)."""
    return [(p, name_forms(p.name)) for p in places]


@lru_cache(maxsize=8192)
def name_forms(name: str) -> tuple[str, ...]:
    """The matching forms of a place name, longest first (names recur across articles: kept)."""
    norm = " ".join(normalize(name).split())
    alts = {norm}
    if norm.startswith("ال") and len(norm) > 4:
        alts.add(norm[2:])
    if norm.startswith("al-") or norm.startswith("al "):
        alts.add(norm[3:])
    return tuple(sorted(alts, key=len, reverse=True))


class Mentions:
    """Where each of the article's places is named (offsets in the matching form), found once, on first need
    (an article whose sentences are all dropped before their place is asked for never looks).

    ``names``, when given, is an automaton whose engine scans the same text (the incident vocabulary's,
    which shares the gazetteer's): the names it holds are looked up among its hits (`_occurrences`).
    """

    __slots__ = ("_found", "_names", "_norm", "_places", "_starts")

    def __init__(self, norm: str, places: list[tuple[Place, tuple[str, ...]]], names: Automaton | None = None) -> None:
        self._norm, self._places, self._names = norm, places, names
        self._found: list[tuple[int, int, Place, tuple[str, ...]]] | None = None
        self._starts: list[int] = []

    def within(self, start: int, end: int) -> list[tuple[int, int, Place, tuple[str, ...]]]:
        """The mentions in ``[start, end)``, in text order."""
        if self._found is None:
            self._found = _mentions(self._norm, self._places, self._names)
            self._starts = [f[0] for f in self._found]
        return self._found[bisect_left(self._starts, start):bisect_left(self._starts, end)]


def _mentions(norm: str, places: list[tuple[Place, tuple[str, ...]]],
              names_automaton: Automaton | None = None) -> list[tuple[int, int, Place, tuple[str, ...]]]:
    """Every whole-word mention of each place, in text order (a form inside a longer form of the same
    place is not one)."""
    found: list[tuple[int, int, Place, tuple[str, ...]]] = []
    n = len(norm)
    marks = word_marks(norm)  # marks[i]: norm[i].isalnum()
    known = {} if names_automaton is None else names_automaton.starts(norm, _forms_and_cores(places))
    for place, names in places:
        covered: list[tuple[int, int]] = []
        for name in names:  # longest first: "القامشلي" before "قامشلي" inside it
            size = len(name)
            for k in _occurrences(norm, name, known):
                end = k + size
                if (end >= n or not marks[end]) and (k == 0 or not marks[k - 1] or _word_start_ok(norm, marks, k)) \
                        and not (covered and _inside(covered, k, end)):
                    found.append((k, end, place, names))
                    covered.append((k, end))
    found.sort(key=itemgetter(0))
    return found


def _forms_and_cores(places: list[tuple[Place, tuple[str, ...]]]) -> set[str]:
    """The places' name forms, and each without its article (the gazetteer's engine holds names so)."""
    forms = {name for _, names in places for name in names}
    return forms | {name[2:] for name in forms if name.startswith(_ARTICLE)}


def _occurrences(norm: str, name: str, known: dict[str, list[int]]) -> list[int]:
    """Every start of ``name`` in ``norm``, overlaps included, ascending. ``known`` holds the starts of the
    names an engine found in ``norm``: "ال" + a name found there stands where that name stands after "ال";
    any other name is searched for."""
    starts = known.get(name)
    if starts is not None:
        return starts
    if name.startswith(_ARTICLE):
        bare = known.get(name[2:])
        if bare is not None:
            return [k - 2 for k in bare if k >= 2 and norm.startswith(_ARTICLE, k - 2)]
    starts = []
    k = norm.find(name)
    while k != -1:
        starts.append(k)
        k = norm.find(name, k + 1)
    return starts


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies inside one of ``spans``."""
    return any(a <= start and end <= b for a, b in spans)


def locate(s: Sentence, mentions: Mentions, vocab: IncidentVocab, residents: bool = False) -> Located | None:
    """The most precise place named in the sentence ``s``, or None. With ``residents`` (a protest), the place
    whose residents act is the event's ("خرج أهالي بلدة الكسرة بمظاهرة")."""
    norm, start, end = s.norm, s.start, s.end
    not_place_before = vocab.not_place_before - _RESIDENTS if residents else vocab.not_place_before
    best: Located | None = None
    marks = word_marks(norm)  # marks[i]: norm[i].isalnum()
    within = mentions.within(start, end)
    previous_end = -1  # where the mention before this one ends
    for found, found_end, place, names in within:
        prior_end, previous_end = previous_end, found_end
        if best is not None and best.rank <= _RANK.get(place.kind, 2):
            continue  # cannot beat the one kept
        # The few words around the mention are read from the text itself (no tokenising of the sentence).
        word_start = found
        while word_start > start and marks[word_start - 1]:
            word_start -= 1
        wider = TOKEN.findall(norm, max(start, word_start - _CONTEXT_CHARS), word_start)[-_ORIGIN_WORDS:] \
            if word_start > start else []
        before = wider[-3:]
        if before and word_start - start <= _DATELINE_LEAD and _DATELINE_DASH.match(norm, found_end):
            continue  # the second name of a dateline: "ERBIL, Kurdistan Region - Iraqi forces ..."
        if before:
            if not not_place_before.isdisjoint(chain.from_iterable(map(readings_of, before))) or \
                    (len(wider) > 3 and not vocab.tokens["origin_before"].isdisjoint(readings_of(wider[0]))):
                # where someone comes from ("وينحدر القتيل من بلدة مصياف"), or where the source sits: nor is a
                # town after it placing it ("أسر نازحة من قضاء الحويجة قرب ناحية الدبس": near الدبس)
                previous_end = prior_end
                continue
            last = readings_of(before[-1])
            if not vocab.tokens["place_title"].isdisjoint(last):
                continue  # a unit or an office named after the place
        elif _is_dateline(norm, found, end, names):
            continue
        if before and not _HOSPITAL.isdisjoint(chain.from_iterable(map(readings_of, before))) and \
                not _TAKEN.isdisjoint(chain.from_iterable(map(readings_of, wider))):
            continue  # "ونقلوا إلى مستشفى مدينة الباب": where the wounded were taken
        rank = _RANK.get(place.kind, 2)
        vague, near = vocab.tokens["place_vague"], vocab.tokens["place_near"]
        if len(before) > 1 and prior_end >= 0 and word_start - prior_end <= _PAIRED_CHARS and \
                not _ROAD.isdisjoint(readings_of(before[-2])):
            rank = max(rank, _ALONG)  # "على طريق القامشلي – المالكية": where the road goes is no event's place
        elif before and not _ROAD.isdisjoint(last) and not _DATELINE_DASH.match(norm, found_end):
            # "على طريق جنديرس وسط مدينة عفرين": the town a road is named after (not the first of two it joins)
            rank = max(rank, _ROAD_NAME)
        elif place.kind == "capital" and before and not _ROAD.isdisjoint(readings_of(before[-1])):
            continue  # "على أوتوستراد دمشق – درعا": a road out of a capital, anywhere along it
        elif before and _DESERT in last and rank <= NEAR:
            rank = NEAR  # "بادية العشارة": the desert of a town is near it (of a governorate's city, vague)
        elif before and (not vague.isdisjoint(last) or (len(before) > 1 and not vague.isdisjoint(readings_of(before[-2])))):
            rank = VAGUE  # "ريف دير الزور", "الريف الشمالي لدير الزور"
        elif before and before[-1] == "of" and len(before) > 1 and before[-2] in _PLACE_NOUNS:
            pass  # "the city of Sweida", "the southern town of Sinjar": the place itself
        elif before and _far_off(wider):
            continue  # "على بعد 50 كيلومتراً جنوب أربيل", "45 km southwest of Kirkuk": somewhere that far from it
        elif before and not near.isdisjoint(last):
            # "قرب داقوق", "west of Kirkuk"; "the province of Kirkuk", "the governor of Kirkuk" are not; nor
            # is a town that only says where the place before it lies ("سامراء (40 كم) جنوب تكريت")
            near_of = before[-1] != "of" or (len(before) > 1 and before[-2] in near)
            placing = prior_end >= 0 and word_start - prior_end <= _PLACING_CHARS
            if place.kind == "capital" and not _SIDES.isdisjoint(
                    last if before[-1] != "of" else readings_of(before[-2]) if len(before) > 1 else ()):
                continue  # "شمال بغداد", "south of Damascus": a side of a capital, tens of kilometres wide, anywhere
            rank = max(rank, NEAR) if near_of and not placing else VAGUE
        else:
            after = TOKEN.search(norm, found_end, min(end, found_end + _CONTEXT_CHARS))
            if after and after.group().isascii():
                if after.group() in vague:
                    rank = VAGUE  # "Kirkuk province"
                elif after.group() in near:
                    rank = max(rank, NEAR)  # "Khanaqin district"
        if best is None or rank < best.rank:
            best = Located(place, rank, found)
    if best is not None and len(within) > 1:
        # (a town the event is said to be far from gives no scale of its place: "جلولاء (130 كلم شمال شرق بغداد)";
        # a distance has digits, which most sentences lack)
        measured = _DIGIT.search(norm, start, end) is not None
        named = frozenset(w[2].name for w in within if not (measured and _far_off(
            TOKEN.findall(norm, max(start, w[0] - _CONTEXT_CHARS), w[0])[-_ORIGIN_WORDS:])))
        best = Located(best.place, best.rank, best.offset, named)
    return best


def _far_off(wider: list[str]) -> bool:
    """Whether the words before a place give a distance from it beyond nearness (more than 25 km: "على بعد 50
    كيلومتراً جنوب", "45 km southwest of"): the event lies that far off, not there."""
    for k, tok in enumerate(wider):
        if tok in _DISTANCE_UNITS and k and wider[k - 1].isdigit():
            return int(wider[k - 1]) * (_MILE if tok == "miles" else 1) > _FAR_KM
    return False


def unknown_places(s: Sentence, mentions: Mentions) -> frozenset[str]:
    """The names after a place noun that are no place the article's places stage knows ("قرب قرية المويلح"): a
    place of the event's own, not located (a village the gazetteer lacks)."""
    words = s.words
    toks = words.toks
    known = {words.index_at(m[0]) for m in mentions.within(s.start, s.end)}
    out = []
    for k in range(len(toks) - 1):
        if toks[k][-3:] not in _PLACE_NOUN_TAILS or k + 1 in known or toks[k + 1] in _NOT_A_NAME \
                or not toks[k + 1].isalpha() or toks[k + 1].isascii():
            continue
        noun = next((r for r in readings_of(toks[k]) if r in _PLACE_NOUNS_AR), None)
        if noun is not None and _ARTICLE + noun not in toks[k]:  # "قرية المويلح", not "القرية المجاورة"
            out.append(toks[k + 1])
    return frozenset(out)


def left_from(s: Sentence, mentions: Mentions) -> Located | None:
    """The place people left, when the sentence names one after "من" / "from" (a place noun between:
    "عائدة من مخيم الهول", "from al-Hol camp"): a displacement's place (incidents.md rule 4), or None."""
    norm, start = s.norm, s.start
    for found, _end, place, _names in mentions.within(start, s.end):
        before = TOKEN.findall(norm, max(start, found - _CONTEXT_CHARS), found)[-2:]
        if not _FROM.isdisjoint(before):
            return Located(place, _RANK.get(place.kind, 2), found)
    return None


def heading_to(s: Sentence, located: Located) -> bool:
    """Whether the place kept for the sentence is where people go ("توجهت الحافلات إلى مخيم الجدعة", "to al-Hol
    camp"): the event's place only while no telling names the place they left (incidents.md rule 4)."""
    before = TOKEN.findall(s.norm, max(s.start, located.offset - _CONTEXT_CHARS), located.offset)[-2:]
    return not _TO.isdisjoint(chain.from_iterable(map(readings_of, before)))


def _word_start_ok(norm: str, marks: bytes, k: int) -> bool:
    j = k
    while j > 0 and marks[j - 1] and k - j <= 4:
        j -= 1
    return j == k or (not (j and marks[j - 1]) and norm[j:k] in {"و", "ب", "ل", "ف", "وب", "ول", "وال", "بال",
                                                                    "لل", "ال", "ولل", "فال", "فب", "وك", "ك"})


def _is_dateline(norm: str, found: int, end: int, names: tuple[str, ...]) -> bool:
    rest = norm[found:end]
    for name in names:
        if rest.startswith(name):
            tail = rest[len(name):].lstrip()
            return tail[:1] in _DATELINE_MARKS
    return False
