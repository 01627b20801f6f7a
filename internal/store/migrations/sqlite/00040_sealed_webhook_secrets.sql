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

-- +goose Down
DROP TRIGGER webhooks_secret_sealed_update;
DROP TRIGGER webhooks_secret_sealed_insert;
