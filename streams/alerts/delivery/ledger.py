"""The delivery ledger: what each endpoint still owes (the outbox) and what it settled, in one SQLite file.

Two tables, ``{data_dir}/alerts/delivered-{prefix}.sqlite``:

- ``outbox``: one row per (target, idempotency key) still owed: the event's
  body, its place on the alerts topic, how many tries failed and when the
  next is due. The reader puts a Kafka batch here in one transaction and
  only then commits its offsets, so a failing endpoint never holds the
  offsets (or the other endpoints) back, and what it is owed survives a
  restart or kill -9. Queueing commits with ``synchronous=FULL`` (on disk
  even through a power loss, since the offsets move on); the rest (tries,
  settling) with NORMAL, safe from a process crash: a settle lost to a power
  cut only sends that post again;
- ``delivered``: one row per settled (target, key), "accepted" or "dead".
  A key that is settled or owed is not queued again when the topic is read
  again, so nothing is posted twice to an endpoint that accepted it;
  `marsad alerts redeliver` queues dead (or all) keys again on purpose.

Within one target, one alert's rows go out in the order they were queued
(the alerts topic order: the raise before its updates): only an alert's
oldest row is ever due (`due`). Settled entries older than ``keep_days``
are pruned at start.

One connection guarded by a lock; the async service calls the ``a...``
methods, which run in worker threads so the event loop never waits on the
disk. `marsad alerts deliveries` and `redeliver` open the same file from
their own process (WAL: readers do not block the writer).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from marsad.streams.hour_index import DAY

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS delivered (target TEXT NOT NULL, key TEXT NOT NULL, outcome TEXT NOT NULL, "
    "at REAL NOT NULL, PRIMARY KEY (target, key))",
    "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, "
    "key TEXT NOT NULL, alert_id TEXT NOT NULL, event_type TEXT NOT NULL, body BLOB NOT NULL, msg_key TEXT, "
    "source_topic TEXT NOT NULL, source_partition INTEGER NOT NULL, source_offset INTEGER NOT NULL, "
    "queued_at REAL NOT NULL, tries INTEGER NOT NULL DEFAULT 0, next_try_at REAL NOT NULL, "
    "last_error TEXT NOT NULL DEFAULT '', head INTEGER NOT NULL, UNIQUE (target, key))",
    "CREATE INDEX IF NOT EXISTS outbox_alert ON outbox (target, alert_id, seq)",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (target, head, next_try_at)",
    # the queue's counts without reading its rows: a row's later columns sit after its body, on the
    # body's overflow pages, so a count that read them would read every queued body
    "CREATE INDEX IF NOT EXISTS outbox_tries ON outbox (target, tries, queued_at, next_try_at)",
)

# When a row is queued, by what the ledger says of its (target, key):
#   new: never settled (the live reader);  dead: dead-lettered (redeliver);
#   unaccepted: dead or never settled (redeliver --all);  any: even if accepted (redeliver --force)
When = Literal["new", "dead", "unaccepted", "any"]
_CONDITION: dict[str, str] = {
    "new": "NOT EXISTS (SELECT 1 FROM delivered d WHERE d.target = ?1 AND d.key = ?2)",
    "dead": "EXISTS (SELECT 1 FROM delivered d WHERE d.target = ?1 AND d.key = ?2 AND d.outcome = 'dead')",
    "unaccepted": "NOT EXISTS (SELECT 1 FROM delivered d WHERE d.target = ?1 AND d.key = ?2 AND d.outcome = 'accepted')",
    "any": "1",
}
# ``head``: the row is its alert's oldest queued row at its target, the only one that may be sent
_INSERT = {when: "INSERT INTO outbox (target, key, alert_id, event_type, body, msg_key, source_topic, "
                 "source_partition, source_offset, queued_at, next_try_at, head) "
                 "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, "
                 "NOT EXISTS (SELECT 1 FROM outbox h WHERE h.target = ?1 AND h.alert_id = ?3) "
                 f"WHERE {condition} ON CONFLICT (target, key) DO NOTHING"
           for when, condition in _CONDITION.items()}

# What the service asks again and again, whatever the queue holds: each reads an index, never the rows
# (tests/streams/alerts/delivery/test_ledger.py checks their plans). `head = 1`, not `head`: only an
# equality lets SQLite search the index on it.
DUE = ("SELECT o.seq, o.key, o.alert_id, o.event_type, o.body, o.msg_key, o.source_topic, o.source_partition, "
       "o.source_offset, o.tries, o.last_error, d.outcome FROM outbox o "
       "LEFT JOIN delivered d ON d.target = o.target AND d.key = o.alert_id "
       "WHERE o.target = ? AND o.head = 1 AND o.next_try_at <= ? ORDER BY o.next_try_at LIMIT ?")
NEXT_DUE = "SELECT MIN(next_try_at) FROM outbox WHERE target = ? AND head = 1 AND next_try_at > ?"
QUEUED = ("SELECT target, SUM(tries = 0), SUM(tries > 0), MIN(CASE WHEN tries > 0 THEN next_try_at END), "
          "MIN(queued_at) FROM outbox GROUP BY target")


@dataclass(frozen=True)
class Owed:
    """One alert event owed to one target, as the reader (or redeliver) queues it."""

    target: str
    key: str  # the idempotency key
    alert_id: str
    event_type: str
    body: bytes
    msg_key: str | None
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class Due:
    """A queued row whose next try is due, and what the ledger says of its alert's raise at that target."""

    seq: int
    owed: Owed
    tries: int  # failed so far
    last_error: str
    raise_outcome: str | None  # "accepted", "dead" or None (never settled at this target)


