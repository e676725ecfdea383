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

Relative URLs are resolved against a ``base_url`` passed in by the caller,
which lets the bundled samples point at wherever the demo server listens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import msgspec
import yaml

DEFAULT_INTERVAL = 900
MIN_INTERVAL = 5
MAX_INTERVAL = 7 * 24 * 3600
FIELDS: tuple[str, ...] = ("id", "url", "title", "interval", "language", "enabled")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class Feed(msgspec.Struct, frozen=True):
    """One feed to poll."""

    id: str
    url: str
    title: str = ""
    interval: int = DEFAULT_INTERVAL  # seconds
    language: str | None = None
    enabled: bool = True


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

    if errors:
        return None, errors
    return Feed(
        id=feed_id, url=url, title=title.strip(), interval=interval, language=language, enabled=enabled
    ), []
