"""The notes the alerter's agents pass to each other on its internal topics.

Not events of the public log: notes ride on ``streams.alert-stories`` (keyed
by story id), ``streams.alert-spikes`` (keyed by rule and scope) and
``streams.alert-incidents`` (keyed by incident type and country), so that all
the state of one story, of one spike scope, or of the incidents a report may
join, lives in one partition. A note carries everything the next step needs
(the rule's title, severity and thresholds included), so the stateful steps
never look at the rules file. The code that builds them stays with the stages
(`marsad.streams.alerts.engine`, `marsad.streams.alerts.spike`, `marsad.streams.fusion.reports`).

The alerter sends the notes of a batch of articles bound for one partition
together, as one `NoteBatch` (`encode_batch`): the traffic on these topics
grows with the batches, not with the notes. `decode_notes` reads a batch, and
the single notes of the releases before, one a message, still in flight at an
upgrade.

On the wire a record is written with its version (``v1 `` before the JSON
body, as `marsad.schemas.state` writes table records); the unversioned notes
of an older release read as version 0 (same fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from marsad.schemas.facts import Incident, Org, Place, Quantity, Topic
from marsad.schemas.state import StateCodec, StateVersionError
from marsad.schemas.wire import Severity


class ArticleRef(msgspec.Struct, frozen=True, omit_defaults=True):
    """One article of a story or a window, as an alert lists it."""

    article_id: str
    at: float  # the article's event time, epoch seconds (see `marsad.streams.alerts.engine.event_time`)
    source: str
    title: str = ""
    url: str = ""


class Facts(msgspec.Struct, frozen=True, omit_defaults=True):
    """The evidence of the article that matched: copied into the alert."""

    topics: list[Topic] = []
    places: list[Place] = []
    countries: list[str] = []
    orgs: list[Org] = []
    quantities: list[Quantity] = []
    taxonomy_version: str = ""
    gazetteer_version: str = ""


class Trigger(msgspec.Struct, frozen=True, omit_defaults=True):
    """The ArticleProcessed behind a note: alert events take their time and causation from it."""

    event_id: str
    occurred_at: datetime


class RuleHit(msgspec.Struct, frozen=True, omit_defaults=True):
    """A story rule's conditions held in one article."""

    rule_id: str
    title: str
    severity: Severity
    matched: list[str]
    min_sources: int = 1
    window_s: float = 86400.0
    rules_version: str = ""


class StoryNote(msgspec.Struct, frozen=True, tag="story"):
    """An article of a story, with the rules it matched (key: story id)."""

    story_id: str
    article: ArticleRef
    trigger: Trigger
    hits: list[RuleHit] = []
    facts: Facts | None = None  # only when there are hits


class SpikeNote(msgspec.Struct, frozen=True, tag="spike"):
    """An article counted in one spike rule's scope and window (key: rule id and scope)."""

    rule_id: str
    title: str
    severity: Severity
    scope_key: str  # stable: "topic=narcotics place=170905"
    scope: str  # readable: "topic=narcotics place=درعا"
    window_s: int
    baseline_s: int
    history_s: int
    min_count: int
    max_p: float
    min_ratio: float
    rules_version: str
    article: ArticleRef
    trigger: Trigger
    places: list[Place] = []  # the places of the scope, with coordinates
    countries: list[str] = []
    topics: list[Topic] = []
    title_of_article: str = ""  # `article` leaves title and url out: the state keeps days of articles
    url_of_article: str = ""

    @property
    def state_key(self) -> str:
        return f"{self.rule_id}|{self.scope_key}"


