-- Incidents (PostgreSQL): same tables and columns as the SQLite migration of the same
-- number (see there); keys use the "C" collation, as in 0001.

CREATE TABLE incidents (
    incident_id   TEXT COLLATE "C" PRIMARY KEY,
    incident_type TEXT COLLATE "C" NOT NULL,
    event_id      TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    updated_at    TEXT NOT NULL,
    date          TEXT,
    day           TEXT COLLATE "C" NOT NULL,
    place_name    TEXT,
    norm_name     TEXT COLLATE "C",
    place_key     TEXT COLLATE "C",
    lat           DOUBLE PRECISION,
    lon           DOUBLE PRECISION,
    country       TEXT COLLATE "C",
    place_kind    TEXT,
    geonameid     BIGINT,
    admin1        TEXT COLLATE "C",
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
    sources       TEXT NOT NULL,
    actors        TEXT NOT NULL,
    targets       TEXT NOT NULL,
    quantities    TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    first_seen    TEXT,
    last_seen     TEXT
);
CREATE INDEX incidents_day ON incidents (day, incident_id);
CREATE INDEX incidents_type ON incidents (incident_type, day);
CREATE INDEX incidents_place ON incidents (norm_name);
CREATE INDEX incidents_latlon ON incidents (lat, lon);
CREATE INDEX incidents_admin1 ON incidents (admin1, day);

CREATE TABLE incident_parties (
    incident_id TEXT COLLATE "C" NOT NULL,
    role        TEXT COLLATE "C" NOT NULL,
    ord         INTEGER NOT NULL,
    org         TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (incident_id, role, ord)
);
CREATE INDEX incident_parties_org ON incident_parties (org, role, incident_id);

CREATE TABLE incident_reports (
    incident_id  TEXT COLLATE "C" NOT NULL,
    ord          INTEGER NOT NULL,
    article_id   TEXT COLLATE "C" NOT NULL,
    source       TEXT NOT NULL,
    url          TEXT NOT NULL,
    title        TEXT NOT NULL,
    published    TEXT,
    lang         TEXT NOT NULL,
    duplicate_of TEXT,
    evidence     TEXT NOT NULL,
    date         TEXT,
    place        TEXT,
    killed       INTEGER,
    injured      INTEGER,
    arrested     INTEGER,
    PRIMARY KEY (incident_id, ord)
);
CREATE INDEX incident_reports_article ON incident_reports (article_id);
