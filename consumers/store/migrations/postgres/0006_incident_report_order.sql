-- An incident's reports are kept one per (incident, article) as its events add them: since
-- IncidentRecorded version 2 an event lists only the report it adds, not all. Each report keeps
-- where it stands among the incident's (its event time ``at``, epoch seconds, and its report id),
-- the order the API lists them in, where ``ord`` was its position in an event's full list.
-- Reports stored before keep that order: ``at`` 0 and their position as the report id.

ALTER TABLE incident_reports ADD COLUMN at DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE incident_reports ADD COLUMN report_id TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE incident_reports SET report_id = lpad(ord::text, 6, '0');
ALTER TABLE incident_reports DROP CONSTRAINT incident_reports_pkey;
ALTER TABLE incident_reports DROP COLUMN ord;
ALTER TABLE incident_reports ADD PRIMARY KEY (incident_id, article_id);
CREATE INDEX incident_reports_order ON incident_reports (incident_id, at, report_id);
