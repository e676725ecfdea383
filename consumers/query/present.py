"""Answers as terminal tables: which columns each question shows, the free text last."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marsad.runtime.table import render

Column = tuple[str, Callable[[dict], Any]]

COLUMNS: dict[str, list[Column]] = {
    "articles": [("at", lambda r: r["at"][:16].replace("T", " ")), ("source", lambda r: r["source"]),
                 ("kind", lambda r: _kind(r)),
                 ("topics", lambda r: ",".join(t["id"] for t in r["topics"])),
                 ("places", lambda r: "، ".join(p["name"] for p in r["places"][:3])),
                 ("dup", lambda r: r["duplicate"]["status"]), ("id", lambda r: r["article_id"]),
                 ("title", lambda r: r["title"] or r["snippet"])],
    "counts": [("key", lambda r: r["key"]), ("day", lambda r: r.get("day")), ("hour", lambda r: r.get("hour")),
               ("name", lambda r: r.get("name")), ("articles", lambda r: r["articles"])],
    "seizures": [("day", lambda r: r["day"]), ("item", lambda r: r["item"]), ("value", lambda r: r["value"]),
                 ("unit", lambda r: r["unit"]), ("country", lambda r: r["country"]),
                 ("place", lambda r: r["place_name"]), ("source", lambda r: r["source"]),
                 ("as written", lambda r: r["text"])],
    "totals": [("item", lambda r: r["item"]), ("unit", lambda r: r["unit"]), ("day", lambda r: r.get("day")),
               ("total", lambda r: r["total"]), ("seizures", lambda r: r["seizures"]),
               ("articles", lambda r: r["articles"]), ("first", lambda r: r["first_day"]),
               ("last", lambda r: r["last_day"])],
    "stories": [("articles", lambda r: r["articles"]), ("first", lambda r: r["first_at"][:10]),
                ("last", lambda r: r["last_at"][:10]), ("sources", lambda r: len(r["sources"])),
                ("story", lambda r: r["story_id"]), ("title", lambda r: r["title"])],
    "alerts": [("at", lambda r: r["at"][:16].replace("T", " ")), ("severity", lambda r: r["severity"]),
               ("rule", lambda r: r["rule_id"]), ("sources", lambda r: r["distinct_sources"]),
               ("articles", lambda r: r["articles"]), ("rev", lambda r: r["revision"]),
               ("places", lambda r: "، ".join(p["name"] for p in r["evidence"]["places"][:3])),
               ("id", lambda r: r["alert_id"]), ("title", lambda r: r["title"])],
    "incidents": [("day", lambda r: r["day"] + ("" if r["date"] else "?")), ("type", lambda r: r["incident_type"]),
                  ("killed", lambda r: _toll(r, "killed")), ("injured", lambda r: _toll(r, "injured")),
                  ("arrested", lambda r: _toll(r, "arrested")), ("outlets", lambda r: r["outlets"]),
                  ("admin1", lambda r: r["admin1"]["name"] or r["admin1"]["code"]),
                  ("actors", lambda r: ",".join(r["actors"]) or None),
                  ("targets", lambda r: ",".join(r["targets"]) or None), ("id", lambda r: r["incident_id"]),
                  ("place", lambda r: r["place"]["name"] if r["place"] else None)],
    "incident_counts": [("type", lambda r: r["type"]), ("day", lambda r: r.get("day")),
                        ("admin1", lambda r: r.get("admin1")), ("incidents", lambda r: r["incidents"]),
                        ("killed", lambda r: r["killed"]), ("injured", lambda r: r["injured"]),
                        ("arrested", lambda r: r["arrested"]), ("name", lambda r: r.get("name"))],
}


def _kind(r: dict) -> str | None:
    """The kind of source, with the revision of an edited article (``telegram r2``); None when unknown."""
    if not r.get("kind") and not r.get("edited"):
        return None
    return (r.get("kind") or "?") + (f" r{r['revision']}" if r.get("edited") else "")


def _toll(r: dict, name: str) -> str | None:
    """A reconciled figure with the range the reports span, e.g. ``4 (3-5)``."""
    value, low, high = r[name], r[f"{name}_min"], r[f"{name}_max"]
    if value is None:
        return None
    return f"{value} ({low}-{high})" if low is not None and high is not None and low != high else str(value)


def as_table(endpoint: str, result: dict) -> str:
    """The answer of ``endpoint`` as a table (columns that are empty throughout are left out)."""
    items = result["items"]
    if not items:
        return "(nothing matches)"
    cols = [(h, f) for h, f in COLUMNS[endpoint] if any(f(r) is not None for r in items)]
    table = render([h for h, _ in cols], [[f(r) for _, f in cols] for r in items])
    if result.get("next_cursor"):
        table += f"\n\nmore: --cursor {result['next_cursor']}"
    return table
