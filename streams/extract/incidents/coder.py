"""The incident coder: `find_incidents`, the steps the package's docstring lists, in order.

The package's slowest code, compiled with mypyc where a C compiler is present
(`marsad.streams.compiled`); its sources are the reference and run otherwise.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import cast

from marsad.schemas.facts import Incident, Org, Place, Quantity
from marsad.schemas.wire import IncidentType
from marsad.streams.classify import Taxonomy
from marsad.streams.extract.incidents import where
from marsad.streams.extract.incidents.counts import counts
from marsad.streams.extract.incidents.dates import NUMERIC_CORE, YEARS, When, when
from marsad.streams.extract.incidents.merge import ONE_OPERATION, AssembledIncident, absorb, merge_into
from marsad.streams.extract.incidents.roles import roles
from marsad.streams.extract.incidents.sentences import Sentence, Words, clause_bounds, sentence_of, split
from marsad.streams.extract.incidents.vocab import DAY_LABELS, Cue, IncidentVocab, IncidentVocabError
from marsad.streams.text.normalize import SourceMap, normalize

__all__ = ["IncidentVocab", "IncidentVocabError", "find_incidents"]

_ALWAYS_BLOCK = frozenset({"future", "statement", "ongoing"})
_BLOCK_UNLESS_RECENT = frozenset({"background"})
_BLOCKS_RECENT = _ALWAYS_BLOCK  # the cues that block a trigger's clause in a sentence dated recently
_BLOCKS_OLD = _ALWAYS_BLOCK | _BLOCK_UNLESS_RECENT  # ... and in one that is not
_STATES = frozenset({"ongoing", "background"})  # what is so (not said or to come): a later clause may be news
_NEWS_DAYS = frozenset({"d:today", "d:yesterday"})  # ... when it names its own day
_START, _LABEL = itemgetter(0), itemgetter(2)  # of a Cue, in C
_GUNMEN_SUBJECT = frozenset({"مسلحون", "مجهولون", "ملثمون", "gunmen"})  # the nominative: the verb's subject
_GROUPS = frozenset({"مجموعات", "مجموعه", "عصابه", "عصابات"})  # ... armed ("مجموعات مسلحة")
_GONE = frozenset({"الماضي", "المنصرم", "الفايت"})  # after a month's name: the last one gone by
_RECENT_DAYS = 10  # a day this close to publication makes a sentence news, whatever its cues
_OLD_DAYS = 31  # an event dated earlier than this before publication is recalled, not news
_WEEKS_DAYS = 20  # an event of an earlier month dated earlier than this before publication is recalled too
_OWN_EVENT = ("t:", "w:", "d:")  # a trigger or a day of its own: a sentence tells another event
_TELLING_COUNT = 2  # a count this big said again names its event (one dead is said of many)
_SAID = "d:announce"  # "قال", "أفاد": who told it, no day of its own
# after a comma (and "و"): a clause of contrast, or of another event told in turn ("..، أما الحادثة الثانية")
_CONTRAST_WORDS = ("في حين", "فيما", "بينما", "ففي", "اما", "while", "whereas")
_AFTER_DOTS = ("كما",)  # after "..", the dots some outlets join two reports with: "بجراح.. كما انفجرت عبوة"
_THIS = frozenset({"هذا", "وهذا", "هذه", "وهذه", "ويعد", "وتعد", "ويعتبر", "وتعتبر", "this", "it"})  # a remark opens so
_LOWER_BOUNDS = frozenset({"اكثر من", "ما لا يقل عن", "لا يقل عن", "يزيد عن", "يزيد علي", "more than", "at least",
                           "over"})  # a count told as at least so many: a later exact one may be more
_LOWER_FIRST = frozenset(bound.split()[0] for bound in _LOWER_BOUNDS)
_SERIES = frozenset({"سلسله", "بسلسله", "موجه", "series", "wave", "string"})  # "سلسلة هجمات": several
_APART = frozenset({"متفرقه", "منفصله", "متزامنه", "separate", "coordinated"})  # "هجمات متفرقة": several
_TWO_TOWNS = frozenset({"مدينتي", "بلدتي", "قريتي"})  # "استهدف مدينتي خان شيخون وسرمين": two places hit
_BETWEEN = frozenset({"بين", "between"})  # "بين بلدتي الحوايج وذيبان": one place between two towns
_PLOT = frozenset({"مخطط", "مخططا", "مخططات", "موامره", "plot", "plots"})
_ARTILLERY = frozenset({"المدفعيه", "مدفعيه", "مدفعي", "المدفعي", "بالمدفعيه", "artillery"})
_FLYING = frozenset({"تحليق", "تحليقا", "حلقت", "تحلق", "يحلق", "flying", "flew", "overflights", "hovering"})
_AMONG = frozenset({"among", "صفوف", "بين", "بصفوف"})  # "no casualties among ...": of some of those there only
_EVENT_NOUNS = frozenset({"عمليه", "عمليات", "هجوم", "هجوما", "هجمات", "غاره", "غارات", "ضربه", "ضربات", "حادثه",
                          "حوادث", "اعتداء", "اعتداءات", "محاولات", "اغتيالات", "تفجيرات", "attacks", "strikes",
                          "operations", "raids", "incidents", "attempts"})
_FOUGHT_OPERATION = ("killed", "injured", "arrested")  # the counts of an arrest or seizure fought over
_DATED = frozenset({"day", "said"})  # timings of a sentence naming a day (its event's, or the saying's): merged first
_OPENING_CHARS = 20  # a place this near the start of its sentence, after "وفي", opens it ("وفي بلدة ذيبان")
_ALSO_WORDS = frozenset({"ايضا", "also"})  # by the trigger: one more act ("شنوا أيضاً هجوماً", "also attacked")
_ALSO = frozenset({"كما", "وكما"})  # "كما طالت الغارات أطراف قرية احسم": also, at a village or town of its own
_IN_WORDS = frozenset({"وفي", "في", "in"})
_RESIDENTS_ACT = frozenset({"protest"})  # the place of its people is the event's (not of people leaving)
# the other side answering ("في المقابل قصفت الهيئة"); as written ("وردت" is "came in")
_ANSWERED = frozenset({"ردت", "ردوا", "retaliated", "المقابل", "بالمقابل"})
_TURN_WORDS = 3  # the words of a sentence's opening read for "the second" ("أما الثانية", "في المقابل، ردت")
_OPENING_WORDS = 3  # the words of a sentence's opening read for "the attack" ("وأدى الهجوم")
_HEADING_WORDS = 10  # a line this short ending with ":" heads a section
_SUBHEADING_WORDS = 3  # a line of fewer spaces than this inside the article heads a section
_TITLE_CHARS = 160  # a first line longer than this is a paragraph, not a headline
_SENTENCE_ENDS = ".!?؟:"
_QUOTES = "\"' "
_HURT = frozenset({"killed", "injured"})
_FOILED = frozenset({"احبطت", "احبط", "احباط", "باحباط", "افشال", "افشلت", "foiled", "thwarted"})
_ASSAULT = frozenset({"تعرض", "تعرضا"})  # right after a word of foiling: an assault foiled, not "exposed to"
_SMUGGLING = frozenset({"تهريب", "smuggling", "smuggle"})  # a smuggling foiled is a seizure, whatever it carried
_ATTACKS = frozenset({"t:attack", "t:airstrike"})  # (named as attacks: not "إفشال محاولات استهداف المواطنين")
_FOILED_WORDS = 6  # words between a word of foiling and the attack foiled ("أحبطت قوة من الحشد الشعبي هجوماً")
_AIR_ADJECTIVES = frozenset({"الجويه", "جويه", "air"})  # "قاعدة عين الأسد الجوية", "Ain al-Asad air base"
_BASES = frozenset({"قاعده", "القاعده", "لقاعده", "بقاعده", "base", "airbase"})
_BASE_WORDS = 4  # words between a base and its adjective ("قاعدة عين الأسد الجوية")
_COUNT_LABELS = frozenset({"killed", "injured", "arrested", "seized_people", "no_casualties"})
_ARREST_COUNTS = frozenset({"arrested", "seized_people", "captured"})
_AMBUSH = "كمين"  # inside a security force's ambush ("كمين محكم"), an arrest word: killing in it is an attack
_DIGIT = re.compile(r"\d")
_OUTLAWS = frozenset({"isis"})  # who make no arrests: a raid of theirs that takes people is a kidnapping
_OBJECT_WORDS = 3  # words after a verb searched for its object
_DATE_LOOKS = 5  # sentences at the top of an article whose date dates its events when they have none
_DATELINE_WORDS = 8  # a line this short that names a day is a dateline, not the report
# Which counts belong to which type (a protest does not count the dead of the strike it protests).
_COUNTS_OF = {
    "armed_clash": ("killed", "injured", "arrested"), "attack": ("killed", "injured", "arrested"),
    "airstrike": ("killed", "injured"), "arrest_raid": ("arrested",), "seizure": ("arrested",),
    "kidnapping": ("killed", "injured"), "protest": (), "displacement": (), "strategic": (),
}


def find_incidents(text: str, norm: str, *, lang: str, published: date | None, places: Sequence[Place],
                   orgs: Sequence[Org], quantities: Sequence[Quantity], vocab: IncidentVocab,
                   taxonomy: Taxonomy, written: SourceMap | None = None,
                   org_mentions: Sequence[tuple[int, int, str]] | None = None) -> list[Incident]:
    """The incidents ``text`` reports, in article order (see the module docstring for the steps).

    ``norm`` is the matching form of ``text``; ``written``, when the caller has it,
    the `SourceMap` between them (evidence is quoted as written); ``org_mentions``,
    when the caller has them, the (start, end, id) of each organisation form in
    ``norm`` (else the taxonomy's automaton finds them again).
    """
    cues = vocab.matcher.scan(norm)
    if vocab.trigger_labels.isdisjoint(map(_LABEL, cues)):
        return []
    cues = _without_false_times(cues)
    spans = _at_contrasts(norm, split(norm), cues, vocab.trigger_labels)
    by_sentence = _by_sentence(cues, spans)
    place_mentions = where.Mentions(norm, where.forms(places), vocab.matcher.automaton)  # its engine found the names
    known = {o.id for o in orgs}
    mentions = _OrgMentions(norm, known, taxonomy, org_mentions)
    quantity_forms = [(q, _matching(q.text)) for q in quantities if q.text]
    title_end = _title_end(norm)
    coded: list[AssembledIncident] = []
    coded_in: list[Sentence] = []  # the sentence of each
    read: dict[int, Sentence] = {}  # the sentences coded, by index: their words are tokenised once
    last = -2
    month_before = 0  # the last month named so far: the one "the same month" ("الشهر ذاته") is
    for index in sorted(by_sentence):
        start, end = spans[index]
        sentence_cues = by_sentence[index]
        sentence = read[index] = Sentence(norm, start, end)
        event = None if start > title_end and _subheading(norm, start, end) else \
            _code_sentence(sentence, sentence_cues, published, place_mentions, mentions, quantity_forms, vocab,
                           month_before)
        month_before = next((m for c in reversed(sentence_cues) if c.label.startswith("mo:")
                             and (m := int(c.label[3:])) > 0), month_before)
        if event is not None:
            event.headline = start < title_end
            if event.type == "attack" and coded and coded[-1].type == "airstrike" and \
                    (event.anaphoric or any(c.label == "similar" for c in sentence_cues)):
                event.type = "airstrike"  # "... in a similar attack", "وقالت مصادر إن القصف استهدف": the strike's kind
            elif event.by_killing and coded and coded[-1].type == "armed_clash" and index == last + 1:
                event.type = "armed_clash"  # "وسيطرت قسد على القرية ما أسفر عن مقتل 5": killed in the fighting
            if event.located is None and coded and any(c.label == "same_place" for c in sentence_cues):
                # "في المنطقة نفسها": the place of the last report that has one
                event.located = next((e.located for e in reversed(coded) if e.located is not None), None)
            coded.append(event)
            coded_in.append(sentence)
            last = index
        elif coded and (not any(c.label.startswith(_OWN_EVENT) and c.label != _SAID for c in sentence_cues)
                        or any(c.label == "toll_rise" for c in sentence_cues)):  # a toll that rose, dated or not
            _fill_counts(coded, index == last + 1, sentence, sentence_cues, vocab)
    if not coded:
        return []
    if any(e.unknown for e in coded):  # a place the gazetteer lacks: does a placed telling name it too?
        for e, sentence in zip(coded, coded_in, strict=True):
            if e.located is not None:
                e.unknown = where.unknown_places(sentence, place_mentions)
    events: list[AssembledIncident] = []
    # dated sentences first, the headline last (it retells the body's first event it may be)
    for event in sorted(coded, key=lambda e: (e.headline, e.timing not in _DATED, e.start)):
        merge_into(events, event)
    events.sort(key=lambda e: e.start)
    if len(events) > 1:
        _settle_summaries(events)
        _totals_broken_down(events, _lead_end(spans, title_end))
        if len({m[2].name for m in place_mentions.within(0, title_end)}) > 1:  # "... في كركوك والأنبار"
            _headline_totals(events, title_end)
    if published is not None and any(e.day is None and e.timing != "vague" for e in events):
        lead_day = _lead_date(norm, spans, by_sentence, read, vocab, published)
        for e in events:
            if e.day is None and e.timing != "vague":
                e.day = lead_day
    written = written or SourceMap(text, norm)
    return [_incident(e, written) for e in events]


def _by_sentence(cues: list[Cue], spans: list[tuple[int, int]]) -> dict[int, list[Cue]]:
    """The cues (in text order) of each sentence that has some, by sentence index: a cue belongs to the
    last sentence starting at or before it (-1: before the first). Cut by bisection, one step a sentence."""
    cue_starts = list(map(_START, cues))
    edges = [bisect_left(cue_starts, start) for start, _ in spans]
    edges.append(len(cues))
    by_sentence: dict[int, list[Cue]] = {}
    if edges[0]:
        by_sentence[-1] = cues[:edges[0]]
    for index in range(len(spans)):
        if edges[index] < edges[index + 1]:
            by_sentence[index] = cues[edges[index]:edges[index + 1]]
    return by_sentence


@lru_cache(maxsize=4096)
def _matching(phrase: str) -> str:
    """The matching form of a quantity as written ("2.5 مليون حبة"), to find it in a sentence; kept."""
    return " ".join(normalize(phrase).split())


def _lead_date(norm: str, spans: list[tuple[int, int]], by_sentence: dict[int, list[Cue]],
               read: dict[int, Sentence], vocab: IncidentVocab, published: date) -> date | None:
    """The first day named at the top of the article: the main event's date when only its
    announcement is dated ("أفاد الموقع، مساء الأحد، بأن ... اشتباكات")."""
    for index, (start, end) in enumerate(spans[:_DATE_LOOKS]):
        labels = set(map(_LABEL, by_sentence.get(index, ())))
        s = read.get(index) or Sentence(norm, start, end)
        if len(s.words.toks) < _DATELINE_WORDS:
            continue
        day = when(norm, s.words, by_sentence.get(index, []), published, "vague_time" in labels)
        if day.day is not None and (published - day.day).days <= _RECENT_DAYS:
            return day.day
    return None


class _OrgMentions:
    """The article's organisation mentions with their offsets, found on first need (one scan)."""

    def __init__(self, norm: str, known: set[str], taxonomy: Taxonomy,
                 given: Sequence[tuple[int, int, str]] | None) -> None:
        self._norm, self._known, self._taxonomy = norm, known, taxonomy
        self._found = None if given is None else [m for m in given if m[2] in known]

    def within(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """(start, end, id) of the known organisations mentioned in ``[start, end)``, in order."""
        if not self._known:
            return []
        if self._found is None:
            self._found = [(m.word_start, m.word_end, m.entry.id)
                           for m in self._taxonomy.matcher.find(self._norm, orgs=True) if m.entry.id in self._known]
        return [m for m in self._found if start <= m[0] and m[1] <= end]


def _subheading(norm: str, start: int, end: int) -> bool:
    """Whether the sentence is a line of its own of a few words, no number among them, past the headline: a
    section's heading ("تفجير إسطنبول"), not a report."""
    return norm[start - 1:start] == "\n" and norm[end:end + 1] in ("\n", "") and \
        norm.count(" ", start, end) < _SUBHEADING_WORDS and not _DIGIT.search(norm, start, end)


def _title_end(norm: str) -> int:
    """Where the article's headline ends: its first line when that is short and ends no sentence, with
    more text after it; 0 when it has none."""
    end = norm.find("\n")
    if end <= 0 or end > _TITLE_CHARS or norm[:end].rstrip(_QUOTES)[-1:] in _SENTENCE_ENDS or \
            not norm[end:].strip():
        return 0
    return end


def _headline_totals(events: list[AssembledIncident], title_end: int) -> None:
    """Take back a count an event has from a headline naming several places when the body tells several
    events of its kind: the headline's is their total ("اعتقال 11 إرهابياً في كركوك والأنبار": 8 in one, 3
    in the other)."""
    for event in events:
        from_title = [name for name, at in event.count_at.items() if at < title_end]
        if from_title and any(other is not event and _kin(other.type, event.type) for other in events):
            for name in from_title:
                del event.counts[name], event.count_at[name]


def _settle_summaries(events: list[AssembledIncident]) -> None:
    """Settle the sentences that sum several events up ("شهدت المحافظة حادثتي اغتيال أودت بحياة شخصين"), kept
    apart while merging: with two or more events of their kind told after them they are none of them; with
    one, they tell it (their total is no count of it); with none, all that is known ("مقتل 5 في هجومين منفصلين
    غرب الرقة") stays an incident of its own."""
    for event in list(events):
        if not event.several:
            continue
        after = [o for o in events if o is not event and o.start > event.start and _kin(o.type, event.type)]
        if after:
            events.remove(event)
        if len(after) == 1:
            event.counts.clear()
            event.count_at.clear()
            absorb(after[0], event)


def _totals_broken_down(events: list[AssembledIncident], lead_end: int) -> None:
    """An event whose headline or lead gives the total of it and the events of its kind told after it, which
    another of its tellings breaks down ("اعتقال 5 إرهابيين" in the lead, then "ألقي القبض خلالها على ثلاثة"
    and "في عملية منفصلة أخرى ... على إرهابيين اثنين"), keeps its own share: 3."""
    for k, event in enumerate(events):
        later = [o for o in events[k + 1:] if _kin(o.type, event.type)]
        if not later or not event.told:
            continue
        for name, total in list(event.counts.items()):
            rest = sum(o.counts.get(name, 0) for o in later)
            own = total - rest
            if rest and name not in event.final and event.count_at[name] < lead_end and 0 < own < total and \
                    any(value == own and at >= lead_end for value, at in event.told.get(name, ())):
                event.counts[name] = own


def _lead_end(spans: list[tuple[int, int]], title_end: int) -> int:
    """Where the article's lead ends: the first sentence after the headline."""
    return next((end for start, end in spans if start >= title_end and end > title_end), title_end)


def _recalled_day(day: date, published: date) -> bool:
    """Whether an event's day is recalled, not news: in an earlier month and weeks before publication (so also
    any day over a month before it; rule 2: "events recalled from earlier months"; rule 1: "an attack days
    earlier told with its date" is news: "9 كانون الثاني" told on 3 February is recalled, "28 شباط" on 12 March
    news)."""
    return (published - day).days > _WEEKS_DAYS and (day.year, day.month) != (published.year, published.month)


def _kin(a: str, b: str) -> bool:
    """Whether two types are of one kind of event (an arrest and a seizure are one operation's)."""
    return a == b or {a, b} <= ONE_OPERATION


def _fill_counts(coded: list[AssembledIncident], next_to_last: bool, sentence: Sentence, cues: list[Cue],
                 vocab: IncidentVocab) -> None:
    """Give a sentence with no event of its own to the event whose counts it tells: the one reported
    right before it when they agree ("... علماً أن عدد الجرحى يزيد عن 70"), else one it repeats a count
    of ("إن 11 عنصراً قتلوا وأصيب عشرة آخرون" after "قتل 11 عنصراً ..."); a count the event lacks is
    filled in, and a toll said to have risen ("ارتفاع عدد الشهداء إلى 14") is the event's."""
    if _COUNT_LABELS.isdisjoint(map(_LABEL, cues)) or any(c.label.startswith("mo:") for c in cues):
        return  # (a toll over a month is no event's: "January's bombardment killed more than 59")
    # (its words, when coding it tokenised them already, are not read a second time)
    # ("no casualties" is said of the event told right before it, "...; no casualties were reported", unless
    # among some only: "No casualties were reported among US troops", "دون إصابات في صفوف المدنيين")
    whole = next_to_last and _AMONG.isdisjoint(sentence.words.toks)
    more = counts(sentence.words, cues if whole else [c for c in cues if c.label != "no_casualties"], vocab)
    if not more:
        return
    last: AssembledIncident | None = coded[-1] if next_to_last else None
    event = last
    if last is None or any(last.counts.get(name, value) != value for name, value in more.items()):
        # not what the report before it says: the event whose count it repeats, if any
        event = next((e for e in reversed(coded) if any(e.counts.get(name) == value and value >= _TELLING_COUNT
                                                        for name, value in more.items())), last)
    if event is None:
        return
    risen = any(c.label == "toll_rise" for c in cues)  # "ارتفاع عدد الشهداء إلى 14": the latest toll
    for name, value in more.items():
        if name in _COUNTS_OF[event.type] and (name not in event.counts or (risen and name not in event.final)):
            event.counts[name] = value
            event.count_at[name] = sentence.start
            if risen:
                event.final.add(name)


def _code_sentence(s: Sentence, cues: list[Cue], published: date | None, place_mentions: where.Mentions,
                   mentions: _OrgMentions, quantity_forms: list,
                   vocab: IncidentVocab, month_before: int = 0) -> AssembledIncident | None:
    """The event one sentence reports, or None (no trigger left, or not news); ``month_before``: the last month
    named before it (what "the same month" is).

    Words are read (tokenised) only for what needs them: dates, counts, roles, place cues."""
    norm, start, end = s.norm, s.start, s.end
    labels = set(map(_LABEL, cues))
    if "caption" in labels or "off_topic" in labels or vocab.trigger_labels.isdisjoint(labels):
        return None  # a caption, sport, or no trigger
    if norm[start:end].rstrip(_QUOTES).endswith(":") and norm.count(" ", start, end) < _HEADING_WORDS:
        return None  # a section's heading ("القصف العسكري على القرى الحدودية:"), not a report
    if "engagement" in labels and _HURT.isdisjoint(labels):  # "طبقت قواعد الاشتباك" and no one hurt: no clash
        spans = [(c.start, c.end) for c in cues if c.label == "engagement"]
        cues = [c for c in cues if not any(a <= c.start and c.end <= b for a, b in spans)]
        labels = set(map(_LABEL, cues))
    lead = _lead(norm, start, end, cues, labels, True, vocab)
    if lead is None:
        return None  # every trigger is in the future, ongoing, a statement...
    if ("period_total" in labels or "mo:0" in labels) and _events_counted(s.words, vocab):
        return None  # "خمس هجمات خلال الأسبوع", "سبع محاولات اغتيال هذا الشهر": a period's total
    remark = "its_kind" in labels and _HURT.isdisjoint(labels) and s.first_word_in(_THIS)
    digit = _DIGIT.search(norm, start, end)  # most sentences have none: no date or year to look for
    if not vocab.date_labels.isdisjoint(labels) or (digit and NUMERIC_CORE.search(norm, digit.start(), end)):
        day = when(norm, s.words, cues, published, "vague_time" in labels, digit.start() if digit else -1,
                   month_before)
    else:  # no day named: only the years it mentions matter (to tell history)
        years = tuple(map(int, YEARS.findall(norm, digit.start(), end))) if digit else ()
        day = When(None, False, years, vague="vague_time" in labels)
    recent = day.specific and (day.day is None or published is None or (published - day.day).days <= _RECENT_DAYS)
    if (day.day and published and (published - day.day).days > _OLD_DAYS) or day.recalled(published):
        return None
    if day.specific and (gone := _month_gone(s.words, vocab))[0] and (published is None or gone[0] != published.month) \
            and _month_of(day.key) == gone[0]:
        # "في 24 أيار/مايو الماضي", "on May 24 last": the day told is of a month gone by, recalled (rule 2); when
        # another day is named before it, that one is the news's ("أمس الإثنين، بعد هجوم في 10 أيار الماضي")
        if not any(label in DAY_LABELS or label.startswith("wd:") for label in labels):
            return None
        cut = s.words.span(max(0, gone[1] - 1))[0]
        day = when(norm, Words.of(norm, start, cut), [c for c in cues if c.end <= cut], published,
                   "vague_time" in labels, None, month_before)
    if day.day and published and _recalled_day(day.day, published):
        return None  # "وفي التاسع من كانون الثاني" told on 3 February: an earlier month's, weeks before
    if not recent and (s.first_word_in(vocab.tokens["background_start"])
                       or (published and any(y < published.year for y in day.years))):
        return None
    if day.month_phrase is not None and "background" in labels:  # "في 28 من الشهر الماضي" dates, no more
        cues = [c for c in cues if not (c.label == "background" and (c.start, c.end) == day.month_phrase)]
        labels = set(map(_LABEL, cues))
    if not recent and "background" in labels:
        lead = _lead(norm, start, end, cues, labels, False, vocab)  # background counts: no recent day
        if lead is None:
            return None
    kind = lead.label[2:]
    foiled = _attack_foiled(s, lead, cues) if kind == "seizure" else None
    if foiled is not None:  # "أحبطت قسد هجوماً بطائرات مسيرة": an attack tried
        kind = foiled.label[2:]
    if kind == "attack" and "air" in labels and not _air_base_only(s, cues) and not _guns_under_jets(s):
        kind = "airstrike"
    seized = []
    if kind in ONE_OPERATION and quantity_forms:
        text = norm[start:end]
        seized = [q for q, form in quantity_forms if form and form in text]
    if kind == "arrest_raid" and ((seized and "t:seizure" in labels) or _goods_after(s, lead, vocab)):
        kind = "seizure"  # the haul leads over the people (rule 1); "توقيف شاحنتين" stops goods, not people
    elif kind == "seizure" and not seized and _cell_after(s, lead, vocab):
        kind = "arrest_raid"  # "ضبط خلية إرهابية": people caught, no haul
    located = where.locate(s, place_mentions, vocab, residents=kind in _RESIDENTS_ACT)
    heading = False
    if kind == "displacement" and located is not None:
        # the place left, before the destination (rule 4: the destination when only that is named)
        left = where.left_from(s, place_mentions)
        heading = left is None and where.heading_to(s, located)
        located = left or located
    found = mentions.within(start, end)
    act = foiled or lead  # (an attack foiled: the words around the attack's tell who tried it)
    actors, targets = roles(s.words, found, kind, s.words.index_at(act.start), vocab) if found else ([], [])
    if foiled is not None:  # who foiled it was its target, not its doer ("أحبطت قوات قسد هجوماً")
        since = start if norm[lead.start].isascii() else lead.start  # English names the subject first
        defenders = {org for org_start, _, org in found if since <= org_start < foiled.start}
        actors, targets = [a for a in actors if a not in defenders], targets + [a for a in actors if a in defenders]
    if kind == "arrest_raid" and "t:kidnapping" in labels and (
            not _OUTLAWS.isdisjoint(actors) or any(s.words.phrase_at(i, vocab.tokens["gunmen"])
                                                   for i in range(len(s.words.toks)))):
        # ISIS or gunmen raiding arrest no one: "داهم عناصر داعش قرية واختطفوا ثلاثة", "داهم مسلحون منزلاً وخطفوا"
        kind = "kidnapping"
    elif kind == "arrest_raid" and _held_by_gunmen(s, lead, vocab):
        kind = "kidnapping"  # "احتجزت مجموعات مسلحة 8 مواطنين", "أوقفه مسلحون على الطريق": no force arrests
    elif kind == "arrest_raid" and "t:attack" in labels and not _OUTLAWS.isdisjoint(actors):
        kind = "attack"  # "... and three were arrested in an attack by ISIS": their attack, captives taken
    if kind == "arrest_raid" and "killed" in labels and not _ARREST_COUNTS & labels and \
            _AMBUSH in norm[lead.start:lead.end] and counts(s.words, cues, vocab, ("killed",)):
        kind = "attack"  # "تمكنت القوة من قتل اثنين من عناصر داعش في كمين محكم": an ambush that took no one
    wanted = _COUNTS_OF[kind]
    if kind in ONE_OPERATION and ("t:armed_clash" in labels or "engagement" in labels):
        wanted = _FOUGHT_OPERATION  # "ألقت القبض على 9 مهربين بعد اشتباكات أسفرت عن مقتل 4 منهم": its dead
    stated = counts(s.words, cues, vocab, wanted) if wanted and not _COUNT_LABELS.isdisjoint(labels) else {}
    several = "events_dual" in labels or _several_events(s, cues, vocab)
    timing = ("said" if day.announced else "day") if day.specific else "vague" if day.vague else ""
    opens = located is not None and located.offset - start <= _OPENING_CHARS and s.first_word_in(_IN_WORDS)
    opens_also = s.first_word_in(_ALSO)
    also = located is not None and located.rank <= where.NEAR and (opens_also or _also_did(s, lead))
    final = set(stated) if "toll_rise" in labels else set()
    at_least = {name for name, value in stated.items() if _told_at_least(s.words, value, vocab)}
    return AssembledIncident(kind, start, end, day.day, timing, day.key, located, stated, actors, targets,
                             seized if kind in ONE_OPERATION else [], dict.fromkeys(stated, start),
                             separate="another_event" in labels or _opens_on_next(s, vocab),
                             opens_with_place=opens, also_elsewhere=also, opens_also=opens_also,
                             several=several,
                             details=bool(s.words.phrase_at(0, vocab.tokens["details_start"])),
                             # (a remark, "وهذا الهجوم هو الرابع من نوعه", goes on with the event just told)
                             anaphoric=remark or _opens_on_the_event(s, vocab), final=final, heading=heading,
                             by_killing=kind == "attack" and lead.label[0] != "t",
                             unknown=where.unknown_places(s, place_mentions) if located is None else frozenset(),
                             at_least=at_least,
                             own_day=s.first_word_in(vocab.tokens["background_start"])
                             or (s.first_word_in(_IN_WORDS) and _day_of_month(day.key)))


def _told_at_least(words: Words, value: int, vocab: IncidentVocab) -> bool:
    """Whether the number ``value`` is told as a lower bound in the sentence ("أكثر من عشرة", "at least 10")."""
    toks = words.toks
    if _LOWER_FIRST.isdisjoint(toks):
        return False  # (most counts are told plainly)
    for k, tok in enumerate(toks):
        if (int(tok) if tok.isdigit() and len(tok) < 6 else vocab.numbers.get(tok)) != value:
            continue
        for j in range(max(0, k - 4), k):
            n = words.phrase_at(j, vocab.tokens["approximate"])
            if n and j + n == k and " ".join(toks[j:k]) in _LOWER_BOUNDS:
                return True
    return False


def _also_did(s: Sentence, lead: Cue) -> bool:
    """Whether "also" stands right by the trigger's verb ("شنوا أيضاً هجوماً على مقرات قسد في بلدة الشحيل",
    "also attacked"): one more act, not the one told before."""
    words = s.words
    i = words.index_at(lead.start)
    return any(0 <= k < len(words.toks) and words.toks[k] in _ALSO_WORDS for k in (i - 2, i - 1, i + 1))


def _day_of_month(key: object) -> bool:
    """Whether a day's key (as `dates.when` names it) is a day of the month: a date, or (month, day)."""
    return isinstance(key, date) or (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, int) for k in key))


