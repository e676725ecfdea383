"""What the reports of one incident say together: independent outlets, counts, place, date.

**Independent outlets.** Two reports are not independent when they come from
the same outlet, or when one article is an exact or near copy of the other
(the dedup verdict of the streams: a copy names the article it copies). The
reports fall into groups linked that way; each group is one outlet for
counting (``outlets``) and gives one figure per count: its highest (an outlet
that updates its toll counts with its latest, usually higher, figure).

**Counts.** The reconciled figure is the one most independent outlets give;
on a tie, the larger one, because early reports of a toll undercount more
often than they overcount (the dead found later, the wounded who die) and the
range keeps the lower figure in sight. ``*_min`` and ``*_max`` span every
figure any report gave. A count no report states stays None (None is not 0).

**Place and date.** The place most outlets give, a town or point before a
governorate or region (on a tie, the earliest report's); the date most
outlets give, on a tie the earliest. Actors and targets are the union, in the
order the reports name them. Everything here depends on the set of reports
only, not on the order they arrived in.

**Bounded.** A `Tally` keeps what the reports say together (an `IncidentTally`, which the
fold keeps in the incident's state), not the reports: counting one more in costs the same
whatever their number. Two things would still grow with the reports, and are capped:
the copy links (``ROOTS``: which outlet each article's copies join; past the cap the oldest
links are forgotten, so a copy of a forgotten article, from an outlet not seen yet, counts
as an independent outlet of its own) and the earliest reports an alert lists (``LISTED``).
Below the cap, a tally's summary is exactly that of the reports reconciled at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from marsad.schemas.alert_state import (
    Brief,
    IncidentTally,
    Listed,
    Named,
    Order,
    OutletTally,
    PlaceNamed,
)
from marsad.schemas.facts import Place, Quantity
from marsad.schemas.notes import ReportNote
from marsad.streams.geo import place_key

# Place kinds that name an area rather than a point: a report naming one is less precise.
AREA_KINDS = frozenset({"governorate", "region", "district", "province"})
COUNTS = ("killed", "injured", "arrested")
ROOTS = 512  # copy links kept per incident (~40 bytes each): copies arrive within days of their article
LISTED = 20  # earliest reports an incident's alerts list (article ids, titles, urls)


@dataclass(frozen=True)
class Figure:
    """One count reconciled over the outlets: the figure, and the range all reports span."""

    value: int | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Summary:
    """An incident as its reports, in (event time, report id) order, say it together."""

    count: int  # reports
    evidence: str  # the earliest report's evidence sentence
    outlets: int
    sources: tuple[str, ...]  # one name per independent outlet, in report order
    every_source: tuple[str, ...]  # every source of its reports, by its earliest report
    date: str | None
    place: Place | None
    actors: tuple[str, ...]
    targets: tuple[str, ...]
    figures: dict[str, Figure]
    quantities: tuple[Quantity, ...]
    first_seen: float
    last_seen: float
    listed: tuple[Listed, ...]  # the earliest `LISTED` reports


def is_area(place: Place) -> bool:
    return place.kind in AREA_KINDS


def reconcile_count(per_outlet: Sequence[int], stated: Sequence[int]) -> Figure:
    """The figure most outlets give (ties: the larger), and the range of every stated figure."""
    if not per_outlet:
        return Figure()
    votes = _count(per_outlet)
    value = max(votes, key=lambda v: (votes[v], v))
    return Figure(value, min(stated), max(stated))


def summarise(reports: Sequence[ReportNote]) -> Summary:
    """Reconcile the reports of one incident (any order in, the same summary out)."""
    tally = Tally()
    for r in reports:
        tally.add(r)
    return tally.summary()


K = TypeVar("K")


class Tally:
    """What the reports of one incident say together, kept up to date one report at a time.

    Works on an `IncidentTally` record (a new one, or the one an incident's state keeps, changed in
    place): `add` costs the same whatever the number of reports counted before; `summary` reads the
    few outlets, dates and places. The result is the same as reconciling the reports at once, in any
    order (past the caps of the module docstring, approximately).
    """

    def __init__(self, record: IncidentTally | None = None) -> None:
        self.record = record if record is not None else IncidentTally()

    def add(self, report: ReportNote) -> None:
        """Count ``report`` in."""
        t = self.record
        at = (report.at, report.report_id)
        incident = report.incident
        t.count += 1
        if t.first is None or at < t.first:
            t.first, t.evidence = at, incident.evidence
        t.last_at = max(t.last_at, report.at) if t.count > 1 else report.at
        known = t.sources.get(report.source)
        if known is None or at < known:
            t.sources[report.source] = at
        _list(t.listed, Listed(at, report.article_id, report.title, report.url))
        outlet = self._outlet(report, at)
        for name in COUNTS:
            value = getattr(incident, name)
            if value is not None:
                low, high = t.stated.get(name, (value, value))
                t.stated[name] = [min(low, value), max(high, value)]
                outlet.best[name] = max(outlet.best.get(name, value), value)
        if incident.date and incident.date not in outlet.dates:
            outlet.dates.append(incident.date)
        place = incident.place
        if place is not None:
            key = place_key(place.geonameid, place.lat, place.lon)
            if key not in outlet.places:
                outlet.places.append(key)
            named = t.first_place.get(key)
            if named is None or at < named.first:
                t.first_place[key] = PlaceNamed(at, place)
        if incident.actors:
            _name(t.actors, incident.actors, at)
        if incident.targets:
            _name(t.targets, incident.targets, at)
        if incident.quantities and (t.quantities_at is None or at < t.quantities_at):
            t.quantities, t.quantities_at = list(incident.quantities), at

    def _outlet(self, report: ReportNote, at: Order) -> OutletTally:
        """The outlet ``report`` belongs to: its source's or its article's, joining the two when they differ."""
        t = self.record
        by_source, roots = t.by_source, t.roots
        mine, theirs = by_source.get(report.source), roots.get(report.root_id)
        if mine is not None and mine == theirs:  # both known already, as one outlet: the usual case
            i = mine
        elif mine is None and theirs is None:
            t.outlets.append(OutletTally(at, report.source))
            i = len(t.outlets) - 1
        else:
            i = mine if mine is not None else theirs
            if mine is not None and theirs is not None:  # the source's outlet and the article's: one now
                i = self._join(mine, theirs)
        outlet = t.outlets[i]
        if at < outlet.first:
            outlet.first, outlet.source = at, report.source
        if report.source not in by_source:
            by_source[report.source] = i
        if report.root_id not in roots:
            roots[report.root_id] = i
            if len(roots) > ROOTS:
                del roots[next(iter(roots))]  # the oldest link (see the module docstring)
        return outlet

    def _join(self, keep: int, gone: int) -> int:
        """Fold outlet ``gone`` into ``keep`` (their reports are one outlet); ``keep``'s index after."""
        t = self.record
        outlet, other = t.outlets[keep], t.outlets[gone]
        if other.first < outlet.first:
            outlet.first, outlet.source = other.first, other.source
        for name, value in other.best.items():
            outlet.best[name] = max(outlet.best.get(name, value), value)
        outlet.dates += [d for d in other.dates if d not in outlet.dates]
        outlet.places += [k for k in other.places if k not in outlet.places]
        del t.outlets[gone]
        for names in (t.by_source, t.roots):  # rare (two outlets found to be one): a pass over the names
            for name, i in names.items():
                if i == gone:
                    names[name] = keep if keep < gone else keep - 1
                elif i > gone:
                    names[name] = i - 1
        return keep if keep < gone else keep - 1

    def summary(self) -> Summary:
        t = self.record
        outlets = sorted(t.outlets, key=lambda o: o.first)
        figures = {}
        for name in COUNTS:
            per_outlet = [o.best[name] for o in outlets if name in o.best]
            figures[name] = reconcile_count(per_outlet, t.stated.get(name, ()))
        assert t.first is not None, "a tally of no report"
        return Summary(t.count, t.evidence, len(outlets), tuple(o.source for o in outlets),
                       tuple(sorted(t.sources, key=t.sources.__getitem__)), _date(outlets),
                       self._place(outlets), _ordered(t.actors), _ordered(t.targets), figures,
                       tuple(t.quantities), t.first[0], t.last_at, tuple(t.listed))

    def _place(self, outlets: list[OutletTally]) -> Place | None:
        """A town or point before an area, then the place most outlets give, then the earliest named."""
        first = self.record.first_place
        if not first:
            return None
        votes = _count(k for o in outlets for k in o.places)
        key = min(first, key=lambda k: (is_area(first[k].place), -votes.get(k, 0), first[k].first))
        return first[key].place


