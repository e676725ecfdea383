"""The band owner's step of dedup, pure over its two tables (Faust tables in the worker, dicts in tests).

For one partition's claims of an article: when expiry is on, first forget
what fell behind its fetch time (`marsad.streams.dedup.expiry`); then record the
bands it holds first, answer with the earlier holders of the others (and
their signatures, to compare), keep its own signature and file it by fetch
time.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from marsad.schemas import internal
from marsad.streams.dedup.expiry import forget_expired, signature_key
from marsad.streams.hour_index import HourIndex


def answer_claims(bands: MutableMapping[bytes, bytes], signatures: MutableMapping[bytes, bytes],
                  batch: internal.ClaimBatch, index: HourIndex | None = None) -> tuple[internal.ReplyBatch, int]:
    """The reply to ``batch``, and how many articles expiry forgot first (0 without ``index``).

    Expiry runs before the claims are answered, so an article is compared only
    with the articles fetched within ``ttl`` before it.
    """
    dropped = 0
    if index is not None:
        index.advance(batch.seen_at)
        dropped = forget_expired(bands, signatures, index)
    me = batch.article_id.encode()
    mine = signature_key(batch.article_id, batch.part)
    replies, holders, held = [], {}, []
    for claim in batch.claims:
        band = claim.band.encode()
        holder = bands.get(band)
        if holder is None:
            bands[band] = me
        if holder is None or holder == me:
            held.append(claim.band)
            replies.append(internal.Reply(claim.band, None, claim.exact))
            continue
        holder_id = holder.decode()
        replies.append(internal.Reply(claim.band, holder_id, claim.exact))
        if holder_id in holders:  # read for an earlier band of the same holder (a near copy holds several)
            continue
        stored = signatures.get(signature_key(holder_id, batch.part)) or signatures.get(holder)
        if stored is not None:
            h = internal.holder_state.decode(stored)
            holders[holder_id] = internal.Holder(h.signature, h.seen_at)  # its bands stay here
    # `in` first: a table's `get` of a missing key raises and catches a KeyError (Faust's), and mine is new
    if mine not in signatures or signatures.get(mine) is None:
        signatures[mine] = internal.holder_state.encode(internal.Holder(batch.signature, batch.seen_at, held))
        if index is not None:
            index.file(batch.article_id, batch.seen_at)
    return internal.ReplyBatch(batch.article_id, batch.part, replies, holders), dropped