def _held_by_gunmen(s: Sentence, lead: Cue, vocab: IncidentVocab) -> bool:
    """Whether gunmen are the subject of a verb of detaining ("احتجزت مجموعات مسلحة", "أوقفه مسلحون"): right
    after the verb (its pronoun between), and no force named in the sentence."""
    words = s.words
    at = words.index_at(lead.start)
    if not any(words.toks[j] in _GUNMEN_SUBJECT or (words.toks[j] in _GROUPS and words.toks[j + 1:j + 2] == ["مسلحه"])
               for j in range(at + 1, min(at + 3, len(words.toks)))):
        return False  # (not "مسلحين": gunmen detained, the verb's object)
    return not any(words.is_in(j, vocab.tokens["forces"]) for j in range(len(words.toks)))


def _month_of(key: object) -> int:
    """The month of a day's key as `dates.when` names it (a date, or (month, day of month)), or 0."""
    if isinstance(key, date):
        return key.month
    if isinstance(key, tuple) and key and isinstance(key[0], int):
        return key[0]
    return 0


def _month_gone(words: Words, vocab: IncidentVocab) -> tuple[int, int]:
    """The month a sentence names as gone by ("أيار الماضي", "أيار/مايو المنصرم", "last May") and the token of
    its name, or (0, 0)."""
    toks = words.toks
    for k, tok in enumerate(toks):
        month = vocab.months.get(tok, 0)
        if month:
            after = toks[k + 1:k + 3] if k + 1 < len(toks) and toks[k + 1] in vocab.months else toks[k + 1:k + 2]
            if (after and after[-1] in _GONE) or (k and toks[k - 1] == "last"):
                return month, k
    return 0, 0


