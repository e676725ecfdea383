"""Ports for the services a test starts, chosen outside the kernel's ephemeral range.

A port from ``bind(0)`` lies in the ephemeral range, where any outgoing connection (a Kafka client, an HTTP
probe) may take it, or the one after it, before the service binds: ``marsad up --workers 2`` gives worker-2
the port after worker-1's. Blocks below that range are only taken by servers that ask for them.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from marsad.deploy.kafka.local import port_free


def ephemeral_start() -> int:
    """The first port the kernel hands to outgoing connections (32768 when it cannot be read)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_LOW = 20000
_span = max(ephemeral_start() - _LOW, 2000)
_cursor = itertools.count(_LOW + (os.getpid() * 97) % _span)  # another pytest process starts elsewhere


def port_block(size: int = 1) -> int:
    """A port p with p .. p + size - 1 free on 127.0.0.1, below the ephemeral range, never handed out before
    by this process (so two calls give two blocks although neither is bound yet)."""
    for _ in range(_span):
        base = _LOW + (next(_cursor) - _LOW) % _span
        if base + size > _LOW + _span:
            continue
        if all(port_free(base + i) for i in range(size)):
            for _ in range(size - 1):
                next(_cursor)
            return base
    raise AssertionError(f"no block of {size} free ports below {_LOW + _span}")
