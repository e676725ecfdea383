-- The full-text index keeps which articles hold each word, not where in them (FTS5 `detail=none`):
-- a search asks for words, each quoted alone (consumers/store/queries.py), never a phrase, a NEAR or
-- a prefix, and an index without positions costs about 40 % less CPU to keep (measured on the
-- replay benchmark's texts: 39-44 -> 22-28 µs an article) and a tenth less room. Rebuilt from
-- `articles`, the external content it indexes.
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    search_text, content='articles', content_rowid='id', tokenize='ascii', detail=none
);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
