-- +goose Up
-- A customer's home lists its open requests, newest first
-- (home.Service.customer). The customer's other index orders by deadline,
-- so the home read every request the customer ever filed and sorted them:
-- a whole-table scan on PostgreSQL at 100,000 requests of three customers
-- (484 ms). This one holds the open requests only, in the home's order,
-- so the home reads its twenty entries and stops; a request leaves it
-- when it closes.
CREATE INDEX service_requests_customer_open ON service_requests (customer_org_id, received_at, id)
    WHERE status NOT IN ('resolved', 'cancelled');

-- +goose Down
DROP INDEX service_requests_customer_open;
