"""What both SQL backends share: batch writes with offsets, queries, the content hash.

A backend provides a connection wrapped as a `Tx` (run / many / rows /
iterate, ``?`` placeholders), its `Dialect`, and ``_guard``: the statement
that opens a write transaction by locking the view against other writers
and against a replay's swap, raising `ViewReplaced` when the swap happened.
Everything else, and so the behaviour, is the same code for both.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

import orjson

from marsad.consumers.query.model import (
    AlertQuery,
    ArticleQuery,
    CountQuery,
    Cursor,
    IncidentCountQuery,
    IncidentQuery,
    Page,
    SeizureQuery,
    StoryQuery,
    TotalsQuery,
)
from marsad.consumers.rows import ARTICLE_COLUMNS, CHILD_TABLES, ArticleRows, PreparedArticle, article_rows
from marsad.consumers.store import incidents as incident_view
from marsad.consumers.store import queries
from marsad.consumers.store.base import Offsets, Record, Store
from marsad.consumers.store.hashing import (
    ARTICLE_TABLES,
    HASHED,
    table_digest,
    tally_digest,
    views_digest,
)
from marsad.schemas.events import AlertRaised, AlertUpdated, ArticleProcessed, IncidentRecorded
from marsad.streams.alerts.view_rows import ALERT_CHILD_TABLES, ALERT_COLUMNS, AlertRows, alert_dict, fold

UPSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({queries.placeholders(len(ARTICLE_COLUMNS))}) "
    "ON CONFLICT (article_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in ARTICLE_COLUMNS[1:])
)
UPSERT_OFFSET = ("INSERT INTO kafka_offsets (topic, part, next_offset) VALUES (?, ?, ?) "
                 "ON CONFLICT (topic, part) DO UPDATE SET next_offset = excluded.next_offset")
UPSERT_ALERT = (
    f"INSERT INTO alerts ({', '.join(ALERT_COLUMNS)}) VALUES ({queries.placeholders(len(ALERT_COLUMNS))}) "
    "ON CONFLICT (alert_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in ALERT_COLUMNS[1:])
)
DELETE_CHUNK = 500


class Tx(Protocol):
    """A transaction's statements, with ``?`` placeholders."""

    def run(self, sql: str, params: Sequence = ()) -> None: ...
    def many(self, sql: str, rows: Sequence[Sequence]) -> None: ...
    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]: ...
    def iterate(self, sql: str) -> Iterator[tuple]: ...


