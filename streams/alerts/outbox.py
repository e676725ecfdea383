"""Notes on their way to the alerter's note topics, sent as one record per topic and partition.

The alerter's route agent makes about seventeen notes an article (one story
note, a dozen spike notes, a few incident reports), and the incident agent a
spike note per new incident. Sent one message each, Faust's and Kafka's cost
per message was most of the alerter's time. An `Outbox` gathers the notes of a
batch by the partition their key places them in (the producer's partitioner,
as a message keyed by the note's key would go) and sends each group as one
`marsad.schemas.notes.NoteBatch`, its notes in the order they were added:
the partition folds them in the order it would have read them one by one.

A record's key is its first note's key, so it hashes to the partition the
record is sent to. When the partition count of a topic is not known yet (the
consumer has no metadata for it, or is not running), notes are grouped by key instead and sent
without a partition: the producer places them, by that key, where a single
note would have gone.
"""

from __future__ import annotations

import faust
from faust.exceptions import ConsumerNotStarted
from faust.types import TopicT

from marsad.schemas.notes import Note, encode_batch, key_of
from marsad.schemas.topics import RECORD_BYTES


class Outbox:
    """Notes gathered per topic and partition (or per key, when the partition is not known yet)."""

    def __init__(self, app: faust.App) -> None:
        self.app = app
        self.groups: dict[tuple[TopicT, int | bytes], list[Note]] = {}
        self._placed: dict[tuple[str, bytes], int | None] = {}  # for this outbox only: keys repeat in a batch

    def add(self, topic: TopicT, note: Note) -> None:
        key = key_of(note).encode()
        partition = self.partition_of(topic.get_topic_name(), key)
        self.groups.setdefault((topic, key if partition is None else partition), []).append(note)

    def partition_of(self, topic: str, key: bytes) -> int | None:
        """The partition a message keyed ``key`` goes to on ``topic``, or None when not known yet."""
        where = (topic, key)
        if where not in self._placed:
            try:
                self._placed[where] = self.app.consumer.key_partition(topic, key)
            except ConsumerNotStarted:  # an agent run on its own (a test context)
                self._placed[where] = None
        return self._placed[where]

    async def send(self, batch: str) -> None:
        """Send every group as one record (or a few, past `RECORD_BYTES`), named ``batch`` in logs."""
        for (topic, where), notes in self.groups.items():
            for value, first in records(batch, notes):
                await topic.send(key=key_of(first).encode(), value=value,
                                 partition=where if isinstance(where, int) else None)
        self.groups.clear()


def records(batch: str, notes: list[Note], limit: int = RECORD_BYTES) -> list[tuple[bytes, Note]]:
    """``notes`` as encoded `NoteBatch` records, in order, each within ``limit`` bytes (unless it holds one note),
    with the first note of each."""
    value = encode_batch(batch, notes)
    if len(value) <= limit or len(notes) == 1:
        return [(value, notes[0])]
    half = len(notes) // 2
    return records(batch, notes[:half], limit) + records(batch, notes[half:], limit)
