"""Analysis on several processes gives, in order, exactly what one process gives."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from marsad.schemas.codec import encode
from marsad.schemas.events import ArticleFetched, Duplicate
from marsad.streams import parallel
from marsad.streams.pipeline import Resources
from tests.conftest import RESOURCES


@pytest.fixture(scope="module")
def resources() -> Resources:
    return Resources.load()


def _values() -> list[bytes]:
    texts = sorted((RESOURCES / "articles").glob("*.txt"))
    values = [encode(ArticleFetched(article_id=f"a{i}-{p.stem}", url=f"https://example.org/{i}/{p.stem}",
                                    source="عنب بلدي", title=p.stem, text=p.read_text(encoding="utf-8"),
                                    published=datetime(2026, 5, 1, 9, tzinfo=UTC)))
              for i in range(12) for p in texts]
    values.insert(7, b"{not json")  # a value no worker can decode: skipped with its reason, in its place
    return values


def test_workers_give_the_same_bytes_in_the_same_order(resources, monkeypatch):
    values = _values()
    verdicts = {"a3-football_match": Duplicate("near", "a0-football_match", 0.9)}
    monkeypatch.setattr(parallel, "CHUNK", 5)  # many chunks in flight, finishing out of order
    alone = list(parallel.reprocess_values(values, resources, verdicts, workers=1))
    pooled = list(parallel.reprocess_values(iter(values), resources, verdicts, workers=2))
    assert [_stable(o) for o in pooled] == [_stable(o) for o in alone]
    assert len(alone) == len(values)
    assert alone[7][0] is None and "JSON" in alone[7][2]
    kept = next(value for article_id, value, _ in alone if article_id == "a3-football_match")
    assert b'"first_id":"a0-football_match"' in kept


def _stable(outcome: parallel.Outcome) -> tuple:
    """An outcome without the time it was made (``occurred_at`` is the processing time)."""
    article_id, value, reason = outcome
    return article_id, re.sub(rb'"occurred_at":"[^"]*"', b"", value), reason


def test_workers_load_the_same_files_as_the_parent(tmp_path):
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text("extends: default\n", encoding="utf-8")
    res = Resources.load(taxonomy)
    assert res.sources == (str(taxonomy), None)
    assert Resources.load(*res.sources).version == res.version
