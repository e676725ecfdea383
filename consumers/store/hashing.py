"""A content hash of the views that depends on what they hold, not how it is stored.

Each row is encoded as canonical JSON and hashed; a table's digest is the
number of rows and the sum of their hashes modulo 2**256, so the order in
which a database returns rows does not matter (no ORDER BY, no collation
differences between SQLite and PostgreSQL). The views' hash covers every
table named in `HASHED`, in that order. Surrogate ids, the search index (it
is derived from the hashed text) and the Kafka offsets (bookkeeping, not
content) are left out, so a live view and a replay of the same log agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import orjson

from marsad.consumers.incidents.rows import INCIDENT_CHILD_TABLES, INCIDENT_COLUMNS
from marsad.consumers.rows import ARTICLE_COLUMNS, CHILD_TABLES
from marsad.streams.alerts.view_rows import ALERT_CHILD_TABLES, ALERT_COLUMNS

HASHED: dict[str, tuple[str, ...]] = {
    "articles": tuple(c for c in ARTICLE_COLUMNS if c != "search_text"),
    **CHILD_TABLES,
    "alerts": ALERT_COLUMNS,
    **ALERT_CHILD_TABLES,
    "incidents": INCIDENT_COLUMNS,
    **INCIDENT_CHILD_TABLES,
}
_MOD = 1 << 256


def table_digest(name: str, rows: Iterable[tuple]) -> str:
    """``name:rows:sum`` for one table; independent of the order of ``rows``."""
    total = count = 0
    blake2b, dumps, as_int = hashlib.blake2b, orjson.dumps, int.from_bytes  # local names: a tight loop
    for row in rows:
        total += as_int(blake2b(dumps(row), digest_size=32).digest(), "big")  # reduced once, at the end
        count += 1
    return f"{name}:{count}:{total % _MOD:064x}"


def views_digest(table_digests: Iterable[str]) -> str:
    """The views' hash from the per-table digests, in `HASHED` order."""
    h = hashlib.blake2b(digest_size=16)
    for d in table_digests:
        h.update(d.encode() + b"\n")
    return h.hexdigest()
