-- Alerts (PostgreSQL): same tables and columns as the SQLite migration of the same
-- number (see there); keys use the "C" collation, as in 0001.

CREATE TABLE alerts (
    alert_id          TEXT COLLATE "C" PRIMARY KEY,
    rule_id           TEXT COLLATE "C" NOT NULL,
    title             TEXT NOT NULL,
    severity          TEXT COLLATE "C" NOT NULL,
    kind              TEXT NOT NULL,
    story_id          TEXT NOT NULL,
    event_id          TEXT,
    raised_at         TEXT,
    at                TEXT COLLATE "C" NOT NULL,
    day               TEXT COLLATE "C" NOT NULL,
    revision          INTEGER NOT NULL,
    updated_at        TEXT NOT NULL,
    articles          INTEGER NOT NULL,
    distinct_sources  INTEGER NOT NULL,
    article_ids       TEXT NOT NULL,
    sources           TEXT NOT NULL,
    scope             TEXT NOT NULL,
    window_start      TEXT,
    window_end        TEXT,
    observed          DOUBLE PRECISION,
    expected          DOUBLE PRECISION,
    rules_version     TEXT NOT NULL,
    taxonomy_version  TEXT NOT NULL,
    gazetteer_version TEXT NOT NULL,
    evidence          TEXT NOT NULL
);
CREATE INDEX alerts_at ON alerts (at, alert_id);
CREATE INDEX alerts_rule ON alerts (rule_id, at);
CREATE INDEX alerts_severity ON alerts (severity, at);

CREATE TABLE alert_places (
    alert_id  TEXT COLLATE "C" NOT NULL,
    ord       INTEGER NOT NULL,
    name      TEXT NOT NULL,
    norm_name TEXT COLLATE "C" NOT NULL,
    place_key TEXT COLLATE "C" NOT NULL,
    lat       DOUBLE PRECISION NOT NULL,
    lon       DOUBLE PRECISION NOT NULL,
    country   TEXT NOT NULL,
    PRIMARY KEY (alert_id, ord)
);
CREATE INDEX alert_places_name ON alert_places (norm_name);

CREATE TABLE alert_countries (
    alert_id TEXT COLLATE "C" NOT NULL,
    country  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (alert_id, country)
);
CREATE INDEX alert_countries_country ON alert_countries (country);
