"""The previous release's dedup records, finished after an upgrade (then idle).

Before dedup travelled in batches (`marsad.streams.agents`), every article went as a
draft to ``streams.dedup-votes`` and as one claim batch per band partition
to ``streams.dedup-bands``; each partition replied on the votes topic, and
the draft and its replies waited in the ``dedup-votes`` table. A worker
upgraded while some of those were in flight must still finish them: these two
agents answer the old claims against the same band state and decide the
old drafts, as that release did (`marsad.streams.dedup.route.count_vote`). Nothing
sends to these topics any more; a release after every installation has
drained them can drop this module (with the topics and the ``dedup-votes`` table).
"""

from __future__ import annotations

import logging

import faust
import msgspec
from faust.types import EventT

from marsad.schemas import internal
from marsad.streams.agents import WorkerAgents
from marsad.streams.dedup.bands import answer_claims
from marsad.streams.dedup.route import count_vote

log = logging.getLogger(__name__)


class Legacy:
    """The previous release's dedup topics and vote table, declared on the worker's app, beside its state."""

    def __init__(self, worker: WorkerAgents) -> None:
        app, topics = worker.app, worker.topics
        self.worker = worker
        self.bands_topic = app.topic(topics.name("streams.dedup-bands"), key_type=bytes, value_type=bytes)
        self.votes_topic = app.topic(topics.name("streams.dedup-votes"), key_type=bytes, value_type=bytes)
        # article id -> pending votes (draft + reply batches) until all replies are in
        self.vote_table = app.Table("dedup-votes", default=None, key_type=bytes, value_type=bytes,
                                    partitions=worker.settings.partitions)

    async def answer_claims(self, batch: internal.ClaimBatch, event: EventT) -> None:
        """Answer one partition's claims (`marsad.streams.dedup.bands`), forgetting what is past ``dedup_days``."""
        w, partition = self.worker, event.message.partition
        index = w.expiry_index(w.expiry_table, partition)
        reply, dropped = answer_claims(w.bands_of(event), w.signature_table, batch, index)
        w.forgot(partition, dropped, index)
        await self.votes_topic.send(key=batch.article_id.encode(), value=internal.encode(reply))

    async def count_vote(self, key: bytes, vote: internal.ReplyBatch | internal.Draft) -> None:
        """Keep the vote; once the draft and every reply are in, publish the verdict."""
        stored = self.vote_table.get(key)
        pending, verdict = count_vote(internal.pending_state.decode(stored) if stored else [], vote,
                                      self.worker.settings.dedup_threshold)
        if verdict is None:
            self.vote_table[key] = internal.pending_state.encode(pending)
            return
        await self.worker.publish(verdict)
        self.vote_table.pop(key, None)

    # --- the agents ---------------------------------------------------------------------------------------
    async def bands(self, stream: faust.StreamT) -> None:
        async for event in stream.events():
            try:
                batch = internal.decode_claim(event.value)
            except msgspec.DecodeError as e:
                await self.worker.dead_letter(event, f"bad dedup claim: {e}", "schema")
                continue
            try:
                await self.answer_claims(batch, event)
            except Exception as e:  # never crash the agent: that would skip the message
                log.exception("band claims of %s failed", batch.article_id)
                await self.worker.dead_letter(event, f"dedup claims failed: {type(e).__name__}: {e}", "processing")

    async def verdict(self, stream: faust.StreamT) -> None:
        async for event in stream.events():
            try:
                vote = internal.decode_vote(event.value)
            except msgspec.DecodeError as e:
                await self.worker.dead_letter(event, f"bad dedup vote: {e}", "schema")
                continue
            try:
                await self.count_vote(event.key, vote)
            except Exception as e:  # never crash the agent: that would skip the message
                log.exception("dedup vote for %r failed", event.key)
                await self.worker.dead_letter(event, f"dedup verdict failed: {type(e).__name__}: {e}", "processing")


def register(worker: WorkerAgents) -> Legacy:
    """Declare the previous release's dedup topics and table on the worker's app and register its agents."""
    legacy = Legacy(worker)
    worker.app.agent(legacy.bands_topic, name=f"{__name__}.bands")(legacy.bands)
    worker.app.agent(legacy.votes_topic, name=f"{__name__}.verdict")(legacy.verdict)
    return legacy
