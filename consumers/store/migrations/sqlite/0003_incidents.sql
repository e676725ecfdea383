-- Incidents (SQLite): one row per incident_id, from IncidentRecorded and IncidentUpdated
-- on the incidents topic; the highest revision wins. Columns as in
-- consumers/incidents/rows.py. `day` is the event's date (else the day it was first
-- seen): the sort key, and what the date filters and per-day counts use. `admin1` is
-- the governorate code (GeoNames, e.g. SY.09), NULL when unknown. JSON columns hold
-- arrays: sources (outlets of the reports), actors, targets (organisation ids),
-- quantities (schemas.facts.Quantity).

CREATE TABLE incidents (
    incident_id   TEXT    PRIMARY KEY,
    incident_type TEXT    NOT NULL,
    event_id      TEXT    NOT NULL,
    revision      INTEGER NOT NULL,
    updated_at    TEXT    NOT NULL,
    date          TEXT,
    day           TEXT    NOT NULL,
    place_name    TEXT,
    norm_name     TEXT,
    place_key     TEXT,
    lat           REAL,
    lon           REAL,
    country       TEXT,
    place_kind    TEXT,
    geonameid     INTEGER,
    admin1        TEXT,
    killed        INTEGER,
    killed_min    INTEGER,
    killed_max    INTEGER,
    injured       INTEGER,
    injured_min   INTEGER,
    injured_max   INTEGER,
    arrested      INTEGER,
    arrested_min  INTEGER,
    arrested_max  INTEGER,
    outlets       INTEGER NOT NULL,
    reports       INTEGER NOT NULL,
    sources       TEXT    NOT NULL,
    actors        TEXT    NOT NULL,
    targets       TEXT    NOT NULL,
    quantities    TEXT    NOT NULL,
    evidence      TEXT    NOT NULL,
    first_seen    TEXT,
    last_seen     TEXT
);
CREATE INDEX incidents_day ON incidents (day, incident_id);
CREATE INDEX incidents_type ON incidents (incident_type, day);
CREATE INDEX incidents_place ON incidents (norm_name);
CREATE INDEX incidents_latlon ON incidents (lat, lon);
CREATE INDEX incidents_admin1 ON incidents (admin1, day);

-- Who carried it out (role 'actor') and whom it targeted (role 'target').
CREATE TABLE incident_parties (
    incident_id TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    ord         INTEGER NOT NULL,
    org         TEXT    NOT NULL,
    PRIMARY KEY (incident_id, role, ord)
);
CREATE INDEX incident_parties_org ON incident_parties (org, role, incident_id);

-- Each article's report of the incident, in the order the record lists them.
CREATE TABLE incident_reports (
    incident_id  TEXT    NOT NULL,
    ord          INTEGER NOT NULL,
    article_id   TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    published    TEXT,
    lang         TEXT    NOT NULL,
    duplicate_of TEXT,
    evidence     TEXT    NOT NULL,
    date         TEXT,
    place        TEXT,  -- JSON (schemas.facts.Place) or NULL
    killed       INTEGER,
    injured      INTEGER,
    arrested     INTEGER,
    PRIMARY KEY (incident_id, ord)
);
CREATE INDEX incident_reports_article ON incident_reports (article_id);
