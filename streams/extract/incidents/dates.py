"""The day an event took place, read from its sentence and resolved against publication.

Rules (../shared/spec/incidents.md, rule 3): an explicit date with a year is
that day; a day and month without a year, and a weekday, are the latest such
day on or before the publication day; اليوم / today is the publication day,
أمس / yesterday the day before, أول أمس two days before. A weekday beats
اليوم and أمس ("اليوم (الخميس)" is that Thursday); a weekday said to be past
("الجمعة الماضي", "last Friday") is never the publication day, and a night
between two ("ليل الأحد – الإثنين") is of the second, and past a night's midnight ("بعد منتصف ليل
الإثنين") is of the day after. A day and month told
aside, after a relative pronoun, do not date the event of the day the
sentence names first ("أمس ... وهو شقيق اللذين قتلا في 22 أيار"). A day of "this month" or
"last month" ("في 24 من الشهر الجاري") is of publication's month or the one
before it; of "the same month" ("وفي 23 من الشهر ذاته"), of the month the
article named last before it. A day may be written as an ordinal ("في التاسع من
ديسمبر", "الحادي والعشرين من الشهر الجاري", "the 9th of December"). Without a publication day
only an explicit date with a year resolves; vague times give nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from marsad.streams.extract.incidents.sentences import Words
from marsad.streams.extract.incidents.vocab import Cue

_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d\d)\b|\b((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})\b")
# Every match of _NUMERIC holds one of this ("15-05-2017", "2024/3/10"), which the regex engine finds
# with fewer steps (its first character is a digit): a sentence without it names no numeric date.
NUMERIC_CORE = re.compile(r"\d[-/.]\d{1,2}[-/.]\d")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
# A year not inside a longer number; the check on the digit before it comes after "19"/"20", so that
# the regex engine looks only where a "1" or "2" stands (`(?<!\d)((?:19|20)\d\d)(?!\d)`, fewer steps).
YEARS = re.compile(r"((?:19|20)(?<!\d..)\d\d)(?!\d)")
_DIGIT = re.compile(r"\d")
_RELATIVE = {"d:today": 0, "d:yesterday": 1, "d:day_before_yesterday": 2}
_DAY_KINDS = frozenset({"mo", "wd"})  # labels "mo:<month>", "wd:<weekday>"
_ASIDE = frozenset({"الذي", "التي", "اللذين", "اللذان", "اللتين", "الذين", "اللواتي", "وهو", "وهي", "وهما"})
SAME_MONTH = -2  # the label "mo:-2": "the same month", the one named before
_SINCE = frozenset({"منذ", "since"})
_PAST = frozenset({"الماضي", "الفائت", "المنصرم", "المنقضي"})  # after a weekday: of the week before
# the word opening what was said ("قالت الخلية في بيان اليوم الأحد إن"): a day before it is the saying's
_THAT = frozenset({"ان", "بان", "انه", "that"})
_SAYING_CLAUSE = 12  # tokens a day may stand after a word of saying and still be before what was said
# days of the month written as ordinals ("في التاسع من ديسمبر"), as normalised
_ORDINAL_DAYS = {"الاول": 1, "الحادي": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4, "الخامس": 5, "السادس": 6,
                 "السابع": 7, "الثامن": 8, "التاسع": 9, "العاشر": 10}
_ORDINAL_TENS = {"العشرين": 20, "والعشرين": 20, "الثلاثين": 30, "والثلاثين": 30}
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_NIGHT = frozenset({"ليل", "ليله"})
_AFTER_MIDNIGHT = ["بعد", "منتصف"]  # before "ليل" and a weekday: past that night's midnight
_PART_NOUNS = frozenset({"الاسبوع", "الاسبوعين", "النصف", "الثلث", "الربع", "العشر", "العشره", "الشهر"})


@dataclass(slots=True)
class When:
    """What a sentence says about its day: the resolved date (or None), whether a day was named
    at all (``specific``), and the years it mentions (to tell old events)."""

    day: date | None
    specific: bool
    years: tuple[int, ...] = ()
    months: tuple[int, ...] = ()  # months named without a day ("في فبراير 2025")
    vague: bool = False  # a vague time ("قبل أيام", "last week"): some other day, unknown
    key: Any = None  # the day as named, to tell two days apart unresolved ("wd", 2) vs ("wd", 1)
    announced: bool = False  # the day follows a word of saying: it dates the announcement
    month_phrase: tuple[int, int] | None = None  # where "الشهر الماضي" was read as a date's month: no background

    def recalled(self, published: date | None) -> bool:
        """Whether the sentence dates its event by a month only, another than publication's."""
        if self.specific or not self.months:
            return False
        if published is None:
            return True  # "في آذار الماضي": a month, and nothing to tell it is this one
        return any(m != published.month for m in self.months) and not any(y > published.year for y in self.years)


