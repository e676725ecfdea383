"""Edited entries announced again: which versions of an article the log already holds.

A Telegram post can be edited after it was announced; the channel's web
preview then marks it "edited" and shows the new text only. The post keeps
its address, so its article id stays the same, and the seen set (article
ids) alone would call the edit "known" and drop it. The rule:

- an entry the source marks as edited is announced again when its text is
  not among the versions already announced for its article id, as revision
  ``last + 1`` of the same article id (same key, same partition, so
  everything downstream, keyed by article id, sees it after the earlier
  version and replaces that version: it is an update, not a second article,
  and not a duplicate of itself);
- a version is told by the digest of its text, so the same edited text seen
  by every later poll, or after a restart, is announced once;
- the versions are rebuilt from the discovered topic at start-up
  (``marsad.producers.recovery``): only events marked edited are decoded for that.

Pure and Kafka-free; the service holds one ``Revisions`` per run.
"""

from __future__ import annotations

import hashlib

EDITED_MARK = b'"edited":true'  # how an edited event reads on the wire (orjson writes no spaces)
REVISION_MARK = b'"revision":'  # present only from revision 2 on (revision 1 is the default, left out)


def text_digest(text: str) -> str:
    """What tells one version of an article's text from another."""
    return hashlib.blake2b(" ".join(text.split()).encode(), digest_size=12).hexdigest()


def work_key(article_id: str, revision: int) -> str:
    """What tells one announcement's fetch from another's: the article id, with the revision from 2 on."""
    return article_id if revision <= 1 else f"{article_id}#r{revision}"


class Revisions:
    """Per article id, the edited versions announced so far: text digest -> revision."""

    def __init__(self) -> None:
        self._versions: dict[str, dict[str, int]] = {}

    def record(self, article_id: str, text: str, revision: int) -> None:
        """An edited version was announced (by this run, or by an earlier one read back from Kafka)."""
        self._versions.setdefault(article_id, {})[text_digest(text)] = revision

    def next_revision(self, article_id: str, text: str) -> int | None:
        """The revision to announce an edited text of an already announced article as, or None when that
        text was announced already."""
        versions = self._versions.get(article_id, {})
        if text_digest(text) in versions:
            return None
        return max(versions.values(), default=1) + 1

    def __len__(self) -> int:
        return sum(len(versions) for versions in self._versions.values())
