-- SQLite's full-text index stops keeping word positions (its 0007). PostgreSQL's search (the `search`
-- tsvector column and its GIN index) is unchanged: nothing to do here, and the two backends keep the
-- same numbered versions.
SELECT 1;
