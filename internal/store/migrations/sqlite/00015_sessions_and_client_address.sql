-- +goose Up
-- A user's session epoch: every session remembers the epoch it was signed
-- in under and ends when the user's epoch has moved on (a password change
-- or reset), on every instance, because the user row is read on each request.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
-- The client's address as the server saw it (through trusted proxies).
ALTER TABLE audit_events ADD COLUMN client_address TEXT;

-- +goose Down
ALTER TABLE audit_events DROP COLUMN client_address;
ALTER TABLE users DROP COLUMN session_epoch;
