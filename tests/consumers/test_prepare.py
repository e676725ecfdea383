"""A replay's prepared batches: the rows the events give, and a tallied hash equal to the one read back."""

from __future__ import annotations

import functools
import zlib

import msgspec
import pytest

from marsad.consumers.prepare import Rejected, Writers, prepare_value
from marsad.consumers.rows import PreparedArticle, article_rows
from marsad.consumers.store import Record, StoreError, open_store
from marsad.consumers.store.sqlite import SqliteStore
from marsad.schemas.codec import encode
from marsad.schemas.events import ArticleFetched
from marsad.schemas.facts import Place, Quantity
from tests.consumers.factory import article, corpus


def awkward() -> list:
    """Values a database does not give back as written: -0.0 (SQLite reads 0.0), whole floats, NULs."""
    edge = Place("نقطة\x00صفر", -0.0, 36.0, "SY", "village", None, 2)
    e = article(900, pills=0.0)
    return [msgspec.structs.replace(e, places=[edge], title="عنوان\x00", clean_text="نص\x00 فيه صفر",
                                    quantities=[Quantity(-0.0, "pill", "captagon", "-0 حبة")])]


def test_a_prepared_article_has_the_rows_of_its_event():
    e = corpus(7)[6]
    prepared = prepare_value(encode(e), "sqlite")
    assert isinstance(prepared, PreparedArticle) and prepared.article_id == e.article_id
    assert prepared.rows() == article_rows(e)
    assert prepared.occurred_at == e.occurred_at
    assert isinstance(prepare_value(b"\xff not json", "sqlite"), Rejected)
    fetched = ArticleFetched(article_id="f1", url="https://example.org/f1", source="s", title="", text="t", lang="ar")
    assert prepare_value(encode(fetched), "sqlite").problem == "unknown_type"


@pytest.mark.parametrize("workers", [0, 2])
def test_prepared_batches_hash_as_the_views_read_back(views_url, tmp_path, workers):
    events = [*corpus(60), *(article(i, version="t2", revision=2) for i in range(0, 60, 4)), *awkward()]
    values = [encode(e) for e in events]
    parts = [zlib.crc32(e.article_id.encode()) % 2 for e in events]  # an article's revisions share a partition
    with open_store(views_url) as live:
        live.setup()
        fresh = live.fresh()
        try:
            if workers:  # each worker process writes the shares of its partition, tallies added up at the end
                with Writers(workers, fresh.writer(), take_turns=fresh.backend == "sqlite") as writers:
                    for start in range(0, len(values), 25):  # revisions land in later shares than their first copy
                        for worker in range(workers):
                            share = [("x", parts[i], i, None, values[i]) for i in range(start, min(start + 25, len(values)))
                                     if parts[i] % workers == worker]
                            writers.submit(worker, share).result()
                    for sums in writers.finish():
                        fresh.add_tallies(sums)
            else:
                for start in range(0, len(values), 25):
                    fresh.write_batch([Record("x", parts[i], i, prepare_value(values[i], fresh.backend))
                                       for i in range(start, min(start + 25, len(values)))])
            tallied = fresh.content_hash()
            fresh.promote()
        except BaseException:
            fresh.discard()
            raise
    with open_store(views_url) as views:
        assert views.content_hash() == tallied  # read back from the tables
    with open_store(views_url.replace("views.sqlite", "direct.sqlite") if views_url.startswith("sqlite")
                    else f"sqlite:///{tmp_path / 'direct.sqlite'}") as direct:
        direct.setup()
        direct.write_batch([Record("x", 0, i, e) for i, e in enumerate(events)])
        if views_url.startswith("sqlite"):
            assert direct.content_hash() == tallied


def test_a_worker_that_cannot_open_the_store_says_why(tmp_path):
    (tmp_path / "file").write_text("")  # a file where the folder of the database should be
    opener = functools.partial(SqliteStore, tmp_path / "file" / "views.sqlite", live=tmp_path / "views.sqlite")
    # raised to the parent, where the CLI makes it one line (no traceback from the worker process)
    with Writers(1, opener, take_turns=True) as writers, pytest.raises(StoreError, match="cannot open the views"):
        writers.submit(0, [("x", 0, 0, None, b"{}")]).result()