def _events_counted(words: Words, vocab: IncidentVocab) -> bool:
    """Whether the sentence counts events ("خمس هجمات", "15 عملية", "12 attacks"): a number before an event noun."""
    toks = words.toks
    return any((tok.isdigit() or tok in vocab.numbers) and words.is_in(k + 1, _EVENT_NOUNS)
               for k, tok in enumerate(toks[:-1]))


def _opens_on_next(s: Sentence, vocab: IncidentVocab) -> bool:
    """Whether the sentence opens on the next of events told in turn ("الثانية قتل على إثرها ...", "أما
    الثالثة") or on the other side answering ("في المقابل، ردت قسد"): another event than those before it."""
    words = s.words
    opening = range(min(_TURN_WORDS, len(words.toks)))
    dying = vocab.tokens["casualty_verb"]  # not "فيما قتل ثالث": a third person
    return any((words.phrase_at(i, vocab.tokens["next_in_turn"]) and not (i and words.is_in(i - 1, dying)))
               or words.toks[i] in _ANSWERED for i in opening)


def _opens_on_the_event(s: Sentence, vocab: IncidentVocab) -> bool:
    """Whether the sentence opens on an event named as known ("وأدى الهجوم إلى", "The blast killed"): it goes
    on with the one just told."""
    words = s.words
    return any(words.phrase_at(i, vocab.tokens["the_event"]) for i in range(min(_OPENING_WORDS, len(words.toks))))