def when(norm: str, words: Words, cues: list[Cue], published: date | None, vague: bool = False,
         digit_at: int | None = None, month_before: int = 0) -> When:
    """The day the sentence of ``words`` (spanning part of ``norm``) dates, read from its date cues;
    ``vague``: the sentence has a vague time; ``month_before``: the last month the article named before the
    sentence (0: none), which "the same month" is; ``digit_at``: where its first digit is (-1: none), when
    the caller knows (dates and years start with a digit: nothing before it is searched)."""
    toks = words.toks
    start, end = words.start, words.end
    if digit_at is None:
        first = _DIGIT.search(norm, start, end)
        digit_at = first.start() if first else -1
    digits = digit_at >= 0
    years = tuple(int(y) for y in YEARS.findall(norm, digit_at, end)) if digits else ()
    said = [words.index_at(c.start) for c in cues if c.label == "d:announce"]
    m = _NUMERIC.search(norm, digit_at, end) if digits and NUMERIC_CORE.search(norm, digit_at, end) else None
    if m:
        d = _safe(int(m[3]), int(m[2]), int(m[1])) if m[1] else _safe(int(m[4]), int(m[5]), int(m[6]))
        if d:
            return When(d, True, years, key=d, announced=_announced(said, words.index_at(m.start()), toks))
    months: list[int] = []
    weekday = relative = None
    at: dict[str, int] = {}  # which token named the day and month, the weekday, the relative day
    day_month: tuple[int, int, int | None] | None = None
    phrase = (0, 0)  # where the day's month was named
    for c in cues:
        kind, _, value = c.label.partition(":")
        if kind not in _DAY_KINDS and c.label not in _RELATIVE:
            continue  # most cues name no day: their token is not looked up
        i = words.index_at(c.start)
        if kind == "mo":
            last = words.index_at(c.end - 1)
            day = _day_near(words, i, last + 1)
            month = int(value)
            if day and day_month is None:
                day_month = (day[0], month, _year_after(words, day[1]))
                at["dm"] = i
                phrase = (c.start, c.end)
            elif not day and month > 0 and (last > i or len(toks[i]) > 3):
                months.append(month)  # "في فبراير"; short names ("اب", "may") need a day; "الشهر الجاري" is now
        elif kind == "wd" and i and words.toks[i - 1] in _SINCE:
            continue  # "الرابع من نوعه منذ السبت": a time since which, not the event's day
        elif kind == "wd" and (weekday is None or i - at["wd"] <= 2):
            weekday, at["wd"] = int(value), i  # "ليل الأحد – الإثنين", "ليلة السبت/الأحد": the night ends on the second
            if i > 2 and toks[i - 3:i - 1] == _AFTER_MIDNIGHT and toks[i - 1] in _NIGHT:
                weekday = (weekday + 1) % 7  # "بعد منتصف ليل الإثنين": the small hours of Tuesday
        elif c.label in _RELATIVE and (relative is None or _RELATIVE[c.label] > relative):
            relative, at["rel"] = _RELATIVE[c.label], i  # "أول أمس" over the "أمس" inside it
    if day_month and _told_aside(words, at, said):
        day_month = None  # "وأمس الثلاثاء أصيب شاب، وهو شقيق اللذين قتلا في 22 أيار": the first day is the event's
    if day_month and day_month[1] == SAME_MONTH:  # "وفي 23 من الشهر ذاته": the month named before
        day_month = (day_month[0], month_before, None) if month_before else None
        if day_month is None:
            return When(None, True, years, key=("same", 0), announced=_announced(said, at["dm"], toks))
    if day_month and day_month[1] <= 0:  # "في 24 من الشهر الجاري": publication's month, or the one before it
        dom, shift, _ = day_month
        if published is None:
            return When(None, True, years, key=(shift, dom), announced=_announced(said, at["dm"], toks), month_phrase=phrase)
        month_of = published.replace(day=1) if shift == 0 else (published.replace(day=1) - timedelta(days=1))
        return When(_safe(month_of.year, month_of.month, dom), True, years, key=(month_of.month, dom),
                    announced=_announced(said, at["dm"], toks), month_phrase=phrase)
    if day_month:
        dom, month, year = day_month
        announced = _announced(said, at["dm"], toks)
        if year:
            return When(_safe(year, month, dom), True, years, key=(month, dom), announced=announced)
        return When(_latest(published, month, dom) if published else None, True, years, key=(month, dom),
                    announced=announced)
    if weekday is not None:
        announced = _announced(said, at["wd"], toks)
        if published is None:
            return When(None, True, years, key=("wd", weekday), announced=announced)
        back = (published.weekday() - weekday) % 7 or (7 if _last_week(words, at["wd"]) else 0)
        return When(published - timedelta(days=back), True, years, key=("wd", weekday), announced=announced)
    if relative is not None:
        return When(published - timedelta(days=relative) if published else None, True, years,
                    key=("rel", relative), announced=_announced(said, at["rel"], toks))
    return When(None, False, years, tuple(months), vague)


