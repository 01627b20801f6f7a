-- +goose Up
-- An organization's registered address (注册地址), printed beside its name on
-- the business documents it is a party to (settlement statements).
ALTER TABLE organizations ADD COLUMN address TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE organizations DROP COLUMN address;
