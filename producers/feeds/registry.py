"""The feed registry: which feeds to poll, read from YAML.

The file is edited by hand, so validation reports every problem at once and
names the feed and the field::

    feeds:
      - id: horan-today
        url: https://horan-today.example/rss.xml   # or relative, with a base URL
        title: حوران اليوم
        interval: 600          # seconds between polls
        language: ar           # a hint for later stages
        enabled: true
      - id: enab-sitemap
        kind: sitemap          # rss (the default), sitemap, page or telegram
        url: https://enab.example/          # a home address: sitemaps are found in robots.txt
        max_age_days: 2        # sitemap entries older than this (lastmod, news date) are skipped
      - id: enab-syria
        kind: page             # a section page: its article links are announced
        url: https://enab.example/category/syria/
        link_pattern: '/20[0-9]{2}/[0-9]{2}/'   # optional: which links are articles (a regex)
      - id: deir-ezzor-24
        kind: telegram         # a public channel, read from its web preview
        url: https://t.me/s/deirezzor24     # or https://t.me/deirezzor24
        pages: 3               # pages read back on the first poll (?before=)
        min_chars: 40          # shorter posts are skipped (and counted)

Each kind is read by its own module (``marsad.producers.feeds.sitemap``,
``marsad.producers.feeds.section``, ``marsad.producers.feeds.telegram``) behind the same
poller; a setting of one kind given to another is an error. Relative URLs are resolved against a ``base_url`` passed in by the caller,
which lets the bundled samples point at wherever the demo server listens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import msgspec
import yaml

from marsad.schemas.wire import FEED_KINDS, FeedKind

DEFAULT_INTERVAL = 900
MIN_INTERVAL = 5
MAX_INTERVAL = 7 * 24 * 3600
DEFAULT_MAX_AGE_DAYS = 2.0
DEFAULT_PAGES = 3
MAX_PAGES = 20
DEFAULT_MIN_CHARS = 40
# The settings of one kind of source only, with the kind they belong to.
KIND_FIELDS: dict[str, str] = {"max_age_days": "sitemap", "link_pattern": "page", "pages": "telegram",
                               "min_chars": "telegram"}
FIELDS: tuple[str, ...] = ("id", "url", "title", "interval", "language", "enabled", "kind", *KIND_FIELDS)
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_TELEGRAM_PATH = re.compile(r"^/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,63})/?$")


class Feed(msgspec.Struct, frozen=True):
    """One feed to poll."""

    id: str
    url: str
    title: str = ""
    interval: int = DEFAULT_INTERVAL  # seconds
    language: str | None = None
    enabled: bool = True
    kind: FeedKind = "rss"  # how the source is read
    max_age_days: float = DEFAULT_MAX_AGE_DAYS  # sitemap: skip entries last modified longer ago
    link_pattern: str | None = None  # page: a regex an article link matches (searched in the absolute URL)
    pages: int = DEFAULT_PAGES  # telegram: preview pages read on the first poll
    min_chars: int = DEFAULT_MIN_CHARS  # telegram: posts with less text are skipped


class RegistryError(ValueError):
    """The registry is invalid; ``problems`` lists each one, naming feed and field."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


def load_registry(path: str | Path, *, base_url: str | None = None) -> list[Feed]:
    """Read and validate a registry file (all feeds, enabled or not)."""
    path = Path(path)
    return parse_registry(path.read_text(encoding="utf-8"), source=str(path), base_url=base_url)