def _several_events(s: Sentence, cues: list[Cue], vocab: IncidentVocab) -> bool:
    """Whether a plural of an event in the sentence follows a number ("ثلاث هجمات", "two separate attacks": an
    English adjective between), or says they were apart ("هجمات متفرقة", "سلسلة هجمات"), or the sentence names
    two towns hit ("قصف جوي استهدف مدينتي خان شيخون وسرمين", not "بين بلدتي"): it tells several events at once
    (a dual, "حادثتي اغتيال", does by itself)."""
    words = s.words
    toks = words.toks
    for c in cues:
        if c.label == "events_plural":
            i = words.index_at(c.start)
            if (i and (_many(toks[i - 1], vocab) or (i > 1 and toks[i - 1].isascii() and _many(toks[i - 2], vocab))
                      or toks[i - 1] in _SERIES)) or (i + 1 < len(toks) and toks[i + 1] in _APART):
                return True
    return not _TWO_TOWNS.isdisjoint(toks) and any(tok in _TWO_TOWNS and not (k and toks[k - 1] in _BETWEEN)
                                                   for k, tok in enumerate(toks))


def _many(tok: str, vocab: IncidentVocab) -> bool:
    """Whether a token is a number of two or more (digits or a count word)."""
    value = int(tok) if tok.isdigit() and len(tok) < 6 else vocab.numbers.get(tok, 0)
    return value >= 2


