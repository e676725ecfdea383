"""View stores: one interface (`Store`), SQLite or PostgreSQL chosen by the views URL.

    sqlite:///var/views/views.sqlite        (or a plain file path)
    postgresql://user@host/db?schema=marsad_views
"""

from __future__ import annotations

from pathlib import Path

from consumers.store.base import Offsets, Record, Store, StoreError, ViewReplaced, redact

__all__ = ["Offsets", "Record", "Store", "StoreError", "ViewReplaced", "default_url", "open_store", "redact"]


def default_url(data_dir: str | Path) -> str:
    """The embedded default: one SQLite file in the data dir."""
    return f"sqlite:///{Path(data_dir) / 'views' / 'views.sqlite'}"


def open_store(url: str) -> Store:
    """Open the views at ``url`` (not yet set up: call ``setup()`` before writing)."""
    if url.startswith(("postgresql://", "postgres://")):
        from consumers.store.postgres import PostgresStore
        return PostgresStore(url)
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:")
        path = "/" + path.lstrip("/") if path.startswith("///") else path.removeprefix("//")
        if not path:
            raise StoreError(f"views URL {url!r} names no file")
        from consumers.store.sqlite import SqliteStore
        return SqliteStore(path)
    if "://" in url:
        raise StoreError(f"views URL {url!r}: use sqlite:///path/to/views.sqlite or postgresql://...")
    from consumers.store.sqlite import SqliteStore
    return SqliteStore(url)