def parse_registry(text: str, *, source: str = "<registry>", base_url: str | None = None) -> list[Feed]:
    """Validate registry YAML text; raise ``RegistryError`` listing every problem."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RegistryError(source, [f"not valid YAML: {exc}"]) from None
    records = document.get("feeds") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise RegistryError(source, ["expected a list of feeds under the key 'feeds'"])
    return feeds_from_records(records, source=source, base_url=base_url)


def feeds_from_records(
    records: Iterable[Any], *, source: str = "<registry>", base_url: str | None = None
) -> list[Feed]:
    """Validate raw feed records (dicts); shared by the YAML loader and the OPML import."""
    feeds: list[Feed] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for position, record in enumerate(records, start=1):
        feed, errors = _validate(record, position, base_url)
        problems.extend(errors)
        if feed is None:
            continue
        if feed.id in seen:
            problems.append(f"feed {feed.id!r} (#{position}): field 'id': duplicate of feed #{seen[feed.id]}")
            continue
        seen[feed.id] = position
        feeds.append(feed)
    if problems:
        raise RegistryError(source, problems)
    return feeds


def enabled_feeds(feeds: Iterable[Feed]) -> list[Feed]:
    return [feed for feed in feeds if feed.enabled]


def dump_registry(feeds: Iterable[Feed]) -> str:
    """YAML text for a registry (used to save an OPML import); defaults are left out."""
    default = Feed(id="", url="")
    records = []
    for feed in feeds:
        record = {name: getattr(feed, name) for name in FIELDS}
        records.append({k: v for k, v in record.items() if k in ("id", "url") or v != getattr(default, k)})
    return yaml.safe_dump({"feeds": records}, allow_unicode=True, sort_keys=False)


def _validate(record: Any, position: int, base_url: str | None) -> tuple[Feed | None, list[str]]:
    if not isinstance(record, Mapping):
        return None, [f"feed #{position}: expected a mapping of fields, got {type(record).__name__}"]
    raw_id = record.get("id")
    label = f"feed {raw_id!r} (#{position})" if isinstance(raw_id, str) and raw_id else f"feed #{position}"
    errors: list[str] = []

    def problem(name: str, message: str) -> None:
        errors.append(f"{label}: field {name!r}: {message}")

    for name in record:
        if name not in FIELDS:
            problem(str(name), f"unknown field (known: {', '.join(FIELDS)})")

    feed_id = record.get("id")
    if not isinstance(feed_id, str) or not _ID.match(feed_id):
        problem("id", f"required; lower-case letters, digits, '-', '_', '.', got {feed_id!r}")

    url = record.get("url")
    if not isinstance(url, str) or not url.strip():
        problem("url", "required")
        url = None
    else:
        url = url.strip()
        if not urlsplit(url).scheme and base_url is None:
            problem("url", f"relative URL {url!r} needs a base URL")
        else:
            url = urljoin(base_url or "", url)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                problem("url", f"must be an http(s) URL, got {url!r}")

    title = record.get("title", "")
    if title is None:
        title = ""
    if not isinstance(title, str):
        problem("title", f"must be text, got {title!r}")

    interval = record.get("interval", DEFAULT_INTERVAL)
    if isinstance(interval, bool) or not isinstance(interval, int):
        problem("interval", f"must be a whole number of seconds, got {interval!r}")
    elif not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        problem("interval", f"must be between {MIN_INTERVAL} and {MAX_INTERVAL} seconds, got {interval}")

    language = record.get("language")
    if language is not None and (not isinstance(language, str) or not _LANGUAGE.match(language)):
        problem("language", f"must be a language code such as 'ar' or 'en', got {language!r}")

    enabled = record.get("enabled", True)
    if not isinstance(enabled, bool):
        problem("enabled", f"must be true or false, got {enabled!r}")

    kind = record.get("kind", "rss")
    if kind not in FEED_KINDS:
        problem("kind", f"must be one of {', '.join(FEED_KINDS)}, got {kind!r}")
    else:
        for name, owner in KIND_FIELDS.items():
            if name in record and owner != kind:
                problem(name, f"a setting of kind {owner!r} sources, this one is {kind!r}")
    settings = _kind_settings(record, problem)
    if kind == "telegram" and url is not None and not errors:
        url = _telegram_preview(url, problem)

    if errors:
        return None, errors
    return Feed(
        id=feed_id, url=url, title=title.strip(), interval=interval, language=language, enabled=enabled,
        kind=kind, **settings,
    ), []


def _kind_settings(record: Mapping[str, Any], problem: Callable[[str, str], None]) -> dict[str, Any]:
    """The kind-specific settings given in ``record``, checked (problems reported through ``problem``)."""
    settings: dict[str, Any] = {}
    max_age = record.get("max_age_days")
    if max_age is not None:
        if isinstance(max_age, bool) or not isinstance(max_age, int | float) or max_age <= 0:
            problem("max_age_days", f"must be a positive number of days, got {max_age!r}")
        else:
            settings["max_age_days"] = float(max_age)
    pattern = record.get("link_pattern")
    if pattern is not None:
        try:
            re.compile(pattern) if isinstance(pattern, str) and pattern else None
        except re.error as exc:
            problem("link_pattern", f"not a valid regular expression: {exc}")
        else:
            if isinstance(pattern, str) and pattern:
                settings["link_pattern"] = pattern
            else:
                problem("link_pattern", f"must be a regular expression, got {pattern!r}")
    pages = record.get("pages")
    if pages is not None:
        if isinstance(pages, bool) or not isinstance(pages, int) or not 1 <= pages <= MAX_PAGES:
            problem("pages", f"must be a whole number from 1 to {MAX_PAGES}, got {pages!r}")
        else:
            settings["pages"] = pages
    min_chars = record.get("min_chars")
    if min_chars is not None:
        if isinstance(min_chars, bool) or not isinstance(min_chars, int) or min_chars < 0:
            problem("min_chars", f"must be a whole number of characters, got {min_chars!r}")
        else:
            settings["min_chars"] = min_chars
    return settings


def _telegram_preview(url: str, problem: Callable[[str, str], None]) -> str:
    """A channel's web preview address (``https://t.me/s/NAME``) from either form of its address."""
    parts = urlsplit(url)
    match = _TELEGRAM_PATH.match(parts.path)
    if match is None or parts.query:
        problem("url", f"a telegram source is a public channel's address such as https://t.me/s/NAME, got {url!r}")
        return url
    return f"{parts.scheme}://{parts.netloc}/s/{match.group(1)}"