def brief_of(summary: Summary) -> Brief:
    """What later reports are matched against (kept in the day index)."""
    f = summary.figures
    return Brief(summary.first_seen, summary.date, summary.place, list(summary.actors), list(summary.targets),
                 f["killed"].value, f["injured"].value, f["arrested"].value)


def _date(outlets: list[OutletTally]) -> str | None:
    """The date most outlets give (ties: the earliest)."""
    votes = _count(d for o in outlets for d in o.dates)
    return min(votes, key=lambda d: (-votes[d], d)) if votes else None


def _list(listed: list[Listed], report: Listed) -> None:
    """Keep ``report`` among the earliest `LISTED` reports, in order."""
    if len(listed) >= LISTED and report.first >= listed[-1].first:
        return
    i = len(listed)
    while i and listed[i - 1].first > report.first:
        i -= 1
    listed.insert(i, report)
    del listed[LISTED:]


def _name(named: dict[str, Named], ids: list[str], at: Order) -> None:
    """Note where the report at ``at`` names ``ids``, where that is before any report that named them."""
    for j, x in enumerate(ids):
        known = named.get(x)
        if known is None or (at, j) < (known.first, known.pos):
            named[x] = Named(at, j)


def _count(items: Iterable[K]) -> dict[K, int]:
    """How many times each item comes (a `Counter` without its cost, for the few items here)."""
    counts: dict[K, int] = {}
    for x in items:
        counts[x] = counts.get(x, 0) + 1
    return counts


def _ordered(named: dict[str, Named]) -> tuple[str, ...]:
    """Ids in the order the reports, in order, first name them."""
    return tuple(sorted(named, key=lambda x: (named[x].first, named[x].pos)))
