"""The contract every view store keeps, whichever database is behind it.

A store is a sink (``setup`` / ``write_batch`` / ``flush``, errors raised as
`StoreError`) that also answers queries. ``write_batch`` is one transaction
holding the batch's rows *and* the Kafka offsets they came from, so after a
crash the view and its position in the log are always consistent; records
below the stored offsets are skipped, so a redelivered message never counts
twice. Replay builds a ``fresh`` store beside the live one and ``promote``s
it atomically; a live writer notices with `ViewReplaced` and re-reads its
offsets.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from marsad.consumers.query.model import (
    AlertQuery,
    ArticleQuery,
    CountQuery,
    IncidentCountQuery,
    IncidentQuery,
    Page,
    SeizureQuery,
    StoryQuery,
    TotalsQuery,
)
from marsad.consumers.rows import PreparedArticle
from marsad.schemas.events import AlertRaised, AlertUpdated, ArticleProcessed, IncidentRecorded


class StoreError(RuntimeError):
    """The view database cannot be used; the message says which database and why."""


class ViewReplaced(StoreError):
    """The live view was replaced by a rebuilt one since this store was opened: reopen it."""


@dataclass(frozen=True)
class Record:
    """One message of the log as the store sees it.

    ``event`` is None for a message that could not be decoded (sent to the
    dead-letter topic): it writes nothing but its offset still advances.
    Articles come from articles.processed, alert events from the alerts topic,
    incident records (`IncidentRecorded` and its subclass `IncidentUpdated`) from incidents.
    A replay's articles come as `PreparedArticle`: rows built by its worker processes.
    """

    topic: str
    partition: int
    offset: int
    event: ArticleProcessed | PreparedArticle | AlertRaised | AlertUpdated | IncidentRecorded | None


Offsets = dict[tuple[str, int], int]  # (topic, partition) -> next offset to read


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


class Store(ABC):
    """Views of the log in one database (see the module docstring)."""

    url: str
    backend: str  # "sqlite" or "postgres": its folder of migrations, and how it reads rows back (hashing.READS_BACK)

    # -- the sink contract -------------------------------------------------
    @abstractmethod
    def setup(self) -> None:
        """Create or migrate the schema to the current version (harmless when up to date)."""

    @abstractmethod
    def write_batch(self, records: Sequence[Record]) -> int:
        """Apply records and advance the offsets in one transaction; return articles, alerts and incidents written.

        Raises `ViewReplaced` (nothing written) when a replay swapped the view in.
        """

    @abstractmethod
    def flush(self) -> None:
        """Make what was written durable in the main database file(s)."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    # -- replay --------------------------------------------------------------
    @abstractmethod
    def fresh(self) -> Store:
        """A new, empty, set-up store beside this one, invisible to readers until promoted."""

    @abstractmethod
    def promote(self) -> None:
        """Atomically make this fresh store the live view (closes this handle)."""

    @abstractmethod
    def discard(self) -> None:
        """Delete this fresh store (an abandoned replay)."""

    @abstractmethod
    def replaced(self) -> bool:
        """Has the live view been swapped for another since this store was opened?"""

    # -- reads ---------------------------------------------------------------
    @abstractmethod
    def offsets(self) -> Offsets:
        """The stored position in the log: next offset per topic partition."""

    @abstractmethod
    def schema_version(self) -> int:
        """The highest migration applied (0 before `setup`)."""

    @abstractmethod
    def content_hash(self) -> str:
        """A hash of every view's contents: equal for equal contents, whatever the backend."""

    @abstractmethod
    def stats(self) -> dict[str, int]:
        """Row counts per table."""

    @abstractmethod
    def articles(self, query: ArticleQuery) -> Page:
        """One page of articles (latest state, with their facts), newest first."""

    @abstractmethod
    def article(self, article_id: str) -> dict | None:
        """One article with its text, facts with evidence and its story's other copies; None if unknown."""

    @abstractmethod
    def counts(self, query: CountQuery) -> list[dict]:
        """Distinct articles per topic, place, org, country or source (and per day or hour)."""

    @abstractmethod
    def seizures(self, query: SeizureQuery) -> Page:
        """One page of the seizure ledger, newest first."""

    @abstractmethod
    def seizure_totals(self, query: TotalsQuery) -> list[dict]:
        """Seized quantities summed by item and unit (and per day)."""

    @abstractmethod
    def stories(self, query: StoryQuery) -> list[dict]:
        """Story clusters (an original and its copies), largest first."""

    @abstractmethod
    def alerts(self, query: AlertQuery) -> Page:
        """One page of alerts (latest revision, with evidence), newest first."""

    @abstractmethod
    def alert(self, alert_id: str) -> dict | None:
        """One alert with its evidence; None if unknown."""

    @abstractmethod
    def incidents(self, query: IncidentQuery) -> Page:
        """One page of incidents (latest revision), newest event first."""

    @abstractmethod
    def incident(self, incident_id: str) -> dict | None:
        """One incident with its reports and evidence; None if unknown."""

    @abstractmethod
    def incident_counts(self, query: IncidentCountQuery) -> list[dict]:
        """Incidents (and their summed tolls) by type per event day or per governorate."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
