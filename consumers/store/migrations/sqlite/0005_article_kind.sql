-- The kind of source of each article (rss, sitemap, page, telegram, import; NULL when the
-- ArticleProcessed predates version 4 and the kind is not known) and its revision: an article
-- its source edited (a Telegram post) is processed again under its id, and the later revision
-- replaces the earlier row, so `edited` says the text shown is not the first one published.
-- Articles stored before this migration keep a NULL kind until `marsad replay` rebuilds the views.

ALTER TABLE articles ADD COLUMN source_kind TEXT;
ALTER TABLE articles ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
CREATE INDEX articles_source_kind ON articles (source_kind, at);
