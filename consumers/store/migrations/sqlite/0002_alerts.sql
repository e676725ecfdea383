-- Alerts (SQLite): one row per alert_id, from AlertRaised and AlertUpdated on the
-- alerts topic. Columns as in consumers/alerts/rows.py. `revision` is 0 for the
-- raise and the highest AlertUpdated revision applied since; `raised_at` is NULL
-- while only updates of an alert have been seen. `at` (the sort key and the date
-- filtered on) is the alert's window start (story alerts: the first article),
-- else the time it was raised.

CREATE TABLE alerts (
    alert_id          TEXT    PRIMARY KEY,
    rule_id           TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    severity          TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    story_id          TEXT    NOT NULL,
    event_id          TEXT,
    raised_at         TEXT,
    at                TEXT    NOT NULL,
    day               TEXT    NOT NULL,
    revision          INTEGER NOT NULL,
    updated_at        TEXT    NOT NULL,
    articles          INTEGER NOT NULL,
    distinct_sources  INTEGER NOT NULL,
    article_ids       TEXT    NOT NULL,  -- JSON array, the latest revision's
    sources           TEXT    NOT NULL,  -- JSON array, the latest revision's
    scope             TEXT    NOT NULL,
    window_start      TEXT,
    window_end        TEXT,
    observed          REAL,
    expected          REAL,
    rules_version     TEXT    NOT NULL,
    taxonomy_version  TEXT    NOT NULL,
    gazetteer_version TEXT    NOT NULL,
    evidence          TEXT    NOT NULL   -- JSON: titles, urls, topics, places, countries, orgs, quantities, matched
);
CREATE INDEX alerts_at ON alerts (at, alert_id);
CREATE INDEX alerts_rule ON alerts (rule_id, at);
CREATE INDEX alerts_severity ON alerts (severity, at);

CREATE TABLE alert_places (
    alert_id  TEXT    NOT NULL,
    ord       INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    norm_name TEXT    NOT NULL,
    place_key TEXT    NOT NULL,
    lat       REAL    NOT NULL,
    lon       REAL    NOT NULL,
    country   TEXT    NOT NULL,
    PRIMARY KEY (alert_id, ord)
);
CREATE INDEX alert_places_name ON alert_places (norm_name);

CREATE TABLE alert_countries (
    alert_id TEXT NOT NULL,
    country  TEXT NOT NULL,
    PRIMARY KEY (alert_id, country)
);
CREATE INDEX alert_countries_country ON alert_countries (country);
