"""One incident per event: the sentences that tell the same event, merged.

Two coded sentences tell the same event when their types agree (or are an
arrest and a seizure of one operation, or an attack retold as the airstrike it
was, unless each names another doer, or the clashes an attack led to or the
attack a clash was (with no toll or side of its own), told with no place or day
of their own (a region, a day of saying), or two tellings of violence with the
same dead and wounded), their days do not differ (but a toll said to have risen
to more than the day before's is the day before's event; a day of saying before
the other's day, or two days of saying with two tolls, are two events; a vague
time, "last week", is another occasion than a named day; a telling that has
happened before, "وكان ... قد", or that opens on a day of the month, "وفي 11 من
الشهر الحالي", on a day named otherwise is another event), a telling that opens
apart (on a place of its own, "وفي جلولاء", or on "كما") gives no other number
of dead than the other, and their places are near enough (a sentence opening
with its own town, "وفي بلدة ذيبان", or opening on "also" with its own village
or town, "كما طالت الغارات قرية احسم", is that place's event; else 25 km; 60 km
for a village or a town and the city it is placed by, or any distance when one
telling names the other's place as its reference; 100 km for a vague region, or
anywhere in its governorate, as for a headline's place; a telling placed only in
a village the gazetteer lacks, "قرب قرية المويلح", is another place than a
village or town named precisely, unless the other names it too or it goes on
with the event just told). A sentence joins the closest such event (the one
whose toll it repeats first, unless it opens on "the attack"; of as close ones,
the first, or for a sentence opening on "the attack" the one told last before
it); one opening with "وفي التفاصيل" the event told right before it, the
headline the first; a sentence summing several events up joins none told after
it (the coder settles it once all are told). The article's first telling gives
the evidence, the type of an operation and each count (a headline's only where
the body gives none; a toll said to have risen over any other; an exact count
over a lower bound below it, "أكثر من عشرة" then 11); actors and targets come
from the first telling that names organisations, and the later tellings of a
violent event or an operation add the sides they name (a headline names the
attacker, the body the force supporting the raid); the others fill what is
missing. A strategic development keeps the sides of its first telling: its
tellings merge loosely (no place, no day) and each names other officials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marsad.schemas.facts import Place, Quantity
from marsad.streams.extract.gazetteer.admin1 import region_of
from marsad.streams.extract.incidents import where
from marsad.streams.geo import km_between

ONE_OPERATION = frozenset({"arrest_raid", "seizure"})
_FROM_ABOVE = frozenset({"attack", "airstrike"})  # "the attack" retells an airstrike
_VIOLENCE = frozenset({"attack", "airstrike", "armed_clash"})
_NO_DAY_OF_ITS_OWN = frozenset({"", "said"})  # timings of a telling that names no day of the event
_DATED = frozenset({"day", "said"})  # timings of a telling that names a day: the event's, or the saying's
_TELLING_TOLL = 2  # dead or wounded this many, the same in two tellings, name one event
_SAME_PLACE_KM = 25.0
_TOWN = 1  # `where` ranks: a village or a town, a place named precisely
_WITHIN_KM = 60.0  # a village or town and the city it is placed by, named in two sentences (not two towns)
_REGION_KM = 100.0  # a place and a vague one ("ريف حلب", "محافظة صلاح الدين", "غربي درعا") it may lie in


@dataclass(slots=True)
class AssembledIncident:
    """One incident being assembled from the sentences that tell it."""

    type: str
    start: int
    end: int
    day: date | None
    timing: str  # "day" (the event's day is named), "said" (the announcement's), "vague" ("last week"), ""
    day_key: Any  # the day as named, to tell days apart when they do not resolve
    located: where.Located | None
    counts: dict[str, int]
    actors: list[str]
    targets: list[str]
    quantities: list[Quantity] = field(default_factory=list)
    count_at: dict[str, int] = field(default_factory=dict)  # where each count was told
    told: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # (count, where) other tellings gave
    separate: bool = False  # told as another event than those before it ("في عملية منفصلة")
    opens_with_place: bool = False  # its sentence opens with its place ("وفي بلدة ذيبان، ...")
    also_elsewhere: bool = False  # its sentence opens on "also", placed in a village or town ("كما طالت قرية احسم")
    opens_also: bool = False  # its sentence opens on "also" ("كما قتل شخص ..."): with another toll, another event
    several: bool = False  # its sentence sums several events up ("شهدت المحافظة حادثتي خطف"): merged by no rule
    details: bool = False  # its sentence opens with "وفي التفاصيل": the event told right before it
    headline: bool = False  # told in the article's headline: the first event the body tells of its kind
    final: set[str] = field(default_factory=set)  # counts told as a toll that rose ("ارتفع عدد القتلى إلى 14")
    at_least: set[str] = field(default_factory=set)  # counts told as a lower bound ("وأصيب أكثر من عشرة")
    heading: bool = False  # its place is where people were heading ("توجهت الحافلات إلى مخيم الجدعة")
    last: int = -1  # where its last telling so far starts
    anaphoric: bool = False  # its sentence opens on "the attack" ("وأدى الهجوم إلى"): the event just told
    by_killing: bool = False  # an attack only by its killing words ("ما أسفر عن مقتل 5"): no weapon named
    unknown: frozenset[str] = frozenset()  # names of places of its own the gazetteer lacks ("قرب قرية المويلح")
    own_day: bool = False  # its sentence opens on "وكان ... قد" (told as having happened before) or on a day of the
    # month ("وفي 11 من الشهر الحالي، ضبط ..."): told as an event of its own day

    def __post_init__(self) -> None:
        self.last = max(self.last, self.start)


def merge_into(events: list[AssembledIncident], new: AssembledIncident) -> None:
    """Add ``new`` to the event it retells (the closest one when several could be), or as a new event."""
    same = [old for old in events if _same_event(old, new)]
    if not same:
        events.append(new)
        return
    if new.headline:  # the headline tells the body's first event it may be
        absorb(min(same, key=lambda old: old.start), new)
        return
    if new.details:  # "وفي التفاصيل، ...": the event told right before it, if it may be the same
        before = max((old for old in events if old.start < new.start), key=lambda old: old.start, default=None)
        if before is not None and before in same:
            absorb(before, new)
            return
    # the closest; of as close ones, the first, or for "the attack" the one told last before it ("وأدى الهجوم
    # إلى ...": the attack just told)
    absorb(max(same, key=lambda old: (_closeness(old, new),
                                       old.last if new.anaphoric and old.last < new.start else -1)), new)


def _closeness(a: AssembledIncident, b: AssembledIncident) -> int:
    """How much two compatible events share: the same toll (unless the later telling opens on "the attack":
    the one just told), then the same named place, then the same day."""
    score = 0 if b.anaphoric else 4 * _tolls_shared(a, b)
    if a.located and b.located and km_between(a.located.place, b.located.place) <= _SAME_PLACE_KM:
        score += 2
    if a.day and a.day == b.day:
        score += 1
    return score


def _tolls_shared(a: AssembledIncident, b: AssembledIncident) -> int:
    """How many counts two tellings give alike (of as close events, the one whose toll a telling repeats)."""
    return sum(1 for name, value in a.counts.items() if value > 0 and b.counts.get(name) == value)


def _same_event(a: AssembledIncident, b: AssembledIncident) -> bool:
    if (a.several and a.start < b.start) or (b.several and b.start < a.start):
        return False  # a sentence summing several events up is not one told after it: settled later (`coder`)
    if (b.separate and a.start < b.start) or (a.separate and b.start < a.start):
        return False  # "في عملية منفصلة": not the event told before it
    if a.type != b.type and not ({a.type, b.type} <= ONE_OPERATION or {a.type, b.type} <= _FROM_ABOVE
                                 or _fought_back(a, b) or _same_toll(a, b)):
        return False
    if "vague" in (a.timing, b.timing) and {a.timing, b.timing} & {"day", "said"}:
        return False  # "last week" is another occasion than a named day
    if a.day and b.day and a.day != b.day and "said" not in (a.timing, b.timing) and not _toll_rose_since(a, b):
        return False
    if a.timing == b.timing == "day" and _other_day(a.day_key, b.day_key) and not _toll_rose_since(a, b):
        return False
    if a.timing in _DATED and b.timing in _DATED and (a.own_day or b.own_day) and a.day_key != b.day_key \
            and a.day_key is not None and b.day_key is not None:
        return False  # "ضبطت الجمارك اليوم ..." and "وكان الجيش قد ضبط في 7 من الشهر الحالي ...": an earlier one
    if a.day and b.day and a.day != b.day and _told_apart(a, b):
        return False  # "أعلن، الجمعة، اعتقال 25" and "وكان أعلن في 15 حزيران عن اعتقال ثمانية": two arrests
    if a.type != b.type and {a.type, b.type} <= _FROM_ABOVE and a.actors and b.actors \
            and a.actors[0] not in b.actors and b.actors[0] not in a.actors:
        return False  # ISIS's attack and the Russian jets' strikes told after it: two events
    if _opens_apart(b if b.start > a.start else a) and _tolls_conflict(a, b):
        return False  # "... أربعة قتلوا في منطقة الزعفرانية" and "وفي جلولاء ... خمسة", "كما قتل شخص ... في مدينة الصدر"
    if _elsewhere(a, b) or _elsewhere(b, a):
        return False  # "... في بلدة البصيرة" and "... قرب قرية المويلح" (a village the gazetteer lacks): two places
    if a.located is None or b.located is None or (a.type == b.type == "displacement" and (a.heading or b.heading)):
        return True  # (people on the move are told by where they left and where they went)
    later = b if a.start < b.start else a
    if later.opens_with_place and a.located.place.name != b.located.place.name and \
            max(a.located.rank, b.located.rank) <= _TOWN:
        return False  # "... في بلدة الشحيل. وفي بلدة ذيبان تعرض شاب لإطلاق نار": the next town's event
    first_place, later_place = (a.located, b.located) if later is b else (b.located, a.located)
    if later.also_elsewhere and first_place.place.name != later_place.place.name and \
            later_place.place.name not in first_place.named:
        return False  # "غارات على مدينة إدلب. كما طالت الغارات أطراف قرية احسم": the strike on the village too
    km = km_between(a.located.place, b.located.place)
    if b.headline and _same_region(a.located.place, b.located.place):
        return True  # a headline names the governorate's city for a town in it ("... في درعا", the body إنخل)
    if max(a.located.rank, b.located.rank) >= where.VAGUE:
        # a place in the region ("القائم" and "غربي الأنبار"), near its point or anywhere in its governorate
        return km <= _REGION_KM or _same_region(a.located.place, b.located.place)
    if km <= _SAME_PLACE_KM or (a.located.rank != b.located.rank and max(a.located.rank, b.located.rank) > _TOWN
                                and km <= _WITHIN_KM):
        return True
    # a telling that names the other's place as its reference ("اعتقال ... في الموصل", then "في القيارة جنوبي
    # مدينة الموصل"): one place, told at two scales
    return a.located.rank != b.located.rank and (a.located.place.name in b.located.named
                                                  or b.located.place.name in a.located.named)


def _elsewhere(a: AssembledIncident, b: AssembledIncident) -> bool:
    """Whether ``a``, placed only in a village or town the gazetteer lacks, tells of another place than ``b``:
    one named precisely (a village or a town), or another such unknown name; not when ``b`` names ``a``'s place
    too, nor when the later of them goes on with the event just told ("وأسفر القصف عن ...")."""
    if a.located is not None or not a.unknown or not a.unknown.isdisjoint(b.unknown) or \
            (b.anaphoric if b.start > a.start else a.anaphoric):
        return False
    if b.located is not None:
        return b.located.rank <= _TOWN
    return bool(b.unknown)


def _opens_apart(later: AssembledIncident) -> bool:
    """Whether a telling opens on a place of its own ("وفي جلولاء") or on "also" ("كما قتل شخص")."""
    return later.opens_with_place or later.opens_also


def _tolls_conflict(a: AssembledIncident, b: AssembledIncident) -> bool:
    """Whether two tellings of the body, neither going on with the event just told nor a toll that rose, give
    two different numbers of dead (two events, when the later opens apart: "كما قتل شخص وأصيب ثلاثة ... في
    مدينة الصدر" after "أربعة قتلوا في منطقة الزعفرانية", a place the gazetteer lacks)."""
    if a.headline or b.headline or a.final or b.final or a.anaphoric or b.anaphoric:
        return False
    x, y = a.counts.get("killed", 0), b.counts.get("killed", 0)
    return x > 0 and y > 0 and x != y


def _fought_back(old: AssembledIncident, new: AssembledIncident) -> bool:
    """Whether ``new`` tells more of the violence told before it in the text: with neither a place nor a day of
    its own, the clashes an attack led to ("Clashes occurred between the army and the militants"), or the
    attack a clash was ("... attacked border guards" after "a gunfight")."""
    if (new.located is not None and new.located.rank < where.VAGUE) or new.timing not in _NO_DAY_OF_ITS_OWN \
            or new.start < old.start:
        return False  # (a region is no place, a day of saying no day of its own: "وقالت الخلية، اليوم، إن ...")
    if old.type == "attack" and new.type == "armed_clash":
        return True
    # the attack a clash was: only a bare telling (no toll, no side of its own: not "قتل جنديان في هجوم سابق")
    return old.type == "armed_clash" and new.type == "attack" and not new.counts and not new.actors \
        and not new.targets


def _same_toll(a: AssembledIncident, b: AssembledIncident) -> bool:
    """Whether two tellings of violence give the same dead and wounded, some of them more than one (a clash
    "في اشتباك" and then "الهجوم أسفر عن مقتل 3 وإصابة 5"): one event, named two ways."""
    if not {a.type, b.type} <= _VIOLENCE:
        return False
    told = [name for name in ("killed", "injured") if name in a.counts or name in b.counts]
    return bool(told) and all(a.counts.get(n) == b.counts.get(n) for n in told) and \
        any(a.counts[n] >= _TELLING_TOLL for n in told)


def _toll_rose_since(a: AssembledIncident, b: AssembledIncident) -> bool:
    """Whether one telling gives the toll an event rose to, on a day, and the other the smaller toll it had the
    day before ("ارتفعت حصيلة القتلى إلى 3، الجمعة" and "ومساء الخميس ... ما أسفر عن مقتل اثنين"): one event,
    the day of the new toll is the day it was told."""
    risen, before = (a, b) if a.final else (b, a)
    if not risen.final or before.final or risen.day is None or before.day is None or \
            (risen.day - before.day).days != 1:
        return False
    told = [name for name in risen.final if name in before.counts]
    return bool(told) and all(before.counts[name] <= risen.counts[name] for name in told)


def _told_apart(a: AssembledIncident, b: AssembledIncident) -> bool:
    """Whether two tellings dated on different days, one or both by the day it was told, are of two events:
    one told before the other happened, or told on two days with two tolls."""
    said = [e for e in (a, b) if e.timing == "said"]
    if not said or any(e.timing not in _DATED for e in (a, b)):
        return False
    if len(said) == 1:
        other = b if said[0] is a else a
        told, happened = said[0].day, other.day
        return other.timing == "day" and told is not None and happened is not None and told < happened
    return any(b.counts.get(name, value) != value for name, value in a.counts.items())


def _same_region(a: Place, b: Place) -> bool:
    """Whether both places lie in one governorate (a big one spans 300 km and more: Anbar, Homs)."""
    region = region_of(a)
    return region is not None and region == region_of(b)


def _other_day(a: object, b: object) -> bool:
    """Whether two days named the same way differ ("الثلاثاء" and "الأربعاء"; "اليوم" and "أمس")."""
    if a is None or b is None or type(a) is not type(b):
        return False
    if isinstance(a, tuple) and isinstance(b, tuple) and (a[0] if isinstance(a[0], str) else "dm") != \
            (b[0] if isinstance(b[0], str) else "dm"):
        return False
    return a != b


def absorb(old: AssembledIncident, new: AssembledIncident) -> None:
    """Fold the telling ``new`` into the event ``old`` (the rules of the module docstring)."""
    new_first = new.start < old.start  # told earlier in the text (a headline, merged last, is)
    old.last = max(old.last, new.last)
    for name, value in new.counts.items():  # the first telling's count (the body's over a headline's, unless
        # the body only sums several events up)
        if name in old.final and name not in new.final:
            old.told.setdefault(name, []).append((value, new.start))
            continue  # the toll that rose stays, whoever tells an older one
        if name not in old.counts or (name in new.final and name not in old.final) or \
                (new.start < old.count_at[name] and (not new.headline or old.several)) or \
                (name in old.at_least and name not in new.at_least and value > old.counts[name] and not new.headline
                 and name not in old.final):  # "أكثر من عشرة" then "11": the exact count
            if name in old.counts:
                old.told.setdefault(name, []).append((old.counts[name], old.count_at[name]))
            old.counts[name] = value
            old.count_at[name] = new.start
            if name in new.final:
                old.final.add(name)
            if name in new.at_least:
                old.at_least.add(name)
            else:
                old.at_least.discard(name)
        else:
            old.told.setdefault(name, []).append((value, new.start))
    if new_first:  # the article's first telling gives the evidence and the lead type
        old.start, old.end = new.start, new.end
        if old.type in ONE_OPERATION:
            old.type = new.type
    if old.type == "attack" and new.type == "airstrike":
        old.type = "airstrike"
    if old.day is None or (old.timing == "said" and new.timing == "day" and new.day):
        old.day = new.day
    elif new.day and new.day < old.day and _toll_rose_since(old, new):
        old.day, old.timing, old.day_key = new.day, new.timing, new.day_key  # the day before its toll rose
    if not old.timing or (old.timing == "said" and new.timing == "day"):
        old.timing, old.day_key = new.timing, new.day_key
    if new.located and (old.located is None or (new.located.rank < old.located.rank and not new.heading)
                        or (old.heading and not new.heading)):
        old.located, old.heading = new.located, new.heading  # the place left before the destination
    # who and whom: from the first telling in the text that names them (a headline absorbed last is first)
    first, later = (new, old) if new_first else (old, new)
    actors, targets = list(first.actors), list(first.targets)
    if not actors and not targets:
        actors, targets = list(later.actors), list(later.targets)
    elif old.type != "strategic":  # later tellings add the sides they name
        actors += [a for a in later.actors if a not in actors and a not in targets]
        targets += [t for t in later.targets if t not in actors and t not in targets]
    old.actors, old.targets = actors, targets
    old.quantities += [q for q in new.quantities if q not in old.quantities]
