"""The views in one SQLite file (WAL mode), the embedded default.

Writers take ``BEGIN IMMEDIATE`` (one writer at a time; readers go on in WAL
mode). ``synchronous=NORMAL``: a crash of the process (kill -9 included)
loses nothing committed, since a commit is in the WAL, in the operating
system's hands, before it returns; a power cut may lose the last
transactions, but a transaction is whole or absent (WAL frames carry
checksums and a commit mark) and the offsets are in it, so the consumer
re-reads exactly those messages. Exactly-once holds either way.

Replay builds ``<name>-<stamp>.sqlite`` beside the live path and swaps it in
by atomically renaming a symbolic link over the live path. SQLite names the
WAL after the link's target, so connections still open on the previous file
keep a consistent (old) view and notice the swap (`replaced`) by the live
path resolving elsewhere. The fresh file is built for speed: no readers see
it and a failed or killed replay never reuses it (the next one starts a new
file from offset 0), so it takes ``synchronous=OFF`` and an in-memory
rollback journal (a batch that fails still rolls back), and its secondary
indexes are built once, when it is promoted, which is several times faster
than row by row. A replay's worker processes write their shares into it
through handles of their own (`SqlStore.writer`), taking turns on a lock,
and keep its full-text index as they write (its cost then runs beside the
other worker's Python work instead of alone at the swap); written in one
process, it is rebuilt at the swap. Promotion writes the whole file and
fsyncs it before the swap.
"""

from __future__ import annotations

import functools
import os
import secrets
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from marsad.consumers.store import migrate
from marsad.consumers.store.base import StoreError, ViewReplaced
from marsad.consumers.store.queries import Dialect, placeholders
from marsad.consumers.store.sqlstore import SqlStore, Tx
from marsad.streams.geo import distance_km

SIDE_FILES = ("-wal", "-shm", "-journal")


def sql_km(lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None) -> float | None:
    """The SQL function ``marsad_km``: `marsad.streams.geo.distance_km`, NULL when a coordinate is."""
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    return distance_km(lat1, lon1, lat2, lon2)


def fts5_term(word: str) -> str:
    """A word as one FTS5 term (a string in double quotes: never an operator or a column filter)."""
    return '"' + word.replace('"', '""') + '"'


class _Tx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def run(self, sql: str, params: Sequence = ()) -> None:
        self._conn.execute(sql, params)

    def many(self, sql: str, rows: Sequence[Sequence]) -> None:
        self._conn.executemany(sql, rows)

    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self._conn.execute(sql, params).fetchall()

    def iterate(self, sql: str) -> Iterator[tuple]:
        yield from self._conn.execute(sql)


