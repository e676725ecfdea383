"""Bytes <-> events, with orjson, and clear errors for anything malformed.

`encode(event)` gives the JSON bytes published on a topic. `decode(data)`
returns the event as its current version, or raises `SchemaError` whose
message names the problem: not JSON, not an object, unknown type, missing or
unknown version, missing or mistyped field. Nothing else escapes `decode`, so
a consumer can route every bad message to a dead-letter topic.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
import orjson

from marsad.schemas.events import EVENT_TYPES, Event
from marsad.schemas.upcast import UpcastError, upcast

E = TypeVar("E", bound=Event)

RESERVED = ("type", "version")
# Every event on the wire names itself and its moment: a payload without them is refused,
# not given a made-up id or time (ids must stay deterministic, expiry follows the log's times).
REQUIRED_COMMON = ("event_id", "occurred_at")


class SchemaError(ValueError):
    """A payload that is not a valid marsad event. ``problem`` is a short kind."""

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem  # "not_json", "not_object", "unknown_type", "version", "field"


def to_dict(event: Event) -> dict[str, Any]:
    """The event as a JSON-ready dict with its ``type`` and ``version``."""
    body = msgspec.to_builtins(event)
    return {"type": type(event).type_name(), "version": type(event).VERSION, **body}


def encode(event: Event) -> bytes:
    return orjson.dumps(to_dict(event))


def decode_obj(obj: Any) -> Event:
    """Validate an already-parsed JSON value as an event (see `decode`)."""
    if not isinstance(obj, dict):
        raise SchemaError("not_object", f"event must be a JSON object, got {type(obj).__name__}")
    type_name = obj.get("type")
    if not isinstance(type_name, str):
        raise SchemaError("unknown_type", "missing field `type` (the event type name)")
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise SchemaError("unknown_type", f"unknown event type {type_name!r}")
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SchemaError("version", f"{type_name}: missing or non-integer field `version`")
    if version < 1 or version > cls.VERSION:
        raise SchemaError("version", f"{type_name}: unknown version {version} "
                          f"(this marsad reads versions 1 to {cls.VERSION})")
    body = {k: v for k, v in obj.items() if k not in RESERVED}
    try:
        body = upcast(type_name, version, cls.VERSION, body)
        event = msgspec.convert(body, cls)
    except UpcastError as e:
        raise SchemaError("version", f"{type_name}: {e}") from None
    except msgspec.ValidationError as e:
        raise SchemaError("field", f"{type_name} v{version}: {_field_message(e)}") from None
    for name in REQUIRED_COMMON:
        if name not in body:
            raise SchemaError("field", f"{type_name} v{version}: Object missing required field `{name}`")
    return event


def decode(data: bytes | bytearray | memoryview | str) -> Event:
    """Parse and validate one message value; raise `SchemaError` when it is malformed."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise SchemaError("not_json", f"payload is not JSON: {e}") from None
    except TypeError as e:  # e.g. None
        raise SchemaError("not_json", f"payload is not JSON: {e}") from None
    return decode_obj(obj)


def decode_as(data: bytes | bytearray | memoryview | str, cls: type[E]) -> E:
    """`decode`, and check the event is of the expected type."""
    event = decode(data)
    if not isinstance(event, cls):
        raise SchemaError("unknown_type", f"expected {cls.__name__}, got {type(event).__name__}")
    return event


def _field_message(e: msgspec.ValidationError) -> str:
    # msgspec says e.g. "Expected `int`, got `str` - at `$.topics[0].score`" or
    # "Object missing required field `text`"; keep it, it names the field.
    return str(e)
