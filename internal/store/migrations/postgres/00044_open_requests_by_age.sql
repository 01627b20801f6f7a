-- +goose Up
-- The homes count the party's open requests by age (received_at) from an
-- index alone: without received_at in the index, each open request was
-- read from the table (a million requests with 40,000 open: 200 ms on
-- SQLite), or the whole table scanned where one vendor owns every request.
CREATE INDEX service_requests_vendor_age ON service_requests (vendor_id, status, received_at);
CREATE INDEX service_requests_provider_age ON service_requests (provider_id, status, received_at);

-- +goose Down
DROP INDEX service_requests_provider_age;
DROP INDEX service_requests_vendor_age;
