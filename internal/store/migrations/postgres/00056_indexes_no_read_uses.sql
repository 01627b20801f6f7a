-- +goose Up
-- Indexes that no read uses, each paid on every request filed:
-- request_clocks by party (vendor or provider, period, agreement, kind,
-- state) served the homes' standing until it read the running totals
-- instead (request_clock_totals, 00043); nothing reads request_clocks but by
-- its request since, and a create writes three clock rows, so these were
-- six index entries a create for no reader. service_requests by customer
-- and id: a customer's lists read (customer_org_id, next_due_at, id)
-- (00027), which also serves the organization's foreign key, and no plan
-- of PostgreSQL's chose this one (docs/PERFORMANCE.md, "The floor of
-- filing on PostgreSQL"). SQLite keeps it (its 00056 says why).
DROP INDEX request_clocks_vendor;
DROP INDEX request_clocks_provider;
DROP INDEX service_requests_customer;

-- +goose Down
CREATE INDEX service_requests_customer ON service_requests (customer_org_id, id);
CREATE INDEX request_clocks_provider ON request_clocks (provider_id, period, agreement_id, kind, state);
CREATE INDEX request_clocks_vendor ON request_clocks (vendor_id, period, agreement_id, kind, state);
