"""What each article got wrong, field by field, for `benchmarks.eval`.

The figures come from the spec's scorer; this module lists the items behind
them, matched the way the scorer matches (places within 25 km, quantities by
unit, item and value within 1 %, incidents paired by type and place), so a
developer reads which labels were missed (``lost``) and which predictions
are not in the gold (``extra``). Where the scorer is loaded its own distance
and incident pairing are used.
"""

from __future__ import annotations

import re
from types import ModuleType

from marsad.streams.geo import distance_km

PLACE_KM = 25.0
FIELDS = ("topics", "orgs", "countries", "places", "quantities", "boilerplate", "body", "incidents")

Row = tuple[str, list[str], list[str]]  # article id, lost, extra


def misses_of(gold: list[dict], results: dict[str, dict], scorer: ModuleType | None = None) -> dict[str, list[Row]]:
    """{field: [(article id, lost, extra)]} over the gold articles, only rows with a miss."""
    out: dict[str, list[Row]] = {f: [] for f in FIELDS}
    km = getattr(scorer, "km", _km)
    for g in gold:
        r = results.get(g["id"]) or {}
        if "error" in r:
            r = {}
        rows = {
            "topics": _sets([t.get("id") for t in r.get("topics") or []], g["topics"], g.get("topics_optional", [])),
            "orgs": _sets([o.get("id") for o in r.get("orgs") or []], g["orgs"], g.get("orgs_optional", [])),
            "countries": _sets(r.get("countries") or [], g["countries"], g.get("countries_optional", [])),
            "places": _places(r.get("places") or [], g.get("places", []), km),
            "quantities": _quantities(r.get("quantities") or [], g.get("quantities", [])),
            "boilerplate": _boilerplate(r.get("clean_text") or "", g),
            "body": (_body_lost(r.get("clean_text") or "", g), []),
            "incidents": _incidents(r.get("incidents") or [], g.get("incidents") or [], scorer),
        }
        for field, (lost, extra) in rows.items():
            if lost or extra:
                out[field].append((g["id"], lost, extra))
    return out


def _sets(pred: list, req: list, opt: list) -> tuple[list[str], list[str]]:
    pred_set, req_set, opt_set = set(pred), set(req), set(opt)
    return sorted(req_set - pred_set), sorted(pred_set - req_set - opt_set)


def _places(pred: list[dict], gold: list[dict], km) -> tuple[list[str], list[str]]:
    hit: set[int] = set()
    extra = []
    for p in pred:
        try:
            point = (float(p["lat"]), float(p["lon"]))
        except (KeyError, TypeError, ValueError):
            extra.append(f"{p.get('name')} (no coordinates)")
            continue
        near = sorted((km(point, (g["lat"], g["lon"])), i) for i, g in enumerate(gold))
        near = [i for d, i in near if d <= PLACE_KM]
        if not near:
            extra.append(f"{p.get('name')} ({point[0]:.3f}, {point[1]:.3f})")
            continue
        fresh = [i for i in near if i not in hit]
        if fresh:
            hit.add(fresh[0])
    lost = [f"{g['name']} ({g['lat']:.3f}, {g['lon']:.3f})" for i, g in enumerate(gold)
            if g.get("required", True) and i not in hit]
    return lost, extra


def _quantity(q: dict) -> str:
    value = q.get("value")
    shown = f"{value:,.10g}" if isinstance(value, (int, float)) else repr(value)
    item = f" {q['item']}" if q.get("item") else ""
    text = f" «{q['text']}»" if q.get("text") else ""
    return f"{shown} {q.get('unit')}{item}{text}"


def _quantities(pred: list[dict], gold: list[dict]) -> tuple[list[str], list[str]]:
    used: set[int] = set()
    extra = []
    for q in pred:
        match = None
        for i, g in enumerate(gold):
            if i in used or q.get("unit") != g["unit"] or (q.get("item") or None) != (g.get("item") or None):
                continue
            try:
                value = float(q.get("value"))
            except (TypeError, ValueError):
                break
            if abs(value - g["value"]) <= 0.01 * abs(g["value"]):
                match = i
                break
        if match is None:
            extra.append(_quantity(q))
        else:
            used.add(match)
    return [_quantity(g) for i, g in enumerate(gold) if i not in used], extra


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _boilerplate(clean_text: str, g: dict) -> tuple[list[str], list[str]]:
    """Gold boilerplate lines still in the clean text (lost = not removed); a caption left twice."""
    clean = _squash(clean_text)
    kept = [f"kept «{line}»" for line in g.get("boilerplate", []) if _squash(line) in clean]
    dup = g.get("duplicate_line")
    if dup and clean.count(_squash(dup)) != 1:
        kept.append(f"duplicate line {clean.count(_squash(dup))} times «{dup}»")
    return kept, []


def _body_lost(clean_text: str, g: dict) -> list[str]:
    clean = _squash(clean_text)
    return [f"lost «{snip}»" for snip in g.get("keep", []) if _squash(snip) not in clean]


def _incident(inc: dict) -> str:
    place = inc.get("place") if isinstance(inc.get("place"), dict) else None
    where = f" at {place.get('name')}" if place else ""
    counts = "".join(f" {k}={inc[k]}" for k in ("killed", "injured", "arrested") if k in inc)
    return f"{inc.get('type')}{where} date={inc.get('date')}{counts}"


def _incidents(pred: list[dict], gold: list[dict], scorer: ModuleType | None) -> tuple[list[str], list[str]]:
    pred = [p for p in pred if isinstance(p, dict)]
    gold = [g for g in gold if isinstance(g, dict)]
    pairs = scorer.match_incidents(pred, gold) if scorer is not None and hasattr(scorer, "match_incidents") else []
    paired_pred = {i for i, _ in pairs}
    paired_gold = {j for _, j in pairs}
    lost = [_incident(g) for j, g in enumerate(gold) if j not in paired_gold and not g.get("optional")]
    extra = [_incident(p) for i, p in enumerate(pred) if i not in paired_pred]
    return lost, extra


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km (used when the scorer is not loaded)."""
    return distance_km(a[0], a[1], b[0], b[1])
