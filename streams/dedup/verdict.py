"""Decide whether an article is a copy of an earlier one, from its LSH candidates."""

from __future__ import annotations

from dataclasses import dataclass

from marsad.schemas.events import Duplicate
from marsad.streams.dedup.minhash import similarity

NEAR_THRESHOLD = 0.7


@dataclass(frozen=True)
class Candidate:
    """An earlier article that shares a band (or the exact key) with this one."""

    article_id: str
    signature: tuple[int, ...]
    exact: bool = False  # shares the exact key
    seen_at: float = 0.0  # when it was fetched: the earliest similar article is the first copy
    similarity: float | None = None  # to this article, when computed already (where both signatures were)


def decide(article_id: str, signature: tuple[int, ...], candidates: list[Candidate],
           threshold: float = NEAR_THRESHOLD) -> Duplicate:
    """The verdict: exact copy, near copy (similarity >= threshold) or original.

    The copy points at the *first* copy of the story: the earliest candidate
    (by ``seen_at``, then id) that is exact or similar enough, not merely the
    most similar one, so every re-publication of a story names the same first
    article. A candidate that is the article itself (a replay or redelivery)
    is ignored, so processing an article twice gives the same verdict.
    """
    others = [c for c in candidates if c.article_id != article_id]
    exact = sorted((c.seen_at, c.article_id) for c in others if c.exact)
    if exact:
        return Duplicate("exact", exact[0][1], 1.0)
    similar = sorted((c.seen_at, c.article_id, s) for c in others
                     if (s := similarity(signature, c.signature) if c.similarity is None else c.similarity)
                     >= threshold)
    if not similar:
        return Duplicate("original")
    _, first, s = similar[0]
    return Duplicate("near", first, round(s, 3))
