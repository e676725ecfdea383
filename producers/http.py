"""The fetcher: one shared ``httpx.AsyncClient`` with the guards a crawler needs.

What it adds to httpx, and why:

- a global concurrency limit and a per-host one (``asyncio.Semaphore`` per
  host), plus an optional minimum interval between page requests to one
  host, so a burst of new articles from one outlet does not hammer it;
- connect/read timeouts and an overall deadline per request (a server
  that drips one byte a second never trips a read timeout), and an
  optional ``Budget`` shared by a page's attempts, so the page as a whole
  is bounded too (time queued for a slot is not charged to it);
- a size cap enforced while streaming, so a huge or endless body is
  abandoned at the cap instead of filling memory;
- redirects followed by hand, bounded, with loop detection and the SSRF
  check (``marsad.producers.safety``) before every hop;
- conditional GET from stored validators, 304 returned as ``NotModified``.

Failures are raised as one ``FetchError`` whose ``kind`` says what went
wrong and whose ``reason`` says it in words, ready for a dead-letter event.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import httpx
import msgspec

from marsad.producers.pages.decoding import charset_from_content_type
from marsad.producers.safety import UnresolvableHost, UnsafeURL, check_url, parse_networks
from marsad.runtime.http import retry_after_seconds

Purpose = Literal["feed", "page"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# Response headers kept on the result (lower-case).
HEADERS_OF_INTEREST: tuple[str, ...] = (
    "content-type",
    "content-length",
    "content-encoding",
    "content-language",
    "etag",
    "last-modified",
    "cache-control",
    "expires",
    "retry-after",
    "date",
)
ACCEPT: dict[str, str] = {
    "feed": "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, application/json;q=0.8, */*;q=0.5",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
}


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Everything the fetcher may be told; built once from settings and passed in."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # one request from start to last byte (time queued for a slot excluded)
    max_bytes: int = 5_000_000  # decoded body size cap
    max_redirects: int = 5
    max_connections: int = 20  # in flight at once, all hosts together
    per_host_connections: int = 2
    per_host_interval: float = 0.0  # seconds between page request starts to one host; 0 = off
    user_agent: str = "marsad/0.1 (news monitoring)"
    accept_language: str = "ar,en;q=0.8"
    allow_private: bool = False  # True only for development against local servers
    allowed_networks: tuple[str, ...] = ()  # CIDRs reachable even when allow_private is False


@dataclass(slots=True)
class Budget:
    """Seconds one page's requests and the waits between its attempts may take together.

    Charged only while a request holds its connection slots (waiting behind
    other pages is not this server's fault) and by the retry waits; each
    request is cut at what is left.
    """

    seconds: float
    spent: float = 0.0

    def left(self) -> float:
        return self.seconds - self.spent

    def spend(self, seconds: float) -> None:
        self.spent += seconds

    @property
    def reason(self) -> str:
        return f"timeout: page deadline of {self.seconds:g} s reached"


class Validators(msgspec.Struct, frozen=True, omit_defaults=True):
    """What a server gave us to ask "changed since?" next time."""

    etag: str | None = None
    last_modified: str | None = None


class FailureKind(StrEnum):
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    UNSAFE = "unsafe_address"
    HTTP_STATUS = "http_status"
    CONNECTION = "connection"
    INVALID_URL = "invalid_url"
    PROTOCOL = "protocol"


_RETRYABLE_KINDS = frozenset({FailureKind.TIMEOUT, FailureKind.CONNECTION, FailureKind.PROTOCOL})


class FetchError(Exception):
    """A fetch that produced no usable response; ``reason`` is for humans, ``kind`` for code."""

    def __init__(
        self,
        kind: FailureKind,
        reason: str,
        *,
        url: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{reason} ({url})")
        self.kind = kind
        self.reason = reason
        self.url = url
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Worth trying again later: timeouts, dropped connections, 5xx, 429."""
        if self.kind is FailureKind.HTTP_STATUS:
            return self.status in RETRYABLE_STATUSES
        return self.kind in _RETRYABLE_KINDS


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A complete 2xx response."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # HEADERS_OF_INTEREST that were present
    content: bytes
    elapsed: float  # seconds, all hops
    redirects: tuple[str, ...] = ()  # URLs redirected through, in order
    permanent_redirect: bool = False  # every hop was 301/308: the caller may update its URL

    @property
    def content_type(self) -> str:
        """Media type without parameters, lower-case ("" when absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        return charset_from_content_type(self.headers.get("content-type"))

    @property
    def validators(self) -> Validators:
        return Validators(etag=self.headers.get("etag"), last_modified=self.headers.get("last-modified"))


@dataclass(frozen=True, slots=True)
class NotModified:
    """The server answered 304 to our conditional GET: nothing new."""

    url: str
    final_url: str
    validators: Validators
    elapsed: float


@dataclass(slots=True)
class _Hop:
    status: int
    headers: dict[str, str]
    location: str | None
    content: bytes = b""
    reason_phrase: str = ""


class Fetcher:
    """Async HTTP GET with limits, caps, manual redirects and the SSRF check.

    Use as ``async with Fetcher(options) as fetcher: await fetcher.fetch(url)``.
    One instance is shared by every poll and page fetch of a service so the
    limits are global. A ``client`` may be passed in (tests use it to watch
    requests); the fetcher then does not close it.
    """

    def __init__(self, options: FetchOptions, *, client: httpx.AsyncClient | None = None) -> None:
        self.options = options
        self._allowed = parse_networks(options.allowed_networks)
        self._client = client if client is not None else build_client(options)
        self._owns_client = client is None
        self._slots = asyncio.Semaphore(options.max_connections)
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        purpose: Purpose = "page",
        budget: Budget | None = None,
    ) -> FetchResult | NotModified:
        """GET ``url``; return the final 2xx response or ``NotModified``, else raise ``FetchError``.

        ``budget``: what the page has left of its deadline (every hop is charged to it).
        """
        return await self._follow(url, validators, purpose, time.monotonic(), budget)

    async def _follow(
        self, url: str, validators: Validators | None, purpose: Purpose, started: float, budget: Budget | None
    ) -> FetchResult | NotModified:
        headers = self._request_headers(validators, purpose)
        current = _without_fragment(url, original=url)
        seen = {current}
        redirects: list[str] = []
        permanent = True
        while True:
            await self._check(current, original=url, is_hop=bool(redirects))
            hop = await self._get(current, headers, purpose, original=url, budget=budget)

            if hop.status in REDIRECT_STATUSES and hop.location:
                if len(redirects) >= self.options.max_redirects:
                    raise FetchError(
                        FailureKind.TOO_MANY_REDIRECTS,
                        f"too many redirects: more than {self.options.max_redirects}",
                        url=url,
                    )
                target = _without_fragment(_join(current, hop.location, original=url), original=url)
                if target in seen:
                    raise FetchError(FailureKind.REDIRECT_LOOP, f"redirect loop: back to {target}", url=url)
                seen.add(target)
                redirects.append(current)
                permanent = permanent and hop.status in PERMANENT_REDIRECTS
                current = target
                continue

            if hop.status in REDIRECT_STATUSES:  # a redirect that says nowhere: nothing to follow
                raise FetchError(
                    FailureKind.HTTP_STATUS,
                    f"redirect without a Location header (HTTP {hop.status} {hop.reason_phrase})".replace(" )", ")"),
                    url=url,
                    status=hop.status,
                )

            elapsed = time.monotonic() - started
            if hop.status == 304:
                return NotModified(
                    url=url,
                    final_url=current,
                    validators=Validators(
                        etag=hop.headers.get("etag") or (validators.etag if validators else None),
                        last_modified=hop.headers.get("last-modified")
                        or (validators.last_modified if validators else None),
                    ),
                    elapsed=elapsed,
                )
            if hop.status >= 300:
                raise FetchError(
                    FailureKind.HTTP_STATUS,
                    f"HTTP {hop.status} {hop.reason_phrase}".rstrip(),
                    url=url,
                    status=hop.status,
                    retry_after=retry_after_seconds(hop.headers.get("retry-after")),
                )
            return FetchResult(
                url=url,
                final_url=current,
                status=hop.status,
                headers=hop.headers,
                content=hop.content,
                elapsed=elapsed,
                redirects=tuple(redirects),
                permanent_redirect=bool(redirects) and permanent,
            )

    async def _check(self, current: str, *, original: str, is_hop: bool) -> None:
        try:
            await check_url(current, allow_private=self.options.allow_private, allowed_networks=self._allowed)
        except UnsafeURL as exc:
            prefix = f"redirect to {current} refused: " if is_hop else "refused: "
            raise FetchError(FailureKind.UNSAFE, prefix + exc.reason, url=original) from None
        except UnresolvableHost as exc:
            raise FetchError(FailureKind.CONNECTION, str(exc), url=original) from None

    async def _get(
        self, url: str, headers: dict[str, str], purpose: Purpose, *, original: str, budget: Budget | None = None
    ) -> _Hop:
        """One request, under the per-host and global limits; body read only for final answers."""
        host = _host_key(url)
        host_slots = self._host_slots.setdefault(host, asyncio.Semaphore(self.options.per_host_connections))
        async with host_slots:
            if purpose == "page":
                await self._pace(host)
            async with self._slots:
                limit = self.options.total_timeout
                cut_by_budget = budget is not None and budget.left() < limit
                if budget is not None:
                    limit = min(limit, budget.left())
                    if limit <= 0:
                        raise FetchError(FailureKind.TIMEOUT, budget.reason, url=original)
                started = time.monotonic()
                try:
                    # The deadline starts once a slot is ours: waiting in the queue is not the server's fault.
                    async with asyncio.timeout(limit):
                        return await self._stream(url, headers, original=original)
                except TimeoutError:
                    raise FetchError(
                        FailureKind.TIMEOUT,
                        budget.reason if cut_by_budget and budget is not None
                        else f"timeout: no complete response within {self.options.total_timeout:g} s",
                        url=original,
                    ) from None
                except httpx.TimeoutException as exc:
                    raise FetchError(FailureKind.TIMEOUT, _timeout_reason(exc, self.options), url=original) from None
                except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                    raise FetchError(FailureKind.INVALID_URL, f"invalid URL: {exc}", url=original) from None
                except httpx.DecodingError as exc:
                    raise FetchError(FailureKind.PROTOCOL, f"bad content encoding: {exc}", url=original) from None
                except httpx.RemoteProtocolError as exc:
                    raise FetchError(FailureKind.PROTOCOL, f"protocol error: {_describe(exc)}", url=original) from None
                except httpx.TransportError as exc:
                    raise FetchError(FailureKind.CONNECTION, f"connection error: {_describe(exc)}", url=original) from None
                finally:
                    if budget is not None:
                        budget.spend(time.monotonic() - started)

    async def _stream(self, url: str, headers: dict[str, str], *, original: str) -> _Hop:
        cap = self.options.max_bytes
        async with self._client.stream("GET", url, headers=headers) as response:
            kept = {name: response.headers[name] for name in HEADERS_OF_INTEREST if name in response.headers}
            hop = _Hop(
                status=response.status_code,
                headers=kept,
                location=response.headers.get("location"),
                reason_phrase=response.reason_phrase,
            )
            if response.status_code >= 300:  # redirects, 304 and errors: the body is not wanted
                return hop
            declared = _int_or_none(kept.get("content-length"))
            if declared is not None and declared > cap and "content-encoding" not in kept:
                raise FetchError(FailureKind.TOO_LARGE, f"too large: > {cap} bytes", url=original)
            chunks: list[bytes] = []
            size = 0
            try:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(FailureKind.TOO_LARGE, f"too large: > {cap} bytes", url=original)
                    chunks.append(chunk)
            except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
                # The headers came, the body did not: say so, a bare "connection error" hides where it broke.
                expected = f" of {declared}" if declared is not None else ""
                raise FetchError(
                    FailureKind.CONNECTION,
                    f"connection lost mid-body after {size}{expected} bytes: {_describe(exc)}",
                    url=original,
                ) from None
            hop.content = b"".join(chunks)
            return hop

    async def _pace(self, host: str) -> None:
        """Wait so page requests to ``host`` start at least ``per_host_interval`` apart."""
        interval = self.options.per_host_interval
        if interval <= 0:
            return
        now = time.monotonic()
        start = max(now, self._next_start.get(host, now))
        self._next_start[host] = start + interval
        if start > now:
            await asyncio.sleep(start - now)

    def _request_headers(self, validators: Validators | None, purpose: Purpose) -> dict[str, str]:
        headers = {"Accept": ACCEPT[purpose], "Accept-Language": self.options.accept_language}
        if validators is not None:
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        return headers


def build_client(options: FetchOptions) -> httpx.AsyncClient:
    """The one client a Fetcher uses: no automatic redirects, no proxies or settings from the environment."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            connect=options.connect_timeout,
            read=options.read_timeout,
            write=options.read_timeout,
            pool=options.total_timeout,
        ),
        limits=httpx.Limits(max_connections=options.max_connections, max_keepalive_connections=options.max_connections),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": options.user_agent},
    )


