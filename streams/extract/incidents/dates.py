"""The day an event took place, read from its sentence and resolved against publication.

Rules (../shared/spec/incidents.md, rule 3): an explicit date with a year is
that day; a day and month without a year, and a weekday, are the latest such
day on or before the publication day; اليوم / today is the publication day,
أمس / yesterday the day before, أول أمس two days before. A weekday beats
اليوم and أمس ("اليوم (الخميس)" is that Thursday). Without a publication day
only an explicit date with a year resolves; vague times give nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from streams.extract.incidents.sentences import Words
from streams.extract.incidents.vocab import IncidentVocab

_NUMERIC = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d\d)\b|\b((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})\b")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True, slots=True)
class When:
    """What a sentence says about its day: the resolved date (or None), whether a day was named
    at all (``specific``), and the years it mentions (to tell old events)."""

    day: date | None
    specific: bool
    years: tuple[int, ...] = ()
    months: tuple[int, ...] = ()  # months named without a day ("في فبراير 2025")
    vague: bool = False  # a vague time ("قبل أيام", "last week"): some other day, unknown
    key: object = None  # the day as named, to tell two days apart unresolved ("wd", 2) vs ("wd", 1)
    announced: bool = False  # the day follows a word of saying: it dates the announcement

    def recalled(self, published: date | None) -> bool:
        """Whether the sentence dates its event by a month only, another than publication's."""
        if self.specific or not self.months:
            return False
        if published is None:
            return True  # "في آذار الماضي": a month, and nothing to tell it is this one
        return any(m != published.month for m in self.months) and not any(y > published.year for y in self.years)


def when(norm: str, words: Words, vocab: IncidentVocab, published: date | None, vague: bool = False) -> When:
    """The day the sentence of ``words`` (spanning part of ``norm``) dates; ``vague``: it has a vague time."""
    toks = words.toks
    years = tuple(int(t) for t in toks if _YEAR.match(t))
    start, end = (words.starts[0], words.ends[-1]) if toks else (0, 0)
    m = _NUMERIC.search(norm, start, end)
    if m:
        d = _safe(int(m[3]), int(m[2]), int(m[1])) if m[1] else _safe(int(m[4]), int(m[5]), int(m[6]))
        if d:
            return When(d, True, years, key=d, announced=_announced(words, words.index_at(m.start()), vocab))
    months: list[int] = []
    weekday = relative = None
    at = {}  # which token named the weekday, the relative day, the day and month
    day_month: tuple[int, int, int | None] | None = None
    for i in range(len(toks)):
        month_len = words.phrase_at(i, _month_keys(vocab), 2)
        if month_len:
            month = _month(words, i, month_len, vocab)
            day = _day_near(words, i, month_len)
            if day and day_month is None:
                day_month = (day[0], month, _year_after(words, day[1]))
                at["dm"] = i
            elif not day and (month_len > 1 or len(toks[i]) > 3):  # "في فبراير"; short names ("اب", "may") need a day
                months.append(month)
            continue
        if weekday is None and words.is_in(i, vocab.weekdays):
            weekday = next(vocab.weekdays[r] for r in words.readings(i) if r in vocab.weekdays)
            at["wd"] = i
        elif relative is None:
            if words.phrase_at(i, vocab.day_before_yesterday, 2):
                relative = 2
            elif words.phrase_at(i, vocab.yesterday, 2):
                relative = 1
            elif words.phrase_at(i, vocab.today, 2):
                relative = 0
            if relative is not None:
                at["rel"] = i
    if day_month:
        d, month, year = day_month
        said = _announced(words, at["dm"], vocab)
        if year:
            return When(_safe(year, month, d), True, years, key=(month, d), announced=said)
        return When(_latest(published, month, d) if published else None, True, years, key=(month, d), announced=said)
    if weekday is not None:
        said = _announced(words, at["wd"], vocab)
        if published is None:
            return When(None, True, years, key=("wd", weekday), announced=said)
        return When(published - timedelta(days=(published.weekday() - weekday) % 7), True, years,
                    key=("wd", weekday), announced=said)
    if relative is not None:
        said = _announced(words, at["rel"], vocab)
        return When(published - timedelta(days=relative) if published else None, True, years,
                    key=("rel", relative), announced=said)
    return When(None, False, years, tuple(months), vague)


def _announced(words: Words, i: int, vocab: IncidentVocab) -> bool:
    """Whether a word of saying stands just before token ``i`` ("أعلنت الوزارة، السبت،", "said on Monday")."""
    return any(words.is_in(j, vocab.announce) for j in range(max(0, i - 4), i))


def _month_keys(vocab: IncidentVocab) -> frozenset[str]:
    return vocab.months.keys()  # type: ignore[return-value]  # a keys view answers `in` like a set


def _month(words: Words, i: int, n: int, vocab: IncidentVocab) -> int:
    rest = " ".join(words.toks[i + 1:i + n])
    for first in words.readings(i):
        key = f"{first} {rest}" if rest else first
        if key in vocab.months:
            return vocab.months[key]
    return 0


def _day_near(words: Words, i: int, n: int) -> tuple[int, int] | None:
    """(day, index after the date's month) when a day number stands before the month ("21 من تشرين الأول",
    "15 May") or after it ("May 15")."""
    toks = words.toks
    for j in (i - 1, i - 2):
        if j >= 0 and toks[j].isdigit() and 1 <= int(toks[j]) <= 31 and (j == i - 1 or toks[i - 1] in ("من", "of")):
            return int(toks[j]), i + n
    k = i + n
    if k < len(toks) and toks[k].isdigit() and 1 <= int(toks[k]) <= 31 and toks[i].isascii():
        return int(toks[k]), k + 1
    return None


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
