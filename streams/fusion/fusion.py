"""The fusion fold: each report joins the open incident it fits best, or opens a new one.

    ReportNote ──fuse──► IncidentRecorded (a new incident) / IncidentUpdated (a new report joined)

`fuse` looks up the open incidents of the report's scope (type and country)
filed within two days of its date (`marsad.streams.fusion.state`), keeps those
the report may join by their briefs (`marsad.streams.fusion.match.fit`), and
joins the best fit: the nearest place, then the closest date, then the
earliest incident (passing over one that already holds a report of the same
article). The report is counted into the incident's tally
(`marsad.streams.fusion.reconcile`), and the incident's figures as they now stand
are published with the report that joined: a report costs the same however many
the incident has (its state keeps the tally, not the reports; its events list the
reports they add, not all).

Determinism: an incident's id hashes its first report (article id and the
incident's position in the article), an event's id hashes (incident,
revision), and events take their time and cause from the ArticleProcessed
behind the report: a replay of the same reports gives byte-identical events,
and a report seen before (a redelivery after a restart) changes nothing and
publishes nothing. Which incident a borderline report joins can depend on
arrival order (the fold is greedy); the figures of an incident do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from marsad.schemas.alert_state import IncidentState
from marsad.schemas.events import IncidentRecorded, IncidentReport, IncidentUpdated
from marsad.schemas.notes import ReportNote
from marsad.streams.alerts.ids import hash_id
from marsad.streams.fusion.match import day_number, fitter
from marsad.streams.fusion.reconcile import Summary, Tally, brief_of
from marsad.streams.fusion.state import IncidentStores, day_key, file_day
from marsad.streams.hour_index import DAY

LOOK_DAYS = 2  # buckets looked at on each side of the report's day (covers every date rule of `match`)


@dataclass(frozen=True)
class Fused:
    """What one report did: the incident as it now stands, its summary, and the event to publish;
    ``untracked``: the ids of a version-1 state's reports, tallied now, which no expiry index holds yet."""

    state: IncidentState
    summary: Summary
    event: IncidentRecorded | IncidentUpdated
    untracked: list[str] = field(default_factory=list)


def incident_id(report_id: str) -> str:
    return hash_id("incident", report_id)


def incident_event_id(incident: str, revision: int) -> str:
    return hash_id("incident-event", incident, str(revision))


def report_day(report: ReportNote) -> int:
    """The day a report is looked up under: its event's date, else the day it was published."""
    known = day_number(report.incident.date) if report.incident.date else None
    return known if known is not None else int(report.at // DAY)


def summary_day(summary: Summary) -> int:
    """The day an incident is filed under: its date, else the day of its first report."""
    known = day_number(summary.date) if summary.date else None
    return known if known is not None else int(summary.first_seen // DAY)


def candidates(stores: IncidentStores, report: ReportNote) -> list[str]:
    """The ids of the open incidents the report may join, best fit first."""
    day = report_day(report)
    fit = fitter(report)
    fits = []
    for d in range(day - LOOK_DAYS, day + LOOK_DAYS + 1):
        bucket = stores.days.get(day_key(report.scope, d))
        for iid, brief in bucket.incidents.items() if bucket else ():
            score = fit(brief)
            if score is not None:
                fits.append((score, brief.first_seen, iid))
    return [iid for *_, iid in sorted(fits)]


def holds_article(stores: IncidentStores, state: IncidentState, report: ReportNote) -> bool:
    """Does the incident already hold a report of ``report``'s article? Asked of the report links (report id
    -> incident), not of the incident: an article's reports are folded in order ("{article}#0", "#1"...),
    so only its earlier ones can be in an incident already (a version-1 state not tallied yet still
    lists its reports)."""
    if state.reports:
        return any(r.article_id == report.article_id for r in state.reports)
    article, _, n = report.report_id.rpartition("#")
    if not article or not n.isdigit():
        return False
    return any(stores.reports.get(f"{article}#{k}") == state.incident_id for k in range(int(n)))


def fuse(stores: IncidentStores, report: ReportNote) -> Fused | None:
    """Fold one report in; None when it was folded in before (nothing changes, nothing to publish)."""
    if report.report_id in stores.reports:
        return None
    untracked: list[str] = []
    for iid in candidates(stores, report):
        state = stores.incidents.get(iid)
        if state is not None and not holds_article(stores, state, report):
            untracked = tally_reports(state)
            state.revision += 1
            break
    else:
        state = IncidentState(incident_id(report.report_id), report.scope)
    tally = Tally(state.tally)
    tally.add(report)
    summary = tally.summary()
    file_day(stores, state, summary_day(summary), brief_of(summary))
    state.seen = max(state.seen, report.processed_at.timestamp())
    stores.incidents[state.incident_id] = state
    stores.reports[report.report_id] = state.incident_id
    return Fused(state, summary, incident_event(state, summary, report), untracked)


def tally_reports(state: IncidentState) -> list[str]:
    """Count a version-1 state's reports into its tally (they leave the state); their report ids."""
    if not state.reports:
        return []
    tally = Tally(state.tally)
    for r in state.reports:
        tally.add(r)
    ids = [r.report_id for r in state.reports]
    state.reports = []
    return ids


def incident_event(state: IncidentState, summary: Summary, trigger: ReportNote) -> IncidentRecorded | IncidentUpdated:
    """The incident's figures as they stand, with the report that changed them, as the event its revision
    calls for."""
    cls = IncidentRecorded if state.revision == 1 else IncidentUpdated
    f = summary.figures
    return cls(
        event_id=incident_event_id(state.incident_id, state.revision), occurred_at=trigger.processed_at,
        causation_id=trigger.trigger_id, incident_id=state.incident_id, incident_type=trigger.incident.type,
        date=summary.date, place=summary.place, country=state.scope.partition("|")[2], actors=list(summary.actors),
        targets=list(summary.targets), killed=f["killed"].value, injured=f["injured"].value,
        arrested=f["arrested"].value, killed_min=f["killed"].low, killed_max=f["killed"].high,
        injured_min=f["injured"].low, injured_max=f["injured"].high, arrested_min=f["arrested"].low,
        arrested_max=f["arrested"].high, quantities=list(summary.quantities), evidence=summary.evidence,
        reports=[_report(trigger)], reports_total=summary.count, sources=[s for s in summary.every_source if s],
        outlets=summary.outlets, first_seen=_dt(summary.first_seen), last_seen=_dt(summary.last_seen),
        revision=state.revision)


def _report(r: ReportNote) -> IncidentReport:
    i = r.incident
    return IncidentReport(r.article_id, r.source, r.url, r.title, r.published, r.lang, r.copy_of, i.evidence,
                          i.date, i.place, i.killed, i.injured, i.arrested, _dt(r.at), r.report_id)


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
