"""Records the alerter passes between its agents and keeps in its tables.

Not events of the public log: notes ride on the alerter's internal topics
(``streams.alert-stories`` keyed by story id, ``streams.alert-spikes`` keyed
by rule and scope, ``streams.alert-incidents`` keyed by incident type and
country, its notes defined in `streams.incidents.reports`), so that all the
state of one story, of one spike scope, or of the incidents a report may
join, lives in one partition. States are the values of the alerter's
tables (and of the dicts of the back-test). A note carries everything the
next step needs (the rule's title, severity and thresholds included), so
the stateful steps never look at the rules file.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from datetime import datetime
from typing import Generic, TypeVar

import msgspec

from schemas.facts import Org, Place, Quantity, Topic
from schemas.state import StateCodec
from streams.incidents.reports import ReportNote


class ArticleRef(msgspec.Struct, frozen=True, omit_defaults=True):
    """One article of a story or a window, as an alert lists it."""

    article_id: str
    at: float  # the article's event time, epoch seconds (see `engine.event_time`)
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


class Hit(msgspec.Struct, frozen=True, omit_defaults=True):
    """A story rule's conditions held in one article."""

    rule_id: str
    title: str
    severity: str
    matched: list[str]
    min_sources: int = 1
    window_s: float = 86400.0
    rules_version: str = ""


class StoryNote(msgspec.Struct, frozen=True, tag="story"):
    """An article of a story, with the rules it matched (key: story id)."""

    story_id: str
    article: ArticleRef
    trigger: Trigger
    hits: list[Hit] = []
    facts: Facts | None = None  # only when there are hits


class SpikeNote(msgspec.Struct, frozen=True, tag="spike"):
    """An article counted in one spike rule's scope and window (key: rule id and scope)."""

    rule_id: str
    title: str
    severity: str
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


class RuleState(msgspec.Struct, omit_defaults=True):
    """Where one story rule stands for one story."""

    hit: Hit
    hit_article: str  # the article whose evidence the alert carries: the earliest matching one
    hit_at: float
    fired: bool = False
    revision: int = 0  # updates published since the alert was raised


class StoryState(msgspec.Struct, omit_defaults=True):
    articles: list[ArticleRef] = []  # in (at, article_id) order
    rules: dict[str, RuleState] = {}
    facts: dict[str, Facts] = {}  # article id -> its facts, for the articles that matched a rule
    seen: float = 0.0  # when the stream last processed an article of the story, epoch s (`expiry`)


class SpikeState(msgspec.Struct, omit_defaults=True):
    first_at: float  # earliest event time seen in this scope: how much history there is
    buckets: dict[int, list[ArticleRef]] = {}  # window start (epoch s) -> its articles
    fired: dict[int, int] = {}  # window start -> revision of its alert (0: just raised)


def distinct_sources(articles: list[ArticleRef]) -> list[str]:
    """The outlets of ``articles``, each once, in the order of the articles."""
    return list(dict.fromkeys(a.source for a in articles))


S = TypeVar("S", bound=msgspec.Struct)
_encoder = msgspec.json.Encoder()
_notes = msgspec.json.Decoder(StoryNote | SpikeNote | ReportNote)


def encode_note(note: StoryNote | SpikeNote | ReportNote) -> bytes:
    return _encoder.encode(note)


def decode_note(data: bytes) -> StoryNote | SpikeNote | ReportNote:
    return _notes.decode(data)


class StateStore(MutableMapping[str, S], Generic[S]):
    """Typed states over a mapping of bytes: a Faust table in the agent, a dict in the back-test.

    Both go through the same encoding, so the engine sees the same values
    either way.
    """

    def __init__(self, raw: MutableMapping, cls: type[S]) -> None:
        self.raw = raw
        self._codec: StateCodec[S] = StateCodec(cls)

    def __getitem__(self, key: str) -> S:
        value = self.raw.get(key.encode())
        if value is None:
            raise KeyError(key)
        return self._codec.decode(value)

    def __setitem__(self, key: str, state: S) -> None:
        self.raw[key.encode()] = self._codec.encode(state)

    def __delitem__(self, key: str) -> None:
        del self.raw[key.encode()]

    def __iter__(self) -> Iterator[str]:
        return (k.decode() for k in self.raw)

    def __len__(self) -> int:
        return len(self.raw)


class Staged(MutableMapping[str, S], Generic[S]):
    """A store's states as a note changes them, written through only at `commit`.

    The agents fold a note into a staged store, publish the alert events, then
    commit: the events reach the producer before the state that says they
    fired. A crash between the two leaves the state as it was, so the
    redelivered note raises the same events (same ids) again, where the other
    order would find them fired already and raise nothing.
    """

    def __init__(self, store: MutableMapping[str, S]) -> None:
        self.store = store
        self.writes: dict[str, S | None] = {}  # None: deleted

    def __getitem__(self, key: str) -> S:
        if key not in self.writes:
            return self.store[key]
        state = self.writes[key]
        if state is None:
            raise KeyError(key)
        return state

    def __setitem__(self, key: str, state: S) -> None:
        self.writes[key] = state

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.writes[key] = None

    def __iter__(self) -> Iterator[str]:
        deleted = {k for k, v in self.writes.items() if v is None}
        return iter((self.store.keys() | self.writes.keys()) - deleted)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def commit(self) -> None:
        for key, state in self.writes.items():
            if state is not None:
                self.store[key] = state
            elif key in self.store:
                del self.store[key]
        self.writes.clear()
