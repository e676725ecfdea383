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
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from marsad.schemas.alert_state import Brief
from marsad.schemas.facts import Place, Quantity
from marsad.schemas.notes import ReportNote
from marsad.streams.disjoint import DisjointSets
from marsad.streams.geo import place_key

# Place kinds that name an area rather than a point: a report naming one is less precise.
AREA_KINDS = frozenset({"governorate", "region", "district", "province"})
COUNTS = ("killed", "injured", "arrested")


@dataclass(frozen=True)
class Figure:
    """One count reconciled over the outlets: the figure, and the range all reports span."""

    value: int | None = None
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Summary:
    """An incident as its reports, in (event time, report id) order, say it together."""

    reports: tuple[ReportNote, ...]
    outlets: int
    sources: tuple[str, ...]  # one name per independent outlet, in report order
    date: str | None
    place: Place | None
    actors: tuple[str, ...]
    targets: tuple[str, ...]
    figures: dict[str, Figure]
    quantities: tuple[Quantity, ...]
    first_seen: float
    last_seen: float


def is_area(place: Place) -> bool:
    return place.kind in AREA_KINDS


def outlet_groups(reports: Sequence[ReportNote]) -> list[int]:
    """For each report, the index of its independent-outlet group (same outlet, or a copy of the same article)."""
    sets = DisjointSets(len(reports))
    find = sets.find
    first_of: dict[str, int] = {}
    for i, r in enumerate(reports):
        for key in (f"source:{r.source}", f"article:{r.root_id}"):
            j = first_of.setdefault(key, i)
            a, b = find(i), find(j)
            if a != b:
                sets.attach(max(a, b), min(a, b))
    roots = [find(i) for i in range(len(reports))]
    numbering = {root: n for n, root in enumerate(dict.fromkeys(roots))}
    return [numbering[root] for root in roots]


def reconcile_count(per_outlet: Sequence[int], stated: Sequence[int]) -> Figure:
    """The figure most outlets give (ties: the larger), and the range of every stated figure."""
    if not per_outlet:
        return Figure()
    votes = Counter(per_outlet)
    value = max(votes, key=lambda v: (votes[v], v))
    return Figure(value, min(stated), max(stated))


def summarise(reports: Sequence[ReportNote]) -> Summary:
    """Reconcile the reports of one incident (any order in, the same summary out)."""
    ordered = tuple(sorted(reports, key=lambda r: (r.at, r.report_id)))
    groups = outlet_groups(ordered)
    outlets = max(groups, default=-1) + 1
    sources = tuple(ordered[groups.index(g)].source for g in range(outlets))
    figures = {}
    for name in COUNTS:
        best: dict[int, int] = {}
        stated = []
        for r, g in zip(ordered, groups, strict=True):
            value = getattr(r.incident, name)
            if value is not None:
                stated.append(value)
                best[g] = max(best.get(g, value), value)
        figures[name] = reconcile_count(list(best.values()), stated)
    return Summary(ordered, outlets, sources, _date(ordered, groups), _place(ordered, groups),
                   _union(r.incident.actors for r in ordered), _union(r.incident.targets for r in ordered),
                   figures, next((tuple(r.incident.quantities) for r in ordered if r.incident.quantities), ()),
                   ordered[0].at, ordered[-1].at)


def brief_of(summary: Summary) -> Brief:
    """What later reports are matched against (kept in the day index)."""
    f = summary.figures
    return Brief(summary.first_seen, summary.date, summary.place, list(summary.actors), list(summary.targets),
                 f["killed"].value, f["injured"].value, f["arrested"].value)


def _date(reports: Sequence[ReportNote], groups: list[int]) -> str | None:
    outlets: dict[str, set[int]] = {}
    for r, g in zip(reports, groups, strict=True):
        if r.incident.date:
            outlets.setdefault(r.incident.date, set()).add(g)
    if not outlets:
        return None
    return min(outlets, key=lambda d: (-len(outlets[d]), d))


def _place(reports: Sequence[ReportNote], groups: list[int]) -> Place | None:
    outlets: dict[str, set[int]] = {}
    first: dict[str, tuple[int, Place]] = {}
    for i, (r, g) in enumerate(zip(reports, groups, strict=True)):
        if r.incident.place is not None:
            key = place_key(r.incident.place.geonameid, r.incident.place.lat, r.incident.place.lon)
            outlets.setdefault(key, set()).add(g)
            first.setdefault(key, (i, r.incident.place))
    if not outlets:
        return None
    key = min(outlets, key=lambda k: (is_area(first[k][1]), -len(outlets[k]), first[k][0]))
    return first[key][1]


def _union(lists) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for ids in lists for x in ids))
