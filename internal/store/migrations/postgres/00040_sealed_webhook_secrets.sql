-- +goose Up
-- A webhook's signing key is stored sealed (AES-256-GCM under a key kept
-- outside the database: notify.SecretBox), never in clear. The keys stored
-- in clear by earlier versions are sealed by the server at start-up
-- (notify.SealWebhookSecrets), so the check holds for new and changed rows
-- (NOT VALID) until then.
ALTER TABLE webhooks ADD CONSTRAINT webhooks_secret_sealed CHECK (secret LIKE 'sealed:v1:%') NOT VALID;

-- +goose Down
ALTER TABLE webhooks DROP CONSTRAINT webhooks_secret_sealed;
