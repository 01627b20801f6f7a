-- +goose Up
-- The vendor's parts catalog (DOMAIN 3.1.4): each part is genuine (原厂) or
-- approved (认可) by the vendor. An approval records who granted it, when,
-- and optionally the last day it is valid (a China date, YYYY-MM-DD);
-- revoking it sets revoked_at. Costs are integer fen.
CREATE TABLE parts (
    id              INTEGER PRIMARY KEY,
    vendor_id       INTEGER NOT NULL REFERENCES organizations (id),
    part_number     TEXT NOT NULL,
    name            TEXT NOT NULL,
    name_en         TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL CHECK (kind IN ('genuine', 'approved')),
    approved_by     INTEGER REFERENCES users (id),
    approved_by_label TEXT NOT NULL DEFAULT '',
    approved_at     TIMESTAMP,
    approved_until  TEXT,
    revoked_at      TIMESTAMP,
    unit_cost_fen   INTEGER NOT NULL CHECK (unit_cost_fen >= 0),
    serialized      BOOLEAN NOT NULL DEFAULT FALSE,
    return_required BOOLEAN NOT NULL DEFAULT FALSE,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (vendor_id, part_number)
);

-- The product models a part fits.
CREATE TABLE part_models (
    part_id  INTEGER NOT NULL REFERENCES parts (id),
    model_id INTEGER NOT NULL REFERENCES product_models (id),
    PRIMARY KEY (part_id, model_id)
);
CREATE INDEX part_models_model ON part_models (model_id);

-- Where stock is kept: the vendor's central warehouse, a provider's
-- service point store, or a technician's van (owned by the provider).
CREATE TABLE stock_locations (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organizations (id),
    kind           TEXT NOT NULL CHECK (kind IN ('warehouse', 'store', 'van')),
    name           TEXT NOT NULL,
    technician_id  INTEGER REFERENCES users (id),
    allow_negative BOOLEAN NOT NULL DEFAULT FALSE,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (org_id, name)
);
CREATE INDEX stock_locations_technician ON stock_locations (technician_id);

-- The ledger: every movement of stock, append-only. A row takes qty from
-- from_location_id and/or adds it to to_location_id. Rows marked defective
-- move a replaced part on its way back to the vendor: they are part of the
-- story of a location but never serviceable stock, so on-hand ignores them.
CREATE TABLE stock_movements (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('receive', 'transfer', 'consume', 'return', 'adjust')),
    part_id          INTEGER NOT NULL REFERENCES parts (id),
    qty              INTEGER NOT NULL CHECK (qty > 0),
    from_location_id INTEGER REFERENCES stock_locations (id),
    to_location_id   INTEGER REFERENCES stock_locations (id),
    defective        BOOLEAN NOT NULL DEFAULT FALSE,
    work_order_id    INTEGER REFERENCES work_orders (id),
    serial_removed   TEXT NOT NULL DEFAULT '',
    serial_installed TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    reference        TEXT NOT NULL DEFAULT '',
    actor_id         INTEGER REFERENCES users (id),
    actor            TEXT NOT NULL,
    at               TIMESTAMP NOT NULL,
    CHECK (from_location_id IS NOT NULL OR to_location_id IS NOT NULL)
);
CREATE INDEX stock_movements_from ON stock_movements (from_location_id, id);
CREATE INDEX stock_movements_to ON stock_movements (to_location_id, id);
CREATE INDEX stock_movements_work_order ON stock_movements (work_order_id);
CREATE INDEX stock_movements_part ON stock_movements (part_id, id);

-- +goose StatementBegin
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
BEGIN
    SELECT RAISE(ABORT, 'stock_movements is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
BEGIN
    SELECT RAISE(ABORT, 'stock_movements is append-only');
END;
-- +goose StatementEnd

-- On-hand per location and part: derived from the ledger, updated in the
-- transaction that appends to it, and rebuildable from it.
CREATE TABLE stock_on_hand (
    location_id INTEGER NOT NULL REFERENCES stock_locations (id),
    part_id     INTEGER NOT NULL REFERENCES parts (id),
    qty         INTEGER NOT NULL,
    PRIMARY KEY (location_id, part_id)
);

-- Safety stock: below it, the location's people are alerted.
CREATE TABLE safety_stock (
    location_id INTEGER NOT NULL REFERENCES stock_locations (id),
    part_id     INTEGER NOT NULL REFERENCES parts (id),
    qty         INTEGER NOT NULL CHECK (qty >= 0),
    PRIMARY KEY (location_id, part_id)
);

-- Defective parts owed back to the vendor (旧件返还), one per replaced part.
CREATE TABLE part_returns (
    id               INTEGER PRIMARY KEY,
    movement_id      INTEGER NOT NULL UNIQUE REFERENCES stock_movements (id),
    part_id          INTEGER NOT NULL REFERENCES parts (id),
    vendor_id        INTEGER NOT NULL REFERENCES organizations (id),
    provider_id      INTEGER NOT NULL REFERENCES organizations (id),
    work_order_id    INTEGER NOT NULL REFERENCES work_orders (id),
    location_id      INTEGER NOT NULL REFERENCES stock_locations (id),
    qty              INTEGER NOT NULL CHECK (qty > 0),
    serial_removed   TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('awaiting_shipment', 'shipped', 'received', 'credited')),
    due_date         TEXT NOT NULL,
    carrier          TEXT NOT NULL DEFAULT '',
    tracking_number  TEXT NOT NULL DEFAULT '',
    shipped_at       TIMESTAMP,
    received_at      TIMESTAMP,
    credited_at      TIMESTAMP,
    credit_fen       INTEGER,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX part_returns_vendor ON part_returns (vendor_id, status, due_date);
CREATE INDEX part_returns_provider ON part_returns (provider_id, status, due_date);

-- +goose Down
DROP TABLE part_returns;
DROP TABLE safety_stock;
DROP TABLE stock_on_hand;
DROP TABLE stock_movements;
DROP TABLE stock_locations;
DROP TABLE part_models;
DROP TABLE parts;