def _describe(exc: Exception) -> str:
    """An exception in words: its message, or its class name when the message is empty (httpx's often are)."""
    message = str(exc).strip()
    name = type(exc).__name__
    if not message:  # httpx wraps the socket's error (e.g. ConnectionResetError) and drops its words
        cause = exc.__cause__ or exc.__context__
        while cause is not None and not str(cause).strip():
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            message = f"{type(cause).__name__}: {str(cause).strip()}"
    return f"{message} ({name})" if message else name


def _timeout_reason(exc: httpx.TimeoutException, options: FetchOptions) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timeout: could not connect within {options.connect_timeout:g} s"
    if isinstance(exc, httpx.PoolTimeout):
        return "timeout: no free connection"
    return f"timeout: no data for {options.read_timeout:g} s"


def _host_key(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.host}:{parsed.port or ''}"


def _join(base: str, location: str, *, original: str) -> str:
    try:
        return str(httpx.URL(base).join(location.strip()))
    except httpx.InvalidURL as exc:
        raise FetchError(FailureKind.INVALID_URL, f"bad redirect location {location!r}: {exc}", url=original) from None


def _without_fragment(url: str, *, original: str) -> str:
    try:
        return str(httpx.URL(url).copy_with(fragment=None))
    except httpx.InvalidURL as exc:
        raise FetchError(FailureKind.INVALID_URL, f"invalid URL: {exc}", url=original) from None


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