def _attack_foiled(s: Sentence, lead: Cue, cues: list[Cue]) -> Cue | None:
    """The trigger of the attack a seizure word foiled ("أحبطت القوات هجوماً", "foiled hostile drone attacks": an
    attack tried, incidents.md), or None when the word seized goods."""
    words = s.words
    at = words.index_at(lead.start)
    if not words.is_in(at, _FOILED):  # (with its clitics: "وأحبط الهجوم")
        return None
    for c in cues:
        if c.label in _ATTACKS and at < (k := words.index_at(c.start)) <= at + _FOILED_WORDS:
            # (not the goods of a smuggling foiled: "إفشال محاولة تهريب أسلحة ضمت صواريخ وقذائف")
            return None if any(words.is_in(j, _SMUGGLING) for j in range(at + 1, k)) else c
    for j in range(at + 1, min(at + 1 + _FOILED_WORDS, len(words.toks))):
        if words.is_in(j, _ASSAULT):  # "إحباط تعرض لعناصر داعش": an assault foiled (Iraqi military usage)
            return Cue(*words.span(j), "t:attack")
    return None


def _guns_under_jets(s: Sentence) -> bool:
    """Whether guns fired while aircraft only flew over ("قصفت المدفعية التركية القرى بالتزامن مع تحليق الطائرات
    الحربية"): the shelling is an attack from the ground."""
    toks = s.words.toks
    return not _ARTILLERY.isdisjoint(toks) and not _FLYING.isdisjoint(toks)


