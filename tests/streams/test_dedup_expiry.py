"""The band owner's step with expiry, pure: a copy within dedup_days is found, a later one is an original."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from marsad.schemas import internal
from marsad.schemas.events import Duplicate
from marsad.streams.dedup.bands import answer_claims
from marsad.streams.dedup.minhash import fingerprint_text, partition_of
from marsad.streams.dedup.verdict import Candidate, decide
from marsad.streams.hour_index import DAY, HourIndex
from tests.streams.test_dedup import EDITED, OTHER, STORY

T0 = datetime(2026, 3, 1, tzinfo=UTC).timestamp()


class BandOwner:
    """The bands agent of one worker owning two partitions, over shared dicts (like a memory:// store),
    with expiry after ``days``."""

    def __init__(self, days: float | None = 30) -> None:
        self.bands: dict[bytes, bytes] = {}
        self.signatures: dict[bytes, bytes] = {}
        self.index_raw: dict[bytes, bytes] = {}
        self.days = days
        self.forgotten = 0

    def see(self, article_id: str, text: str, at: float) -> Duplicate:
        fp = fingerprint_text(text)
        by_part = defaultdict(list)
        for claim in [internal.Claim(f"x:{fp.exact}", exact=True), *(internal.Claim(b) for b in fp.bands())]:
            by_part[partition_of(claim.band, 2)].append(claim)
        candidates = []
        for part, claims in sorted(by_part.items()):
            batch = internal.ClaimBatch(article_id, part, claims, list(fp.signature), at)
            index = HourIndex(self.index_raw, part, self.days * DAY) if self.days else None
            reply, dropped = answer_claims(self.bands, self.signatures, batch, index)
            self.forgotten += dropped
            candidates += [Candidate(r.holder, tuple(reply.holders[r.holder].signature), r.exact,
                                     reply.holders[r.holder].seen_at) for r in reply.replies if r.holder]
        return decide(article_id, tuple(fp.signature), candidates)


def test_a_copy_within_the_days_is_found_and_a_later_one_is_an_original():
    owner = BandOwner(days=30)
    assert owner.see("first", STORY, T0).status == "original"
    copy = owner.see("copy", EDITED, T0 + 29 * DAY)
    assert (copy.status, copy.first_id) == ("near", "first")
    owner.see("other", OTHER, T0 + 31 * DAY)  # moves the partitions' clocks: "first" is forgotten in each
    assert owner.forgotten == 2 and not any(k.startswith(b"first@") for k in owner.signatures)
    assert b"first" not in owner.bands.values()
    late = owner.see("late", STORY, T0 + 32 * DAY)
    assert late.first_id != "first"  # "copy" holds only the bands "first" did not: it cannot stand in for it


def test_without_expiry_every_article_is_kept():
    owner = BandOwner(days=None)
    owner.see("first", STORY, T0)
    owner.see("other", OTHER, T0 + 400 * DAY)
    late = owner.see("late", STORY, T0 + 401 * DAY)
    assert (late.status, late.first_id) == ("exact", "first") and owner.forgotten == 0


def test_a_redelivered_claim_gives_the_same_answer_and_is_filed_once():
    owner = BandOwner()
    owner.see("first", STORY, T0)
    before = dict(owner.bands), dict(owner.signatures), dict(owner.index_raw)
    assert owner.see("first", STORY, T0).status == "original"
    assert (dict(owner.bands), dict(owner.signatures), dict(owner.index_raw)) == before


def test_the_tables_stay_bounded_over_a_long_log():
    """A year of 20 articles a day keeps about 30 days of them: signatures, bands and index alike."""
    owner = BandOwner(days=30)
    per_day = 20
    for i in range(365 * per_day):
        owner.see(f"a{i}", f"{OTHER} {i} {i * 7} {i * 13}", T0 + i * DAY / per_day)
    kept = {k.split(b"@")[0] for k in owner.signatures}
    assert 30 * per_day <= len(kept) <= 31 * per_day
    assert len(owner.index_raw) <= 2 * (31 * 24 + 1)
    held_by = {k.split(b"@")[0] for k in owner.signatures}
    assert set(owner.bands.values()) <= held_by  # no band points at a forgotten article
