"""Dedup of a batch of analysed articles, one band partition after the other; pure over the tables.

The band state is partitioned by band key (`minhash.partition_of`), so an
article's claims are answered by up to every partition. Rather than one
message per article and partition each way, a batch's claims travel as one
`Trip` record from one band partition to the next, in order, while the
drafted articles wait at home (the partition the batch was analysed in):

1. `trip`: the batch's claims grouped by partition, the partitions to visit
   (home last), and the drafts to keep at home until the trip is back;
2. `visit`: each partition answers the claims it owns (`bands.answer_claims`,
   expiry included), article after article in batch order, and adds its
   replies to the record;
3. `verdicts`: back home, each article's exact / near / original decision
   (`verdict.decide`) from all the replies, on its draft.

The release before sent the drafts along (`plan`, a `Route`: the same visits,
`verdict` after the last); its records still in flight at an upgrade are
finished by the same `visit`.

Answering a claim twice gives the same answer (an article holding a band is
answered "no earlier holder" again), so a record visited again after a crash
decides the same verdicts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

import msgspec

from marsad.schemas import internal
from marsad.schemas.events import ArticleProcessed, Duplicate
from marsad.streams.dedup.bands import answer_claims
from marsad.streams.dedup.minhash import Fingerprint, partition_of, similarity
from marsad.streams.dedup.verdict import NEAR_THRESHOLD, Candidate, decide
from marsad.streams.hour_index import HourIndex


def claims_of(fp: Fingerprint, partitions: int) -> dict[int, list[internal.Claim]]:
    """The exact key and every band of a fingerprint, grouped by the partition that owns them."""
    by_part: dict[int, list[internal.Claim]] = defaultdict(list)
    for claim in [internal.Claim(f"x:{fp.exact}", exact=True), *(internal.Claim(b) for b in fp.bands())]:
        by_part[partition_of(claim.band, partitions)].append(claim)
    return dict(sorted(by_part.items()))


def routed(article: ArticleProcessed, fp: Fingerprint, seen_at: float, partitions: int) -> internal.Routed:
    """An analysed article ready to travel: its draft, signature, fetch time and claims."""
    return internal.Routed(article.article_id, internal.embed(article), list(fp.signature), seen_at,
                           claims_of(fp, partitions))


Visiting = TypeVar("Visiting", internal.Claimed, internal.Routed)  # an article on a Trip, or on a Route


def trip(batch: str, home: int, drafts: list[internal.Routed], now: float) -> tuple[internal.Trip, internal.Drafts]:
    """The record that carries the claims of ``drafts`` through every partition one of them claims in, then
    ``home``; and the drafts it finds there when it is back (written at ``now``, the wall clock)."""
    claimed = [internal.Claimed(d.article_id, d.signature, d.seen_at, d.claims) for d in drafts]
    parts = sorted({p for d in drafts for p in d.claims} - {home})
    return (internal.Trip(batch, home, [*parts, home], claimed),
            internal.Drafts(now, [d.article_id for d in drafts], [d.article for d in drafts]))


class Decided(NamedTuple):
    """An article back home with its verdict, and its ArticleProcessed as published (encoded)."""

    article_id: str
    duplicate: Duplicate
    value: bytes


def verdicts(record: internal.Trip, drafts: internal.Drafts, threshold: float) -> list[Decided]:
    """Back home: each article of ``record`` with its verdict, on its draft (an article whose claims failed on
    the way has left the record: its draft is passed over)."""
    out = []
    waiting = iter(zip(drafts.ids, drafts.articles, strict=True))
    for article in record.articles:
        for article_id, raw in waiting:
            if article_id == article.article_id:
                dup = decide(article_id, tuple(article.signature), candidates(article.replies), threshold=threshold)
                out.append(Decided(article_id, dup, internal.with_verdict(raw, dup)))
                break
        else:
            raise ValueError(f"batch {record.batch}: no draft of {article.article_id} at home")
    return out


def stale_drafts(stored: list[tuple[bytes, bytes]], home: int, before: float) -> list[bytes]:
    """The keys of partition ``home``'s drafts (of ``stored``, the drafts table's items) kept before ``before``."""
    prefix = internal.drafts_key(home, "")
    return [key for key, value in stored
            if key.startswith(prefix) and value is not None and internal.drafts_state.decode(value).written_at < before]


def plan(batch: str, articles: list[internal.Routed]) -> internal.Route:
    """The record that carries ``articles`` through every partition one of them claims in, in order."""
    return internal.Route(batch, sorted({p for a in articles for p in a.claims}), articles)


def visit_one(bands: MutableMapping[bytes, bytes], signatures: MutableMapping[bytes, bytes],
              article: Visiting, part: int, index: HourIndex | None = None,
              threshold: float = NEAR_THRESHOLD) -> tuple[Visiting, int]:
    """``article`` with partition ``part``'s reply added (unchanged if it claims nothing there),
    and how many articles expiry forgot first (``threshold``: the verdict's, see `compared`)."""
    claims = article.claims.get(part)
    if not claims:
        return article, 0
    ask = internal.ClaimBatch(article.article_id, part, claims, article.signature, article.seen_at)
    reply, dropped = answer_claims(bands, signatures, ask, index)
    if isinstance(article, internal.Routed):  # a Route of the release before: carries every reply on
        return msgspec.structs.replace(article, replies=[*article.replies, reply]), dropped
    # on a Trip only what the rest of the way reads goes on: the claims still to answer, and the replies that
    # name an earlier holder (`decided` reads no other), each holder with its similarity (`compared`)
    found = [r for r in reply.replies if r.holder]
    replies = [*article.replies, msgspec.structs.replace(reply, replies=found, holders=compared(
        article.signature, reply.holders, threshold))] if found else article.replies
    claims = {p: c for p, c in article.claims.items() if p != part}
    return msgspec.structs.replace(article, claims=claims, replies=replies), dropped


def compared(signature: list[int], holders: dict[str, internal.Holder],
             threshold: float = NEAR_THRESHOLD) -> dict[str, internal.Holder]:
    """``holders`` with their similarity to ``signature``: what the verdict reads of them (`decide`).

    A holder below ``threshold`` (most: bands shared by chance) travels
    without its signature, a few bytes where a signature takes about 700 on
    each partition left to visit; one at or above it keeps its signature too,
    so a worker of the release before, deciding at home, finds the same copies
    (it counts a holder without a signature as not similar, which it is not).
    """
    out = {}
    for holder_id, h in holders.items():
        s = similarity(signature, h.signature)
        out[holder_id] = internal.Holder(h.signature if s >= threshold else [], h.seen_at, similarity=s)
    return out


def chunks(drafts: list[internal.Routed], limit: int) -> list[list[internal.Routed]]:
    """The drafts in runs of at most ``limit`` bytes (by their encoded articles, which dominate), in order."""
    out: list[list[internal.Routed]] = []
    size = limit
    for d in drafts:
        cost = len(d.article) + 4096
        if size + cost > limit:
            out.append([])
            size = 0
        out[-1].append(d)
        size += cost
    return out


@dataclass
class Visit:
    """What one partition made of a `Route` record: the articles it answered (in order), how many articles
    expiry forgot first, and the articles whose claims failed with the error (to dead-letter)."""

    answered: list = field(default_factory=list)  # of `Claimed` (a Trip's) or `Routed` (a Route's)
    dropped: int = 0
    failed: list[tuple[internal.Claimed | internal.Routed, Exception]] = field(default_factory=list)


def visit(bands: MutableMapping[bytes, bytes], signatures: MutableMapping[bytes, bytes],
          record: internal.Trip | internal.Route, part: int, index: HourIndex | None = None,
          threshold: float = NEAR_THRESHOLD) -> Visit:
    """Partition ``part``'s answers to the claims of every article of ``record`` (`visit_one`), article after
    article; an article whose claims fail is set aside with its error, the others go on."""
    out = Visit()
    for article in record.articles:
        try:
            answered, dropped = visit_one(bands, signatures, article, part, index, threshold)
        except Exception as e:  # a bug or an input no step foresaw: the caller keeps it with the reason
            out.failed.append((article, e))
            continue
        out.answered.append(answered)
        out.dropped += dropped
    return out


R = TypeVar("R", internal.Trip, internal.Route)


def onward(record: R, part: int, answered: list) -> R:
    """``record`` after partition ``part``: the answered articles, and the partitions still to visit."""
    return msgspec.structs.replace(record, parts=[p for p in record.parts if p != part], articles=answered)


def verdict(article: internal.Routed, threshold: float) -> ArticleProcessed:
    """The article with its duplicate verdict, from the replies of every partition it claimed in."""
    return decided(internal.embedded(article.article), article.signature, article.replies, threshold)


def decided(article: ArticleProcessed, signature: list[int], replies: list[internal.ReplyBatch],
            threshold: float) -> ArticleProcessed:
    """``article`` with the verdict the replies give (the holders' signatures are in the replies)."""
    dup = decide(article.article_id, tuple(signature), candidates(replies), threshold=threshold)
    return msgspec.structs.replace(article, duplicate=dup)


def candidates(replies: list[internal.ReplyBatch]) -> list[Candidate]:
    """The earlier holders the replies name, with their signatures (or similarities) and times (a partition
    visited twice counts once)."""
    out = []
    for b in {r.part: r for r in replies}.values():
        for r in b.replies:
            if r.holder:
                h = b.holders.get(r.holder)
                out.append(Candidate(r.holder, tuple(h.signature) if h else (), r.exact, h.seen_at if h else 0.0,
                                     h.similarity if h else None))
    return out


def count_vote(pending: list[internal.ReplyBatch | internal.Draft], vote: internal.ReplyBatch | internal.Draft,
               threshold: float) -> tuple[list[internal.ReplyBatch | internal.Draft], ArticleProcessed | None]:
    """The previous release's dedup (`marsad.streams.legacy`): one article's ``pending`` votes with ``vote`` added,
    and its verdict once its draft and a reply from every partition it claimed in are in (else None)."""
    pending = [*pending, vote]
    drafts = [v for v in pending if isinstance(v, internal.Draft)]
    replies = [v for v in pending if isinstance(v, internal.ReplyBatch)]
    if not drafts or len({r.part for r in replies}) < drafts[-1].expected_replies:
        return pending, None
    draft = drafts[-1]
    return pending, decided(internal.embedded(draft.article), draft.signature, replies, threshold)