class SqlStore(Store):
    """The `Store` contract in SQL, for a backend that supplies transactions and its `Dialect`."""

    dialect: queries.Dialect
    # A fresh store's article tallies by article id (`PreparedArticle.tally`): its content hash adds them
    # up instead of reading the article tables back. None: not a fresh store, or an article came unprepared.
    _tallies: dict[str, tuple[int, ...]] | None = None
    _shares: list[tuple[int, ...]]  # the tally sums of the replay's worker processes that wrote into this store

    @abstractmethod
    def _transaction(self, write: bool) -> AbstractContextManager[Tx]:
        """A transaction; committed on success, rolled back on error (errors as StoreError)."""

    @abstractmethod
    def _guard(self, tx: Tx) -> None:
        """First statement of a write: serialise writers, raise ViewReplaced after a swap."""

    def writer(self) -> Callable[[], SqlStore]:
        """How another process opens this fresh store to write its share of a replay (picklable).

        The store it opens skips the search index and the durability this one skips, and writes
        no offsets (``write_batch(..., offsets=False)``): the replay stores them once, at the end.
        """
        raise NotImplementedError(f"{type(self).__name__} has no worker processes")

    # -- writes ----------------------------------------------------------------
    def write_batch(self, records: Sequence[Record], *, offsets: bool = True) -> int:
        """`Store.write_batch`; ``offsets`` False: a replay's worker writes its share, the offsets come last."""
        with self._transaction(write=True) as tx:
            self._guard(tx)
            stored = {(t, p): o for t, p, o in tx.rows("SELECT topic, part, next_offset FROM kafka_offsets")} \
                if offsets else {}
            latest: dict[str, ArticleProcessed | PreparedArticle] = {}
            alert_events: list[AlertRaised | AlertUpdated] = []
            incident_events: list[IncidentRecorded] = []
            ends: Offsets = {}
            for r in records:
                tp = (r.topic, r.partition)
                if r.offset < stored.get(tp, 0):
                    continue  # already in the view: a redelivery
                ends[tp] = max(ends.get(tp, 0), r.offset + 1)
                if isinstance(r.event, ArticleProcessed | PreparedArticle):
                    # an article's events share a partition, in order: the later one is its state
                    latest[r.event.article_id] = r.event
                elif isinstance(r.event, IncidentRecorded):  # IncidentUpdated included
                    incident_events.append(r.event)
                elif r.event is not None:
                    alert_events.append(r.event)
            if latest:
                self._upsert(tx, [e.rows() if isinstance(e, PreparedArticle) else article_rows(e)
                                  for e in latest.values()])
            alerts = self._fold_alerts(tx, alert_events) if alert_events else 0
            incidents = incident_view.apply(tx, incident_events, self._insert) if incident_events else 0
            if ends and offsets:
                tx.many(UPSERT_OFFSET, [(t, p, o) for (t, p), o in sorted(ends.items())])
        if self._tallies is not None:  # committed: these are now the articles' rows
            for e in latest.values():
                if not isinstance(e, PreparedArticle):
                    self._tallies = None
                    break
                self._tallies[e.article_id] = e.tally  # a later revision replaces the earlier one's rows
        return len(latest) + alerts + incidents

    def _fold_alerts(self, tx: Tx, events: list[AlertRaised | AlertUpdated]) -> int:
        """Apply alert events in log order to the stored alert rows (`marsad.streams.alerts.view_rows.fold`)."""
        ids = sorted({e.alert_id for e in events})
        current: dict[str, tuple | None] = dict.fromkeys(ids)
        for i in range(0, len(ids), DELETE_CHUNK):
            chunk = ids[i:i + DELETE_CHUNK]
            for row in tx.rows(f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts "
                               f"WHERE alert_id IN ({queries.placeholders(len(chunk))})", chunk):
                current[row[0]] = tuple(row)
        changed: dict[str, AlertRows] = {}
        for e in events:
            rows = fold(current[e.alert_id], e)
            if rows is None:
                continue
            current[e.alert_id] = rows.alert
            previous = changed.get(e.alert_id)
            if rows.children is None and previous is not None and previous.children is not None:
                rows = AlertRows(rows.alert, previous.children)  # a raise then an update: keep the raise's places
            changed[e.alert_id] = rows
        if not changed:
            return 0
        tx.many(UPSERT_ALERT, [r.alert for r in changed.values()])
        raised = [aid for aid, r in changed.items() if r.children is not None]
        for i in range(0, len(raised), DELETE_CHUNK):
            chunk = raised[i:i + DELETE_CHUNK]
            for table in ALERT_CHILD_TABLES:
                tx.run(f"DELETE FROM {table} WHERE alert_id IN ({queries.placeholders(len(chunk))})", chunk)
        for table, cols in ALERT_CHILD_TABLES.items():
            data = [row for r in changed.values() if r.children is not None for row in r.children[table]]
            if data:
                tx.many(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({queries.placeholders(len(cols))})",
                        data)
        return len(changed)

    def _upsert(self, tx: Tx, rows: list[ArticleRows]) -> None:
        ids = [r.article[0] for r in rows]
        chunks = [ids[i:i + DELETE_CHUNK] for i in range(0, len(ids), DELETE_CHUNK)]
        stored: list[str] = []
        for chunk in chunks:
            # one lookup finds the articles stored before; only theirs have rows to remove (most are new)
            found = [r[0] for r in tx.rows(f"SELECT article_id FROM articles "
                                           f"WHERE article_id IN ({queries.placeholders(len(chunk))})", chunk)]
            if found:
                for table in CHILD_TABLES:
                    tx.run(f"DELETE FROM {table} WHERE article_id IN ({queries.placeholders(len(found))})", found)
                self._unindex(tx, found)
                stored += found
        self._write_articles(tx, [r.article for r in rows], stored)
        for chunk in chunks:
            self._index(tx, chunk)
        for table, cols in CHILD_TABLES.items():
            data = [row for r in rows for row in r.children[table]]
            if data:
                self._insert(tx, table, cols, data)

    def _unindex(self, tx: Tx, article_ids: list[str]) -> None:
        """Before these articles are rewritten: drop them from a search index the database does not keep."""

    def _index(self, tx: Tx, article_ids: list[str]) -> None:
        """After these articles are written: add them to a search index the database does not keep."""

    def _write_articles(self, tx: Tx, data: list[tuple], stored: list[str]) -> None:
        """Insert or replace article rows (`ARTICLE_COLUMNS` order); ``stored``: the ids already in the view."""
        tx.many(UPSERT_ARTICLE, data)

    def _insert(self, tx: Tx, table: str, cols: tuple[str, ...], data: list[tuple]) -> None:
        tx.many(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({queries.placeholders(len(cols))})", data)

    # -- bookkeeping -------------------------------------------------------------
    def offsets(self) -> Offsets:
        with self._transaction(write=False) as tx:
            return {(t, p): o for t, p, o in tx.rows("SELECT topic, part, next_offset FROM kafka_offsets")}

    def schema_version(self) -> int:
        with self._transaction(write=False) as tx:
            return tx.rows("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0]

    def write_offsets(self, offsets: Offsets) -> None:
        """Store the position in the log (a replay whose worker processes wrote the rows, once caught up)."""
        with self._transaction(write=True) as tx:
            self._guard(tx)
            tx.many(UPSERT_OFFSET, [(t, p, o) for (t, p), o in sorted(offsets.items())])

    def _count_tallies(self) -> None:
        """From now on (an empty fresh store), add up the tallies of prepared articles as they are written."""
        self._tallies = {}
        self._shares = []

    def tally_sums(self) -> tuple[int, ...] | None:
        """The tallies of the articles written here, added up per column; None: not every article had one."""
        if self._tallies is None:
            return None
        sums = [sum(column) for column in zip(*self._tallies.values(), strict=True)] \
            if self._tallies else [0] * (2 * len(ARTICLE_TABLES))
        for share in self._shares:
            sums = [a + b for a, b in zip(sums, share, strict=True)]
        return tuple(sums)

    def add_tallies(self, sums: tuple[int, ...] | None) -> None:
        """Count the articles a replay's worker process wrote into this store (``tally_sums`` of its own
        handle): no article of theirs is written by this handle or by another worker."""
        if self._tallies is not None:
            if sums is None:
                self._tallies = None
            else:
                self._shares.append(sums)

    def content_hash(self) -> str:
        tallied: dict[str, str] = {}
        sums = self.tally_sums()
        if sums is not None:  # every article of this store came prepared, with its tally
            tallied = {t: tally_digest(t, (sums[2 * i], sums[2 * i + 1])) for i, t in enumerate(ARTICLE_TABLES)}
        with self._transaction(write=False) as tx:
            return views_digest(tallied.get(t) or table_digest(t, tx.iterate(f"SELECT {', '.join(cols)} FROM {t}"))
                                for t, cols in HASHED.items())

    def stats(self) -> dict[str, int]:
        with self._transaction(write=False) as tx:
            return {t: tx.rows(f"SELECT COUNT(*) FROM {t}")[0][0] for t in HASHED}

    # -- queries -------------------------------------------------------------------
    def articles(self, query: ArticleQuery) -> Page:
        sql, params = queries.articles_sql(query, self.dialect)
        with self._transaction(write=False) as tx:
            rows = tx.rows(sql, params)
            page, more = rows[:query.limit], len(rows) > query.limit
            items = [{**_article(r[:-1]), "snippet": r[-1]} for r in page]
            _attach_facts(tx, items)
        nxt = Cursor(items[-1]["at"], items[-1]["article_id"]) if more and items else None
        return Page(items, nxt)

    def article(self, article_id: str) -> dict | None:
        n = len(queries.ARTICLE_LIST_COLUMNS)
        extra = ("clean_text", "event_id", "occurred_at", "gazetteer_version")
        cols = ", ".join((*queries.ARTICLE_LIST_COLUMNS, *extra))
        with self._transaction(write=False) as tx:
            rows = tx.rows(f"SELECT {cols} FROM articles WHERE article_id = ?", [article_id])
            if not rows:
                return None
            item = _article(rows[0][:n])
            item.update(zip(extra, rows[0][n:], strict=True))
            _attach_facts(tx, [item], evidence=True)
            item["copies"] = [r[0] for r in tx.rows(
                "SELECT article_id FROM articles WHERE story_id = ? AND article_id <> ? ORDER BY at, article_id",
                [item["story_id"], article_id])]
        return item

    def counts(self, query: CountQuery) -> list[dict]:
        sql, params, names = queries.counts_sql(query, self.dialect)
        with self._transaction(write=False) as tx:
            return [dict(zip(names, r, strict=True)) for r in tx.rows(sql, params)]

    def seizures(self, query: SeizureQuery) -> Page:
        sql, params = queries.seizures_sql(query, self.dialect)
        names = (*queries.SEIZURE_LIST_COLUMNS, "title", "text")
        with self._transaction(write=False) as tx:
            rows = tx.rows(sql, params)
        items = [dict(zip(names, r, strict=True)) for r in rows[:query.limit]]
        last = items[-1] if items else None
        nxt = Cursor(last["at"], last["article_id"], last["ord"]) if last and len(rows) > query.limit else None
        return Page(items, nxt)

    def seizure_totals(self, query: TotalsQuery) -> list[dict]:
        sql, params, names = queries.totals_sql(query, self.dialect)
        with self._transaction(write=False) as tx:
            return [dict(zip(names, r, strict=True)) for r in tx.rows(sql, params)]

    def stories(self, query: StoryQuery) -> list[dict]:
        sql, params = queries.stories_sql(query, self.dialect)
        with self._transaction(write=False) as tx:
            rows = tx.rows(sql, params)
            ids = [r[0] for r in rows]
            if not ids:
                return []
            marks = queries.placeholders(len(ids))
            first = {r[0]: r[1:] for r in tx.rows(
                f"SELECT article_id, title, source, url FROM articles WHERE article_id IN ({marks})", ids)}
            sources: dict[str, list[dict]] = {i: [] for i in ids}
            for story, source, n in tx.rows(
                    f"SELECT story_id, source, COUNT(*) FROM articles WHERE story_id IN ({marks}) "
                    "GROUP BY story_id, source ORDER BY story_id, COUNT(*) DESC, source", ids):
                sources[story].append({"source": source, "articles": n})
        out = []
        for story, n, first_at, last_at in rows:
            title, source, url = first.get(story, (None, None, None))
            out.append({"story_id": story, "articles": n, "first_at": first_at, "last_at": last_at,
                        "title": title, "source": source, "url": url, "sources": sources[story]})
        return out


    def alerts(self, query: AlertQuery) -> Page:
        sql, params = queries.alerts_sql(query)
        with self._transaction(write=False) as tx:
            rows = tx.rows(sql, params)
        items = [_alert(r) for r in rows[:query.limit]]
        nxt = Cursor(items[-1]["at"], items[-1]["alert_id"]) if len(rows) > query.limit and items else None
        return Page(items, nxt)

    def alert(self, alert_id: str) -> dict | None:
        with self._transaction(write=False) as tx:
            rows = tx.rows(f"SELECT {queries.ALERT_SELECT} FROM alerts l WHERE l.alert_id = ?", [alert_id])
        return _alert(rows[0]) if rows else None

    def incidents(self, query: IncidentQuery) -> Page:
        with self._transaction(write=False) as tx:
            return incident_view.page(tx, query)

    def incident(self, incident_id: str) -> dict | None:
        with self._transaction(write=False) as tx:
            return incident_view.one(tx, incident_id)

    def incident_counts(self, query: IncidentCountQuery) -> list[dict]:
        with self._transaction(write=False) as tx:
            return incident_view.counts(tx, query)


def _alert(row: tuple) -> dict:
    """An alert row of `queries.ALERT_SELECT`: the alert, and its incident's event day."""
    return {**alert_dict(tuple(row[:-1])), "incident_date": row[-1]}


def _article(row: tuple) -> dict:
    d = dict(zip(queries.ARTICLE_LIST_COLUMNS, row, strict=True))
    d["duplicate"] = {"status": d.pop("dup_status"), "first_id": d.pop("dup_first_id"),
                      "similarity": d.pop("dup_similarity")}
    d["kind"] = d.pop("source_kind")  # None: processed before the kind was carried
    d["edited"] = bool(d["edited"])
    return d


FACTS = {
    "topics": ("SELECT article_id, topic, score{ev} FROM article_topics WHERE article_id IN ({marks}) "
               "ORDER BY article_id, score DESC, topic", ("id", "score")),
    "places": ("SELECT article_id, name, lat, lon, country, kind, geonameid, mentions FROM article_places "
               "WHERE article_id IN ({marks}) ORDER BY article_id, ord",
               ("name", "lat", "lon", "country", "kind", "geonameid", "mentions")),
    "orgs": ("SELECT article_id, org, name, mentions FROM article_orgs WHERE article_id IN ({marks}) "
             "ORDER BY article_id, ord", ("id", "name", "mentions")),
    "quantities": ("SELECT article_id, value, unit, item, text FROM article_quantities "
                   "WHERE article_id IN ({marks}) ORDER BY article_id, ord", ("value", "unit", "item", "text")),
}


def _attach_facts(tx: Tx, items: list[dict], evidence: bool = False) -> None:
    """Add topics, places, orgs, countries and quantities to each article dict."""
    if not items:
        return
    by_id = {it["article_id"]: it for it in items}
    marks = queries.placeholders(len(by_id))
    ids = list(by_id)
    for it in items:
        it.update(topics=[], places=[], countries=[], orgs=[], quantities=[])
    for key, (sql, names) in FACTS.items():
        cols = (*names, "evidence") if key == "topics" and evidence else names
        text = sql.format(marks=marks, ev=", evidence" if key == "topics" and evidence else "")
        for row in tx.rows(text, ids):
            fact = dict(zip(cols, row[1:], strict=True))
            if "evidence" in fact:
                fact["evidence"] = orjson.loads(fact["evidence"])
            by_id[row[0]][key].append(fact)
    for aid, country in tx.rows(f"SELECT article_id, country FROM article_countries WHERE article_id IN ({marks}) "
                                "ORDER BY article_id, country", ids):
        by_id[aid]["countries"].append(country)