def _air_base_only(s: Sentence, cues: list[Cue]) -> bool:
    """Whether the sentence's only word of the air names an air base ("صواريخ كاتيوشا على قاعدة عين الأسد
    الجوية"): rockets on a base are an attack, not a strike from the air."""
    words = s.words
    air = [words.index_at(c.start) for c in cues if c.label == "air"]
    toks = words.toks
    return all(toks[i] in _AIR_ADJECTIVES and (any(tok in _BASES for tok in toks[max(0, i - _BASE_WORDS):i])
                                               or toks[i + 1:i + 2] == ["base"]) for i in air)


def _goods_after(s: Sentence, lead: Cue, vocab: IncidentVocab) -> bool:
    """Whether the word after the trigger names goods or vehicles ("توقيف شاحنة", "ضبط سيارات")."""
    words = s.words
    after = words.index_at(lead.end - 1) + 1
    for i in range(after, min(after + _OBJECT_WORDS, len(words.toks))):  # Arabic puts the subject first
        if words.is_in(i, vocab.people_words):
            return False
        if words.is_in(i, vocab.goods_words):
            return True
    return False


def _cell_after(s: Sentence, lead: Cue, vocab: IncidentVocab) -> bool:
    """Whether a seizure word's object is a cell, gang or network of people ("ضبط خلية", "ضبطت عصابة"), or the
    plot foiled is ("أحبطت مخططاً إرهابياً"): a security operation against people."""
    words = s.words
    after = words.index_at(lead.end - 1) + 1
    for i in range(after, min(after + _OBJECT_WORDS, len(words.toks))):
        if words.is_in(i, vocab.goods_words):
            return False
        if words.is_in(i, vocab.tokens["group"]) or words.is_in(i, _PLOT):
            return True
    return False


