-- The kind of source of each article and its revision (PostgreSQL): same columns as the SQLite
-- migration of the same number (see there). `edited` is 0 or 1, as in SQLite, so both hash alike.

ALTER TABLE articles ADD COLUMN source_kind TEXT COLLATE "C";
ALTER TABLE articles ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
CREATE INDEX articles_source_kind ON articles (source_kind, at);
