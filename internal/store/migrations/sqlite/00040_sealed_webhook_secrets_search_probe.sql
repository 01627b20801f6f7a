-- +goose Up
-- A webhook's signing key is stored sealed (AES-256-GCM under a key kept
-- outside the database: notify.SecretBox), never in clear. The keys stored
-- in clear by earlier versions are sealed by the server at start-up
-- (notify.SealWebhookSecrets); from now on a clear key is refused.
-- +goose StatementBegin
CREATE TRIGGER webhooks_secret_sealed_insert BEFORE INSERT ON webhooks
WHEN NEW.secret NOT LIKE 'sealed:v1:%'
BEGIN
    SELECT RAISE(ABORT, 'webhooks.secret must be sealed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER webhooks_secret_sealed_update BEFORE UPDATE OF secret ON webhooks
WHEN NEW.secret NOT LIKE 'sealed:v1:%'
BEGIN
    SELECT RAISE(ABORT, 'webhooks.secret must be sealed');
END;
-- +goose StatementEnd

-- The dispatcher's breached-only list reads the provider's breached
-- requests in urgency order from an index, instead of checking the flag
-- of every request along (provider_id, next_due_at, id): most requests
-- have no deadline, and few of those are breached. (PostgreSQL needs no
-- index for it: its planner reads the breached rows by the flag.)
CREATE INDEX service_requests_provider_breached_due ON service_requests (provider_id, breached, next_due_at, id);

-- +goose Down
DROP INDEX service_requests_provider_breached_due;
DROP TRIGGER webhooks_secret_sealed_update;
DROP TRIGGER webhooks_secret_sealed_insert;
