"""The records of an hour index (`marsad.streams.hour_index.HourIndex`), kept in the tables that index expiry.

The stream workers' ``dedup-expiry`` and the alerter's ``alert-story-expiry`` and
``alert-incident-expiry`` tables hold them, versioned by `marsad.schemas.state.StateCodec`:

    clock:{p}       `Clock`: the partition's stream time and the last hour it swept
    hour:{p}:{h}    `Filed`: the keys last seen in hour h (and how many full chunks
                    of them are under hour:{p}:{h}:{n})
"""

from __future__ import annotations

import msgspec


class Clock(msgspec.Struct):
    at: float  # the first time seen in the latest hour the partition has seen, epoch seconds
    swept: int  # the last hour whose keys were handed back


class Filed(msgspec.Struct, omit_defaults=True):
    keys: list[str] = []
    sealed: int = 0  # full chunks of this hour, kept under "{key}:{n}" for n < sealed
