"""The checks a setting's value must pass: each gives ``None`` when the value is fine, else what is wrong.

The problem reads after the value in the error, e.g. ``partitions (environment
MARSAD_PARTITIONS): '0' must be > 0``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], "str | None"]


def positive(v: float) -> str | None:
    return None if v > 0 else "must be > 0"


def at_least(low: float) -> Check:
    return lambda v: None if v >= low else f"must be >= {low}"


def zero_or_at_least(low: float) -> Check:
    """0 to turn a behaviour off, else at least ``low``."""
    return lambda v: None if v == 0 or v >= low else f"must be 0 or >= {low}"


def within(low: float, high: float, *, low_included: bool = False) -> Check:
    """Between ``low`` and ``high`` (``high`` included; ``low`` only when ``low_included``)."""
    if low_included:
        return lambda v: None if low <= v <= high else f"must be in [{low}, {high}]"
    return lambda v: None if low < v <= high else f"must be in ({low}, {high}]"


def port(v: int) -> str | None:
    return None if 0 < v < 65536 else "must be a TCP port (1-65535)"


def port_or_off(v: int) -> str | None:
    return None if 0 <= v < 65536 else "must be a TCP port (1-65535), or 0 for none"


def one_of(*choices: str) -> Check:
    return lambda v: None if v in choices else f"must be one of {', '.join(choices)}"


def network_list(value: str) -> tuple[str, ...]:
    """The CIDRs of a comma-separated setting such as ``MARSAD_ALLOW_NETWORKS``."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def networks(v: str) -> str | None:
    """A comma-separated list of CIDRs (empty: none)."""
    for spec in network_list(v):
        try:
            ipaddress.ip_network(spec, strict=False)
        except ValueError:
            return f"has {spec!r}, which is not a network such as 10.1.2.0/24 or 127.0.0.1/32"
    return None


def tile_url(v: str) -> str | None:
    """Empty, or an http(s) map tile URL template with its {z}, {x} and {y} placeholders."""
    if not v or (v.startswith(("https://", "http://")) and all(p in v for p in ("{z}", "{x}", "{y}"))):
        return None
    return "must be empty or an http(s) URL with {z}, {x} and {y}"
