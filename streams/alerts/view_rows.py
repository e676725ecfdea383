"""Alert events as the rows of the alert views (pure functions, no database).

One row per ``alert_id``. `fold` applies an event to the row as stored (or
None) and returns the new row, or None when the event changes nothing:

- `AlertRaised` sets the alert's fields and evidence (places and countries
  also become rows of ``alert_places`` / ``alert_countries`` for filtering);
  it counts as revision 0, so its article and source lists stand only until
  an update arrives;
- `AlertUpdated` applies only when its revision is higher than the stored
  one (replay-safe: a redelivered or older update changes nothing); its lists
  are the full lists so far, so they replace the stored ones. An update seen
  before its raise (the raise dead-lettered, say) makes a row with what the
  update carries; the raise fills in the rest when it comes.

Times are UTC text as in `marsad.consumers.rows`; ``at`` is the window start (story
alerts: the first article), else the time the alert was raised.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
import orjson

from marsad.consumers.rows import timestamp
from marsad.schemas.events import AlertRaised, AlertUpdated
from marsad.streams.geo import view_place_key
from marsad.streams.text.normalize import normalize

ALERT_COLUMNS = (
    "alert_id", "rule_id", "title", "severity", "kind", "story_id", "event_id", "raised_at", "at", "day",
    "revision", "updated_at", "articles", "distinct_sources", "article_ids", "sources", "scope",
    "window_start", "window_end", "observed", "expected", "rules_version", "taxonomy_version",
    "gazetteer_version", "evidence", "incident_id", "incident_type", "killed", "injured", "arrested", "outlets",
)
FIGURES = ("killed", "injured", "arrested", "outlets")  # incident alerts: the incident's figures as they stand
ALERT_PLACE_COLUMNS = ("alert_id", "ord", "name", "norm_name", "place_key", "lat", "lon", "country")
ALERT_COUNTRY_COLUMNS = ("alert_id", "country")
ALERT_CHILD_TABLES: dict[str, tuple[str, ...]] = {
    "alert_places": ALERT_PLACE_COLUMNS,
    "alert_countries": ALERT_COUNTRY_COLUMNS,
    "alert_topics": ("alert_id", "topic"),  # filters of the alert list (migration 0004)
    "alert_orgs": ("alert_id", "org"),
}
EVIDENCE = ("titles", "urls", "topics", "places", "countries", "orgs", "quantities", "matched")

AlertEvent = AlertRaised | AlertUpdated


@dataclass(frozen=True)
class AlertRows:
    """An alert's new row (`ALERT_COLUMNS` order) and, after a raise, its child rows (else None: unchanged)."""

    alert: tuple
    children: dict[str, list[tuple]] | None


def fold(stored: tuple | None, event: AlertEvent) -> AlertRows | None:
    """The alert's rows after ``event``, given its stored row; None when the event changes nothing."""
    if isinstance(event, AlertRaised):
        return _raised(stored, event)
    return _updated(stored, event)


def _raised(stored: tuple | None, e: AlertRaised) -> AlertRows:
    raised_at = timestamp(e.occurred_at)
    at = timestamp(e.window_start) if e.window_start else raised_at
    evidence = _json({k: getattr(e, k) for k in EVIDENCE})
    latest = dict(zip(ALERT_COLUMNS, stored, strict=True)) if stored else None
    if latest and latest["revision"] > 0:  # updates already applied: their lists stand
        revision, updated_at = latest["revision"], latest["updated_at"]
        article_ids, sources = orjson.loads(latest["article_ids"]), orjson.loads(latest["sources"])
        observed = latest["observed"]
    else:
        revision, updated_at, article_ids, sources, observed = 0, raised_at, e.article_ids, e.sources, e.observed
    row = (
        e.alert_id, e.rule_id, e.title, e.severity, e.kind, e.story_id, e.event_id, raised_at, at, at[:10],
        revision, updated_at, len(article_ids), len(set(sources)), _json(article_ids), _json(sources), e.scope,
        timestamp(e.window_start) if e.window_start else None, timestamp(e.window_end) if e.window_end else None,
        _float(observed), _float(e.expected), e.rules_version, e.taxonomy_version, e.gazetteer_version, evidence,
        e.incident_id, e.incident_type,
        *(latest[f] if latest and latest["revision"] > 0 and latest[f] is not None else getattr(e, f)
          for f in FIGURES),
    )
    children = {
        "alert_places": [(e.alert_id, i, p.name, normalize(p.name), view_place_key(p), float(p.lat), float(p.lon),
                          p.country) for i, p in enumerate(e.places)],
        "alert_countries": [(e.alert_id, c) for c in sorted(set(e.countries) | {p.country for p in e.places})],
        "alert_topics": [(e.alert_id, t) for t in sorted({t.id for t in e.topics})],
        "alert_orgs": [(e.alert_id, o) for o in sorted({o.id for o in e.orgs})],
    }
    return AlertRows(_no_nul(row), {t: [_no_nul(r) for r in rows] for t, rows in children.items()})


def _updated(stored: tuple | None, e: AlertUpdated) -> AlertRows | None:
    updated_at = timestamp(e.occurred_at)
    lists = (len(e.article_ids), len(set(e.sources)), _json(e.article_ids), _json(e.sources))
    if stored is None:
        row = (e.alert_id, e.rule_id, "", e.severity, "story", "", None, None, updated_at, updated_at[:10],
               e.revision, updated_at, *lists, "", None, None, _float(e.observed), None, "", "", "",
               _json({k: [] for k in EVIDENCE}), e.incident_id, "", *(getattr(e, f) for f in FIGURES))
        return AlertRows(_no_nul(row), None)
    current = dict(zip(ALERT_COLUMNS, stored, strict=True))
    if e.revision <= current["revision"]:
        return None  # applied already (a redelivery or a replay), or older than what is stored
    current.update(revision=e.revision, updated_at=updated_at, articles=lists[0], distinct_sources=lists[1],
                   article_ids=lists[2], sources=lists[3])
    if e.observed is not None:
        current["observed"] = float(e.observed)
    for f in FIGURES:  # an incident's figures as they now stand; a figure the update leaves out stays
        if getattr(e, f) is not None:
            current[f] = getattr(e, f)
    return AlertRows(_no_nul(tuple(current[c] for c in ALERT_COLUMNS)), None)


def alert_dict(row: tuple) -> dict:
    """The API's view of a stored alert row: JSON columns parsed, evidence spread out."""
    d = dict(zip(ALERT_COLUMNS, row, strict=True))
    d["article_ids"] = orjson.loads(d["article_ids"])
    d["sources"] = orjson.loads(d["sources"])
    d["evidence"] = orjson.loads(d["evidence"])
    d.pop("day")
    return d


def _float(v: float | None) -> float | None:
    return None if v is None else float(v)


def _json(value: object) -> str:
    return orjson.dumps(msgspec.to_builtins(value), option=orjson.OPT_SORT_KEYS).decode()


def _no_nul(row: tuple) -> tuple:
    # PostgreSQL cannot store NUL characters; both databases must hold the same values
    return tuple(v.replace("\x00", "") if isinstance(v, str) else v for v in row)
