"""The stream agents: thin shells around `streams.pipeline` and `streams.dedup`.

    articles.fetched ──process──► streams.dedup-bands ──bands──┐
                         │                                      ▼
                         └──(draft)──► streams.dedup-votes ◄────┘
                                              │
                                           verdict ──► articles.processed

- ``process`` decodes an ArticleFetched, analyses it, and sends the draft
  (keyed by article id) plus one claim per LSH band (keyed by band key).
- ``bands`` owns the band table: the first article seen with each band key;
  it forgets an article ``dedup_days`` after its fetch (`streams.dedup.expiry`).
- ``verdict`` gathers the draft and every band reply of an article, decides
  exact / near / original, and publishes the ArticleProcessed.

All state is in Faust tables (changelogged, partitioned, restored on start).
A message that cannot be decoded or processed goes to the streams'
dead-letter topic with the reason, and the agent goes on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime

import msgspec
from faust.types import EventT

from deploy.services import metrics
from schemas import internal
from schemas.codec import SchemaError, decode_as, encode
from schemas.events import ArticleFetched, ArticleProcessed, DeadLetter
from streams.app import app, settings, topics
from streams.dedup.bands import answer_claims as bands_step
from streams.dedup.minhash import Fingerprint, fingerprint, partition_of
from streams.dedup.verdict import Candidate, decide
from streams.expiry import DAY, HourIndex
from streams.pipeline import Resources, process_fetched

log = logging.getLogger(__name__)

resources = Resources.load(settings.taxonomy_file or None, settings.incidents_file or None)

fetched_topic = app.topic(topics.fetched, key_type=bytes, value_type=bytes)
processed_topic = app.topic(topics.processed, key_type=bytes, value_type=bytes)
bands_topic = app.topic(topics.name("streams.dedup-bands"), key_type=bytes, value_type=bytes)
votes_topic = app.topic(topics.name("streams.dedup-votes"), key_type=bytes, value_type=bytes)
dead_topic = app.topic(topics.deadletter("streams"), key_type=bytes, value_type=bytes)

# band key -> id of the first article holding it (partitioned by `partition_of(band)`)
band_table = app.Table("dedup-bands", default=None, key_type=bytes, value_type=bytes,
                       partitions=settings.partitions)
# "{article id}@{partition}" -> internal.Holder (signature, fetch time, bands held), in each partition it claims in
signature_table = app.Table("dedup-signatures", default=None, key_type=bytes, value_type=bytes,
                            partitions=settings.partitions)
# "clock:{p}", "hour:{p}:{h}" -> the articles of each partition by the hour they were fetched (`streams.expiry`)
expiry_table = app.Table("dedup-expiry", default=None, key_type=bytes, value_type=bytes,
                         partitions=settings.partitions)
DEDUP_TTL_S = settings.dedup_days * DAY if settings.dedup_days > 0 else None
# article id -> pending votes (draft + reply batches) until all replies are in
vote_table = app.Table("dedup-votes", default=None, key_type=bytes, value_type=bytes,
                       partitions=settings.partitions)



async def dead_letter(event: EventT, reason: str, error: str) -> None:
    msg = event.message
    key = event.key.decode(errors="replace") if isinstance(event.key, bytes) else None
    log.warning("dead letter from %s[%s]@%s: %s", msg.topic, msg.partition, msg.offset, reason)
    value = event.value if isinstance(event.value, bytes) else b""
    metrics.DEAD_LETTERS.labels(stage="streams").inc()
    await dead_topic.send(key=event.key, value=encode(DeadLetter(
        stage="process", reason=reason, error=error, key=key, source_topic=msg.topic,
        source_partition=msg.partition, source_offset=msg.offset, payload=value[:65536])))


def draft_of(fetched: ArticleFetched) -> tuple[ArticleProcessed, Fingerprint]:
    article, facts = process_fetched(fetched, resources)
    return article, fingerprint(facts.norm_text)


def claim_batches(article_id: str, fp: Fingerprint, seen_at: float) -> list[internal.ClaimBatch]:
    """The exact key and every band, grouped by the partition that owns them."""
    by_part: dict[int, list[internal.Claim]] = defaultdict(list)
    for claim in [internal.Claim(f"x:{fp.exact}", exact=True), *(internal.Claim(b) for b in fp.bands())]:
        by_part[partition_of(claim.band, settings.partitions)].append(claim)
    sig = list(fp.signature)
    return [internal.ClaimBatch(article_id, part, claims, sig, seen_at) for part, claims in sorted(by_part.items())]


@app.agent(fetched_topic)
async def process(stream):
    async for event in stream.events():
        try:
            fetched = decode_as(event.value, ArticleFetched)
        except SchemaError as e:
            await dead_letter(event, str(e), "schema")
            continue
        try:
            article, fp = draft_of(fetched)
        except Exception as e:  # a bug or an input no stage foresaw: keep it, say why, go on
            log.exception("processing %s failed", fetched.article_id)
            await dead_letter(event, f"processing failed: {type(e).__name__}: {e}", "processing")
            continue
        key = fetched.article_id.encode()
        batches = claim_batches(fetched.article_id, fp, fetched.occurred_at.timestamp())
        await votes_topic.send(key=key, value=internal.encode(
            internal.Draft(article, list(fp.signature), expected_replies=len(batches))))
        for batch in batches:
            await bands_topic.send(key=key, value=internal.encode(batch), partition=batch.part)
        metrics.latency("streams", fetched.occurred_at)


@app.agent(bands_topic)
async def bands(stream):
    async for event in stream.events():
        try:
            batch = internal.decode_claim(event.value)
        except msgspec.DecodeError as e:
            await dead_letter(event, f"bad dedup claim: {e}", "schema")
            continue
        try:
            await answer_claims(batch, event.message.partition)
        except Exception as e:  # never crash the agent: that would skip the message
            log.exception("band claims of %s failed", batch.article_id)
            await dead_letter(event, f"dedup claims failed: {type(e).__name__}: {e}", "processing")


async def answer_claims(batch: internal.ClaimBatch, partition: int) -> None:
    """Answer one partition's claims (`streams.dedup.bands`), forgetting what is past ``dedup_days``."""
    index = HourIndex(expiry_table, partition, DEDUP_TTL_S) if DEDUP_TTL_S else None
    reply, dropped = bands_step(band_table, signature_table, batch, index)
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
    batches = {v.part: v for v in pending if isinstance(v, internal.ReplyBatch)}
    if not drafts or len(batches) < drafts[-1].expected_replies:
        vote_table[key] = internal.pending_state.encode(pending)
        return
    draft = drafts[-1]
    candidates = []
    for b in batches.values():
        for r in b.replies:
            if r.holder:
                h = b.holders.get(r.holder)
                candidates.append(Candidate(r.holder, tuple(h.signature) if h else (), r.exact,
                                            h.seen_at if h else 0.0))
    dup = decide(draft.article.article_id, tuple(draft.signature), candidates, threshold=settings.dedup_threshold)
    article = msgspec.structs.replace(draft.article, duplicate=dup)
    await processed_topic.send(key=key, value=encode(article))
    vote_table.pop(key, None)
    metrics.article_done("streams", dup.status)
    if dup.status != "original":
        log.info("%s is a %s duplicate of %s (%.2f)", article.article_id, dup.status, dup.first_id, dup.similarity)
