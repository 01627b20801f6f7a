-- +goose Up
-- A visit to the customer's site for a service request.
CREATE TABLE work_orders (
    id             INTEGER PRIMARY KEY,
    request_id     INTEGER NOT NULL REFERENCES service_requests (id),
    technician_id  INTEGER NOT NULL REFERENCES users (id),
    assigned_by    INTEGER REFERENCES users (id),
    window_start   TIMESTAMP NOT NULL,
    window_end     TIMESTAMP NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('assigned', 'on_site', 'completed', 'cancelled')),
    checked_in_at  TIMESTAMP,
    check_in_lat   DOUBLE PRECISION,
    check_in_lng   DOUBLE PRECISION,
    checked_out_at TIMESTAMP,
    diagnosis      TEXT NOT NULL DEFAULT '',
    fault_codes    TEXT NOT NULL DEFAULT '',
    actions_taken  TEXT NOT NULL DEFAULT '',
    result         TEXT NOT NULL DEFAULT '',
    signoff_kind   TEXT NOT NULL DEFAULT '',
    signoff_name   TEXT NOT NULL DEFAULT '',
    signature_png  BLOB,
    record_id      INTEGER REFERENCES service_records (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX work_orders_request ON work_orders (request_id);
CREATE INDEX work_orders_technician ON work_orders (technician_id, status, window_start);

-- +goose Down
DROP TABLE work_orders;
