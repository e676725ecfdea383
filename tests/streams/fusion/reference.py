"""The reconciler as it was when each incident kept all its reports: the oracle the kept tallies are
checked against (`reference_summary` gives what `summarise` gave then, from the whole list).

Kept as it was, apart from `reference_summary` (its summary without the report list).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import TypeVar

from marsad.schemas.facts import Place, Quantity
from marsad.schemas.notes import ReportNote
from marsad.streams.fusion.reconcile import COUNTS, is_area, reconcile_count
from marsad.streams.geo import place_key


def reference_summary(reports: Sequence[ReportNote]) -> dict:
    """What the reconciler of then said of ``reports``: every figure the incident events carry."""
    tally = Tally()
    for r in reports:
        tally.add(r)
    outlets = sorted(tally.outlets, key=lambda o: o.first)
    figures = {}
    for name in COUNTS:
        per_outlet = [o.best[name] for o in outlets if name in o.best]
        figures[name] = reconcile_count(per_outlet, tally.stated.get(name, ()))
    return {"outlets": len(outlets), "sources": tuple(o.source for o in outlets), "date": tally._date(outlets),
            "place": tally._place(outlets), "actors": _ordered(tally.actors), "targets": _ordered(tally.targets),
            "figures": figures, "quantities": tally.quantities[1] if tally.quantities else (),
            "first_seen": tally.order[0][0], "last_seen": tally.order[-1][0],
            "evidence": tally.reports[0].incident.evidence, "count": len(tally.reports),
            "every_source": tuple(dict.fromkeys(r.source for r in tally.reports)),
            "listed": tuple(r.article_id for r in tally.reports)}


K = TypeVar("K")
Order = tuple[float, str]  # where a report stands among an incident's: (event time, report id)


class _Outlet:
    """One independent outlet of an incident: the reports its source and their copies join into one."""

    __slots__ = ("best", "dates", "first", "names", "places", "source")

    def __init__(self, first: Order, source: str) -> None:
        self.first = first  # its earliest report
        self.source = source  # that report's source: the outlet's name
        self.names: list[tuple[str, str]] = []  # ("source", name) and ("article", root id) of its reports
        self.best: dict[str, int] = {}  # count -> its highest figure
        self.dates: set[str] = set()
        self.places: set[str] = set()  # place keys

    def absorb(self, other: _Outlet) -> None:
        if other.first < self.first:
            self.first, self.source = other.first, other.source
        self.names += other.names
        for name, value in other.best.items():
            self.best[name] = max(self.best.get(name, value), value)
        self.dates |= other.dates
        self.places |= other.places


class Tally:
    """What the reports of one incident say together, kept up to date one report at a time.

    `add` costs about the same whatever the number of reports, where reconciling them all again
    for each new one grew with the incident; `summary` then reads the few outlets, dates and
    places. The result is the same as reconciling the reports at once, in any order.
    """

    def __init__(self) -> None:
        self.order: list[Order] = []
        self.reports: list[ReportNote] = []  # in (event time, report id) order
        self.outlets: list[_Outlet] = []
        self.outlet_of: dict[tuple[str, str], _Outlet] = {}
        self.stated: dict[str, tuple[int, int]] = {}  # count -> lowest and highest figure any report gives
        self.first_place: dict[str, tuple[Order, Place]] = {}  # place key -> its earliest report's place
        self.actors: dict[str, tuple[Order, int]] = {}  # id -> where it is first named
        self.targets: dict[str, tuple[Order, int]] = {}
        self.quantities: tuple[Order, tuple[Quantity, ...]] | None = None  # the earliest report giving any

    def add(self, report: ReportNote) -> int:
        """Count ``report`` in; its position among the reports in order."""
        at = (report.at, report.report_id)
        i = bisect_right(self.order, at)
        self.order.insert(i, at)
        self.reports.insert(i, report)
        outlet = self._outlet(report, at)
        incident = report.incident
        for name in COUNTS:
            value = getattr(incident, name)
            if value is not None:
                low, high = self.stated.get(name, (value, value))
                self.stated[name] = (min(low, value), max(high, value))
                outlet.best[name] = max(outlet.best.get(name, value), value)
        if incident.date:
            outlet.dates.add(incident.date)
        place = incident.place
        if place is not None:
            key = place_key(place.geonameid, place.lat, place.lon)
            outlet.places.add(key)
            known = self.first_place.get(key)
            if known is None or at < known[0]:
                self.first_place[key] = (at, place)
        if incident.actors:
            _name(self.actors, incident.actors, at)
        if incident.targets:
            _name(self.targets, incident.targets, at)
        if incident.quantities and (self.quantities is None or at < self.quantities[0]):
            self.quantities = (at, tuple(incident.quantities))
        return i

    def _outlet(self, report: ReportNote, at: Order) -> _Outlet:
        """The outlet ``report`` belongs to: its source's or its article's, joining the two when they differ."""
        names = (("source", report.source), ("article", report.root_id))
        found = [o for o in map(self.outlet_of.get, names) if o is not None]
        if len(found) == 2 and found[0] is found[1]:  # both known already, as one outlet: the usual case
            outlet = found[0]
            if at < outlet.first:
                outlet.first, outlet.source = at, report.source
            return outlet
        if not found:
            outlet = _Outlet(at, report.source)
            self.outlets.append(outlet)
        else:
            outlet = found[0]
            if len(found) == 2 and found[1] is not outlet:
                other = found[1]
                outlet.absorb(other)
                self.outlets.remove(other)
                for name in other.names:
                    self.outlet_of[name] = outlet
            if at < outlet.first:
                outlet.first, outlet.source = at, report.source
        for name in names:
            if name not in self.outlet_of:
                self.outlet_of[name] = outlet
                outlet.names.append(name)
        return outlet

    def _date(self, outlets: list[_Outlet]) -> str | None:
        """The date most outlets give (ties: the earliest)."""
        votes = _count(d for o in outlets for d in o.dates)
        return min(votes, key=lambda d: (-votes[d], d)) if votes else None

    def _place(self, outlets: list[_Outlet]) -> Place | None:
        """A town or point before an area, then the place most outlets give, then the earliest named."""
        if not self.first_place:
            return None
        votes = _count(k for o in outlets for k in o.places)
        first = self.first_place
        key = min(first, key=lambda k: (is_area(first[k][1]), -votes[k], first[k][0]))
        return first[key][1]


def _name(named: dict[str, tuple[Order, int]], ids: list[str], at: Order) -> None:
    """Note where the report at ``at`` names ``ids``, where that is before any report that named them."""
    for j, x in enumerate(ids):
        known_at = named.get(x)
        if known_at is None or (at, j) < known_at:
            named[x] = (at, j)


def _count(items: Iterable[K]) -> dict[K, int]:
    """How many times each item comes (a `Counter` without its cost, for the few items here)."""
    counts: dict[K, int] = {}
    for x in items:
        counts[x] = counts.get(x, 0) + 1
    return counts


def _ordered(named: dict[str, tuple[Order, int]]) -> tuple[str, ...]:
    """Ids in the order the reports, in order, first name them."""
    return tuple(sorted(named, key=named.__getitem__))
