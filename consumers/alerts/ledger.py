"""The delivered ledger: which (target, idempotency key) pairs were settled, in a small SQLite file.

Kafka offsets are committed only up to the oldest message some target
still owes (see `deploy.services.offsets`), so after a restart messages
that some targets had already accepted are read again. The ledger is what
keeps them from being posted twice: it records every accepted (and every
dead-lettered) delivery before its message may be committed, and is read
into memory once at start. Entries older than ``keep_days`` are pruned at
start; the ledger only needs to cover what is not yet committed.

Writes go through one connection guarded by a lock, from worker threads
(`asyncio.to_thread`), so the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = ("CREATE TABLE IF NOT EXISTS delivered (target TEXT NOT NULL, key TEXT NOT NULL, outcome TEXT NOT NULL, "
          "at REAL NOT NULL, PRIMARY KEY (target, key))")


class Ledger:
    """Settled deliveries: ``(target, key) in ledger``; ``await ledger.record(...)``."""

    def __init__(self, path: str | Path, *, keep_days: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self._lock = threading.Lock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # a process crash loses nothing committed
        self._conn.execute(SCHEMA)
        self._conn.execute("DELETE FROM delivered WHERE at < ?", [time.time() - keep_days * 86400])
        self._settled = {(t, k) for t, k in self._conn.execute("SELECT target, key FROM delivered")}

    def __contains__(self, item: tuple[str, str]) -> bool:
        return item in self._settled

    def __len__(self) -> int:
        return len(self._settled)

    def record_now(self, target: str, key: str, outcome: str) -> None:
        """Record a settled delivery (blocking: call from a thread, or `record`)."""
        with self._lock:
            self._conn.execute("INSERT INTO delivered VALUES (?, ?, ?, ?) ON CONFLICT (target, key) DO UPDATE "
                               "SET outcome = excluded.outcome, at = excluded.at", [target, key, outcome, time.time()])
        self._settled.add((target, key))

    async def record(self, target: str, key: str, outcome: str) -> None:
        """Record a settled delivery ("accepted" or "dead") without blocking the event loop."""
        await asyncio.to_thread(self.record_now, target, key, outcome)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
