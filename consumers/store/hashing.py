"""A content hash of the views that depends on what they hold, not how it is stored.

Each row is encoded as canonical JSON and hashed; a table's digest is the
number of rows and the sum of their hashes modulo 2**256, so the order in
which a database returns rows does not matter (no ORDER BY, no collation
differences between SQLite and PostgreSQL). The views' hash covers every
table named in `HASHED`, in that order. Surrogate ids, the search index (it
is derived from the hashed text) and the Kafka offsets (bookkeeping, not
content) are left out, so a live view and a replay of the same log agree.

A replay's worker processes hash each article's rows as they build them
(`article_tally`), in the form the database gives them back (`READS_BACK`),
so the replay's hash of the article tables needs no second read of them; it
is the same sum, and the tests compare it with the hash read back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

import orjson

from marsad.consumers.incidents.rows import INCIDENT_CHILD_TABLES, INCIDENT_COLUMNS
from marsad.consumers.rows import ARTICLE_COLUMNS, CHILD_TABLES, ArticleRows
from marsad.streams.alerts.view_rows import ALERT_CHILD_TABLES, ALERT_COLUMNS

HASHED: dict[str, tuple[str, ...]] = {
    "articles": tuple(c for c in ARTICLE_COLUMNS if c != "search_text"),
    **CHILD_TABLES,
    "alerts": ALERT_COLUMNS,
    **ALERT_CHILD_TABLES,
    "incidents": INCIDENT_COLUMNS,
    **INCIDENT_CHILD_TABLES,
}
ARTICLE_TABLES = ("articles", *CHILD_TABLES)  # the tables an article's rows go to, as `article_tally` counts them
_SEARCH = ARTICLE_COLUMNS.index("search_text")
_MOD = 1 << 256

Tally = tuple[int, int]  # (rows, sum of their hashes), the sum not yet reduced


def tally(rows: Iterable[tuple], form: Callable[[tuple], tuple] | None = None) -> Tally:
    """How many ``rows``, and the sum of their hashes; each row as ``form`` gives it, when given.

    ``form`` is only applied to a row whose JSON holds ``-0.0`` (what `READS_BACK` changes): the
    others hash the same either way, and most rows are spared the conversion.
    """
    total = count = 0
    blake2b, dumps, as_int = hashlib.blake2b, orjson.dumps, int.from_bytes  # local names: a tight loop
    for row in rows:
        data = dumps(row)
        if form is not None and b"-0.0" in data:
            data = dumps(form(row))
        total += as_int(blake2b(data, digest_size=32).digest(), "big")  # reduced once, at the end
        count += 1
    return count, total


def tally_digest(name: str, counted: Tally) -> str:
    """``name:rows:sum`` for one table."""
    return f"{name}:{counted[0]}:{counted[1] % _MOD:064x}"


def table_digest(name: str, rows: Iterable[tuple]) -> str:
    """``name:rows:sum`` for one table; independent of the order of ``rows``."""
    return tally_digest(name, tally(rows))


def _sqlite_reads(row: tuple) -> tuple:
    # SQLite keeps a whole REAL as an integer on disk: -0.0 is read back as 0.0 (adding 0.0 does the same);
    # every other value is read back as written
    return tuple(v + 0.0 if type(v) is float else v for v in row)


# A row as each database gives it back once stored (PostgreSQL: as it was written).
READS_BACK: dict[str, Callable[[tuple], tuple] | None] = {"sqlite": _sqlite_reads, "postgres": None}


def article_tally(rows: ArticleRows, backend: str) -> tuple[int, ...]:
    """The tallies of one article's rows in each of `ARTICLE_TABLES`, one after the other, as ``backend``
    reads them back."""
    form = READS_BACK[backend]
    article = rows.article[:_SEARCH] + rows.article[_SEARCH + 1:]  # the search text is not hashed
    out: list[int] = []
    for table in ((article,), *map(rows.children.__getitem__, CHILD_TABLES)):
        out += tally(table, form)
    return tuple(out)


def views_digest(table_digests: Iterable[str]) -> str:
    """The views' hash from the per-table digests, in `HASHED` order."""
    h = hashlib.blake2b(digest_size=16)
    for d in table_digests:
        h.update(d.encode() + b"\n")
    return h.hexdigest()
