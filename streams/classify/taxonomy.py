"""The taxonomy a classifier runs with: topics, organisations, and their compiled matcher.

`Taxonomy.load()` reads the bundled default (``taxonomy.yaml`` beside this
module, whose header documents the format); `Taxonomy.load(path)` reads a
user's file, which either stands alone or starts with ``extends: default``
(or a path to another taxonomy file) to add terms, forms, topics and
organisations to that one. Loading validates the whole file and compiles one
automaton, so it belongs at start-up: a `Taxonomy` is immutable and is shared
by every article afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from marsad.streams.classify.matcher import ORGS, Entry, Matcher
from marsad.streams.classify.parse import (
    OrgSpec,
    Scoring,
    TaxonomyError,
    TaxonomySpec,
    TaxonomyTopicSpec,
    parse,
    read_yaml,
)

DEFAULT_PATH = Path(__file__).with_name("taxonomy.yaml")
_MAX_EXTENDS = 8


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """A validated taxonomy with its automaton; ``version`` is a hash of the file content."""

    spec: TaxonomySpec
    version: str
    matcher: Matcher
    source: str

    @property
    def topics(self) -> dict[str, TaxonomyTopicSpec]:
        return self.spec.topics

    @property
    def orgs(self) -> dict[str, OrgSpec]:
        return self.spec.orgs

    @property
    def scoring(self) -> Scoring:
        return self.spec.scoring

    @classmethod
    def load(cls, path: str | Path | None = None) -> Taxonomy:
        """Read, validate and compile a taxonomy file (None: the bundled default).

        Raises `TaxonomyError` naming the entry and field at fault, or when
        the file cannot be read.
        """
        spec, digest, source = _load_spec(Path(path) if path is not None else DEFAULT_PATH, depth=0)
        return cls(spec=spec, version=digest.hex()[:16], matcher=Matcher(_entries(spec), spec.suffixes),
                   source=source)


def _load_spec(path: Path, depth: int) -> tuple[TaxonomySpec, bytes, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise TaxonomyError(f"{path}: cannot read the taxonomy: {e}") from None
    spec, digest = _parse_text(text, path.name, path.parent, depth)
    return spec, digest, str(path)


def _parse_text(text: str, source: str, folder: Path, depth: int) -> tuple[TaxonomySpec, bytes]:
    """Parse one document (and the file it extends); the digest covers both contents."""
    doc = read_yaml(text, source)
    base: TaxonomySpec | None = None
    digest = hashlib.sha256()
    extends = doc.get("extends")
    if extends is not None:
        if not isinstance(extends, str) or not extends.strip():
            raise TaxonomyError(f"{source}: extends: must be 'default' or the path of a taxonomy file")
        if depth >= _MAX_EXTENDS:
            raise TaxonomyError(f"{source}: extends: more than {_MAX_EXTENDS} files deep (a cycle?)")
        base_path = DEFAULT_PATH if extends.strip() == "default" else folder / extends.strip()
        base, base_digest, _ = _load_spec(base_path, depth + 1)
        digest.update(base_digest)
    digest.update(text.encode("utf-8"))
    return parse(doc, source, base), digest.digest()


def _entries(spec: TaxonomySpec) -> Iterator[Entry]:
    """Every key meaning of a taxonomy: topic terms, organisation forms, and the
    topic evidence that an organisation's mentions give (forms that need another
    organisation found are left out of that: a topic does not know the orgs)."""
    for topic in spec.topics.values():
        for term, weight in topic.terms:
            yield Entry(group=topic.id, id=topic.id, term=term, weight=weight)
    for org in spec.orgs.values():
        for form in org.forms:
            yield Entry(group=ORGS, id=org.id, term=form, weight=0.0)
            if not form.with_orgs:
                for topic_id, weight in org.topics:
                    yield Entry(group=topic_id, id=topic_id, term=form, weight=weight)