def _lead(norm: str, start: int, end: int, cues: list[Cue], labels: set[str], recent: bool,
          vocab: IncidentVocab) -> Cue | None:
    """The trigger that gives the sentence its type: the first strong one whose clause is news,
    else the first weak one (``labels``: those of ``cues``)."""
    blocking = _BLOCKS_RECENT if recent else _BLOCKS_OLD
    clauses: list[int] | None = None
    if not blocking.isdisjoint(labels):
        clauses = clause_bounds(norm, start, end)
        # a cue blocks its clause and those after it
        blocked_from = min(sentence_of(clauses, c.start) for c in cues if c.label in blocking)
    first_weak = None
    for c in _longest(cues, vocab.trigger_labels):
        if clauses is not None and sentence_of(clauses, c.start) >= blocked_from:
            continue
        kind = c.label[2:]
        if kind in vocab.types_with_requires and f"r:{kind}" not in labels:
            continue
        if c.label[0] == "t":
            return c
        if first_weak is None:
            first_weak = c
    return first_weak


def _longest(cues: list[Cue], trigger_labels: frozenset[str]) -> list[Cue]:
    """The triggers with those inside a longer one dropped ("قصف" inside "قصف جوي"), and those inside a
    phrase that is no trigger ("ضبط الحدود"), in text order."""
    triggers = [c for c in cues if c.label in trigger_labels]
    covers = triggers + [c for c in cues if c.label == "not_trigger"]
    if len(covers) == 1:
        return triggers
    return [c for c in triggers if not _inside_longer(c, covers)]


