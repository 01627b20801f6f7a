-- +goose Up
-- A search finds a request by its serial number through this index, newest
-- first, without reading the party's other requests.
CREATE INDEX service_requests_serial ON service_requests (serial_number, id);
-- The operator, who sees every party's requests, reads the urgency order
-- from this index, as each party reads it from its own (00027).
CREATE INDEX service_requests_all_due ON service_requests (next_due_at, id);

-- +goose Down
DROP INDEX service_requests_all_due;
DROP INDEX service_requests_serial;
