"""JSON Schema (draft 2020-12) of every event, for consumers in other languages.

Generated from the definitions in `marsad.schemas.events`; `marsad schemas export`
writes one file per event into ``schemas/json/`` and a test checks the
committed files are current.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import orjson

from marsad.schemas.codec import REQUIRED_COMMON
from marsad.schemas.events import EVENT_TYPES, Event

JSON_DIR = Path(__file__).resolve().parent / "json"


def event_schema(cls: type[Event]) -> dict[str, Any]:
    (ref,), components = msgspec.json.schema_components([cls], ref_template="#/$defs/{name}")
    name = ref["$ref"].rsplit("/", 1)[-1]
    body = components.pop(name)
    props = {
        "type": {"const": cls.type_name(), "description": "event type"},
        "version": {"const": cls.VERSION, "description": "schema version of this event type"},
        **body["properties"],
    }
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"marsad/{cls.type_name()}/v{cls.VERSION}",
        "title": f"{cls.type_name()} v{cls.VERSION}",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "type": "object",
        "properties": props,
        "required": ["type", "version", *REQUIRED_COMMON, *body.get("required", [])],
    }
    if components:
        schema["$defs"] = components
    return schema


def render_all() -> dict[str, bytes]:
    """File name -> content of every event's schema."""
    return {
        f"{name}.v{cls.VERSION}.schema.json": orjson.dumps(
            event_schema(cls), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        for name, cls in EVENT_TYPES.items()
    }


def export(directory: Path = JSON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for fname, content in render_all().items():
        path = directory / fname
        path.write_bytes(content)
        written.append(path)
    return written