def _at_contrasts(norm: str, spans: list[tuple[int, int]], cues: list[Cue],
                  trigger_labels: frozenset[str]) -> list[tuple[int, int]]:
    """``spans`` with a sentence cut where a clause of contrast (or an example) tells an event, a trigger in it
    ("قتل عنصران بهجوم في السخنة، في حين قتل ثلاثة آخرون في كمين غربي تدمر", "..., while four others were
    killed in a similar attack", "وصعّد التنظيم من وتيرة هجماته، ففي 2 من الشهر الجاري قتل أربعة رعاة"): each
    side is coded as a sentence of its own (merged again when they tell one event; what the first says of
    itself, ongoing or a statement, no longer holds the second)."""
    # a strong trigger, or a weak one with a toll ("ففي 2 من الشهر الجاري قتل أربعة رعاة"): not a weapon sold
    # ("بينما باع التنظيم ذخائر وقذائف")
    strong = [c.start for c in cues if c.label in trigger_labels and c.label[0] == "t"]
    weak = [c.start for c in cues if c.label in trigger_labels and c.label[0] != "t"]
    toll = [c.start for c in cues if c.label in _HURT]
    states = [c.start for c in cues if c.label in _STATES]
    days = [c.start for c in cues if c.label in _NEWS_DAYS]
    out: list[tuple[int, int]] = []
    for start, end in spans:
        # (only a sentence with an event to tell is searched)
        if _any_between(strong, start, end) or (_any_between(weak, start, end) and _any_between(toll, start, end)):
            cuts = _contrasts(norm, start, end)
            if _any_between(states, start, end) and _any_between(days, start, end):
                cuts = sorted(cuts + _news_after_state(norm, start, end, states, days))
            for at, after in cuts:
                if at < start:
                    continue
                if _any_between(strong, after, end) or (_any_between(weak, after, end)
                                                         and _any_between(toll, after, end)):
                    out.append((start, at))
                    start = at + 1  # after the comma: the clause opens with its word of contrast
        out.append((start, end))
    return out


def _news_after_state(norm: str, start: int, end: int, states: list[int], days: list[int]) -> list[tuple[int, int]]:
    """(comma, clause start) of the clause after the last one telling a state, ongoing or past, when a day is
    named after it ("وتشهد الصحراء منذ نحو شهر عملية عسكرية ...، وأدى انفجار سيارة مفخخة في الفلوجة اليوم إلى
    إصابة 4"; "منذ إعلان ...، وقد أعلن داعش مسؤوليته عن اغتيالات، كان آخرها يوم أمس"): news again."""
    last_state = max(at for at in states if start <= at < end)
    comma = min((k for k in (norm.find("،", last_state, end), norm.find(",", last_state, end)) if k != -1), default=-1)
    return [(comma, comma + 1)] if comma != -1 and _any_between(days, comma, end) else []


def _contrasts(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """(comma, clause start) of each clause of contrast in ``norm[start:end]`` ("، في حين", ", while"), in order
    (each word found by `str.find`: cheaper than a pattern tried at every comma)."""
    found = []
    for word in _CONTRAST_WORDS + _AFTER_DOTS:
        at = norm.find(word, start, end)
        while at != -1:
            after = at + len(word)
            k = at - 1 if at and norm[at - 1] == "و" else at
            k = k - 1 if k and norm[k - 1] == " " else k
            if word in _AFTER_DOTS:
                if k > 1 and norm[k - 2:k] == ".." and norm[after:after + 1] == " ":
                    found.append((k - 1, after + 1))
            elif k and norm[k - 1] in "،," and norm[after:after + 1] == " ":
                found.append((k - 1, after + 1))
            at = norm.find(word, after, end)
    found.sort()
    return found


def _any_between(starts: list[int], low: int, high: int) -> bool:
    """Whether one of the sorted ``starts`` lies in ``[low, high)``."""
    k = bisect_left(starts, low)
    return k < len(starts) and starts[k] < high


def _without_false_times(cues: list[Cue]) -> list[Cue]:
    """``cues`` less the vague times and counted acts inside a phrase that is none ("مصدر مطلع": an informed
    source, not "early"; "while attempting to arrest a suspect": no one arrested)."""
    covers = [c for c in cues if c.label == "not_trigger"]
    if not covers:
        return cues
    return [c for c in cues if not (c.label == "vague_time" or c.label in _COUNT_LABELS)
            or not _inside_longer(c, covers)]


def _inside_longer(c: Cue, covers: list[Cue]) -> bool:
    """Whether a longer one of ``covers`` holds the cue ``c``."""
    start, end, _ = c
    size = end - start
    return any(o_start <= start and end <= o_end and o_end - o_start > size for o_start, o_end, _ in covers)


def _incident(e: AssembledIncident, written: SourceMap) -> Incident:
    place = e.located.place if e.located and e.located.rank < where.VAGUE else None
    return Incident(type=cast("IncidentType", e.type), evidence=written.span(e.start, e.end).strip(),
                    date=e.day.isoformat() if e.day else None, place=place, actors=e.actors, targets=e.targets,
                    killed=e.counts.get("killed"), injured=e.counts.get("injured"),
                    arrested=e.counts.get("arrested"), quantities=e.quantities)


