-- +goose Up
-- The search index of request descriptions keeps only its index, not a
-- second copy of every description's terms: it is read by MATCH and rowid
-- alone, and the terms can be made again from the descriptions
-- (servicerequest.SearchTokens). At 790,000 requests the copy was 73 MB of
-- the index's 111 MB. contentless_delete lets a row still be deleted by
-- its rowid.
CREATE VIRTUAL TABLE request_fts_contentless USING fts5(tokens, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');
INSERT INTO request_fts_contentless (rowid, tokens) SELECT rowid, tokens FROM request_fts;
DROP TABLE request_fts;
ALTER TABLE request_fts_contentless RENAME TO request_fts;

-- +goose Down
-- The terms are not kept, so the index starts empty: the search indexer
-- (servicerequest.IndexPending) fills it again from the descriptions.
DROP TABLE request_fts;
CREATE VIRTUAL TABLE request_fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0');
