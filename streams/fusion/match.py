"""May a report join an open incident? Type, place, date and actors must agree.

The type agrees by construction (reports meet only their own scope, type and
country: see `marsad.streams.fusion.reports`). Then, against the incident as its
reports reconcile (`marsad.streams.fusion.reconcile.Summary`):

- **place**: the same point or within ``NEAR_KM`` (25 km: a village and the
  town the next outlet names instead); or one names a governorate and the
  other a place inside it (GeoNames' admin1 area, `marsad.streams.extract.gazetteer.admin1`);
  or one names a governorate, region or district whose area is not known and
  the other a place within ``AREA_KM`` of its centre. When
  either side has no place, only a dated report with a shared actor or an
  equal stated count may join (same type, country and day alone is too weak).
- **date**: both known and at most ``DATE_DAYS`` apart; one unknown and the
  undated report published between a day before and ``UNDATED_DAYS`` after the
  known date; both unknown and the report published between a day before and
  ``UNDATED_DAYS`` after the incident's first report (from the first, not the
  latest: undated reports must not chain an incident along for weeks).
- **actors**: no contradiction: when both sides name actors, they share one,
  and the same for targets (an armed clash compares both sides, actors and
  targets together, since outlets disagree on who started it).
`fit` returns how well a report fits (lower is better), or None: among the
incidents it may join, the fold takes the nearest place, then the closest date.
(The fold also never puts two reports of one article in one incident: an
article that tells two events of one type told them apart.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache

from marsad.schemas.alert_state import Brief
from marsad.schemas.facts import Place
from marsad.schemas.notes import ReportNote
from marsad.streams.extract.gazetteer.admin1 import region_of
from marsad.streams.fusion.reconcile import is_area
from marsad.streams.geo import distance_km
from marsad.streams.hour_index import DAY

ADMIN_KINDS = frozenset({"governorate", "province"})  # areas that are one admin1 area
NEAR_KM = 25.0
AREA_KM = 75.0
DATE_DAYS = 1
UNDATED_DAYS = 2
_PLACELESS = NEAR_KM + AREA_KM  # a join without places ranks after every join by place


@lru_cache(maxsize=4096)
def day_number(iso: str) -> int | None:
    """Days since 1970-01-01 of a YYYY-MM-DD date (None when unreadable); remembered, as a report is
    compared with every open incident of its days."""
    try:
        return date.fromisoformat(iso).toordinal() - date(1970, 1, 1).toordinal()
    except ValueError:
        return None


def place_gap(a: Place, b: Place) -> float | None:
    """How far apart two places are for fusion (km; an area match ranks after a point match), or None."""
    d = distance_km(a.lat, a.lon, b.lat, b.lon)
    if d <= NEAR_KM:
        return d
    if is_area(a) == is_area(b):
        return None
    area, point = (a, b) if is_area(a) else (b, a)
    inside, theirs = region_of(area), region_of(point)
    if area.kind in ADMIN_KINDS and inside is not None and theirs is not None:
        return NEAR_KM + d if inside == theirs else None
    return NEAR_KM + d if d <= AREA_KM else None


def date_gap(summary: Brief, report: ReportNote) -> int | None:
    """Days between the incident's date and the report's, by the rules above, or None when too far."""
    return _date_gap(_day(summary.date), summary.first_seen, _day(report.incident.date), int(report.at // DAY))


def _date_gap(known: int | None, first_seen: float, theirs: int | None, published: int) -> int | None:
    if known is not None and theirs is not None:
        gap = abs(known - theirs)
        return gap if gap <= DATE_DAYS else None
    if known is not None:  # the report is undated: published after the event
        after = published - known
        return abs(after) if -1 <= after <= UNDATED_DAYS else None
    first = int(first_seen // DAY)
    # the incident is undated: its first report was published after the report's date, or near this one
    after = first - theirs if theirs is not None else published - first
    return abs(after) if -1 <= after <= UNDATED_DAYS else None


def fit(summary: Brief, report: ReportNote) -> tuple[float, int] | None:
    """(place gap, date gap) of ``report`` against an open incident, lower is better; None: it may not join."""
    return fitter(report)(summary)


def fitter(report: ReportNote) -> Callable[[Brief], tuple[float, int] | None]:
    """`fit` for one report, what it looks at in the report read once: a report is matched against
    every open incident of its days, and joins few."""
    incident = report.incident
    clash = incident.type == "armed_clash"
    actors, targets = set(incident.actors), set(incident.targets)
    sides = actors | targets
    theirs, published = _day(incident.date), int(report.at // DAY)
    place, dated = incident.place, incident.date is not None
    gaps: dict[Place, float | None] = {}  # the open incidents of a scope name the same few places

    def agree(summary: Brief) -> bool:
        """No contradiction: each side (actors, targets; both together for a clash) shares an id when
        both name one."""
        if clash:
            return not (sides and (summary.actors or summary.targets)
                        and sides.isdisjoint(summary.actors) and sides.isdisjoint(summary.targets))
        return not ((actors and summary.actors and actors.isdisjoint(summary.actors))
                    or (targets and summary.targets and targets.isdisjoint(summary.targets)))

    def fit_one(summary: Brief) -> tuple[float, int] | None:
        # every condition must hold, so the order is free: the place first, as it refuses most
        km = None
        if summary.place is not None and place is not None:
            if summary.place not in gaps:
                gaps[summary.place] = place_gap(summary.place, place)
            km = gaps[summary.place]
            if km is None:
                return None
        elif summary.date is None or not dated:
            return None
        if not agree(summary):
            return None
        days = _date_gap(_day(summary.date), summary.first_seen, theirs, published)
        if days is None:
            return None
        if km is not None:  # both named a place
            return km, days
        shared_actor = not actors.isdisjoint(summary.actors)
        same_count = any(getattr(summary, c) is not None and getattr(summary, c) == getattr(incident, c)
                         for c in ("killed", "injured", "arrested"))
        return (_PLACELESS, days) if shared_actor or same_count else None

    return fit_one


def _day(iso: str | None) -> int | None:
    return day_number(iso) if iso else None
