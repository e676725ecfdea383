"""Merge imported feeds (OPML) into a registry file without disturbing what a person wrote there.

A feed is already there when its canonical URL is (or, failing that, its
exact URL); an imported feed whose id is taken by another feed gets a
numbered id. The new feeds are appended to the YAML text, so the file's
comments and layout stay; the result is parsed again and must list the old
feeds followed by the new ones, otherwise the whole document is re-dumped
from its records (comments lost, relative URLs kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec
import yaml

from marsad.producers.feeds.registry import FIELDS, Feed, parse_registry
from marsad.producers.urls import InvalidURL, canonical_url

HEADER = "# marsad feed registry: see producers/feeds/registry.py for the fields.\n"


@dataclass
class Merge:
    added: list[Feed] = field(default_factory=list)
    already_there: list[Feed] = field(default_factory=list)  # same URL as a registry feed
    renamed: dict[str, str] = field(default_factory=dict)  # imported id -> id given (it was taken)


def merge_feeds(existing: list[Feed], incoming: list[Feed]) -> Merge:
    """Which incoming feeds are new, and under which ids."""
    merge = Merge()
    urls = {_url_key(feed.url) for feed in existing}
    ids = {feed.id for feed in existing}
    for feed in incoming:
        if _url_key(feed.url) in urls:
            merge.already_there.append(feed)
            continue
        new_id = _free_id(feed.id, ids)
        if new_id != feed.id:
            merge.renamed[feed.id] = new_id
            feed = msgspec.structs.replace(feed, id=new_id)
        urls.add(_url_key(feed.url))
        ids.add(new_id)
        merge.added.append(feed)
    return merge


def registry_with(text: str | None, added: list[Feed], *, base_url: str | None = None) -> str:
    """The registry YAML ``text`` (None: no file yet) with ``added`` appended."""
    if text is None or not text.strip():
        return HEADER + yaml.safe_dump({"feeds": _records(added)}, allow_unicode=True, sort_keys=False)
    if not added:
        return text
    before = parse_registry(text, base_url=base_url)
    indent = _item_indent(text)
    block = yaml.safe_dump(_records(added), allow_unicode=True, sort_keys=False)
    lines = [(" " * indent + line) if line else line for line in block.splitlines()]
    appended = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    try:
        after = parse_registry(appended, base_url=base_url)
    except ValueError:
        after = []
    if [feed.id for feed in after] == [feed.id for feed in before] + [feed.id for feed in added]:
        return appended
    document = yaml.safe_load(text)
    records = document["feeds"] if isinstance(document, dict) else document
    return HEADER + yaml.safe_dump({"feeds": [*records, *_records(added)]}, allow_unicode=True, sort_keys=False)


def _records(feeds: list[Feed]) -> list[dict[str, Any]]:
    default = Feed(id="", url="")
    out = []
    for feed in feeds:
        record = {name: getattr(feed, name) for name in FIELDS}
        keep = ("id", "url", "interval")  # the interval is written out: an imported feed's is a choice
        out.append({k: v for k, v in record.items() if k in keep or v != getattr(default, k)})
    return out


def _item_indent(text: str) -> int:
    """Indentation of the registry's list items ("  - id: ..." under ``feeds:``), from its last one."""
    for line in reversed(text.splitlines()):
        stripped = line.lstrip(" ")
        if stripped.startswith("- "):
            return len(line) - len(stripped)
    return 2


def _url_key(url: str) -> str:
    try:
        return canonical_url(url)
    except InvalidURL:
        return url.strip()


def _free_id(wanted: str, taken: set[str]) -> str:
    candidate, number = wanted, 2
    while candidate in taken:
        candidate = f"{wanted}-{number}"
        number += 1
    return candidate

