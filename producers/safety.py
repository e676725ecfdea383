"""SSRF guard: refuse URLs whose host resolves to a non-public address.

Feed URLs come from a registry anyone on the team can edit and article links
come from the feeds themselves, so a hostile or broken feed could point us
at 169.254.169.254 (cloud metadata), at 10.x services or at localhost. The
check runs before the first request and again before every redirect hop
(the fetcher follows redirects itself for that reason), and it only
*resolves* names: nothing is sent to the address being judged.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})

# (attribute of ipaddress objects, how to say it); the first that applies names the refusal.
_ADDRESS_RULES: tuple[tuple[str, str], ...] = (
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_reserved", "reserved"),
    ("is_private", "private"),
)


class UnsafeURL(Exception):
    """The URL may not be fetched; ``reason`` says why in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnresolvableHost(OSError):
    """The host name does not resolve: a connection problem, not a safety verdict."""


def parse_networks(specs: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Parse CIDR strings such as ``127.0.0.1/32`` (raises ValueError naming the bad one)."""
    networks = []
    for spec in specs:
        try:
            networks.append(ipaddress.ip_network(spec, strict=False))
        except ValueError as exc:
            raise ValueError(f"bad network {spec!r}: {exc}") from None
    return tuple(networks)


def address_problem(address: IPAddress, allowed: tuple[IPNetwork, ...] = ()) -> str | None:
    """Why this address is not public (e.g. ``"private"``), or None when it may be contacted.

    Addresses inside an ``allowed`` network pass whatever they are; an
    IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address.version == net.version and address in net for net in allowed):
        return None
    for attribute, label in _ADDRESS_RULES:
        if getattr(address, attribute):
            return label
    return None if address.is_global else "not globally routable"


async def check_url(
    url: str,
    *,
    allow_private: bool,
    allowed_networks: tuple[IPNetwork, ...] = (),
) -> list[IPAddress]:
    """Refuse ``url`` with ``UnsafeURL`` unless it is http(s) and every address of its host is public.

    ``allow_private`` turns the address check off (development against a
    local server); ``allowed_networks`` lets chosen networks through while
    keeping it on. Name resolution uses the event loop's ``getaddrinfo``
    (run in its executor), so it does not block. A name that does not
    resolve raises ``UnresolvableHost`` (the caller treats it like a failed
    connection: nothing was judged unsafe). Returns the addresses checked
    (empty when the check was off).
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"scheme {parts.scheme or '(none)'!r} is not allowed")
    try:
        host = parts.hostname
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL(f"bad host or port: {exc}") from None
    if not host:
        raise UnsafeURL("no host in URL")
    if allow_private:
        return []

    addresses = await resolve(host, port)
    for address in addresses:
        problem = address_problem(address, allowed_networks)
        if problem is not None:
            raise UnsafeURL(f"{host} resolves to {problem} address {address}")
    return addresses


async def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses of ``host`` (an IP literal resolves to itself without a lookup)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"cannot resolve {host}: {exc}") from None
    seen: dict[str, IPAddress] = {}
    for _family, _type, _proto, _canon, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        seen.setdefault(text, ipaddress.ip_address(text))
    if not seen:
        raise UnresolvableHost(f"cannot resolve {host}: no addresses")
    return list(seen.values())
