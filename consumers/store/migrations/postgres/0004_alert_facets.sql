-- Alert facets (PostgreSQL): same tables and columns as the SQLite migration of the same
-- number (see there); keys use the "C" collation, as in 0001.

ALTER TABLE alerts ADD COLUMN incident_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN incident_type TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN killed INTEGER;
ALTER TABLE alerts ADD COLUMN injured INTEGER;
ALTER TABLE alerts ADD COLUMN arrested INTEGER;
ALTER TABLE alerts ADD COLUMN outlets INTEGER;
CREATE INDEX alerts_incident ON alerts (incident_id);

CREATE TABLE alert_topics (
    alert_id TEXT COLLATE "C" NOT NULL,
    topic    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (alert_id, topic)
);
CREATE INDEX alert_topics_topic ON alert_topics (topic);

CREATE TABLE alert_orgs (
    alert_id TEXT COLLATE "C" NOT NULL,
    org      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (alert_id, org)
);
CREATE INDEX alert_orgs_org ON alert_orgs (org);

INSERT INTO alert_topics (alert_id, topic)
    SELECT DISTINCT a.alert_id, t.value ->> 'id' FROM alerts a, jsonb_array_elements(a.evidence::jsonb -> 'topics') t
    WHERE t.value ->> 'id' IS NOT NULL
    ON CONFLICT DO NOTHING;
INSERT INTO alert_orgs (alert_id, org)
    SELECT DISTINCT a.alert_id, o.value ->> 'id' FROM alerts a, jsonb_array_elements(a.evidence::jsonb -> 'orgs') o
    WHERE o.value ->> 'id' IS NOT NULL
    ON CONFLICT DO NOTHING;
