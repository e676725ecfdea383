"""The alerter's state stores: typed states over its tables (or the back-test's dicts).

The records themselves (the notes on the alerter's topics and the states in
its tables) are declared in `marsad.schemas.notes` and `marsad.schemas.alert_state`; here is
how the agents and the back-test keep them: `StateStore` reads and writes them
through their versioned codec, `Staged` holds a note's changes until the
alert events it raised are published.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Generic, TypeVar

import msgspec

from marsad.schemas.notes import ArticleRef
from marsad.schemas.state import StateCodec


def distinct_sources(articles: list[ArticleRef]) -> list[str]:
    """The outlets of ``articles``, each once, in the order of the articles."""
    return list(dict.fromkeys(a.source for a in articles))


S = TypeVar("S", bound=msgspec.Struct)


class StateStore(MutableMapping[str, S], Generic[S]):
    """Typed states over a mapping of bytes: a Faust table in the agent, a dict in the back-test.

    Both go through the same encoding, so the engine sees the same values
    either way.
    """

    def __init__(self, raw: MutableMapping, cls: type[S]) -> None:
        self.raw = raw
        self._codec: StateCodec[S] = StateCodec(cls)

    def __getitem__(self, key: str) -> S:
        value = self.raw.get(key.encode())
        if value is None:
            raise KeyError(key)
        return self._codec.decode(value)

    def __contains__(self, key: object) -> bool:  # without decoding the record
        return isinstance(key, str) and key.encode() in self.raw

    def __setitem__(self, key: str, state: S) -> None:
        self.raw[key.encode()] = self._codec.encode(state)

    def __delitem__(self, key: str) -> None:
        del self.raw[key.encode()]

    def __iter__(self) -> Iterator[str]:
        return (k.decode() for k in self.raw)

    def __len__(self) -> int:
        return len(self.raw)


class Staged(MutableMapping[str, S], Generic[S]):
    """A store's states as a note changes them, written through only at `commit`.

    The agents fold a note into a staged store, publish the alert events, then
    commit: the events reach the producer before the state that says they
    fired. A crash between the two leaves the state as it was, so the
    redelivered note raises the same events (same ids) again, where the other
    order would find them fired already and raise nothing.
    """

    def __init__(self, store: MutableMapping[str, S]) -> None:
        self.store = store
        self.writes: dict[str, S | None] = {}  # None: deleted

    def __getitem__(self, key: str) -> S:
        if key not in self.writes:
            return self.store[key]
        state = self.writes[key]
        if state is None:
            raise KeyError(key)
        return state

    def __contains__(self, key: object) -> bool:  # without decoding the record
        if key in self.writes:
            return self.writes[key] is not None
        return key in self.store

    def __setitem__(self, key: str, state: S) -> None:
        self.writes[key] = state

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.writes[key] = None

    def __iter__(self) -> Iterator[str]:
        deleted = {k for k, v in self.writes.items() if v is None}
        return iter((self.store.keys() | self.writes.keys()) - deleted)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def commit(self) -> None:
        for key, state in self.writes.items():
            if state is not None:
                self.store[key] = state
            elif key in self.store:
                del self.store[key]
        self.writes.clear()
