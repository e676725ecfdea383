"""`marsad classify`: the stream stages as one streaming batch command.

Reads JSON Lines articles on standard input and writes exactly one result
line per input line, in order, as ../shared/spec/classify-contract.md says.
A bad line yields ``{"id": ..., "error": "..."}`` in its place and the
command goes on. It runs `marsad.streams.pipeline.analyse`, the agents' own code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

import msgspec
import orjson

from marsad.schemas.facts import Incident, Quantity
from marsad.streams.pipeline import Analysis, Resources, analyse


def result_of(article_id: str, facts: Analysis) -> dict[str, Any]:
    return {
        "id": article_id,
        "lang": facts.lang,
        "clean_text": facts.clean_text,
        "topics": msgspec.to_builtins(facts.topics),
        "places": [{"name": p.name, "lat": p.lat, "lon": p.lon, "country": p.country} for p in facts.places],
        "countries": facts.countries,
        "orgs": [{"id": o.id, "name": o.name} for o in facts.orgs],
        "quantities": [quantity_of(q) for q in facts.quantities],
        "incidents": [incident_of(i) for i in facts.incidents],
    }


def quantity_of(q: Quantity) -> dict[str, Any]:
    """A quantity as the contract prints it, with ``historical: true`` when it reports the past."""
    out: dict[str, Any] = {"value": q.value, "unit": q.unit, "item": q.item, "text": q.text}
    if q.historical:
        out["historical"] = True
    return out


def incident_of(inc: Incident) -> dict[str, Any]:
    """An incident as ../shared/spec/incidents.md prints it: date and place null when unknown,
    counts omitted when the article gives none."""
    out: dict[str, Any] = {
        "type": inc.type, "date": inc.date,
        "place": {"name": inc.place.name, "lat": inc.place.lat, "lon": inc.place.lon} if inc.place else None,
        "actors": inc.actors, "targets": inc.targets,
    }
    for count in ("killed", "injured", "arrested"):
        value = getattr(inc, count)
        if value is not None:
            out[count] = value
    if inc.quantities:
        out["quantities"] = [quantity_of(q) for q in inc.quantities]
    out["evidence"] = inc.evidence
    return out


def classify_line(line: bytes, res: Resources) -> dict[str, Any]:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        return {"id": None, "error": f"not valid JSON: {e}"}
    if not isinstance(obj, dict):
        return {"id": None, "error": "expected a JSON object"}
    art_id = obj.get("id")
    if isinstance(art_id, int) and not isinstance(art_id, bool):
        art_id = str(art_id)
    if not isinstance(art_id, str) or not art_id:
        return {"id": None, "error": "missing `id`"}
    text = obj.get("text")
    if not isinstance(text, str):
        return {"id": art_id, "error": "missing `text`"}
    title = obj.get("title") if isinstance(obj.get("title"), str) else ""
    lang = obj.get("lang") if isinstance(obj.get("lang"), str) else ""
    published = _published_day(obj.get("published"))
    try:
        return result_of(art_id, analyse(text, res, title=title, lang=lang, published=published))
    except Exception as e:  # never stop the batch on one article
        return {"id": art_id, "error": f"processing failed: {type(e).__name__}: {e}"}


def _published_day(value: Any) -> date | None:
    """The day of an ISO date or date-time (``2024-02-08`` or ``2024-02-08T10:00:00Z``), else None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def classify_lines(lines: Iterable[bytes], res: Resources) -> Iterator[bytes]:
    for line in lines:
        if not line.strip():
            continue
        yield orjson.dumps(classify_line(line, res), option=orjson.OPT_APPEND_NEWLINE)  # no copy to add it


def run(stdin: IO[bytes], stdout: IO[bytes], res: Resources) -> int:
    """Stream results; return the number of lines handled."""
    n = 0
    for out in classify_lines(stdin, res):
        stdout.write(out)
        n += 1
    stdout.flush()
    return n
