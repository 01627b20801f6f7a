-- +goose NO TRANSACTION
-- +goose Up
-- A visit has an origin: a service request, or a maintenance plan, which
-- books visits with no fault behind them; only a request's visit names a
-- request. SQLite cannot relax NOT NULL in place, so the table is rebuilt
-- with its rows, ids and indexes, in SQLite's own order for a rebuild:
-- foreign keys off on this connection (they cannot be switched inside a
-- transaction), the copy in one transaction, the keys checked, and on
-- again. The tables that refer to work_orders (photos, sign-off codes,
-- stock movements, part returns) name it, so they refer to the new table
-- and find every id again.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE work_orders_new (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER REFERENCES service_requests (id),
    technician_id   INTEGER NOT NULL REFERENCES users (id),
    assigned_by     INTEGER REFERENCES users (id),
    window_start    TIMESTAMP NOT NULL,
    window_end      TIMESTAMP NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('assigned', 'on_site', 'completed', 'cancelled')),
    checked_in_at   TIMESTAMP,
    check_in_lat    DOUBLE PRECISION,
    check_in_lng    DOUBLE PRECISION,
    checked_out_at  TIMESTAMP,
    diagnosis       TEXT NOT NULL DEFAULT '',
    fault_codes     TEXT NOT NULL DEFAULT '',
    actions_taken   TEXT NOT NULL DEFAULT '',
    result          TEXT NOT NULL DEFAULT '',
    signoff_kind    TEXT NOT NULL DEFAULT '',
    signoff_name    TEXT NOT NULL DEFAULT '',
    signature_png   BLOB,
    record_id       INTEGER REFERENCES service_records (id),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    signoff_sent_to TEXT NOT NULL DEFAULT '',
    origin          TEXT NOT NULL DEFAULT 'request' CHECK (origin IN ('request', 'maintenance')),
    CHECK ((origin = 'request') = (request_id IS NOT NULL))
);
INSERT INTO work_orders_new (id, request_id, technician_id, assigned_by, window_start, window_end, status, checked_in_at, check_in_lat,
    check_in_lng, checked_out_at, diagnosis, fault_codes, actions_taken, result, signoff_kind, signoff_name, signature_png, record_id,
    created_at, updated_at, version, signoff_sent_to, origin)
SELECT id, request_id, technician_id, assigned_by, window_start, window_end, status, checked_in_at, check_in_lat,
    check_in_lng, checked_out_at, diagnosis, fault_codes, actions_taken, result, signoff_kind, signoff_name, signature_png, record_id,
    created_at, updated_at, version, signoff_sent_to, 'request'
FROM work_orders;
DROP TABLE work_orders;
ALTER TABLE work_orders_new RENAME TO work_orders;
CREATE INDEX work_orders_request ON work_orders (request_id);
CREATE INDEX work_orders_technician ON work_orders (technician_id, status, window_start);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE work_orders_old (
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
    version        INTEGER NOT NULL DEFAULT 1,
    signoff_sent_to TEXT NOT NULL DEFAULT ''
);
INSERT INTO work_orders_old (id, request_id, technician_id, assigned_by, window_start, window_end, status, checked_in_at, check_in_lat,
    check_in_lng, checked_out_at, diagnosis, fault_codes, actions_taken, result, signoff_kind, signoff_name, signature_png, record_id,
    created_at, updated_at, version, signoff_sent_to)
SELECT id, request_id, technician_id, assigned_by, window_start, window_end, status, checked_in_at, check_in_lat,
    check_in_lng, checked_out_at, diagnosis, fault_codes, actions_taken, result, signoff_kind, signoff_name, signature_png, record_id,
    created_at, updated_at, version, signoff_sent_to
FROM work_orders WHERE request_id IS NOT NULL;
DROP TABLE work_orders;
ALTER TABLE work_orders_old RENAME TO work_orders;
CREATE INDEX work_orders_request ON work_orders (request_id);
CREATE INDEX work_orders_technician ON work_orders (technician_id, status, window_start);
COMMIT;
PRAGMA foreign_keys = ON;
