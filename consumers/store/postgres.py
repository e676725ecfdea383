"""The views in a PostgreSQL schema (``MARSAD_VIEWS_URL=postgresql://...``), same behaviour as SQLite.

The URL is a libpq URL; an extra ``schema`` parameter names the schema of
the views (default ``marsad_views``). Every connection puts that schema
alone on its search_path, so the SQL is the backends' shared SQL.

A write transaction starts by locking the ``generation`` row of
``view_meta``: writers are serialised, and a replay's swap (which takes that
table exclusively, then renames the fresh schema over the live one and drops
the old, in one transaction) cannot interleave with a batch. A writer that
waited for a swap sees a new generation and gets `ViewReplaced`. A replay's
fresh schema is private until that swap: its writers (the replay's worker
processes, each with a connection of its own, `SqlStore.writer`) skip the
lock and write side by side, the article tables COPYed in binary.
"""

from __future__ import annotations

import contextlib
import functools
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from marsad.consumers.rows import ARTICLE_COLUMNS, CHILD_TABLES
from marsad.consumers.store import migrate
from marsad.consumers.store.base import StoreError, ViewReplaced, redact
from marsad.consumers.store.queries import Dialect, placeholders
from marsad.consumers.store.sqlstore import DELETE_CHUNK, SqlStore, Tx

DEFAULT_SCHEMA = "marsad_views"
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
GENERATION = "SELECT value FROM view_meta WHERE key = 'generation'"
BINARY_TABLES = frozenset(("articles", *CHILD_TABLES))  # a replay COPYs their rows in binary


def split_url(url: str) -> tuple[str, str]:
    """The libpq connection URL without ``schema``, and the schema name."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in params if k == "schema"), DEFAULT_SCHEMA)
    if not SCHEMA_NAME.match(schema):
        raise StoreError(f"views URL: schema {schema!r} must be lower-case letters, digits and _")
    query = urlencode([(k, v) for k, v in params if k != "schema"])
    return urlunsplit(parts._replace(query=query)), schema


def _pg(statement: str) -> str:
    assert "%" not in statement, "literal % in SQL: bind it as a parameter"
    return statement.replace("?", "%s")


class _Tx:
    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn
        self._cur = conn.cursor()

    def run(self, statement: str, params: Sequence = ()) -> None:
        self._cur.execute(_pg(statement), params)

    def many(self, statement: str, rows: Sequence[Sequence]) -> None:
        self._cur.executemany(_pg(statement), rows)

    def rows(self, statement: str, params: Sequence = ()) -> list[tuple]:
        return self._cur.execute(_pg(statement), params).fetchall()

    def iterate(self, statement: str) -> Iterator[tuple]:
        with self._conn.cursor(name=f"it_{secrets.token_hex(4)}") as cur:
            cur.itersize = 5000
            cur.execute(_pg(statement))
            yield from cur

    def copy(self, table: str, cols: Sequence[str], rows: Sequence[Sequence], types: Sequence[int] = ()) -> None:
        """COPY ``rows`` in; in binary when the columns' ``types`` (oids) are given: less to format and parse."""
        with self._cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN{' (FORMAT BINARY)' if types else ''}") as cp:
            if types:
                cp.set_types(types)
            for row in rows:
                cp.write_row(row)


def _fast_compression(conn: psycopg.Connection) -> None:
    """Compress the long texts this session writes with lz4 where the server has it (PostgreSQL 14+):
    several times faster than the default pglz, and read back transparently, whatever wrote a value."""
    with contextlib.suppress(psycopg.Error):  # an older server, or one built without lz4: pglz, as before
        conn.execute("SET default_toast_compression = 'lz4'")


def _no_commit_wait(conn: psycopg.Connection) -> None:
    """A fresh schema's commits do not wait for the WAL flush (`PostgresStore._build_fast`)."""
    conn.execute("SET synchronous_commit = off")


def _open_writer(url: str, schema: str, live: str) -> PostgresStore:
    """The fresh ``schema`` opened again, in a replay's worker process (`SqlStore.writer`)."""
    store = PostgresStore(url, schema=schema, live_schema=live)
    try:
        _no_commit_wait(store._conn)
    except psycopg.Error as e:
        store.close()
        raise StoreError(f"schema {schema}: {e}") from e
    return store


