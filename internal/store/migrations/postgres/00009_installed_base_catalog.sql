-- +goose Up
-- Product models get what the service needs of them: an English name, the
-- product line, the maintenance cycle (DOMAIN 3.1.2) and the default
-- warranty for new units. The code stays immutable: agreements list covered
-- models by code.
ALTER TABLE product_models ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
ALTER TABLE product_models ADD COLUMN product_line TEXT NOT NULL DEFAULT '';
ALTER TABLE product_models ADD COLUMN maintenance_interval_months INTEGER;
ALTER TABLE product_models ADD COLUMN warranty_months INTEGER NOT NULL DEFAULT 12;
ALTER TABLE product_models ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE product_models ADD COLUMN updated_at TIMESTAMPTZ;
UPDATE product_models SET updated_at = created_at;

-- Site names are unique per customer: imports name a site by customer code
-- and site name.
ALTER TABLE sites ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE sites ADD COLUMN updated_at TIMESTAMPTZ;
UPDATE sites SET updated_at = created_at;
CREATE UNIQUE INDEX sites_customer_name ON sites (customer_org_id, name);

-- Serial numbers are unique per vendor, not across vendors.
ALTER TABLE units DROP CONSTRAINT units_serial_number_key;
ALTER TABLE units ADD CONSTRAINT units_vendor_serial UNIQUE (vendor_id, serial_number);
ALTER TABLE units ADD COLUMN qr_rotated_at TIMESTAMPTZ;
ALTER TABLE units ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE units ADD COLUMN updated_at TIMESTAMPTZ;
UPDATE units SET updated_at = created_at;
ALTER TABLE units ALTER COLUMN updated_at SET NOT NULL;
CREATE INDEX units_serial ON units (serial_number);
CREATE INDEX units_model ON units (model_id, id);
-- QR labels are looked up by the token's first 16 characters, then the whole
-- token is compared in constant time (installedbase.ByToken).
CREATE INDEX units_qr_selector ON units (substr(qr_token, 1, 16));

-- +goose Down
DROP INDEX units_qr_selector;
DROP INDEX units_model;
DROP INDEX units_serial;
ALTER TABLE units DROP COLUMN updated_at;
ALTER TABLE units DROP COLUMN version;
ALTER TABLE units DROP COLUMN qr_rotated_at;
ALTER TABLE units DROP CONSTRAINT units_vendor_serial;
ALTER TABLE units ADD CONSTRAINT units_serial_number_key UNIQUE (serial_number);
DROP INDEX sites_customer_name;
ALTER TABLE sites DROP COLUMN updated_at;
ALTER TABLE sites DROP COLUMN version;
ALTER TABLE product_models DROP COLUMN updated_at;
ALTER TABLE product_models DROP COLUMN version;
ALTER TABLE product_models DROP COLUMN warranty_months;
ALTER TABLE product_models DROP COLUMN maintenance_interval_months;
ALTER TABLE product_models DROP COLUMN product_line;
ALTER TABLE product_models DROP COLUMN name_en;
