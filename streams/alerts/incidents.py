"""Alerts on fused incidents: incident rules over what all the outlets together report.

    ReportNote ──fold_incident──► IncidentRecorded / IncidentUpdated   (marsad.streams.fusion.fusion)
                              ├─► AlertRaised / AlertUpdated            (incident rules on the record)
                              └─► SpikeNote                             (a new incident, for the spike
                                                                         rules counting incidents)

An incident rule (``kind: incident`` in the rules file) matches the fused
record: its type, place, country, actors, targets, and ``when`` conditions on
its reconciled figures (``killed >= 3``, ``outlets >= 2``; see
`marsad.streams.alerts.rules.Threshold`). A rule raises one alert per incident, the
first time a revision of the incident matches, however many outlets carry
it; every later revision that changes a figure (the toll, the injured, the
arrested, their ranges, the independent outlets) publishes `AlertUpdated`.
A new copy of an article already counted changes no figure, so no update.

An incident alert names the incident's outlets (``sources``: every outlet name
of its reports, by its earliest report) and its earliest reports, at most
`marsad.streams.fusion.reconcile.LISTED` (``article_ids``, ``titles``, ``urls``,
in (event time, report id) order): enough to read the story from its first
outlets, where listing every report made an alert on a widely reported event
grow with it (the incident in the views lists them all).

Where an alert stands is kept with the incident (`IncidentState.alerts`), so
the incident and its alerts live in one partition and one table record.
Alert ids hash (rule, incident), event ids (alert, revision), events take
their time from the incident event and name it as their cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from marsad.schemas.alert_state import AlertMark, Listed
from marsad.schemas.events import AlertRaised, AlertUpdated, IncidentRecorded, IncidentUpdated
from marsad.schemas.notes import ReportNote, SpikeNote
from marsad.streams.alerts.ids import alert_event_id, incident_alert_id
from marsad.streams.alerts.rules import IncidentRule, Ruleset
from marsad.streams.alerts.spike import incident_spike_notes
from marsad.streams.fusion.expiry import expire_incidents
from marsad.streams.fusion.fusion import fuse
from marsad.streams.fusion.state import IncidentStores
from marsad.streams.geo import place_key
from marsad.streams.hour_index import HourIndex

IncidentEvent = IncidentRecorded | IncidentUpdated
AlertEvent = AlertRaised | AlertUpdated


@dataclass
class Folded:
    """What one report gives: incident events, alert events, spike notes, and how many incidents expired."""

    incidents: list[IncidentEvent] = field(default_factory=list)
    alerts: list[AlertEvent] = field(default_factory=list)
    spikes: list[SpikeNote] = field(default_factory=list)
    expired: int = 0


def figures(record: IncidentEvent) -> dict[str, int | None]:
    """The figures a ``when`` condition may name (`marsad.streams.alerts.rules.THRESHOLD_FIGURES`)."""
    casualties = None
    if record.killed is not None or record.injured is not None:
        casualties = (record.killed or 0) + (record.injured or 0)
    return {"killed": record.killed, "injured": record.injured, "arrested": record.arrested,
            "casualties": casualties, "outlets": record.outlets, "reports": record.reports_total}


def signature(record: IncidentEvent) -> list[int | None]:
    """What an alert tells of its incident: when any of it changes, the alert is updated."""
    return [record.outlets, record.killed, record.killed_min, record.killed_max, record.injured,
            record.injured_min, record.injured_max, record.arrested, record.arrested_min, record.arrested_max]


def match_incident_rule(rule: IncidentRule, record: IncidentEvent) -> list[str] | None:
    """The reasons ``rule`` matches the incident, or None when one of its conditions fails."""
    if rule.types and record.incident_type not in rule.types:
        return None
    reasons = [f"incident {record.incident_type}" + (f" on {record.date}" if record.date else "")
               + (f" at {record.place.name}" if record.place else "")]
    if rule.countries:
        if record.country not in rule.countries:
            return None
        reasons.append(f"country {record.country}")
    if rule.places:
        p = record.place
        if p is None:
            return None
        hits = [m for m in rule.places if m.matches(place_key(p.geonameid, p.lat, p.lon), p.lat, p.lon, p.country)]
        if not hits:
            return None
        reasons.append(f"place {p.name} ({p.lat:.4f}, {p.lon:.4f})"
                       + "".join(f" {m.label}" for m in hits if not m.keys))
    for side, wanted in (("actors", rule.actors), ("targets", rule.targets)):
        if wanted:
            found = [o for o in getattr(record, side) if o in wanted]
            if not found:
                return None
            reasons.append(f"{side[:-1]} {', '.join(found)}")
    have = figures(record)
    for t in rule.when:
        if not t.holds(have):
            return None
        reasons.append(f"{t.figure} {have[t.figure]} {t.op} {t.value}" + _range(record, t.figure))
    return reasons


def alert_incident(record: IncidentEvent, marks: dict[str, AlertMark], rules: Ruleset,
                   report: ReportNote, listed: Sequence[Listed]) -> list[AlertEvent]:
    """The alert events one incident revision (caused by ``report``) calls for under ``rules``; ``marks``
    (rule id -> mark) is updated. ``listed``: the incident's earliest reports, as alerts list them."""
    events: list[AlertEvent] = []
    now = signature(record)
    for rule in sorted(rules.incidents, key=lambda r: r.id):
        mark = marks.get(rule.id)
        if mark is None:
            reasons = match_incident_rule(rule, record)
            if reasons is not None:
                marks[rule.id] = AlertMark(0, now)
                events.append(_raised(rule, record, reasons, rules.version, listed))
        elif mark.signature != now:
            mark.revision += 1
            mark.signature = now
            events.append(_updated(rule, record, mark.revision, report, listed))
    return events