@dataclass
class TargetStatus:
    """What `marsad alerts deliveries` shows for one target."""

    target: str
    pending: int = 0  # queued, not tried yet (or waiting behind an earlier event of the same alert)
    retrying: int = 0  # tried and failed, another try scheduled
    next_try_at: float | None = None
    oldest_queued_at: float | None = None
    last_error: str = ""
    accepted: int = 0
    dead: int = 0


class LedgerBusy(RuntimeError):
    """Another process delivers from this ledger (two would post the same rows)."""


class Ledger:
    """The outbox and the settled deliveries of one topic prefix (see the module docstring)."""

    def __init__(self, path: str | Path, *, keep_days: float = 30.0, create: bool = True) -> None:
        self.path = Path(path)
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise FileNotFoundError(self.path)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self._lock = threading.Lock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # FULL for `enqueue` (see the module docstring)
        for statement in SCHEMA:
            self._conn.execute(statement)
        if create:
            self._conn.execute("DELETE FROM delivered WHERE at < ?", [time.time() - keep_days * DAY])
        self._lock_file: int | None = None

    def claim(self) -> None:
        """Make this process the one that sends from this ledger (an advisory lock the OS drops when the process
        ends, kill -9 included); `LedgerBusy` when another process holds it."""
        if self._lock_file is not None:
            return
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise LedgerBusy(f"another `marsad alerts deliver` (pid {holder}) sends from {self.path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_file = fd

    # -- queueing -----------------------------------------------------------------------------
    def enqueue(self, rows: Sequence[Owed], when: When | Sequence[When] = "new", *, now: float | None = None) -> int:
        """Queue ``rows`` (in order) whose ledger entry matches ``when`` (one for all, or one per row) and that
        are not queued yet; one transaction. Returns how many were queued."""
        now = time.time() if now is None else now
        whens = [when] * len(rows) if isinstance(when, str) else list(when)
        queued = 0
        with self._lock:
            self._conn.execute("PRAGMA synchronous=FULL")  # offsets are committed past these rows: on disk first
            try:
                with self._transaction():
                    for r, w in zip(rows, whens, strict=True):
                        queued += self._conn.execute(_INSERT[w], [
                            r.target, r.key, r.alert_id, r.event_type, r.body, r.msg_key, r.topic, r.partition,
                            r.offset, now]).rowcount
            finally:
                self._conn.execute("PRAGMA synchronous=NORMAL")
        return queued

    async def aenqueue(self, rows: list[Owed], when: When = "new") -> int:
        return await asyncio.to_thread(self.enqueue, rows, when)

    # -- the delivery worker's side -------------------------------------------------------------
    def due(self, target: str, limit: int, busy: set[str], now: float | None = None) -> tuple[list[Due], float | None]:
        """Up to ``limit`` rows of ``target`` due now, each the oldest queued row of its alert, skipping the
        alerts in ``busy`` (in flight); and when the next not-yet-due row comes due (None: none)."""
        now = time.time() if now is None else now
        with self._lock:
            rows = self._conn.execute(DUE, [target, now, limit + len(busy)]).fetchall()
            later = self._conn.execute(NEXT_DUE, [target, now]).fetchone()[0]
        due = [Due(seq, Owed(target, key, alert, etype, body, mkey, topic, part, off), tries, error, outcome)
               for seq, key, alert, etype, body, mkey, topic, part, off, tries, error, outcome in rows
               if alert not in busy]
        return due[:limit], later

    def settle(self, seq: int, target: str, key: str, outcome: Literal["accepted", "dead"]) -> None:
        """The row is done: out of the outbox, into the delivered table, in one transaction."""
        with self._lock, self._transaction():
            row = self._conn.execute("DELETE FROM outbox WHERE seq = ? RETURNING alert_id", [seq]).fetchone()
            if row:  # the alert's next row (if any) may go now
                self._conn.execute("UPDATE outbox SET head = 1 WHERE seq = (SELECT MIN(seq) FROM outbox "
                                   "WHERE target = ? AND alert_id = ?)", [target, row[0]])
            self._record(target, key, outcome)

    def retry(self, seq: int, tries: int, next_try_at: float, error: str) -> None:
        """A try failed: count it and schedule the next."""
        with self._lock:
            self._conn.execute("UPDATE outbox SET tries = ?, next_try_at = ?, last_error = ? WHERE seq = ?",
                               [tries, next_try_at, error[:500], seq])

    def wake(self, target: str, now: float | None = None) -> int:
        """The target accepted a delivery again: make its retrying rows due now. Returns how many."""
        now = time.time() if now is None else now
        with self._lock:
            return self._conn.execute("UPDATE outbox SET next_try_at = ? WHERE target = ? AND head = 1 "
                                      "AND next_try_at > ? AND tries > 0", [now, target, now]).rowcount

    async def asettle(self, seq: int, target: str, key: str, outcome: Literal["accepted", "dead"]) -> None:
        await asyncio.to_thread(self.settle, seq, target, key, outcome)

    async def aretry(self, seq: int, tries: int, next_try_at: float, error: str) -> None:
        await asyncio.to_thread(self.retry, seq, tries, next_try_at, error)

    async def adue(self, target: str, limit: int, busy: set[str], *, soonest: bool = False
                   ) -> tuple[list[Due], float | None]:
        """`due`, in a thread; ``soonest``: the rows due first even if not due yet (a probe)."""
        return await asyncio.to_thread(self.due, target, limit, set(busy), float("inf") if soonest else None)

    async def awake(self, target: str) -> int:
        return await asyncio.to_thread(self.wake, target)

    # -- reading --------------------------------------------------------------------------------
    def outcome(self, target: str, key: str) -> str | None:
        """"accepted", "dead", or None when (target, key) was never settled."""
        with self._lock:
            row = self._conn.execute("SELECT outcome FROM delivered WHERE target = ? AND key = ?",
                                     [target, key]).fetchone()
        return row[0] if row else None

    def outcomes(self, target: str) -> dict[str, str]:
        """Every settled key of ``target`` and its outcome."""
        with self._lock:
            return dict(self._conn.execute("SELECT key, outcome FROM delivered WHERE target = ?", [target]))

    def __contains__(self, item: tuple[str, str]) -> bool:
        """Is (target, key) settled (accepted or dead-lettered)?"""
        return self.outcome(*item) is not None

    def queued(self) -> dict[str, TargetStatus]:
        """Per target with rows queued: how many are pending and retrying, the next try, the oldest row (read
        from an index alone: the service asks every few seconds, whatever the queue holds)."""
        with self._lock:
            return {target: TargetStatus(target, pending, retrying, next_try, oldest)
                    for target, pending, retrying, next_try, oldest in self._conn.execute(QUEUED)}

    def status(self) -> dict[str, TargetStatus]:
        """Per target: queued (pending, retrying, next try, oldest, last error) and settled (accepted, dead)."""
        out = self.queued()
        with self._lock:
            for target, error in self._conn.execute(
                    "SELECT target, last_error FROM outbox WHERE seq IN "
                    "(SELECT MAX(seq) FROM outbox WHERE tries > 0 GROUP BY target)"):
                out[target].last_error = error
            for target, outcome, n in self._conn.execute(
                    "SELECT target, outcome, COUNT(*) FROM delivered GROUP BY target, outcome"):
                s = out.setdefault(target, TargetStatus(target))
                if outcome == "accepted":
                    s.accepted = n
                elif outcome == "dead":
                    s.dead = n
        return out

    def owed(self, target: str) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM outbox WHERE target = ?", [target]).fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None

    # -- inside ---------------------------------------------------------------------------------
    def _record(self, target: str, key: str, outcome: str) -> None:
        self._conn.execute("INSERT INTO delivered VALUES (?, ?, ?, ?) ON CONFLICT (target, key) DO UPDATE "
                           "SET outcome = excluded.outcome, at = excluded.at", [target, key, outcome, time.time()])

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on an error), on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self.conn.execute("ROLLBACK" if kind else "COMMIT")