def _told_aside(words: Words, at: dict[str, int], said: list[int]) -> bool:
    """Whether the day and month named (token ``at["dm"]``) date another event told aside, in a clause a relative
    pronoun opens after the weekday or relative day the sentence names first (not a day of saying)."""
    first = min((at[k] for k in ("wd", "rel") if k in at), default=None)
    if first is None or first > at["dm"] or _announced(said, first, words.toks):
        return False
    return any(tok in _ASIDE for tok in words.toks[first + 1:at["dm"]])


def _last_week(words: Words, i: int) -> bool:
    """Whether the weekday at token ``i`` is said to be past ("يوم الجمعة الماضي", "last Friday"): on that
    weekday itself, it is the one a week before."""
    toks = words.toks
    return (i + 1 < len(toks) and toks[i + 1] in _PAST) or (i > 0 and toks[i - 1] == "last")


def _announced(said: list[int], i: int, toks: list[str] | None = None) -> bool:
    """Whether a word of saying stands just before token ``i`` ("أعلنت الوزارة، السبت،", "said on Monday"),
    or, given the sentence's ``toks``, further before it in the same clause, with what was said opening right
    after the day ("وقالت خلية الإعلام في بيان عبر تويتر اليوم الأحد إن القوات ...")."""
    for j in said:
        if 0 < i - j <= 4:
            return True
        if toks is not None and 0 < i - j <= _SAYING_CLAUSE and any(t in _THAT for t in toks[i + 1:i + 4]) \
                and not any(t in _THAT for t in toks[j + 1:i]):
            return True
    return False


def _day_near(words: Words, i: int, after: int) -> tuple[int, int] | None:
    """(day, index after the date's month) when a day number stands before the month ("21 من تشرين الأول",
    "15 May", "التاسع من ديسمبر", "الحادي والعشرين من الشهر الجاري", "the 9th of December") or after it
    ("May 15", "December 9th")."""
    toks = words.toks
    j = i - 1
    if j >= 0 and toks[j] in ("من", "of"):
        j -= 1
    if j > 0 and toks[j] in _ORDINAL_SUFFIXES:  # "9th" is read as "9", "th"
        j -= 1
    day = _day_number(toks, j) if j >= 0 else None
    if day:
        return day, after
    k = after
    if k < len(toks) and toks[k].isdigit() and 1 <= int(toks[k]) <= 31 and toks[i].isascii():
        suffixed = k + 1 < len(toks) and toks[k + 1] in _ORDINAL_SUFFIXES  # "December 9th"
        return int(toks[k]), k + 2 if suffixed else k + 1
    return None


def _day_number(toks: list[str], j: int) -> int | None:
    """The day of the month the token at ``j`` ends: a number ("9"), an ordinal ("التاسع"), or the
    last word of a compound one ("الحادي عشر", "الخامس والعشرين")."""
    tok = toks[j]
    if tok.isdigit():
        return int(tok) if 1 <= int(tok) <= 31 else None
    first, day = j, None
    if tok == "عشر" and j and toks[j - 1] in _ORDINAL_DAYS and _ORDINAL_DAYS[toks[j - 1]] < 10:
        first, day = j - 1, _ORDINAL_DAYS[toks[j - 1]] + 10  # "الحادي عشر"
    elif tok in _ORDINAL_TENS:  # "العشرين", or "الخامس والعشرين"
        unit = _ORDINAL_DAYS.get(toks[j - 1], 0) if j and tok.startswith("و") else 0
        first, day = (j - 1 if unit else j), _ORDINAL_TENS[tok] + unit
    else:
        day = _ORDINAL_DAYS.get(tok)
    if day is None or day > 31 or (first and toks[first - 1] in _PART_NOUNS):
        return None  # "الأسبوع الأول من آذار": a part of the month, not its first day
    return day


def _year_after(words: Words, k: int) -> int | None:
    """A year right after the date (a second month name, "/نوفمبر", may come between)."""
    toks = words.toks
    for j in range(k, min(k + 3, len(toks))):
        if _YEAR.match(toks[j]):
            return int(toks[j])
    return None


def _latest(published: date, month: int, day: int) -> date | None:
    """The latest ``day`` of ``month`` on or before ``published``."""
    d = _safe(published.year, month, day)
    if d and d > published:
        d = _safe(published.year - 1, month, day)
    return d


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
