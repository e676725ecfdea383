"""Fixtures of the consumer tests: a views URL for each backend, PostgreSQL started when needed.

``views_url`` is parametrised over SQLite and PostgreSQL, so every test that
uses it runs on both. PostgreSQL is the one at MARSAD_TEST_POSTGRES_URL when
set; otherwise the session starts its own from Debian's package
(tests/support/postgres.py), or the PostgreSQL cases are skipped with the
reason it could not start.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence

import psycopg
import pytest
from psycopg import sql

from marsad.consumers.store import Record, Store, open_store
from tests.support.postgres import LocalPostgres, PostgresUnavailable


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a PostgreSQL database the tests may create schemas in."""
    external = os.environ.get("MARSAD_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    try:
        server = LocalPostgres()
    except PostgresUnavailable as e:
        pytest.skip(f"PostgreSQL unavailable: {e}")
    try:
        server.start()
    except (PostgresUnavailable, OSError) as e:
        server.stop()
        pytest.skip(f"PostgreSQL could not start: {e}")
    try:
        yield server.url
    finally:
        server.stop()


def with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A views URL on PostgreSQL with a schema of this test's own (dropped afterwards, with replays)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield with_schema(postgres_server, schema)
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                                            [f"{schema}%"])]
        for name in names:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'views' / 'views.sqlite'}"


@pytest.fixture(params=["sqlite", "postgres"])
def views_url(request: pytest.FixtureRequest) -> str:
    """The views URL of each backend in turn."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def store(views_url: str) -> Iterator[Store]:
    """A set-up view store at ``views_url``, closed afterwards."""
    with open_store(views_url) as s:
        s.setup()
        yield s


def content_hashes(records: Sequence[Record], urls: Sequence[str], one_by_one: str) -> set[str]:
    """The views' content hashes after ``records``: in one batch at each of ``urls``, one a batch at ``one_by_one``."""
    hashes = set()
    for url in urls:
        with open_store(url) as s:
            s.setup()
            s.write_batch(list(records))
            hashes.add(s.content_hash())
    with open_store(one_by_one) as s:
        s.setup()
        for r in records:
            s.write_batch([r])
        hashes.add(s.content_hash())
    return hashes
