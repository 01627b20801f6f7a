-- +goose Up
-- An Idempotency-Key is reserved in the transaction of the request's first
-- write, and the reservation now names what that write created or changed
-- (the first audited entity), so that a repeat finds the resource even when
-- the answer was never stored (the process died after the commit).
ALTER TABLE idempotency_keys ADD COLUMN entity TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN entity_id TEXT NOT NULL DEFAULT '';

-- Answers kept for replay never hold a secret: the stored answers of token
-- creation held the token itself. They become references to the token,
-- whose replay says the secret was shown once.
UPDATE idempotency_keys
    SET entity = 'api_token', entity_id = COALESCE(convert_from(body, 'UTF8')::jsonb #>> '{token,id}', ''),
        status = 0, content_type = '', body = ''::bytea
    WHERE path = '/api/v1/tokens' AND status BETWEEN 200 AND 299;

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN entity_id;
ALTER TABLE idempotency_keys DROP COLUMN entity;
