"""Records kept in Faust tables (compacted changelogs), each written with its version.

A table's state outlives the code that wrote it: a worker restored from its
changelog after an upgrade reads what the previous release stored. So every
record a table keeps (and every note on the alerter's internal topics,
`marsad.schemas.notes`) goes through a `StateCodec`, which writes ``v<N> `` before
the JSON body and, on reading, lifts an older version to the current one by
the upcasters registered here (like the events' in `marsad.schemas.upcast`). A record
written before state was versioned has no prefix (JSON never starts with
``v``): it reads as version 0.

    codec = StateCodec(Holder, version=1)   # default: the record's ``state_version`` (a ClassVar), else 1
    codec.encode(Holder(...))        # b'v1 {"signature":[...],...}'
    codec.decode(b'{"signature":...}')   # version 0: upcast 0 -> 1, then typed

The current version decodes straight into the typed record (no dict in
between), so the hot path costs what it did before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import msgspec

T = TypeVar("T")
StateUpcaster = Callable[[Any], Any]

_UPCASTERS: dict[tuple[str, int], StateUpcaster] = {}
_encoder = msgspec.json.Encoder()


class StateVersionError(ValueError):
    """A stored record of a version this code cannot read (newer, or no upcaster)."""


def state_upcaster(name: str, from_version: int) -> Callable[[StateUpcaster], StateUpcaster]:
    """Register the step that lifts record ``name`` from ``from_version`` to the next version;
    it takes and returns the plain JSON value (dicts, lists)."""
    def register(fn: StateUpcaster) -> StateUpcaster:
        _UPCASTERS[(name, from_version)] = fn
        return fn
    return register


class StateCodec(Generic[T]):
    """Bytes <-> a typed record of one table, with its version (see the module docstring)."""

    def __init__(self, cls: Any, *, version: int | None = None, name: str | None = None) -> None:
        self.name = name or getattr(cls, "__name__", str(cls))
        self.version = version if version is not None else getattr(cls, "state_version", 1)
        self._prefix = f"v{self.version} ".encode()
        self._type = cls
        self._decoder = msgspec.json.Decoder(cls)

    def encode(self, record: T) -> bytes:
        return self._prefix + _encoder.encode(record)

    def decode(self, data: bytes) -> T:
        if data.startswith(self._prefix):
            return self._decoder.decode(memoryview(data)[len(self._prefix):])
        version, body = _split(data)
        if version > self.version:
            raise StateVersionError(f"{self.name}: stored version {version} is newer than this code's "
                                    f"{self.version}; upgrade marsad before restoring this state")
        value = msgspec.json.decode(body)
        while version < self.version:
            step = _UPCASTERS.get((self.name, version))
            if step is None:
                raise StateVersionError(f"{self.name}: no upcaster from state version {version} to {version + 1}")
            value = step(value)
            version += 1
        # through JSON, not `msgspec.convert`: a record may hold a `msgspec.Raw` (an embedded event)
        return self._decoder.decode(_encoder.encode(value))


def _split(data: bytes) -> tuple[int, bytes]:
    """(version, JSON body) of a stored record; no ``v<N> `` prefix means version 0."""
    if not data.startswith(b"v"):
        return 0, data
    head, _, body = data.partition(b" ")
    try:
        return int(head[1:]), body
    except ValueError:
        raise StateVersionError(f"stored state has a malformed version prefix {head[:12]!r}") from None


def _unchanged(value: Any) -> Any:
    return value


# Version 1 is the first versioned shape; the unversioned records written before it
# (version 0) have the same fields, so each table's (and the notes') first step changes nothing.
for _name in ("Holder", "Pending", "Clock", "Filed", "StoryState", "SpikeState", "Note"):
    state_upcaster(_name, 0)(_unchanged)
