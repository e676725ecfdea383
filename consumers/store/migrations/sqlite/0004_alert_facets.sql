-- Alert facets (SQLite): what the alert list is filtered by beside place and country.
-- `alert_topics` and `alert_orgs` hold the topics and organisations of an alert's
-- evidence (filled here from the stored evidence, then by consumers/alerts/rows.py);
-- incident alerts keep their incident's id, type and figures as columns, so a card can
-- lead with what happened and the organisation filter can reach the incident's parties.
-- Alerts stored before this migration have empty incident columns: `marsad replay` fills them.

ALTER TABLE alerts ADD COLUMN incident_id TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN incident_type TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN killed INTEGER;
ALTER TABLE alerts ADD COLUMN injured INTEGER;
ALTER TABLE alerts ADD COLUMN arrested INTEGER;
ALTER TABLE alerts ADD COLUMN outlets INTEGER;
CREATE INDEX alerts_incident ON alerts (incident_id);

CREATE TABLE alert_topics (
    alert_id TEXT NOT NULL,
    topic    TEXT NOT NULL,
    PRIMARY KEY (alert_id, topic)
);
CREATE INDEX alert_topics_topic ON alert_topics (topic);

CREATE TABLE alert_orgs (
    alert_id TEXT NOT NULL,
    org      TEXT NOT NULL,
    PRIMARY KEY (alert_id, org)
);
CREATE INDEX alert_orgs_org ON alert_orgs (org);

INSERT OR IGNORE INTO alert_topics (alert_id, topic)
    SELECT a.alert_id, json_extract(t.value, '$.id') FROM alerts a, json_each(a.evidence, '$.topics') t
    WHERE json_extract(t.value, '$.id') IS NOT NULL;
INSERT OR IGNORE INTO alert_orgs (alert_id, org)
    SELECT a.alert_id, json_extract(o.value, '$.id') FROM alerts a, json_each(a.evidence, '$.orgs') o
    WHERE json_extract(o.value, '$.id') IS NOT NULL;