class ReportNote(msgspec.Struct, frozen=True, omit_defaults=True, tag="report"):
    """The ``n``-th incident of one article (key on ``streams.alert-incidents``: ``scope``).

    Why the scope (incident type and country) is the partition key: reports that
    may fuse must meet in one partition, with the state of the incidents they may
    join; see `marsad.streams.fusion.reports`, which builds them.
    """

    report_id: str  # "{article_id}#{n}"
    scope: str  # "{type}|{country}" (country empty when unknown)
    incident: Incident
    article_id: str
    root_id: str  # the article this one is an exact or near copy of (the dedup verdict), else itself
    source: str  # the outlet
    at: float  # the article's event time, epoch seconds (`marsad.streams.alerts.engine.event_time`)
    trigger_id: str  # the ArticleProcessed's event id: incident events name it as their cause
    processed_at: datetime  # its occurred_at: incident events take their time from it; expiry runs on it
    url: str = ""
    title: str = ""
    published: datetime | None = None
    lang: str = ""

    @property
    def copy_of(self) -> str | None:
        return self.root_id if self.root_id != self.article_id else None


Note = StoryNote | SpikeNote | ReportNote


def key_of(note: Note) -> str:
    """The key that places ``note`` on its topic: the story id, the rule and scope, or the incident scope."""
    if isinstance(note, StoryNote):
        return note.story_id
    if isinstance(note, SpikeNote):
        return note.state_key
    return note.scope


class NoteBatch(msgspec.Struct, frozen=True, tag="notes"):
    """The notes of one batch of articles bound for one partition of a note topic, in the order they were
    made: the partition folds them in that order, as it would have folded them one message each."""

    batch: str  # names the batch in logs: "{first article id}+{articles in the batch}"
    notes: list[Note]


class _LooseBatch(msgspec.Struct, frozen=True, tag="notes"):
    """A `NoteBatch` read note by note, so that one bad note does not cost the others."""

    batch: str
    notes: list[msgspec.Raw]


class Unreadable(msgspec.Struct, frozen=True):
    """A note of a batch that could not be decoded (never on the wire): why, and its bytes."""

    reason: str
    payload: bytes


NOTE_VERSION = 1  # a NoteBatch is a new record beside the notes: the notes themselves are unchanged
_notes: StateCodec[Note] = StateCodec(Note, version=NOTE_VERSION, name="Note")
_records: StateCodec[Note | NoteBatch] = StateCodec(Note | NoteBatch, version=NOTE_VERSION, name="Note")
_loose = msgspec.json.Decoder(_LooseBatch)
_note = msgspec.json.Decoder(Note)
_CURRENT = b"v%d " % NOTE_VERSION


def encode_note(note: Note) -> bytes:
    """One note as a message of its own (as the releases before sent each): ``v1 `` and the JSON body."""
    return _notes.encode(note)


def encode_batch(batch: str, notes: Sequence[Note]) -> bytes:
    """The notes as one record: ``v1 `` and the JSON body of a `NoteBatch`."""
    return _records.encode(NoteBatch(batch, list(notes)))


def decode_note(data: bytes) -> Note:
    """A note of this version or an older one; `msgspec.DecodeError`, naming the problem, for anything else."""
    try:
        return _notes.decode(data)
    except StateVersionError as e:
        raise msgspec.DecodeError(str(e)) from None


def decode_notes(data: bytes) -> list[Note | Unreadable]:
    """The notes of one message, in order: a `NoteBatch`'s, or the single note of an older release's message.

    A note of a batch that does not decode is an `Unreadable` in its place; a
    message that is neither a batch nor a note raises `msgspec.DecodeError`,
    naming the problem.
    """
    try:
        record = _records.decode(data)
    except StateVersionError as e:
        raise msgspec.DecodeError(str(e)) from None
    except msgspec.DecodeError:
        loose = _loose_batch(data)
        if loose is None:
            raise
        return [_one(raw) for raw in loose.notes]
    return record.notes if isinstance(record, NoteBatch) else [record]


def _loose_batch(data: bytes) -> _LooseBatch | None:
    """A batch of this version whose notes are left undecoded, or None when ``data`` is not one."""
    if not data.startswith(_CURRENT):
        return None
    try:
        return _loose.decode(memoryview(data)[len(_CURRENT):])
    except msgspec.DecodeError:
        return None


def _one(raw: msgspec.Raw) -> Note | Unreadable:
    try:
        return _note.decode(raw)
    except msgspec.DecodeError as e:
        return Unreadable(str(e), bytes(raw))
