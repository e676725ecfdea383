"""Choosing the backend from the views URL, and keeping passwords out of messages."""

from __future__ import annotations

import pytest

from marsad.consumers.store import StoreError, default_url, open_store, redact
from marsad.consumers.store.postgres import split_url
from marsad.consumers.store.sqlite import SqliteStore


@pytest.mark.parametrize("form", ["sqlite:///{p}", "{p}"])
def test_sqlite_urls(tmp_path, form):
    path = tmp_path / "v" / "views.sqlite"
    with open_store(form.format(p=path)) as s:
        assert isinstance(s, SqliteStore) and s.path == path


def test_default_is_a_file_in_the_data_dir(tmp_path):
    assert default_url(tmp_path) == f"sqlite:///{tmp_path}/views/views.sqlite"


def test_postgres_url_schema_and_redaction():
    assert split_url("postgresql://u:pw@h/db?schema=live_v&sslmode=require") == (
        "postgresql://u:pw@h/db?sslmode=require", "live_v")
    assert split_url("postgresql://h/db")[1] == "marsad_views"
    with pytest.raises(StoreError, match="schema"):
        split_url("postgresql://h/db?schema=x;drop")
    assert redact("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"


def test_unknown_scheme_is_refused():
    with pytest.raises(StoreError, match="use sqlite"):
        open_store("mysql://h/db")
