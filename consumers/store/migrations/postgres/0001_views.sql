-- The views of articles.processed (PostgreSQL, created in the schema first on the
-- search_path). Same tables and columns as the SQLite migration of the same
-- number; times are UTC text YYYY-MM-DDTHH:MM:SSZ, so both databases hold and
-- hash the same values. Keys use the "C" collation: byte order, as in SQLite.

CREATE TABLE view_meta (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);

-- Position in the log, written in the same transaction as the rows it produced.
CREATE TABLE kafka_offsets (
    topic       TEXT COLLATE "C" NOT NULL,
    part        INTEGER NOT NULL,
    next_offset BIGINT  NOT NULL,
    PRIMARY KEY (topic, part)
);

-- Latest state per article (the last ArticleProcessed of its id in the log).
CREATE TABLE articles (
    article_id        TEXT COLLATE "C" PRIMARY KEY,
    event_id          TEXT NOT NULL,
    occurred_at       TEXT NOT NULL,
    url               TEXT NOT NULL,
    source            TEXT NOT NULL,
    title             TEXT NOT NULL,
    lang              TEXT NOT NULL,
    published         TEXT,
    at                TEXT COLLATE "C" NOT NULL,
    day               TEXT COLLATE "C" NOT NULL,
    hour              TEXT COLLATE "C" NOT NULL,
    story_id          TEXT COLLATE "C" NOT NULL,
    dup_status        TEXT NOT NULL,
    dup_first_id      TEXT,
    dup_similarity    DOUBLE PRECISION NOT NULL,
    taxonomy_version  TEXT NOT NULL,
    gazetteer_version TEXT NOT NULL,
    clean_text        TEXT NOT NULL,
    search_text       TEXT NOT NULL,
    -- full-text search over the matching form (consumers.rows.search_words)
    search            TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED
);
CREATE INDEX articles_at ON articles (at, article_id);
CREATE INDEX articles_story ON articles (story_id);
CREATE INDEX articles_source ON articles (source);
CREATE INDEX articles_search ON articles USING GIN (search);

CREATE TABLE article_topics (
    article_id TEXT COLLATE "C" NOT NULL,
    topic      TEXT COLLATE "C" NOT NULL,
    score      DOUBLE PRECISION NOT NULL,
    evidence   TEXT NOT NULL,
    PRIMARY KEY (article_id, topic)
);
CREATE INDEX article_topics_topic ON article_topics (topic);

CREATE TABLE article_places (
    article_id TEXT COLLATE "C" NOT NULL,
    ord        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    norm_name  TEXT COLLATE "C" NOT NULL,
    place_key  TEXT COLLATE "C" NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    lon        DOUBLE PRECISION NOT NULL,
    country    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    geonameid  BIGINT,
    mentions   INTEGER NOT NULL,
    PRIMARY KEY (article_id, ord)
);
CREATE INDEX article_places_name ON article_places (norm_name);
CREATE INDEX article_places_key ON article_places (place_key);
CREATE INDEX article_places_latlon ON article_places (lat, lon);

CREATE TABLE article_orgs (
    article_id TEXT COLLATE "C" NOT NULL,
    ord        INTEGER NOT NULL,
    org        TEXT COLLATE "C" NOT NULL,
    name       TEXT NOT NULL,
    mentions   INTEGER NOT NULL,
    PRIMARY KEY (article_id, ord)
);
CREATE INDEX article_orgs_org ON article_orgs (org);

CREATE TABLE article_countries (
    article_id TEXT COLLATE "C" NOT NULL,
    country    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (article_id, country)
);
CREATE INDEX article_countries_country ON article_countries (country);

CREATE TABLE article_quantities (
    article_id TEXT COLLATE "C" NOT NULL,
    ord        INTEGER NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    unit       TEXT NOT NULL,
    item       TEXT,
    text       TEXT NOT NULL,
    PRIMARY KEY (article_id, ord)
);

-- The seizure ledger: drug quantities, attributed to the article's main place.
CREATE TABLE seizures (
    article_id TEXT COLLATE "C" NOT NULL,
    ord        INTEGER NOT NULL,
    item       TEXT COLLATE "C" NOT NULL,
    unit       TEXT COLLATE "C" NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    at         TEXT COLLATE "C" NOT NULL,
    day        TEXT COLLATE "C" NOT NULL,
    place_name TEXT,
    place_key  TEXT,
    lat        DOUBLE PRECISION,
    lon        DOUBLE PRECISION,
    country    TEXT,
    story_id   TEXT NOT NULL,
    dup_status TEXT NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (article_id, ord)
);
CREATE INDEX seizures_item ON seizures (item, unit);
CREATE INDEX seizures_at ON seizures (at, article_id);

-- Great-circle distance in km; SQLite registers a Python function of the same name.
CREATE FUNCTION marsad_km(lat1 DOUBLE PRECISION, lon1 DOUBLE PRECISION,
                          lat2 DOUBLE PRECISION, lon2 DOUBLE PRECISION)
RETURNS DOUBLE PRECISION LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT 2 * 6371.0088 * asin(least(1.0, sqrt(
        power(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2))))
$$;
