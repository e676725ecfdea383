"""Dedup of a batch of analysed articles, one band partition after the other; pure over the tables.

The band state is partitioned by band key (`minhash.partition_of`), so an
article's claims are answered by up to every partition. Rather than one
message per article and partition each way, a batch of articles travels as
one `Route` record from one band partition to the next, in order:

1. `plan`: the batch's claims grouped by partition, and the partitions to visit;
2. `visit`: each partition answers the claims it owns (`bands.answer_claims`,
   expiry included), article after article in batch order, and adds its
   replies to the record;
3. `verdict`: after the last partition, each article's exact / near /
   original decision (`verdict.decide`) from all the replies.

Answering a claim twice gives the same answer (an article holding a band is
answered "no earlier holder" again), so a record visited again after a crash
decides the same verdicts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import MutableMapping

import msgspec

from schemas import internal
from schemas.events import ArticleProcessed
from streams.dedup.bands import answer_claims
from streams.dedup.minhash import Fingerprint, partition_of
from streams.dedup.verdict import Candidate, decide
from streams.expiry import HourIndex


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


def plan(batch: str, articles: list[internal.Routed]) -> internal.Route:
    """The record that carries ``articles`` through every partition one of them claims in, in order."""
    return internal.Route(batch, sorted({p for a in articles for p in a.claims}), articles)


def visit_one(bands: MutableMapping[bytes, bytes], signatures: MutableMapping[bytes, bytes],
              article: internal.Routed, part: int, index: HourIndex | None = None) -> tuple[internal.Routed, int]:
    """``article`` with partition ``part``'s reply added (unchanged if it claims nothing there),
    and how many articles expiry forgot first."""
    claims = article.claims.get(part)
    if not claims:
        return article, 0
    ask = internal.ClaimBatch(article.article_id, part, claims, article.signature, article.seen_at)
    reply, dropped = answer_claims(bands, signatures, ask, index)
    return msgspec.structs.replace(article, replies=[*article.replies, reply]), dropped


def verdict(article: internal.Routed, threshold: float) -> ArticleProcessed:
    """The article with its duplicate verdict, from the replies of every partition it claimed in."""
    return decided(internal.embedded(article.article), article.signature, article.replies, threshold)


def decided(article: ArticleProcessed, signature: list[int], replies: list[internal.ReplyBatch],
            threshold: float) -> ArticleProcessed:
    """``article`` with the verdict the replies give (the holders' signatures are in the replies)."""
    candidates = []
    for b in {r.part: r for r in replies}.values():
        for r in b.replies:
            if r.holder:
                h = b.holders.get(r.holder)
                candidates.append(Candidate(r.holder, tuple(h.signature) if h else (), r.exact,
                                            h.seen_at if h else 0.0))
    dup = decide(article.article_id, tuple(signature), candidates, threshold=threshold)
    return msgspec.structs.replace(article, duplicate=dup)
