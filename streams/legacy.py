"""The previous release's dedup records, finished after an upgrade (then idle).

Before dedup travelled in batches (`streams.agents`), every article went as a
draft to ``streams.dedup-votes`` and as one claim batch per band partition
to ``streams.dedup-bands``; each partition replied on the votes topic, and
the draft and its replies waited in the ``dedup-votes`` table. A worker
upgraded while some of those were in flight must still finish them: these two
agents answer the old claims against the same band state and decide the
old drafts, as that release did. Nothing sends to these topics any more; a
release after every installation has drained them can drop this module
(with the topics and the ``dedup-votes`` table).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import msgspec
from faust.types import EventT

from runtime import metrics
from schemas import internal
from streams.agents import (
    DEDUP_TTL_S,
    bands_of,
    dead_letter,
    expiry_table,
    publish,
    signature_table,
)
from streams.app import app, settings, topics
from streams.dedup.bands import answer_claims as bands_step
from streams.dedup.route import decided
from streams.expiry import HourIndex

log = logging.getLogger(__name__)

bands_topic = app.topic(topics.name("streams.dedup-bands"), key_type=bytes, value_type=bytes)
votes_topic = app.topic(topics.name("streams.dedup-votes"), key_type=bytes, value_type=bytes)
# article id -> pending votes (draft + reply batches) until all replies are in
vote_table = app.Table("dedup-votes", default=None, key_type=bytes, value_type=bytes,
                       partitions=settings.partitions)


@app.agent(bands_topic)
async def bands(stream):
    async for event in stream.events():
        try:
            batch = internal.decode_claim(event.value)
        except msgspec.DecodeError as e:
            await dead_letter(event, f"bad dedup claim: {e}", "schema")
            continue
        try:
            await answer_claims(batch, event)
        except Exception as e:  # never crash the agent: that would skip the message
            log.exception("band claims of %s failed", batch.article_id)
            await dead_letter(event, f"dedup claims failed: {type(e).__name__}: {e}", "processing")


async def answer_claims(batch: internal.ClaimBatch, event: EventT) -> None:
    """Answer one partition's claims (`streams.dedup.bands`), forgetting what is past ``dedup_days``."""
    partition = event.message.partition
    index = HourIndex(expiry_table, partition, DEDUP_TTL_S) if DEDUP_TTL_S else None
    reply, dropped = bands_step(bands_of(event), signature_table, batch, index)
    if dropped and index is not None:
        metrics.DEDUP_EXPIRED.inc(dropped)
        log.info("dedup partition %d forgot %d article(s) fetched before %s", partition, dropped,
                 datetime.fromtimestamp(index.horizon(), UTC).isoformat(timespec="minutes"))
    await votes_topic.send(key=batch.article_id.encode(), value=internal.encode(reply))


@app.agent(votes_topic)
async def verdict(stream):
    async for event in stream.events():
        try:
            vote = internal.decode_vote(event.value)
        except msgspec.DecodeError as e:
            await dead_letter(event, f"bad dedup vote: {e}", "schema")
            continue
        try:
            await count_vote(event.key, vote)
        except Exception as e:  # never crash the agent: that would skip the message
            log.exception("dedup vote for %r failed", event.key)
            await dead_letter(event, f"dedup verdict failed: {type(e).__name__}: {e}", "processing")


async def count_vote(key: bytes, vote: internal.ReplyBatch | internal.Draft) -> None:
    """Keep the vote; once the draft and every reply are in, publish the verdict."""
    stored = vote_table.get(key)
    pending = internal.pending_state.decode(stored) if stored else []
    pending.append(vote)
    drafts = [v for v in pending if isinstance(v, internal.Draft)]
    replies = [v for v in pending if isinstance(v, internal.ReplyBatch)]
    if not drafts or len({r.part for r in replies}) < drafts[-1].expected_replies:
        vote_table[key] = internal.pending_state.encode(pending)
        return
    draft = drafts[-1]
    await publish(decided(internal.embedded(draft.article), draft.signature, replies, settings.dedup_threshold))
    vote_table.pop(key, None)
