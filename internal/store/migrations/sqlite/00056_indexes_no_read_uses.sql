-- +goose Up
-- Indexes that no read uses, each paid on every request filed:
-- request_clocks by party (vendor or provider, period, agreement, kind,
-- state) served the homes' standing until it read the running totals
-- instead (request_clock_totals, 00043); nothing reads request_clocks but by
-- its request since, and a create writes three clock rows, so these were
-- six index entries a create for no reader. PostgreSQL drops
-- service_requests (customer_org_id, id) too; SQLite keeps it, because its
-- planner walks it, newest first, for a customer's search by a single
-- Chinese character (search.go), where PostgreSQL reads the table.
DROP INDEX request_clocks_vendor;
DROP INDEX request_clocks_provider;

-- +goose Down
CREATE INDEX request_clocks_provider ON request_clocks (provider_id, period, agreement_id, kind, state);
CREATE INDEX request_clocks_vendor ON request_clocks (vendor_id, period, agreement_id, kind, state);