def tsquery_lexeme(word: str) -> str:
    """A word as one quoted lexeme of a tsquery (taken as it is: no text parser, no dictionary)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresStore(SqlStore):
    """Views in one PostgreSQL schema (see the module docstring)."""

    backend = "postgres"  # its folder of migrations

    # the words as lexemes, as `search` holds them (migration 0007): no text parser on either side
    dialect = Dialect("a.search @@ CAST(? AS tsquery)", " & ", tsquery_lexeme)

    def __init__(self, url: str, *, schema: str | None = None, live_schema: str | None = None,
                 read_only: bool = False) -> None:
        """Connect to the database of ``url``; ``live_schema`` is set for a fresh replay target.

        ``read_only``: every transaction of the session is read-only
        (``default_transaction_read_only``), and a missing schema is an error.
        """
        self._conninfo, url_schema = split_url(url)
        self.schema = schema or url_schema
        self.url = redact(url)
        self._url = url
        self._live = live_schema
        self._read_only = read_only
        self._generation: str | None = None
        self._deferred: list[str] = []  # index definitions a fresh store builds when promoted
        self._types: dict[str, tuple[int, ...]] = {}  # column type oids of the article tables (`_binary`)
        self._conn = self._connect()

    def _connect(self) -> psycopg.Connection:
        try:
            # no server-side prepared statements: names must resolve afresh after a swap
            conn = psycopg.connect(self._conninfo, autocommit=True, prepare_threshold=None,
                                   application_name="marsad-views")
            if self._read_only:
                conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [self.schema]).fetchone():
                    conn.close()
                    raise StoreError(f"no views in schema {self.schema} of {self.url}: build them with "
                                     "`marsad views` (follows the log) or `marsad replay`, or fix MARSAD_VIEWS_URL")
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
            if not self._read_only:
                _fast_compression(conn)
            return conn
        except psycopg.Error as e:
            raise StoreError(f"cannot connect to the views database ({redact(self._conninfo)}): {e}") from e

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Tx]:
        try:
            with self._conn.transaction():
                tx = _Tx(self._conn)
                if not write:  # one snapshot for every statement of a read
                    tx.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield tx
        except psycopg.Error as e:
            raise StoreError(f"views database (schema {self.schema}): {e}") from e

    def _guard(self, tx: Tx) -> None:
        if self._live:  # a fresh schema: written by the replay alone (its worker processes side by side)
            return
        rows = tx.rows(GENERATION + " FOR UPDATE")
        current = rows[0][0] if rows else None
        if self._generation is None:
            self._generation = current
        elif current != self._generation:
            raise ViewReplaced(f"schema {self.schema} was replaced by a rebuilt view")

    def _insert(self, tx: Tx, table: str, cols: tuple[str, ...], data: list[tuple]) -> None:
        assert isinstance(tx, _Tx)
        tx.copy(table, cols, data, self._binary(tx, table, cols))  # children were deleted first: no conflicts

    def _binary(self, tx: _Tx, table: str, cols: tuple[str, ...]) -> tuple[int, ...]:
        """The column types to COPY an article table in binary, in a fresh schema (a replay's rows, built by
        `marsad.consumers.rows` with the tables' types); () elsewhere: COPY in text, as before."""
        if not self._live or table not in BINARY_TABLES:
            return ()
        if table not in self._types:
            oids = dict(tx.rows("SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = ?::regclass "
                                "AND attnum > 0 AND NOT attisdropped", [table]))
            self._types[table] = tuple(oids[c] for c in cols)
        return self._types[table]

    def _write_articles(self, tx: Tx, data: list[tuple], stored: list[str]) -> None:
        # The rows of articles already in the view are deleted, then every row is COPYed in: a
        # row-by-row upsert is ten times slower, and an upsert from a COPYed scratch table twice
        # (each text is written and compressed twice). The transaction holds the view's write lock.
        assert isinstance(tx, _Tx)
        for i in range(0, len(stored), DELETE_CHUNK):
            chunk = stored[i:i + DELETE_CHUNK]
            tx.run(f"DELETE FROM articles WHERE article_id IN ({placeholders(len(chunk))})", chunk)
        tx.copy("articles", ARTICLE_COLUMNS, data, self._binary(tx, "articles", ARTICLE_COLUMNS))

    def replaced(self) -> bool:
        try:
            with self._transaction(write=False) as tx:
                rows = tx.rows(GENERATION)
        except StoreError:
            return True
        return self._generation is not None and (not rows or rows[0][0] != self._generation)

    def setup(self) -> None:
        conn = self._conn
        try:
            with conn.transaction():
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
                conn.execute(migrate.VERSION_TABLE)
            current = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
            for m in migrate.pending(current, migrate.migrations("postgres"), f"schema {self.schema}"):
                with conn.transaction():
                    conn.execute(m.sql)
                    conn.execute("INSERT INTO schema_version VALUES (%s, %s, to_char(now() AT TIME ZONE 'UTC', "
                                 "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))", [m.version, m.name])
            conn.execute("INSERT INTO view_meta (key, value) VALUES ('generation', %s) ON CONFLICT (key) DO NOTHING",
                         [uuid.uuid4().hex])
            self._generation = conn.execute(GENERATION).fetchone()[0]
        except psycopg.Error as e:
            raise StoreError(f"cannot set up the views in schema {self.schema}: {e}") from e

    def flush(self) -> None:
        """Nothing to do: a committed transaction is durable."""

    def close(self) -> None:
        self._conn.close()

    # -- replay ------------------------------------------------------------------
    def fresh(self) -> PostgresStore:
        """A new schema, built for speed (see `_build_fast`)."""
        stamp = time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
        store = PostgresStore(self._url, schema=f"{self.schema[:40]}_r{stamp}", live_schema=self.schema)
        store.setup()
        store._build_fast()
        store._count_tallies()
        return store

    def writer(self) -> Callable[[], PostgresStore]:
        return functools.partial(_open_writer, self._url, self.schema, self._require_fresh())

    def _build_fast(self) -> None:
        """Make this fresh schema quick to fill: its secondary indexes (full-text GIN included) are
        dropped and built at `promote`, in one go; and its commits do not wait for the WAL flush.

        ``synchronous_commit = off`` keeps every transaction atomic (rows and offsets together); a
        server crash may only lose the last few, and a replay that does not finish is discarded
        anyway (the next one starts a new schema from offset 0). The swap itself is committed
        with the server's default durability, on a connection of its own.
        """
        try:
            _no_commit_wait(self._conn)
            with self._conn.transaction():
                found = self._conn.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE connamespace = %s::regnamespace) ORDER BY indexname",
                    [self.schema, self.schema]).fetchall()
                for name, _ in found:
                    self._conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        except psycopg.Error as e:
            raise StoreError(f"schema {self.schema}: {e}") from e
        self._deferred = [definition for _, definition in found]

    def promote(self) -> None:
        live = self._require_fresh()
        try:
            with self._conn.transaction():
                self._conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
                for definition in self._deferred:  # as pg_indexes gave it: schema-qualified, from the catalog
                    self._conn.execute(definition)
        except psycopg.Error as e:
            raise StoreError(f"cannot index schema {self.schema}: {e}") from e
        self._conn.close()
        ident = sql.Identifier
        old = f"{live[:40]}_old{secrets.token_hex(4)}"
        try:
            with psycopg.connect(self._conninfo, autocommit=True) as admin, admin.transaction():
                exists = admin.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [live]).fetchone()
                if exists:
                    # waits for a live writer's batch to commit, and holds off the next one
                    admin.execute(sql.SQL("LOCK TABLE {}.view_meta IN ACCESS EXCLUSIVE MODE").format(ident(live)))
                    admin.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(ident(live), ident(old)))
                admin.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(ident(self.schema), ident(live)))
                if exists:
                    admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(ident(old)))
        except psycopg.Error as e:
            raise StoreError(f"cannot swap schema {self.schema} in as {live}: {e}") from e
        self.schema = live

    def discard(self) -> None:
        self._require_fresh()
        self._conn.close()
        try:
            with psycopg.connect(self._conninfo, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema)))
        except psycopg.Error as e:
            raise StoreError(f"cannot drop schema {self.schema}: {e}") from e

    def _require_fresh(self) -> str:
        if self._live is None:
            raise StoreError(f"schema {self.schema} is the live view, not a fresh replay target")
        return self._live

