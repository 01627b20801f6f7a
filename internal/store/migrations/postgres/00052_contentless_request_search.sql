-- +goose Up
-- SQLite's search index of descriptions keeps no copy of their terms from
-- this version on; PostgreSQL's (request_search, a tsvector with a GIN
-- index) never kept one. Nothing to do here.
SELECT 1;

-- +goose Down
SELECT 1;
