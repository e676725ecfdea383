"""Which addresses and Host headers are this machine's own: the guards of the web servers use them.

A server bound to loopback is reachable from this machine only, but a web
page on another site can still reach it through DNS rebinding (a name that
resolves to 127.0.0.1): the browser then sends that foreign name as
``Host``. So servers without a token answer only loopback names and the
hosts an operator allowed.
"""

from __future__ import annotations

import ipaddress

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Is ``host`` (an address or ``localhost``) reachable from this machine only? Other names are not trusted."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def host_name(header: str) -> str:
    """The name of a ``Host`` header without its port: ``[::1]:8086`` -> ``::1``, ``Example.org.`` -> ``example.org``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header.rstrip(".")


def allowed_hosts(setting: str) -> frozenset[str]:
    """The names of a comma-separated setting (``api_allowed_hosts``), normalised as `host_name` does."""
    return frozenset(host_name(h) for h in setting.split(",") if h.strip())


def host_allowed(header: str | None, allowed: frozenset[str]) -> bool:
    """May a request with this ``Host`` header be answered? Loopback names always, others when allowed."""
    if not header:
        return False
    name = host_name(header)
    return is_loopback(name) or name in allowed