def fold_incident(stores: IncidentStores, report: ReportNote, index: HourIndex | None, rules: Ruleset) -> Folded:
    """One report, as the agent and the back-test both run it: expire up to its processing time
    (none when ``index`` is None), fuse it, alert on the incident, file the incident and the report's
    link for expiry; a new incident also gives the notes of the spike rules counting incidents."""
    now = report.processed_at.timestamp()
    out = Folded(expired=expire_incidents(stores, index, now) if index else 0)
    fused = fuse(stores, report)
    if fused is None:
        return out
    state = fused.state
    out.incidents.append(fused.event)
    out.alerts += alert_incident(fused.event, state.alerts, rules, report, fused.summary.listed)
    if type(fused.event) is IncidentRecorded:
        out.spikes += incident_spike_notes(fused.event, rules)
    stores.incidents[state.incident_id] = state
    if index:
        index.file(state.incident_id, state.seen)
        for report_id in (report.report_id, *fused.untracked):
            index.file(report_id, now)
    return out


def _range(record: IncidentEvent, figure: str) -> str:
    low, high = getattr(record, f"{figure}_min", None), getattr(record, f"{figure}_max", None)
    if figure == "outlets":
        return f" ({', '.join(record.sources)})"
    return f" (reports give {low}-{high})" if low is not None and high != low else ""


def _raised(rule: IncidentRule, record: IncidentEvent, reasons: list[str], rules_version: str,
            listed: Sequence[Listed]) -> AlertRaised:
    alert_id = incident_alert_id(rule.id, record.incident_id)
    return AlertRaised(
        event_id=alert_event_id(alert_id, 0), occurred_at=record.occurred_at, causation_id=record.event_id,
        alert_id=alert_id, rule_id=rule.id, title=rule.title, severity=rule.severity, kind="incident",
        article_ids=[r.article_id for r in listed], sources=list(record.sources), titles=[r.title for r in listed],
        urls=[r.url for r in listed], places=[record.place] if record.place else [],
        countries=[record.country] if record.country else [], quantities=record.quantities, matched=reasons,
        window_start=record.first_seen, window_end=record.last_seen, rules_version=rules_version,
        incident_id=record.incident_id, incident_type=record.incident_type, killed=record.killed,
        injured=record.injured, arrested=record.arrested, outlets=record.outlets)


def _updated(rule: IncidentRule, record: IncidentEvent, revision: int, report: ReportNote,
             listed: Sequence[Listed]) -> AlertUpdated:
    alert_id = incident_alert_id(rule.id, record.incident_id)
    return AlertUpdated(
        event_id=alert_event_id(alert_id, revision), occurred_at=record.occurred_at, causation_id=record.event_id,
        alert_id=alert_id, rule_id=rule.id, severity=rule.severity, revision=revision,
        article_id=report.article_id, source=report.source, article_ids=[r.article_id for r in listed],
        sources=list(record.sources), incident_id=record.incident_id, killed=record.killed, injured=record.injured,
        arrested=record.arrested, outlets=record.outlets)
