-- An incident's reports are kept one per (incident, article) as its events add them: since
-- IncidentRecorded version 2 an event lists only the report it adds, not all. Each report keeps
-- where it stands among the incident's (its event time ``at``, epoch seconds, and its report id),
-- the order the API lists them in, where ``ord`` was its position in an event's full list.
-- Reports stored before keep that order: ``at`` 0 and their position as the report id.

CREATE TABLE incident_reports_new (
    incident_id  TEXT    NOT NULL,
    article_id   TEXT    NOT NULL,
    at           REAL    NOT NULL,
    report_id    TEXT    NOT NULL,
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
    PRIMARY KEY (incident_id, article_id)
);
INSERT INTO incident_reports_new
    SELECT incident_id, article_id, 0.0, printf('%06d', ord), source, url, title, published, lang, duplicate_of,
           evidence, date, place, killed, injured, arrested
    FROM incident_reports;
DROP TABLE incident_reports;
ALTER TABLE incident_reports_new RENAME TO incident_reports;
CREATE INDEX incident_reports_article ON incident_reports (article_id);
CREATE INDEX incident_reports_order ON incident_reports (incident_id, at, report_id);
