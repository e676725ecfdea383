"""An `ArticleProcessed` as the rows of the view tables (pure functions, no database).

Both database backends store exactly these tuples, so they cannot disagree on
what a view holds, and the content hash of the views is the same on either.
Conventions:

- times are UTC text ``YYYY-MM-DDTHH:MM:SSZ`` (sorts as time, identical in
  both databases); ``at`` is the publication time, else the event's time;
- ``story_id`` is the first copy's id for duplicates, the article's own id
  otherwise, so a story cluster is ``GROUP BY story_id``;
- ``search_text`` is the matching form (`marsad.streams.text.normalize`) of title
  and text as space-separated words: what full-text search indexes;
- ``source_kind`` is the kind of source (NULL: not known, an event before
  version 4); ``edited`` is 0 or 1 and ``revision`` counts the article's
  versions: a later revision of an article replaces its rows;
- a drug quantity becomes a seizure-ledger row attributed to the article's
  most mentioned place (first in the text on a tie);
- NUL characters are dropped from text (PostgreSQL cannot store them, and
  both databases must hold the same values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

import msgspec

from marsad.schemas.events import ArticleProcessed
from marsad.schemas.facts import Place
from marsad.streams.geo import view_place_key
from marsad.streams.text.normalize import fold_words, normalize

WORDS = re.compile(r"[^\W_]+")

ARTICLE_COLUMNS = (
    "article_id", "event_id", "occurred_at", "url", "source", "title", "lang", "published", "at", "day",
    "hour", "story_id", "dup_status", "dup_first_id", "dup_similarity", "taxonomy_version",
    "gazetteer_version", "clean_text", "search_text", "source_kind", "edited", "revision",
)
TOPIC_COLUMNS = ("article_id", "topic", "score", "evidence")
PLACE_COLUMNS = ("article_id", "ord", "name", "norm_name", "place_key", "lat", "lon", "country", "kind",
                 "geonameid", "mentions")
ORG_COLUMNS = ("article_id", "ord", "org", "name", "mentions")
COUNTRY_COLUMNS = ("article_id", "country")
QUANTITY_COLUMNS = ("article_id", "ord", "value", "unit", "item", "text")
SEIZURE_COLUMNS = ("article_id", "ord", "item", "unit", "value", "at", "day", "place_name", "place_key",
                   "lat", "lon", "country", "story_id", "dup_status", "source")

CHILD_TABLES: dict[str, tuple[str, ...]] = {
    "article_topics": TOPIC_COLUMNS,
    "article_places": PLACE_COLUMNS,
    "article_orgs": ORG_COLUMNS,
    "article_countries": COUNTRY_COLUMNS,
    "article_quantities": QUANTITY_COLUMNS,
    "seizures": SEIZURE_COLUMNS,
}


@dataclass(frozen=True)
class ArticleRows:
    """One article's row and the rows of each child table (keyed as in `CHILD_TABLES`)."""

    article: tuple
    children: dict[str, list[tuple]]


class PreparedArticle(NamedTuple):
    """An `ArticleProcessed` already turned into its rows, for a replay (`marsad.consumers.prepare`).

    Plain tuples: ``children`` holds
    the rows of each table of `CHILD_TABLES`, in that order; ``tally`` holds
    (rows, sum of their hashes) for each table of
    `marsad.consumers.store.hashing.ARTICLE_TABLES`, one after the other, as
    the target database reads the rows back.
    """

    article: tuple
    children: tuple[list[tuple], ...]
    tally: tuple[int, ...]

    @property
    def article_id(self) -> str:
        return self.article[0]

    @property
    def occurred_at(self) -> datetime:
        return datetime.fromisoformat(self.article[2])

    def rows(self) -> ArticleRows:
        return ArticleRows(self.article, dict(zip(CHILD_TABLES, self.children, strict=True)))


