-- The `search` column holds the article's words as they are in `search_text` (the matching form,
-- consumers.rows.search_words: folded, lower-case, one space between words), as lexemes without
-- positions, instead of what PostgreSQL's text parser makes of that text (`to_tsvector('simple', ...)`):
-- the same lexemes (compared on the replay benchmark's 5,000 texts) at about 40 % of the server's CPU
-- (38 against 95 µs a text), and a search looks the words up as lexemes too (`CAST(? AS tsquery)`), so
-- no parser sits on either side. A search asks for words, never a phrase: positions are not needed.
-- As SQLite's index (its 0007), which keeps no positions either. Rebuilds the column and its index.
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search TSVECTOR
    GENERATED ALWAYS AS (array_to_tsvector(array_remove(string_to_array(search_text, ' '), ''))) STORED;
CREATE INDEX articles_search ON articles USING GIN (search);