class SqliteStore(SqlStore):
    """Views in one SQLite file (see the module docstring)."""

    backend = "sqlite"  # its folder of migrations

    dialect = Dialect("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", " ", fts5_term)

    def __init__(self, path: str | Path, *, live: Path | None = None, read_only: bool = False,
                 indexing: bool = False) -> None:
        """Open (creating the folder) the database at ``path``; ``live`` is set for a fresh replay target.

        ``read_only``: open an existing file for reading only (``mode=ro`` and
        ``query_only``): nothing is created, and any write raises. ``indexing``: a replay's worker
        handle on a fresh target (`writer`), which keeps the full-text index as it writes, as the
        live view does.
        """
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self._live = live
        self._indexing = indexing or live is None
        self._unindexed = False  # articles were written here without the full-text index: `promote` rebuilds it
        self._deferred: list[str] = []  # index definitions a fresh store builds when promoted
        try:
            if read_only:
                if not self.path.is_file():
                    raise StoreError(f"no views database at {self.url}: build it with `marsad views` "
                                     "(follows the log) or `marsad replay`, or fix MARSAD_VIEWS_URL")
                self._real = os.path.realpath(self.path)
                self._conn = sqlite3.connect(f"file:{quote(str(self.path))}?mode=ro", uri=True,
                                             isolation_level=None, timeout=30.0)
                self._conn.execute("PRAGMA query_only=ON")
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._real = os.path.realpath(self.path)
                # a replay target is written from a thread of its own (`ViewConsumer.run_overlapped`), one at a time
                self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0,
                                             check_same_thread=live is None)
                # a replay target is thrown away if the build fails, so it need not be crash-safe until promoted
                self._conn.execute(f"PRAGMA journal_mode={'MEMORY' if live else 'WAL'}")
                self._conn.execute(f"PRAGMA synchronous={'OFF' if live else 'NORMAL'}")
            self._conn.execute("PRAGMA cache_size=-65536")
            self._conn.execute("PRAGMA temp_store=MEMORY")
            self._conn.create_function("marsad_km", 4, sql_km, deterministic=True)
        except (OSError, sqlite3.Error) as e:
            raise StoreError(f"cannot open the views database {self.path}: {e}") from e

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Tx]:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield _Tx(conn)
            conn.execute("COMMIT")
        except BaseException as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise StoreError(f"views database {self.path}: {e}") from e
            raise

    def _guard(self, tx: Tx) -> None:
        if self.replaced():
            raise ViewReplaced(f"{self.path} was replaced by a rebuilt view")

    def replaced(self) -> bool:
        return os.path.realpath(self.path) != self._real

    # The full-text index is kept by these two statements per chunk rather than by triggers:
    # FTS5 flushes its pending terms at every trigger's savepoint, which made writes 4x slower.
    # A fresh replay target written in this process skips them and rebuilds the whole index once,
    # when promoted; the replay's worker processes keep it as they write, side by side with the
    # other's Python work, so the swap has only the secondary indexes left to build.
    def _unindex(self, tx: Tx, article_ids: list[str]) -> None:
        if not self._indexing:
            return
        tx.run("INSERT INTO articles_fts (articles_fts, rowid, search_text) SELECT 'delete', id, search_text "
               f"FROM articles WHERE article_id IN ({placeholders(len(article_ids))})", article_ids)

    def _index(self, tx: Tx, article_ids: list[str]) -> None:
        if not self._indexing:
            self._unindexed = True
            return
        tx.run("INSERT INTO articles_fts (rowid, search_text) SELECT id, search_text FROM articles "
               f"WHERE article_id IN ({placeholders(len(article_ids))})", article_ids)

    def setup(self) -> None:
        conn = self._conn
        try:
            conn.execute(migrate.VERSION_TABLE)
            current = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
            for m in migrate.pending(current, migrate.migrations("sqlite"), str(self.path)):
                # executescript would commit on its own: the script carries its transaction
                conn.executescript(f"BEGIN IMMEDIATE;\n{m.sql}\nINSERT INTO schema_version VALUES "
                                   f"({m.version}, '{m.name}', '{_now()}');\nCOMMIT;")
            conn.execute("INSERT INTO view_meta (key, value) VALUES ('generation', ?) ON CONFLICT (key) DO NOTHING",
                         [uuid.uuid4().hex])
        except sqlite3.Error as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"cannot set up the views database {self.path}: {e}") from e

    def flush(self) -> None:
        try:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as e:
            raise StoreError(f"views database {self.path}: {e}") from e

    def close(self) -> None:
        self._conn.close()

    # -- replay ------------------------------------------------------------------
    def fresh(self) -> SqliteStore:
        stamp = time.strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(3)
        store = SqliteStore(self.path.with_name(f"{self.path.stem}-{stamp}{self.path.suffix}"), live=self.path)
        store.setup()
        store._defer_indexes()
        store._count_tallies()
        return store

    def writer(self) -> Callable[[], SqliteStore]:
        return functools.partial(SqliteStore, self.path, live=self._require_fresh(), indexing=True)

    def _defer_indexes(self) -> None:
        """Drop the secondary indexes (writes look rows up by primary key only); `promote` builds them."""
        try:
            found = self._conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                       "AND sql IS NOT NULL ORDER BY name").fetchall()
            for name, _ in found:
                self._conn.execute(f'DROP INDEX "{name}"')
        except sqlite3.Error as e:
            raise StoreError(f"cannot set up {self.path}: {e}") from e
        self._deferred = [definition for _, definition in found]

    def promote(self) -> None:
        live = self._require_fresh()
        try:
            for definition in self._deferred:
                self._conn.execute(definition)
            if self._unindexed:
                self._conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.execute("PRAGMA journal_mode=DELETE")  # the file alone is now the whole database
        except sqlite3.Error as e:
            raise StoreError(f"cannot finish {self.path}: {e}") from e
        self._conn.close()
        _fsync(self.path)
        previous = Path(os.path.realpath(live)) if live.exists() or live.is_symlink() else None
        was_file = live.exists() and not live.is_symlink()
        link = live.with_name(f".{live.name}.{secrets.token_hex(4)}.link")
        os.symlink(self.path.name, link)  # relative: the folder may move
        os.replace(link, live)  # the atomic swap
        _fsync(live.parent)
        if was_file:
            _remove([live.with_name(live.name + s) for s in SIDE_FILES])
        elif previous is not None and previous != self.path.resolve():
            _remove([previous, *(previous.with_name(previous.name + s) for s in SIDE_FILES)])

    def discard(self) -> None:
        self._require_fresh()
        self._conn.close()
        _remove([self.path, *(self.path.with_name(self.path.name + s) for s in SIDE_FILES)])

    def _require_fresh(self) -> Path:
        if self._live is None:
            raise StoreError(f"{self.path} is the live view, not a fresh replay target")
        return self._live


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(paths: list[Path]) -> None:
    for p in paths:
        p.unlink(missing_ok=True)
