"""Dedup expiry: the worker forgets an article ``dedup_days`` after it was fetched.

The band table keeps the first article holding each LSH band, and the
signature table keeps each article's signature, so without expiry both grow
with the log. Each partition of the bands agent files its articles in an hour
index (`marsad.streams.hour_index`) by fetch time (``seen_at``, as the log records it)
and, as that partition's stream time moves on, releases what fell behind:
the article's signature and every band it still holds. A copy fetched later
than that is an original, and starts a story of its own.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from marsad.schemas.internal import holder_state
from marsad.streams.hour_index import HourIndex

DEFAULT_DAYS = 30  # the `dedup_days` setting's default


def signature_key(article_id: str, partition: int) -> bytes:
    """Where a partition keeps an article's signature: each partition its own copy, with its own bands.

    (Before expiry the key was the bare article id, shared by the partitions
    of one worker; `bands.answer_claims` still reads those.)
    """
    return f"{article_id}@{partition}".encode()


def forget_expired(bands: MutableMapping[bytes, bytes], signatures: MutableMapping[bytes, bytes],
                   index: HourIndex) -> int:
    """Drop the articles of the hours now behind the horizon (signature and held bands); how many."""
    dropped = 0
    for _hour, article_ids in index.due():
        for article_id in article_ids:
            key = signature_key(article_id, index.partition)
            stored = signatures.get(key)
            if stored is None:
                continue
            me = article_id.encode()
            for band in holder_state.decode(stored).bands:
                if bands.get(band.encode()) == me:
                    del bands[band.encode()]
            del signatures[key]
            dropped += 1
    return dropped
