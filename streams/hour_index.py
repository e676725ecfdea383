"""An hour index for expiring table keys by a time the log records, one partition at a time.

The stateful agents keep a key per article or story; without expiry their
tables grow with the log. `HourIndex` files each key under the hour it was
last seen and, as the partition's stream time moves on, hands back the hours
that fell behind the horizon so the caller can drop (or shrink) their keys.
It finds due keys without scanning the table.

Time is what the log records, not the wall clock: a replay expires what the
live stream did, and a quiet partition expires nothing. The stream time of a
partition is the latest time it has seen, to the hour (the first time seen in
its latest hour), so expiry runs within an hour of its due time. The index lives in a mapping of
its own (a Faust table partitioned like the state it indexes, or a dict), records of
`marsad.schemas.hour_index`:

    clock:{p}       the partition's stream time and the last hour it swept
    hour:{p}:{h}    the keys last seen in hour h (the latest ones, and how
                    many full chunks of 32 are under hour:{p}:{h}:{n})

A key seen again is filed again under its later hour; the entry under the
earlier hour goes stale, and the caller skips it by comparing the time it
keeps with the key (``last seen in a later hour than the one swept``).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from marsad.schemas.hour_index import Clock, Filed
from marsad.schemas.state import StateCodec

HOUR = 3600  # seconds: the time units of every stage of streams/ (buckets, ttls, windows, day numbers)
DAY = 86400
CHUNK = 32  # keys per record of an hour: a busy hour is written in small pieces, never rewritten whole


def hour_of(at: float) -> int:
    return int(at // HOUR)


_clock: StateCodec[Clock] = StateCodec(Clock)
_filed: StateCodec[Filed] = StateCodec(Filed)


class HourIndex:
    """The index of one partition in ``raw`` (bytes to bytes: a Faust table, a dict, or a staged view)."""

    def __init__(self, raw: MutableMapping[bytes, bytes], partition: int, ttl_s: float) -> None:
        self.raw = raw
        self.partition = partition
        self.ttl_s = ttl_s
        self._clock_key = f"clock:{partition}".encode()
        self._read: tuple[bytes | None, Clock | None] = (None, None)  # the clock's record last decoded, and its value
        self._last: tuple[bytes | None, Filed | None] = (None, None)  # the hour's record last written or read, decoded

    @property
    def clock(self) -> Clock | None:
        """The partition's clock (decoded again only when its record changed: it is read several times a message)."""
        value = self.raw.get(self._clock_key)
        if value is None:
            return None
        if value is not self._read[0]:
            self._read = (value, _clock.decode(value))
        return self._read[1]

    def advance(self, at: float) -> Clock:
        """Move the partition's stream time to ``at`` if that is later; the clock as it now is."""
        clock = self.clock
        if clock is None:
            clock = Clock(at, hour_of(at - self.ttl_s))  # a new partition has nothing older to sweep
        elif hour_of(at) > hour_of(clock.at):  # kept to the hour: one write an hour, not one a message
            clock = Clock(at, clock.swept)
        else:
            return clock
        self.raw[self._clock_key] = _clock.encode(clock)
        return clock

    def file(self, key: str, at: float) -> None:
        """Note that ``key`` was seen at ``at`` (moving the clock if ``at`` is later)."""
        clock = self.advance(at)
        self._put(key, max(hour_of(at), clock.swept + 1))  # seen already past the horizon: the next sweep

    def defer(self, key: str, until: float) -> None:
        """Hand ``key`` back again once the stream time passes ``until`` (the clock does not move).

        For a key a sweep keeps in a second form with a longer life: safe to call while `due` hands keys
        back (``key`` goes under an hour after those it sweeps)."""
        hour = self.hour_due(until)
        clock = self.clock
        self._put(key, max(hour, hour_of(clock.at - self.ttl_s)) if clock else hour)  # no hour a sweep reached

    def hour_due(self, until: float) -> int:
        """The hour a key filed to come back once the stream time passes ``until`` is filed under."""
        return hour_of(until - self.ttl_s)

    def _put(self, key: str, hour: int) -> None:
        name = f"hour:{self.partition}:{hour}"
        filed = self._filed(name) or Filed()
        if key in filed.keys:
            return
        keys = [*filed.keys, key]
        if len(keys) < CHUNK:
            head = Filed(keys, filed.sealed)
            value = _filed.encode(head)
            self.raw[name.encode()] = value
            self._last = (value, head)  # an hour's keys come one after another: the next put reads it back
        else:
            self.raw[f"{name}:{filed.sealed}".encode()] = _filed.encode(Filed(keys))
            self.raw[name.encode()] = _filed.encode(Filed([], filed.sealed + 1))

    def due(self) -> Iterator[tuple[int, list[str]]]:
        """The hours wholly behind the horizon and not swept yet, each with its keys, removed from the
        index as they are handed back. Consume it whole: the clock records the sweep at the end."""
        clock = self.clock
        if clock is None:
            return
        last = hour_of(clock.at - self.ttl_s) - 1
        if last <= clock.swept:
            return
        for hour in range(clock.swept + 1, last + 1):
            name = f"hour:{self.partition}:{hour}"
            head = self._filed(name)
            if head is None:
                continue
            keys = []
            for n in range(head.sealed):
                chunk = f"{name}:{n}"
                keys += (self._filed(chunk) or Filed()).keys
                del self.raw[chunk.encode()]
            del self.raw[name.encode()]
            yield hour, keys + head.keys
        self.raw[self._clock_key] = _clock.encode(Clock(clock.at, last))

    def _filed(self, name: str) -> Filed | None:
        value = self.raw.get(name.encode())
        if value is None:
            return None
        last, filed = self._last
        if value is not last or filed is None:  # the very record decoded last (records are bytes: never changed)
            filed = _filed.decode(value)
            self._last = (value, filed)
        return filed

    def horizon(self) -> float:
        clock = self.clock
        return clock.at - self.ttl_s if clock else 0.0
