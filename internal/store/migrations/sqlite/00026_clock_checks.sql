-- +goose Up
-- When the clock job must next look at a request: the earliest moment one
-- of its clocks reaches its warning share or its due time (the projection
-- stores it with next_due_at). The job reads only the requests due, through
-- the partial index, instead of every open request every minute. Open
-- requests are due at once, so the first run after this migration looks at
-- each of them one more time.
ALTER TABLE service_requests ADD COLUMN next_check_at TIMESTAMP;
UPDATE service_requests SET next_check_at = updated_at WHERE status NOT IN ('resolved', 'cancelled');
CREATE INDEX service_requests_check ON service_requests (next_check_at, id) WHERE next_check_at IS NOT NULL;

-- Which run of a periodic job holds it, until when: two runs (of one
-- instance or of several on one database) never overlap.
CREATE TABLE run_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE run_leases;
DROP INDEX service_requests_check;
ALTER TABLE service_requests DROP COLUMN next_check_at;
