"""A batch of articles through the band partitions in turn (pure, over dicts): the same verdicts as one
article at a time, copies found within a batch and across batches, a record visited again decides the same;
as a Trip (the drafts wait at home) and as a Route of the release before (the drafts travel along)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from marsad.schemas import internal
from marsad.schemas.codec import decode
from marsad.schemas.events import ArticleProcessed
from marsad.streams.dedup import route
from marsad.streams.dedup.band_index import BandMaps, BandView, derive
from marsad.streams.dedup.minhash import fingerprint_text
from marsad.streams.dedup.verdict import Candidate, decide
from marsad.streams.hour_index import DAY, HourIndex
from tests.streams.test_dedup import EDITED, OTHER, STORY
from tests.streams.test_dedup_expiry import BandOwner

T0 = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
PARTS = 4


class Partitions:
    """The dedup state of every partition (one worker, like a memory:// store), visited as the dedup agent does:
    the band maps derived from the signature records (rebuilt when ``generation`` changes), the earlier
    releases' band table in ``bands``."""

    def __init__(self, days: float | None = 30) -> None:
        self.bands: dict[bytes, bytes] = {}
        self.signatures: dict[bytes, bytes] = {}
        self.index_raw: dict[bytes, bytes] = {}
        self.maps = BandMaps()
        self.generation = 1
        self.days = days

    def run(self, sent: internal.Route | tuple[internal.Trip, internal.Drafts]) -> dict[str, ArticleProcessed]:
        record, held = sent if isinstance(sent, tuple) else (sent, None)
        while record.parts:
            part = record.parts[0]
            index = HourIndex(self.index_raw, part, self.days * DAY) if self.days else None
            bands = BandView(self.maps.of(part, self.generation, self.signatures), self.bands)
            done = route.visit(bands, self.signatures, record, part, index)
            assert not done.failed
            # through the wire, as the agent sends it on
            record = internal.decode_route(internal.encode(route.onward(record, part, done.answered)))
        if isinstance(record, internal.Trip):  # back home, where the drafts wait (through the table's codec)
            assert held is not None
            decided = route.verdicts(record, internal.drafts_state.decode(internal.drafts_state.encode(held)), 0.7)
            out = {d.article_id: decode(d.value) for d in decided}
            assert all(a.duplicate == d.duplicate for a, d in zip(out.values(), decided, strict=True))
            return out
        return {a.article_id: route.verdict(a, 0.7) for a in record.articles}


def drafts(*docs: tuple[str, str, float]) -> list[internal.Routed]:
    return [route.routed(ArticleProcessed(article_id=aid, clean_text=text), fingerprint_text(text), at, PARTS)
            for aid, text, at in docs]


def batch(*docs: tuple[str, str, float], home: int = 1) -> tuple[internal.Trip, internal.Drafts]:
    return route.trip(f"{docs[0][0]}+{len(docs)}", home, drafts(*docs), T0)


def old_batch(*docs: tuple[str, str, float]) -> internal.Route:
    """A Route, as the release before sent a batch."""
    return route.plan(f"{docs[0][0]}+{len(docs)}", drafts(*docs))


def verdicts(out: dict[str, ArticleProcessed]) -> dict[str, tuple]:
    return {k: (a.duplicate.status, a.duplicate.first_id) for k, a in out.items()}


DOCS = [("first", STORY, T0), ("other", OTHER, T0 + 60), ("copy", EDITED, T0 + 120),
        ("again", STORY.replace(" ", "  "), T0 + 180)]


@pytest.mark.parametrize("kind", [batch, old_batch], ids=["trip", "route"])
@pytest.mark.parametrize("sizes", [(4,), (1, 1, 1, 1), (2, 2), (1, 3)], ids=["one-batch", "one-each", "pairs",
                                                                              "one-then-three"])
def test_batches_decide_what_one_article_at_a_time_decides(sizes, kind):
    one_at_a_time = BandOwner(days=30)
    expected = {aid: one_at_a_time.see(aid, text, at) for aid, text, at in DOCS}
    state, got, start = Partitions(), {}, 0
    for n in sizes:
        got |= state.run(kind(*DOCS[start:start + n]))
        start += n
    assert {k: a.duplicate for k, a in got.items()} == expected
    assert verdicts(got) == {"first": ("original", None), "other": ("original", None), "copy": ("near", "first"),
                             "again": ("exact", "first")}


def test_a_record_visits_each_partition_claimed_once_in_order():
    record = old_batch(*DOCS)
    assert record.parts == sorted(record.parts) and set(record.parts) <= set(range(PARTS))
    assert set(record.parts) == {p for a in record.articles for p in a.claims}


@pytest.mark.parametrize("home", range(PARTS))
def test_a_trip_visits_each_partition_claimed_once_then_home_and_carries_no_article(home):
    record, held = batch(*DOCS, home=home)
    claimed = {p for a in record.articles for p in a.claims}
    assert record.parts[-1] == home and sorted(record.parts[:-1]) == record.parts[:-1]
    assert set(record.parts) == claimed | {home} and len(record.parts) == len(set(record.parts))
    assert held.ids == [d[0] for d in DOCS] and [internal.embedded(a).article_id for a in held.articles] == held.ids
    assert b"clean_text" not in internal.encode(record)


def test_a_trip_leaves_behind_the_claims_answered_and_the_replies_naming_no_one():
    state = Partitions()
    state.run(batch(*DOCS[:1]))
    record, _ = batch(*DOCS[1:])
    part = record.parts[0]
    done = route.visit(BandView(state.maps.of(part, 1, state.signatures), state.bands), state.signatures, record,
                       part)
    for article in done.answered:
        assert part not in article.claims
        assert all(r.holder for b in article.replies for r in b.replies)


def test_a_holder_travels_with_its_similarity_and_its_signature_only_if_similar_enough():
    story, edited, other = (list(fingerprint_text(t).signature) for t in (STORY, EDITED, OTHER))
    out = route.compared(story, {"copy": internal.Holder(edited, T0, ["b1"]), "far": internal.Holder(other, T0)},
                         0.7)
    assert out["copy"] == internal.Holder(edited, T0, similarity=route.similarity(story, edited))
    assert out["far"] == internal.Holder([], T0, similarity=route.similarity(story, other))
    assert out["copy"].similarity >= 0.7 > out["far"].similarity


def test_a_trip_carries_each_holders_similarity_not_its_signature_and_decides_as_with_the_signatures():
    state = Partitions()
    state.run(batch(*DOCS[:1]))
    record, held = batch(*DOCS[1:])
    while record.parts:
        part = record.parts[0]
        done = route.visit(BandView(state.maps.of(part, 1, state.signatures), state.bands), state.signatures,
                           record, part)
        record = internal.decode_route(internal.encode(route.onward(record, part, done.answered)))
    holders = [h for a in record.articles for b in a.replies for h in b.holders.values()]
    assert holders and all(h.similarity is not None for h in holders)
    assert all((h.signature != []) == (h.similarity >= 0.7) for h in holders)  # a copy's signature stays
    # a trip of the release before carried the holders' signatures: it decides the same
    signatures = {aid: list(fingerprint_text(text).signature) for aid, text, _ in DOCS}
    before = msgspec.structs.replace(record, articles=[msgspec.structs.replace(a, replies=[
        msgspec.structs.replace(b, holders={k: internal.Holder(signatures[k], h.seen_at) for k, h in b.holders.items()})
        for b in a.replies]) for a in record.articles])
    now, then = route.verdicts(record, held, 0.7), route.verdicts(before, held, 0.7)
    assert now == then
    # a worker of the release before, deciding this trip at home, reads no similarity: the same verdicts
    old = [decide(a.article_id, tuple(a.signature), [Candidate(c.article_id, c.signature, c.exact, c.seen_at)
                                                       for c in route.candidates(a.replies)], 0.7)
           for a in record.articles]
    assert old == [d.duplicate for d in now]
    assert [(d.article_id, d.duplicate.status, d.duplicate.first_id) for d in now] == [
        ("other", "original", None), ("copy", "near", "first"), ("again", "exact", "first")]


@pytest.mark.parametrize("kind", [batch, old_batch], ids=["trip", "route"])
def test_a_batch_visited_again_decides_the_same_and_changes_no_state(kind):
    state = Partitions()
    first = state.run(kind(*DOCS))
    before = dict(state.bands), dict(state.signatures), dict(state.index_raw)
    assert verdicts(state.run(kind(*DOCS))) == verdicts(first)
    assert (dict(state.bands), dict(state.signatures), dict(state.index_raw)) == before


def test_no_band_record_is_written_and_a_rebuilt_map_finds_the_same_copies():
    """The bands held live in the signature records: after a rebalance (a new generation) the maps are
    derived again from them alone, and a copy is still found."""
    state = Partitions()
    state.run(batch(*DOCS[:2]))
    assert state.bands == {}
    held = {p: dict(m) for p, (_, m) in state.maps._maps.items()}
    state.generation += 1
    rebuilt = {p: derive(state.signatures.items(), p) for p in held}
    assert rebuilt == held and sum(map(len, held.values())) >= 16
    assert verdicts(state.run(batch(*DOCS[2:]))) == {"copy": ("near", "first"), "again": ("exact", "first")}


def test_band_records_of_an_earlier_release_are_read_and_released_on_expiry():
    """State written before the bands were derived: one record per band in the band table. Still found,
    and released with its article."""
    old = BandOwner(days=1)  # answers claims straight on dicts, writing the band table as earlier releases did
    old.see("first", STORY, T0)
    state = Partitions(days=1)
    state.bands, state.signatures, state.index_raw = old.bands, old.signatures, old.index_raw
    assert state.bands
    assert verdicts(state.run(batch(("copy", EDITED, T0 + 60)))) == {"copy": ("near", "first")}
    state.run(batch(("other", OTHER, T0 + 3 * DAY)))
    assert b"first" not in state.bands.values()


def test_expiry_applies_to_batches():
    state = Partitions(days=1)
    state.run(batch(("first", STORY, T0)))
    late = state.run(batch(("other", OTHER, T0 + 3 * DAY), ("copy-late", EDITED, T0 + 3 * DAY + 60)))
    assert verdicts(late)["copy-late"] == ("original", None)
    assert not any(k.startswith(b"first@") for k in state.signatures)


class Refusing(dict):
    """A signature table that fails to keep one article's records (a bug or a full store, say)."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = f"{refused}@".encode()

    def __setitem__(self, key: bytes, value: bytes) -> None:
        if key.startswith(self.refused):
            raise OSError("store refused the write")
        super().__setitem__(key, value)


def test_an_article_whose_claims_fail_is_set_aside_and_the_others_go_on():
    record, held = batch(*DOCS[:3])
    part = record.parts[0]
    signatures = Refusing("other")
    done = route.visit(BandView(BandMaps().of(part, 1, signatures), {}), signatures, record, part)
    assert [(a.article_id, type(e).__name__) for a, e in done.failed] == [("other", "OSError")]
    assert [a.article_id for a in done.answered] == ["first", "copy"]
    onward = route.onward(record, part, done.answered)
    assert onward.parts == record.parts[1:] and [a.article_id for a in onward.articles] == ["first", "copy"]
    # back home, the set-aside article's draft is passed over
    assert [a.article_id for a in route.verdicts(onward, held, 0.7)] == ["first", "copy"]


def test_only_the_drafts_of_the_partition_kept_before_the_horizon_are_stale():
    def kept(home: int, batch: str, at: float) -> tuple[bytes, bytes]:
        return internal.drafts_key(home, batch), internal.drafts_state.encode(internal.Drafts(at, [], []))

    stored = [kept(1, "old", T0), kept(1, "new", T0 + DAY), kept(11, "old", T0), kept(2, "old", T0)]
    assert route.stale_drafts(stored, 1, T0 + 60) == [b"1/old"]


def _draft(size: int) -> internal.Routed:
    return internal.Routed(f"a{size}", msgspec.Raw(b"x" * size), [], 0.0, {})


@pytest.mark.parametrize(("sizes", "limit", "runs"), [
    ([], 10_000, []),
    ([100, 100, 100], 15_000, [3]),  # each counts its size and 4 KiB
    ([100, 100, 100], 9_000, [2, 1]),
    ([20_000, 100], 10_000, [1, 1]),  # one larger than the limit travels alone
    ([100, 20_000, 100], 10_000, [1, 1, 1]),
], ids=["none", "all-in-one", "split", "large-first", "large-between"])
def test_chunks_keep_the_order_and_stay_under_the_limit(sizes, limit, runs):
    drafts = [_draft(n) for n in sizes]
    out = route.chunks(drafts, limit)
    assert [len(c) for c in out] == runs
    assert [d for c in out for d in c] == drafts


def _vote_parts(text: str, expected: int) -> tuple[internal.Draft, dict[int, internal.ReplyBatch]]:
    fp = fingerprint_text(text)
    draft = internal.Draft(internal.embed(ArticleProcessed(article_id="late", clean_text=text)), list(fp.signature), expected)
    holder = internal.Holder(list(fp.signature), T0)
    replies = {p: internal.ReplyBatch("late", p, [internal.Reply(f"x:{fp.exact}", "first", exact=True)],
                                      {"first": holder}) for p in range(expected)}
    return draft, replies


@pytest.mark.parametrize(("order", "decided_at"), [
    (["draft", 0, 1], 2),
    ([0, 1, "draft"], 2),
    ([0, "draft", 1], 2),
    (["draft", 0, 0, 1], 3),  # a reply delivered twice counts once
    (["draft", 1, 1], None),
], ids=["draft-first", "draft-last", "draft-between", "reply-twice", "one-part-missing"])
def test_count_vote_decides_once_the_draft_and_a_reply_from_each_partition_are_in(order, decided_at):
    draft, replies = _vote_parts(STORY, 2)
    pending, seen = [], []
    for step in order:
        pending, verdict = route.count_vote(pending, draft if step == "draft" else replies[step], 0.7)
        seen.append(verdict)
    assert [i for i, v in enumerate(seen) if v is not None] == ([] if decided_at is None else [decided_at])
    if decided_at is not None:
        assert (seen[decided_at].duplicate.status, seen[decided_at].duplicate.first_id) == ("exact", "first")
    # the pending votes survive the table's codec, as the agent keeps them between two messages
    assert internal.pending_state.decode(internal.pending_state.encode(pending)) == pending


def test_count_vote_on_a_draft_that_claims_nowhere_decides_at_once():
    draft, _ = _vote_parts(OTHER, 0)
    _, verdict = route.count_vote([], draft, 0.7)
    assert verdict is not None and verdict.duplicate.status == "original"
