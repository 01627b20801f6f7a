-- +goose Up
CREATE TABLE service_requests (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    vendor_id       INTEGER NOT NULL REFERENCES organizations (id),
    provider_id     INTEGER NOT NULL REFERENCES organizations (id),
    customer_org_id INTEGER NOT NULL REFERENCES organizations (id),
    agreement_id    INTEGER NOT NULL,
    unit_id         INTEGER NOT NULL,
    serial_number   TEXT NOT NULL,
    model           TEXT NOT NULL,
    site_division   TEXT NOT NULL,
    site_address    TEXT NOT NULL DEFAULT '',
    site_lat        DOUBLE PRECISION,
    site_lng        DOUBLE PRECISION,
    channel         TEXT NOT NULL,
    service_item    TEXT NOT NULL,
    priority        TEXT NOT NULL,
    status          TEXT NOT NULL,
    description     TEXT NOT NULL,
    contact_name    TEXT NOT NULL DEFAULT '',
    contact_phone   TEXT NOT NULL DEFAULT '',
    scope_exception BOOLEAN NOT NULL DEFAULT 0,
    created_by_id   INTEGER REFERENCES users (id),
    received_at     TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    -- A projection of the clocks, recomputed from the events on every change
    -- and by the clock job as time passes, so that lists can sort by urgency
    -- and filter on breaches; the clocks themselves are always computed.
    next_due_at     TIMESTAMP,
    breached        BOOLEAN NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX service_requests_provider ON service_requests (provider_id, status, id);
CREATE INDEX service_requests_vendor ON service_requests (vendor_id, status, id);
CREATE INDEX service_requests_customer ON service_requests (customer_org_id, id);
CREATE INDEX service_requests_unit ON service_requests (unit_id, id);
CREATE INDEX service_requests_due ON service_requests (status, next_due_at);

-- The history of a request; its clocks are computed from these rows.
CREATE TABLE request_events (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES service_requests (id),
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    actor_id   INTEGER REFERENCES users (id),
    actor      TEXT NOT NULL,
    priority   TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    UNIQUE (request_id, seq)
);

-- A vendor's recorded exception to the agreement's scope for one unit.
CREATE TABLE scope_exceptions (
    id           INTEGER PRIMARY KEY,
    vendor_id    INTEGER NOT NULL REFERENCES organizations (id),
    unit_id      INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    granted_by   INTEGER REFERENCES users (id),
    granted_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    used_by      INTEGER REFERENCES service_requests (id)
);
CREATE INDEX scope_exceptions_unit ON scope_exceptions (unit_id);

-- +goose Down
DROP TABLE scope_exceptions;
DROP TABLE request_events;
DROP TABLE service_requests;
