"""Analysis on several processes gives, in order, exactly what one process gives."""

from __future__ import annotations

import asyncio
import os
import re
from datetime import UTC, datetime

import pytest

from marsad.schemas.codec import decode_as, encode
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


# --- the stream worker's pool -------------------------------------------------------------------------------------
def _crash_on_marked(values: list[bytes], partitions: int) -> bytes:
    """A job whose process dies on a marked value, as on a segfault (module-level: the processes import it)."""
    if any(b"kills-its-process" in value for value in values):
        os._exit(70)
    return parallel.drafted_values(values, partitions)


def _drafts(values: list[bytes], res: Resources, workers: int, **kwargs) -> tuple[list[parallel.Drafted], int]:
    async def run() -> tuple[list[parallel.Drafted], int]:
        async with parallel.AnalysisPool(workers, res, 4, **kwargs) as pool:
            return await pool.drafts(values), pool.replaced
    return asyncio.run(run())


def _comparable(d: parallel.Drafted) -> tuple:
    draft = d.draft
    return (d.failure, d.reason, d.fetched_at, draft and (draft.article_id, _stable((None, bytes(draft.article), ""))[1],
                                                      draft.signature, draft.seen_at, draft.claims))


def test_the_worker_pool_gives_the_drafts_the_event_loop_gives_in_order(resources):
    values = _values()[:30]
    inline, _ = _drafts(values, resources, 0)
    pooled, replaced = _drafts(values, resources, 2)
    assert [_comparable(d) for d in pooled] == [_comparable(d) for d in inline]
    assert (inline[7].draft, inline[7].failure) == (None, "schema") and "JSON" in inline[7].reason
    assert sum(d.draft is not None for d in pooled) == 29 and replaced == 0


def test_a_value_that_kills_its_process_is_dead_lettered_and_the_pool_goes_on(resources):
    values = _values()[:6]
    values[3] = encode(ArticleFetched(article_id="kills-its-process", text="kills-its-process"))
    drafts, replaced = _drafts(values, resources, 1, job=_crash_on_marked)
    assert [d.failure for d in drafts] == ["", "", "", "processing", "", ""]
    assert drafts[3].reason.startswith("processing failed: the analysis process died")
    assert [d.draft.article_id for d in drafts if d.draft] == [_id(v) for i, v in enumerate(values) if i != 3]
    assert replaced == 2  # once for the batch, once for the value alone


def _id(value: bytes) -> str:
    return decode_as(value, ArticleFetched).article_id
