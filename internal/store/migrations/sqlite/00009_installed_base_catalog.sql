-- +goose Up
-- Product models get what the service needs of them: an English name, the
-- product line, the maintenance cycle (DOMAIN 3.1.2) and the default
-- warranty for new units. The code stays immutable: agreements list covered
-- models by code.
ALTER TABLE product_models ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
ALTER TABLE product_models ADD COLUMN product_line TEXT NOT NULL DEFAULT '';
ALTER TABLE product_models ADD COLUMN maintenance_interval_months INTEGER;
ALTER TABLE product_models ADD COLUMN warranty_months INTEGER NOT NULL DEFAULT 12;
ALTER TABLE product_models ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE product_models ADD COLUMN updated_at TIMESTAMP;
UPDATE product_models SET updated_at = created_at;

-- Site names are unique per customer: imports name a site by customer code
-- and site name.
ALTER TABLE sites ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sites ADD COLUMN updated_at TIMESTAMP;
UPDATE sites SET updated_at = created_at;
CREATE UNIQUE INDEX sites_customer_name ON sites (customer_org_id, name);

-- Serial numbers are unique per vendor, not across vendors: SQLite cannot
-- drop a column constraint, so the table is rebuilt (no table refers to it
-- by foreign key).
CREATE TABLE units_next (
    id            INTEGER PRIMARY KEY,
    vendor_id     INTEGER NOT NULL REFERENCES organizations (id),
    model_id      INTEGER NOT NULL REFERENCES product_models (id),
    site_id       INTEGER NOT NULL REFERENCES sites (id),
    serial_number TEXT NOT NULL,
    install_date  TEXT NOT NULL,
    warranty_end  TEXT NOT NULL,
    agreement_id  INTEGER,
    qr_token      TEXT NOT NULL UNIQUE,
    qr_rotated_at TIMESTAMP,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (vendor_id, serial_number)
);
INSERT INTO units_next (id, vendor_id, model_id, site_id, serial_number, install_date, warranty_end, agreement_id, qr_token, created_at, updated_at)
    SELECT id, vendor_id, model_id, site_id, serial_number, install_date, warranty_end, agreement_id, qr_token, created_at, created_at FROM units;
DROP TABLE units;
ALTER TABLE units_next RENAME TO units;
CREATE INDEX units_site ON units (site_id);
CREATE INDEX units_vendor ON units (vendor_id, id);
CREATE INDEX units_serial ON units (serial_number);
CREATE INDEX units_model ON units (model_id, id);
-- QR labels are looked up by the token's first 16 characters, then the whole
-- token is compared in constant time (installedbase.ByToken).
CREATE INDEX units_qr_selector ON units (substr(qr_token, 1, 16));

-- +goose Down
-- The rebuilt units table keeps its per-vendor serial numbers.
DROP INDEX units_qr_selector;
DROP INDEX units_model;
DROP INDEX units_serial;
ALTER TABLE units DROP COLUMN qr_rotated_at;
DROP INDEX sites_customer_name;
ALTER TABLE sites DROP COLUMN updated_at;
ALTER TABLE sites DROP COLUMN version;
ALTER TABLE product_models DROP COLUMN updated_at;
ALTER TABLE product_models DROP COLUMN version;
ALTER TABLE product_models DROP COLUMN warranty_months;
ALTER TABLE product_models DROP COLUMN maintenance_interval_months;
ALTER TABLE product_models DROP COLUMN product_line;
ALTER TABLE product_models DROP COLUMN name_en;
