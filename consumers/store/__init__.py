"""View stores: one interface (`Store`), SQLite or PostgreSQL chosen by the views URL.

    sqlite:///var/views/views.sqlite        (or a plain file path)
    postgresql://user@host/db?schema=marsad_views
"""

from __future__ import annotations

from pathlib import Path

from marsad.consumers.store.base import Offsets, Record, Store, StoreError, ViewReplaced, redact

__all__ = ["Offsets", "Record", "Store", "StoreError", "ViewReplaced", "default_url", "open_reader", "open_store",
           "redact"]


def default_url(data_dir: str | Path) -> str:
    """The embedded default: one SQLite file in the data dir."""
    return f"sqlite:///{Path(data_dir) / 'views' / 'views.sqlite'}"


def open_store(url: str, *, read_only: bool = False) -> Store:
    """Open the views at ``url`` (not yet set up: call ``setup()`` before writing).

    ``read_only``: for readers (the API, `marsad query`): an existing database
    only, opened so that any write raises; nothing is created or migrated.
    """
    if url.startswith(("postgresql://", "postgres://")):
        from marsad.consumers.store.postgres import PostgresStore
        return PostgresStore(url, read_only=read_only)
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:")
        path = "/" + path.lstrip("/") if path.startswith("///") else path.removeprefix("//")
        if not path:
            raise StoreError(f"views URL {url!r} names no file")
        from marsad.consumers.store.sqlite import SqliteStore
        return SqliteStore(path, read_only=read_only)
    if "://" in url:
        raise StoreError(f"views URL {url!r}: use sqlite:///path/to/views.sqlite or postgresql://...")
    from marsad.consumers.store.sqlite import SqliteStore
    return SqliteStore(url, read_only=read_only)


def open_reader(url: str) -> Store:
    """The views at ``url`` for a reader: read-only, and refused unless built at this code's schema version.

    Readers never create or migrate a database: a wrong URL must not serve
    an empty one as if it were healthy. The message says how to build it.
    """
    store = open_store(url, read_only=True)
    try:
        have, want = store.schema_version(), latest_version(store)
    except StoreError as e:
        store.close()
        raise StoreError(f"{redact(url)} holds no marsad views ({e}): build them with `marsad views` or "
                         "`marsad replay`, or fix MARSAD_VIEWS_URL") from None
    if have != want:
        store.close()
        newer = "upgrade marsad" if have > want else "run `marsad views` once (it migrates) or `marsad replay`"
        raise StoreError(f"the views at {redact(url)} are at schema version {have}, this marsad reads "
                         f"version {want}: {newer}")
    return store


def latest_version(store: Store) -> int:
    """The schema version this code builds for ``store``'s backend."""
    from marsad.consumers.store.migrate import migrations
    found = migrations(getattr(store, "backend", "sqlite"))
    return found[-1].version if found else 0
