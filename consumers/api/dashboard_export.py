"""Exports of the dashboard's current filter: rows of `marsad.consumers.store.aggregates` as CSV or GeoJSON.

The one CSV and GeoJSON writer of the API: the incident exports
(`marsad.consumers.api.incident_exports`) write theirs with it too.

Pure functions (rows in, text or a dict out). The CSV starts with a UTF-8
byte-order mark, so spreadsheet programs open the Arabic as Arabic; every
text cell that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR)
gets a leading apostrophe, so opening an export never runs one: titles,
names, but also URLs and ids come from outlets or imports. GeoJSON
features carry a Point at the article's main place (or the seizure's place),
or no geometry when none is known, so every row is exported either way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"

ARTICLE_CSV = ("article_id", "at", "source", "title", "url", "lang", "topics", "orgs", "countries", "places",
               "place", "lat", "lon", "dup_status", "story_id", "kind", "revision")
SEIZURE_CSV = ("article_id", "ord", "day", "item", "value", "unit", "place_name", "lat", "lon", "country",
               "source", "title", "text", "url", "dup_status", "story_id")


def csv_cell(value: Any, list_separator: str = LIST_SEPARATOR) -> Any:
    """A CSV cell: lists joined, None empty, text that starts like a formula neutralised (a leading ')."""
    if isinstance(value, list):
        value = list_separator.join(map(str, value))
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, list_separator: str = LIST_SEPARATOR) -> str:
    """The rows as CSV text (header first, BOM before it), lists joined with ``list_separator``."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([csv_cell(r.get(c), list_separator) for c in columns])
    return out.getvalue()


def to_geojson(rows: Sequence[dict[str, Any]],
               feature_id: Callable[[dict[str, Any]], str] | None = None) -> dict[str, Any]:
    """A FeatureCollection with one feature per row; ``lat``/``lon`` become its Point geometry (none when
    either is missing), the other columns its properties. ``feature_id`` names a row's feature (by default
    its article id, and ``#ord`` for a seizure)."""
    name = feature_id or _feature_id
    features = []
    for r in rows:
        props = {k: v for k, v in r.items() if k not in ("lat", "lon")}
        point = r.get("lat") is not None and r.get("lon") is not None
        features.append({"type": "Feature", "id": name(r),
                         "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]} if point else None,
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _feature_id(r: dict[str, Any]) -> str:
    return f"{r['article_id']}#{r['ord']}" if "ord" in r else r["article_id"]
