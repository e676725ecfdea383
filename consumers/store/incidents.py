"""The incidents view in SQL, for both backends: applying incident events, and its questions.

Writes run inside the view's batch transaction (`SqlStore.write_batch`), so an
incident's rows and the offsets they came from commit together. Reads take
`marsad.consumers.query.model` incident queries; every value is a bound parameter.
Sorting is by event day, newest first, then incident id (descending), so a
cursor is (day, incident id).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from marsad.consumers.incidents.rows import (
    INCIDENT_COLUMNS,
    PARTY_COLUMNS,
    REPORT_COLUMNS,
    REPORT_ORDER,
    IncidentRows,
    added_reports,
    fold,
    incident_dict,
    report_dict,
)
from marsad.consumers.query.model import Cursor, IncidentCountQuery, IncidentFilters, IncidentQuery, Page
from marsad.consumers.store.queries import Where, _bounding_box, placeholders
from marsad.schemas.events import IncidentRecorded
from marsad.streams.extract.gazetteer.admin1 import UNKNOWN
from marsad.streams.extract.gazetteer.admin1 import load as admin1

CHUNK = 500
MAX_EXPORT = 100_000
UPSERT = (
    f"INSERT INTO incidents ({', '.join(INCIDENT_COLUMNS)}) VALUES ({placeholders(len(INCIDENT_COLUMNS))}) "
    "ON CONFLICT (incident_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in INCIDENT_COLUMNS[1:])
)
UPSERT_REPORT = (
    f"INSERT INTO incident_reports ({', '.join(REPORT_COLUMNS)}) VALUES ({placeholders(len(REPORT_COLUMNS))}) "
    "ON CONFLICT (incident_id, article_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in REPORT_COLUMNS[2:])
)
Insert = Callable[[Any, str, tuple[str, ...], list[tuple]], None]


class IncidentExportTooLarge(ValueError):
    """The filter matches more incidents than one export holds."""


def apply(tx: Any, events: Sequence[IncidentRecorded], insert: Insert) -> int:
    """Fold incident events (in log order) into the stored rows; return the incidents changed.

    The incident row and its parties are the latest revision's; the reports every event adds are
    stored by (incident, article) (a report stored already is written again, the same).
    """
    ids = sorted({e.incident_id for e in events})
    revision: dict[str, int | None] = dict.fromkeys(ids)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        for iid, rev in tx.rows(f"SELECT incident_id, revision FROM incidents "
                                f"WHERE incident_id IN ({placeholders(len(chunk))})", chunk):
            revision[iid] = rev
    changed: dict[str, IncidentRows] = {}
    reports: dict[tuple[str, str], tuple] = {}  # (incident, article) -> its row, the latest event's
    for e in events:
        rows = fold(revision[e.incident_id], e)
        if rows is not None:
            revision[e.incident_id] = e.revision
            changed[e.incident_id] = rows
        reports.update(((r[0], r[1]), r) for r in (rows.reports if rows is not None else added_reports(e)))
    if reports:
        tx.many(UPSERT_REPORT, list(reports.values()))
    if not changed:
        return 0
    done = list(changed)
    for i in range(0, len(done), CHUNK):
        chunk = done[i:i + CHUNK]
        tx.run(f"DELETE FROM incident_parties WHERE incident_id IN ({placeholders(len(chunk))})", chunk)
    tx.many(UPSERT, [r.incident for r in changed.values()])
    parties = [row for r in changed.values() for row in r.parties]
    if parties:
        insert(tx, "incident_parties", PARTY_COLUMNS, parties)
    return len(changed)


def where(f: IncidentFilters) -> tuple[str, list]:
    """The WHERE clause over ``incidents i`` and its parameters."""
    w = Where()
    add = w.add
    if f.type is not None:
        add("i.incident_type = ?", f.type)
    if f.place is not None:
        add("i.norm_name = ?", f.place)
    if f.near is not None:
        box, box_params = _bounding_box(f.near)
        box = box.replace("x.", "i.")
        add(f"{box} AND marsad_km(i.lat, i.lon, ?, ?) <= ?", *box_params, f.near.lat, f.near.lon, f.near.radius_km)
    for role, org in (("actor", f.actor), ("target", f.target)):
        if org is not None:
            add("EXISTS (SELECT 1 FROM incident_parties x WHERE x.incident_id = i.incident_id "
                "AND x.role = ? AND x.org = ?)", role, org)
    if f.org is not None:
        # both roles named, so the lookup is one (org, role, incident_id) index search per role
        add("EXISTS (SELECT 1 FROM incident_parties x WHERE x.incident_id = i.incident_id AND x.org = ? "
            "AND x.role IN (?, ?))", f.org, "actor", "target")
    if f.country is not None:
        add("i.country = ?", f.country)
    if f.admin1 == UNKNOWN:
        add("i.admin1 IS NULL")
    elif f.admin1 is not None:
        add("i.admin1 = ?", f.admin1)
    w.between("i.day", f.since, f.until)
    for column, least in (("killed", f.min_killed), ("injured", f.min_injured), ("arrested", f.min_arrested),
                          ("outlets", f.min_outlets)):
        if least is not None:
            add(f"i.{column} >= ?", least)
    return w.clause()


def _and(where_sql: str, extra: str) -> str:
    if not extra:
        return where_sql
    return f"{where_sql} AND {extra}" if where_sql else f" WHERE {extra}"


COLS = ", ".join(f"i.{c}" for c in INCIDENT_COLUMNS)
ORDER = " ORDER BY i.day DESC, i.incident_id DESC"


def page(tx: Any, q: IncidentQuery) -> Page:
    """One page of matching incidents, newest event first."""
    w, params = where(q.filters)
    after = ""
    if q.after is not None:
        after = "(i.day < ? OR (i.day = ? AND i.incident_id < ?))"
        params += [q.after.at, q.after.at, q.after.article_id]
    rows = tx.rows(f"SELECT {COLS} FROM incidents i{_and(w, after)}{ORDER} LIMIT ?", [*params, q.limit + 1])
    items = [incident_dict(r) for r in rows[:q.limit]]
    more = len(rows) > q.limit and items
    return Page(items, Cursor(items[-1]["day"], items[-1]["incident_id"]) if more else None)


def one(tx: Any, incident_id: str) -> dict | None:
    """One incident with its reports (each with its evidence), or None."""
    rows = tx.rows(f"SELECT {COLS} FROM incidents i WHERE i.incident_id = ?", [incident_id])
    if not rows:
        return None
    item = incident_dict(rows[0])
    item["reports"] = [report_dict(r) for r in tx.rows(
        f"SELECT {', '.join(REPORT_COLUMNS)} FROM incident_reports WHERE incident_id = ? ORDER BY {REPORT_ORDER}",
        [incident_id])]
    return item


TOLL_SUMS = "COUNT(*), SUM(i.killed), SUM(i.injured), SUM(i.arrested)"


def counts(tx: Any, q: IncidentCountQuery) -> list[dict]:
    """Incidents and their summed tolls by type per event day, or per governorate (``unknown`` when none)."""
    w, params = where(q.filters)
    if q.per == "day":
        rows = tx.rows(f"SELECT i.incident_type, i.day, {TOLL_SUMS} FROM incidents i{w} "
                       "GROUP BY i.incident_type, i.day ORDER BY i.day, i.incident_type LIMIT ? OFFSET ?",
                       [*params, q.limit, q.offset])
        return [{"type": t, "day": d, **_tolls(rest)} for t, d, *rest in rows]
    rows = tx.rows(f"SELECT i.incident_type, COALESCE(i.admin1, '{UNKNOWN}'), {TOLL_SUMS} FROM incidents i{w} "
                   f"GROUP BY i.incident_type, COALESCE(i.admin1, '{UNKNOWN}') "
                   "ORDER BY 2, i.incident_type LIMIT ? OFFSET ?", [*params, q.limit, q.offset])
    regions = admin1()
    return [{"type": t, **regions.describe(None if code == UNKNOWN else code), **_tolls(rest)}
            for t, code, *rest in rows]


def _tolls(values: list) -> dict[str, int]:
    n, killed, injured, arrested = values
    return {"incidents": n, "killed": killed or 0, "injured": injured or 0, "arrested": arrested or 0}


def export(tx: Any, filters: IncidentFilters, cap: int = MAX_EXPORT) -> list[dict]:
    """Every matching incident (as `incident_dict` gives it), newest event first."""
    w, params = where(filters)
    n = tx.rows(f"SELECT COUNT(*) FROM incidents i{w}", params)[0][0]
    if n > cap:
        raise IncidentExportTooLarge(f"the filter matches {n:,} incidents; an export holds at most {cap:,}: "
                                     "narrow it (since/until, type, place...)")
    return [incident_dict(r) for r in tx.rows(f"SELECT {COLS} FROM incidents i{w}{ORDER}", params)]