def timestamp(dt: datetime) -> str:
    """UTC text with second precision; a naive time is taken as UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    if dt.year >= 1000:  # isoformat is several times faster; strftime does not pad a year below 1000
        return dt.isoformat(timespec="seconds")[:19] + "Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def search_words(text: str) -> list[str]:
    """The words of ``text`` in matching form: what is indexed, and what a query looks for.

    The same as ``WORDS.findall(normalize(text))`` (a word character is one
    `str.isalnum` accepts), three times faster: most whitespace-separated
    tokens are whole words, checked in C; only the others go through the regex.
    """
    return _words(normalize(text))


def _words(norm: str) -> list[str]:
    words: list[str] = []
    for token in norm.split():
        if token.isalnum():
            words.append(token)
        else:
            words.extend(WORDS.findall(token))
    return words


# The characters between words in news text (none a word character): `search_text` turns each into a space in C.
SEPARATORS = tuple("\n\t.،,:\"()-/%؛؟!'…–—*[]{}+&@#|;?_•")
assert not any(c.isalnum() for c in SEPARATORS), "a separator must not be a word character"


def search_text(text: str) -> str:
    """``" ".join(search_words(text))``: what the views store and index.

    A text of the usual characters (nearly every article) is folded and split into words in a few passes
    over bytes (`fold_words`). Otherwise: replacing a character that is not a word character by a space,
    and a run of spaces by one, leaves the words as they are; when what is left is words and single spaces,
    it is the answer; else the words are split as `search_words` does.
    """
    words = fold_words(text)
    if words is not None:
        return words
    norm = normalize(text)
    for sep in SEPARATORS:
        if sep in norm:
            norm = norm.replace(sep, " ")
    while "  " in norm:
        norm = norm.replace("  ", " ")
    norm = norm.strip(" ")
    if not norm or norm.replace(" ", "").isalnum():
        return norm
    return " ".join(_words(norm))


def main_place(places: list[Place]) -> Place | None:
    """The most mentioned place, the first one on a tie."""
    best = None
    for p in places:
        if best is None or p.mentions > best.mentions:
            best = p
    return best


def story_of(event: ArticleProcessed) -> str:
    """The id of the article's story: its first copy's, or its own."""
    dup = event.duplicate
    return dup.first_id if dup.status != "original" and dup.first_id else event.article_id


def article_rows(event: ArticleProcessed, raw: bytes | None = None) -> ArticleRows:
    """Every row one processed article contributes to the views.

    ``raw``: the JSON the event was decoded from, when at hand (a replay): the test for NUL
    characters looks there (JSON writes one only as ``\\u0000``) instead of encoding the event again.
    """
    aid = event.article_id
    published = timestamp(event.published) if event.published else None
    occurred = timestamp(event.occurred_at)
    at = published or occurred
    story = story_of(event)
    dup = event.duplicate
    article = (
        aid, event.event_id, occurred, event.url, event.source, event.title, event.lang,
        published, at, at[:10], at[:13], story, dup.status,
        dup.first_id, float(dup.similarity), event.taxonomy_version, event.gazetteer_version,
        event.clean_text, search_text(f"{event.title}\n{event.clean_text}"),
        event.source_kind, int(event.edited), event.revision,
    )
    topics = {t.id: t for t in event.topics}  # one row per topic id; the last one wins
    where = main_place(event.places)
    seizures = [
        (aid, i, q.item, q.unit, float(q.value), at, at[:10],
         where.name if where else None, view_place_key(where) if where else None,
         where.lat if where else None, where.lon if where else None,
         where.country if where else None, story, dup.status, event.source)
        for i, q in enumerate(event.quantities) if q.item and not q.historical  # history is not the day's seizure
    ]
    children: dict[str, list[tuple]] = {
        "article_topics": [(aid, t.id, float(t.score), _json(t.evidence)) for t in topics.values()],
        "article_places": [(aid, i, p.name, normalize(p.name), view_place_key(p), float(p.lat), float(p.lon),
                            p.country, p.kind, p.geonameid, p.mentions) for i, p in enumerate(event.places)],
        "article_orgs": [(aid, i, o.id, o.name, o.mentions) for i, o in enumerate(event.orgs)],
        "article_countries": [(aid, c) for c in sorted(set(event.countries))],
        "article_quantities": [(aid, i, float(q.value), q.unit, q.item, q.text)
                               for i, q in enumerate(event.quantities)],
        "seizures": seizures,
    }
    if b"\\u0000" in (msgspec.json.encode(event) if raw is None else raw):  # one cheap test; NULs are rare
        return ArticleRows(_no_nul(article), {t: [_no_nul(r) for r in rows] for t, rows in children.items()})
    return ArticleRows(article, children)


def _no_nul(row: tuple) -> tuple:
    return tuple(v.replace("\x00", "") if isinstance(v, str) else v for v in row)


def _json(value: object) -> str:
    """Keys sorted, no spaces: as ``orjson.dumps(msgspec.to_builtins(value), option=OPT_SORT_KEYS)``
    (the same bytes for every string and 64-bit integer, checked by the tests), without the dicts."""
    return _SORTED.encode(value).decode()


_SORTED = msgspec.json.Encoder(order="sorted")
