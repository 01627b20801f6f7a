-- +goose Up
-- The request lists read in urgency order (next_due_at, then id) within
-- the party that sees them: these indexes give that order, so a page
-- costs its own rows rather than a sort of every request of the party.
CREATE INDEX service_requests_provider_due ON service_requests (provider_id, next_due_at, id);
CREATE INDEX service_requests_vendor_due ON service_requests (vendor_id, next_due_at, id);
CREATE INDEX service_requests_customer_due ON service_requests (customer_org_id, next_due_at, id);

-- +goose Down
DROP INDEX service_requests_customer_due;
DROP INDEX service_requests_vendor_due;
DROP INDEX service_requests_provider_due;
