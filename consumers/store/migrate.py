"""Versioned schema migrations: ordered SQL files per backend, recorded in ``schema_version``.

``migrations/<backend>/NNNN_name.sql`` are applied in order, each in its own
transaction, and each applied version is recorded with its name and time.
Both backends have the same numbered files with the same tables, so a view
database's version means the same thing on either. A database newer than
this code is refused rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from marsad.consumers.store.base import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FILE_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")
VERSION_TABLE = ("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                 "name TEXT NOT NULL, applied_at TEXT NOT NULL)")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(backend: str) -> list[Migration]:
    """The backend's migrations in order; numbered 1, 2, 3... without gaps."""
    found = []
    for path in sorted((MIGRATIONS / backend).glob("*.sql")):
        m = FILE_NAME.match(path.name)
        if not m:
            raise StoreError(f"migration file {path} is not named NNNN_name.sql")
        found.append(Migration(int(m.group(1)), m.group(2), path.read_text(encoding="utf-8")))
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations of {backend} must be numbered 1..n without gaps")
    return found


def pending(current: int, available: list[Migration], where: str) -> list[Migration]:
    """Migrations above ``current``; refuse a database newer than the code."""
    latest = available[-1].version if available else 0
    if current > latest:
        raise StoreError(f"{where} is at schema version {current}, newer than this marsad knows "
                         f"({latest}): upgrade marsad, or rebuild the views with `marsad replay`")
    return [m for m in available if m.version > current]
