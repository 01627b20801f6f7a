-- +goose Up
-- The vendor's product models (服务产品 型号).
CREATE TABLE product_models (
    id         INTEGER PRIMARY KEY,
    vendor_id  INTEGER NOT NULL REFERENCES organizations (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (vendor_id, code)
);

-- Where a customer's products stand.
CREATE TABLE sites (
    id              INTEGER PRIMARY KEY,
    customer_org_id INTEGER NOT NULL REFERENCES organizations (id),
    name            TEXT NOT NULL,
    address         TEXT NOT NULL,
    division        TEXT NOT NULL,
    lat             DOUBLE PRECISION,
    lng             DOUBLE PRECISION,
    contact_name    TEXT NOT NULL DEFAULT '',
    contact_phone   TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX sites_customer ON sites (customer_org_id);

-- Installed products (在保设备), one per serial number. qr_token is the
-- unguessable key printed on the product's QR label.
CREATE TABLE units (
    id            INTEGER PRIMARY KEY,
    vendor_id     INTEGER NOT NULL REFERENCES organizations (id),
    model_id      INTEGER NOT NULL REFERENCES product_models (id),
    site_id       INTEGER NOT NULL REFERENCES sites (id),
    serial_number TEXT NOT NULL UNIQUE,
    install_date  TEXT NOT NULL,
    warranty_end  TEXT NOT NULL,
    agreement_id  INTEGER,
    qr_token      TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX units_site ON units (site_id);
CREATE INDEX units_vendor ON units (vendor_id, id);

-- +goose Down
DROP TABLE units;
DROP TABLE sites;
DROP TABLE product_models;
