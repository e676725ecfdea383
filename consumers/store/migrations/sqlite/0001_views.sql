-- The views of articles.processed (SQLite). Columns as in consumers/rows.py.
-- Times are UTC text YYYY-MM-DDTHH:MM:SSZ; `day` and `hour` are its prefixes.

CREATE TABLE view_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Position in the log, written in the same transaction as the rows it produced.
CREATE TABLE kafka_offsets (
    topic       TEXT    NOT NULL,
    part        INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    PRIMARY KEY (topic, part)
);

-- Latest state per article (the last ArticleProcessed of its id in the log).
CREATE TABLE articles (
    id                INTEGER PRIMARY KEY,  -- rowid of the full-text index
    article_id        TEXT    NOT NULL UNIQUE,
    event_id          TEXT    NOT NULL,
    occurred_at       TEXT    NOT NULL,
    url               TEXT    NOT NULL,
    source            TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    lang              TEXT    NOT NULL,
    published         TEXT,
    at                TEXT    NOT NULL,
    day               TEXT    NOT NULL,
    hour              TEXT    NOT NULL,
    story_id          TEXT    NOT NULL,
    dup_status        TEXT    NOT NULL,
    dup_first_id      TEXT,
    dup_similarity    REAL    NOT NULL,
    taxonomy_version  TEXT    NOT NULL,
    gazetteer_version TEXT    NOT NULL,
    clean_text        TEXT    NOT NULL,
    search_text       TEXT    NOT NULL
);
CREATE INDEX articles_at ON articles (at, article_id);
CREATE INDEX articles_story ON articles (story_id);
CREATE INDEX articles_source ON articles (source);

CREATE TABLE article_topics (
    article_id TEXT NOT NULL,
    topic      TEXT NOT NULL,
    score      REAL NOT NULL,
    evidence   TEXT NOT NULL,
    PRIMARY KEY (article_id, topic)
);
CREATE INDEX article_topics_topic ON article_topics (topic);

CREATE TABLE article_places (
    article_id TEXT    NOT NULL,
    ord        INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    norm_name  TEXT    NOT NULL,
    place_key  TEXT    NOT NULL,
    lat        REAL    NOT NULL,
    lon        REAL    NOT NULL,
    country    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    geonameid  INTEGER,
    mentions   INTEGER NOT NULL,
    PRIMARY KEY (article_id, ord)
);
CREATE INDEX article_places_name ON article_places (norm_name);
CREATE INDEX article_places_key ON article_places (place_key);
CREATE INDEX article_places_latlon ON article_places (lat, lon);

CREATE TABLE article_orgs (
    article_id TEXT    NOT NULL,
    ord        INTEGER NOT NULL,
    org        TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    mentions   INTEGER NOT NULL,
    PRIMARY KEY (article_id, ord)
);
CREATE INDEX article_orgs_org ON article_orgs (org);

CREATE TABLE article_countries (
    article_id TEXT NOT NULL,
    country    TEXT NOT NULL,
    PRIMARY KEY (article_id, country)
);
CREATE INDEX article_countries_country ON article_countries (country);

CREATE TABLE article_quantities (
    article_id TEXT    NOT NULL,
    ord        INTEGER NOT NULL,
    value      REAL    NOT NULL,
    unit       TEXT    NOT NULL,
    item       TEXT,
    text       TEXT    NOT NULL,
    PRIMARY KEY (article_id, ord)
);

-- The seizure ledger: drug quantities, attributed to the article's main place.
CREATE TABLE seizures (
    article_id TEXT    NOT NULL,
    ord        INTEGER NOT NULL,
    item       TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    value      REAL    NOT NULL,
    at         TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    place_name TEXT,
    place_key  TEXT,
    lat        REAL,
    lon        REAL,
    country    TEXT,
    story_id   TEXT    NOT NULL,
    dup_status TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    PRIMARY KEY (article_id, ord)
);
CREATE INDEX seizures_item ON seizures (item, unit);
CREATE INDEX seizures_at ON seizures (at, article_id);

-- Full-text search over the matching form (consumers.rows.search_words: words
-- already split and folded, joined by spaces, so the `ascii` tokenizer, which
-- splits on ASCII spaces and punctuation only, keeps exactly those words).
-- External content: the text lives in `articles`; the writer adds and removes
-- index entries in its own transaction (see consumers/store/sqlite.py).
CREATE VIRTUAL TABLE articles_fts USING fts5(
    search_text, content='articles', content_rowid='id', tokenize='ascii'
);
