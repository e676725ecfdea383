"""URL canonicalisation and article ids.

The same article reaches us under many spellings: with ``utm_*`` tags from a
newsletter, with an ``fbclid`` from a share, with ``:443`` or a fragment,
with its Arabic path raw or percent-encoded. ``canonical_url`` maps all of
them to one string so that ``article_id`` (a hash of it) is stable: the id
is what the event log deduplicates on, so this module must stay pure and
deterministic.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only say where a click came from. Kept as data:
# exact names, then name prefixes.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "ref", "ref_src", "ref_url", "referrer",
        "spm", "ocid", "cmpid", "at_medium", "at_campaign",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_", "hsa_", "oly_")

DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}

# Characters left as they are in a path or query; everything else is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class InvalidURL(ValueError):
    """The string is not an absolute http(s) URL with a host."""


def is_tracking_param(name: str) -> bool:
    """True for query parameters that identify the referrer, not the resource."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Return the canonical spelling of an http(s) URL.

    Scheme and host lower-cased, IDN host in its ASCII (punycode) form,
    default port and fragment dropped, tracking parameters removed, the
    remaining query parameters sorted, the path percent-encoded as UTF-8 with
    upper-case escapes (so a raw Arabic path and its encoded form agree).
    Raises ``InvalidURL`` for anything that is not absolute http(s).
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise InvalidURL(f"unparsable URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL(f"not an http(s) URL: {url!r}")
    try:
        hostname = parts.hostname
        port = parts.port
    except ValueError as exc:  # bad port such as ":abc"
        raise InvalidURL(f"bad host or port in {url!r}: {exc}") from None
    if not hostname:
        raise InvalidURL(f"no host in {url!r}")

    host = _ascii_host(hostname.rstrip("."))
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _normalise_escapes(parts.path) or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


def article_id(url: str) -> str:
    """A stable 16-hex-digit id for an article: sha256 of its canonical URL."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def absolutise(base_url: str, link: str) -> str:
    """Resolve ``link`` (maybe relative, maybe with surrounding spaces) against ``base_url``."""
    return urljoin(base_url, link.strip())


def _ascii_host(host: str) -> str:
    host = host.lower()
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return quote(host, safe=".-")


def _normalise_escapes(text: str) -> str:
    """Percent-encode non-ASCII as UTF-8, upper-case escapes, decode escaped unreserved chars."""
    encoded = quote(text, safe=_PATH_SAFE + "%")

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, encoded)


def _clean_query(query: str) -> str:
    if not query:
        return ""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not is_tracking_param(k)]
    pairs.sort()
    return urlencode(pairs, quote_via=quote, safe="-._~")
