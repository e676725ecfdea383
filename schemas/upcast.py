"""Upcasters: lift an older version of an event to the current one.

An upcaster is a pure function on the decoded JSON object, registered for
``(type, from_version)``; it returns the object as version ``from_version + 1``.
`upcast` chains them (v1 -> v2 -> v3 ...), so an event written years ago still
loads as today's record. Add one here whenever a field changes meaning or shape,
and bump the event's ``VERSION``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def register(fn: Upcaster) -> Upcaster:
        _UPCASTERS[(type_name, from_version)] = fn
        return fn
    return register


class UpcastError(ValueError):
    pass


def upcast(type_name: str, version: int, target: int, obj: dict[str, Any]) -> dict[str, Any]:
    """Apply the chain of upcasters from ``version`` to ``target``."""
    while version < target:
        step = _UPCASTERS.get((type_name, version))
        if step is None:
            raise UpcastError(f"no upcaster from {type_name} version {version} to {version + 1}")
        obj = step(obj)
        version += 1
    return obj


@upcaster("ArticleProcessed", 1)
def _processed_v1_to_v2(obj: dict[str, Any]) -> dict[str, Any]:
    """v1 carried ``topics`` as a list of ids; v2 carries ``{id, score, evidence}``.

    A v1 topic was assigned without a score: it becomes score 1.0 and no evidence.
    """
    topics = obj.get("topics", [])
    if isinstance(topics, list):
        obj = {**obj, "topics": [{"id": t, "score": 1.0} if isinstance(t, str) else t for t in topics]}
    return obj


@upcaster("ArticleProcessed", 2)
def _processed_v2_to_v3(obj: dict[str, Any]) -> dict[str, Any]:
    """v3 adds ``incidents``; an article processed before incidents existed reports none.

    `marsad replay --reprocess` re-runs the stages over the fetched log to get them.
    """
    return {**obj, "incidents": obj.get("incidents", [])}


@upcaster("ArticleProcessed", 3)
def _processed_v3_to_v4(obj: dict[str, Any]) -> dict[str, Any]:
    """v4 adds ``source_kind``, ``edited`` and ``revision``. A v3 article's kind is not known (left
    out: None) and it is its first, unedited version.

    `marsad replay --reprocess` re-runs the stages over the fetched log, where the kind is carried (or
    inferred from the fetched event's origin, see `marsad.schemas.events.source_kind_of`).
    """
    return {**obj, "revision": obj.get("revision", 1), "edited": obj.get("edited", False)}


@upcaster("IncidentRecorded", 1)
@upcaster("IncidentUpdated", 1)
def _incident_v1_to_v2(obj: dict[str, Any]) -> dict[str, Any]:
    """v1 listed every report of the incident in each revision; v2 lists the ones it adds and tells the
    whole by ``reports_total`` and ``sources``. A v1 event keeps its full list (a view keeps each report
    once, so a full list and later additions agree) and its totals are counted from it.
    """
    reports = obj.get("reports", [])
    sources = list(dict.fromkeys(r["source"] for r in reports if r.get("source")))
    return {**obj, "reports_total": len(reports), "sources": sources}
