"""`marsad import PATH`: local files and JSON Lines into the pipeline.

Each input becomes one `ArticleFetched` event (origin "import"):

- ``*.txt`` and ``*.html``/``*.htm``: the file's text (HTML is cleaned by the
  streams later); the id is the file name without extension;
- ``*.jsonl``: one article per line, ``{"id", "text", "title"?, "url"?, "published"?, "lang"?}``.

A line or file that cannot be read becomes a `DeadLetter` on the producers'
dead-letter topic with the reason; the import goes on with the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from marsad.producers.pages.decoding import decode_document
from marsad.schemas.events import ArticleFetched, DeadLetter

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


@dataclass
class Rejected:
    key: str | None
    reason: str
    where: str
    payload: bytes = b""


@dataclass
class ImportReport:
    published: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def input_files(path: Path) -> list[Path]:
    """The importable files at ``path`` (a file, or a folder searched recursively), sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES)


_TITLE_MAX_CHARS = 160
_SENTENCE_ENDS = (".", "!", "?", "؟", "…", ":", "،", ",")


def title_line(text: str) -> str:
    """The first line of a plain-text article when it reads as a headline: short, not ending like a
    sentence, with more text after it; else "" (the text stays as it is either way)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 2:
        return ""
    first = lines[0]
    if len(first) > _TITLE_MAX_CHARS or len(first.split()) < 2 or first.endswith((")", "]")):  # a caption's credit
        return ""
    return "" if first.rstrip("\"'”’»").endswith(_SENTENCE_ENDS) else first


def read_articles(path: Path) -> Iterator[ArticleFetched | Rejected]:
    """Events (or rejections) from one input file, in file order."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path)
    elif suffix in TEXT_SUFFIXES:
        try:
            decoded = decode_document(path.read_bytes(), None, is_xml=False)
        except OSError as e:
            yield Rejected(path.stem, f"cannot read file: {e}", str(path))
            return
        if decoded.garbled:
            yield Rejected(path.stem, decoded.reason, str(path))
            return
        text = decoded.text
        if not text.strip():
            yield Rejected(path.stem, "empty file", str(path))
            return
        title = title_line(text) if suffix == ".txt" else ""
        yield ArticleFetched(article_id=path.stem, origin="import", source_kind="import", text=text, title=title,
                             url=path.resolve().as_uri(), source="import")
    else:
        yield Rejected(path.stem, f"unsupported file type {suffix or '(none)'}: use .txt, .html or .jsonl",
                       str(path))


def _read_jsonl(path: Path) -> Iterator[ArticleFetched | Rejected]:
    with path.open("rb") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                yield Rejected(None, f"line {n}: not JSON ({e})", where, line)
                continue
            yield _article_from_json(obj, n, where, line)


def _article_from_json(obj: object, n: int, where: str, line: bytes) -> ArticleFetched | Rejected:
    if not isinstance(obj, dict):
        return Rejected(None, f"line {n}: expected a JSON object", where, line)
    art_id, text = obj.get("id"), obj.get("text")
    if isinstance(art_id, int):
        art_id = str(art_id)
    if not isinstance(art_id, str) or not art_id:
        return Rejected(None, f"line {n}: missing or empty `id`", where, line)
    if not isinstance(text, str) or not text.strip():
        return Rejected(art_id, f"line {n}: missing or empty `text`", where, line)
    published = None
    if obj.get("published"):
        try:
            published = datetime.fromisoformat(str(obj["published"]).replace("Z", "+00:00"))
        except ValueError:
            return Rejected(art_id, f"line {n}: `published` is not an ISO date: {obj['published']!r}",
                            where, line)
    if published is not None and published.tzinfo is None:  # a date or a naive time: taken as UTC
        published = published.replace(tzinfo=UTC)
    return ArticleFetched(article_id=art_id, origin="import", source_kind="import", text=text,
                          title=str(obj.get("title") or ""), url=str(obj.get("url") or ""),
                          source=str(obj.get("source") or "import"), published=published, lang=str(obj.get("lang") or ""))


def dead_letter(rejected: Rejected) -> DeadLetter:
    return DeadLetter(stage="import", reason=rejected.reason, error="bad_input", key=rejected.key,
                      url=rejected.where, payload=rejected.payload[:65536])
