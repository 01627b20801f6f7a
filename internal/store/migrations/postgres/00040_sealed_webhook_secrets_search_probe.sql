-- +goose Up
-- A webhook's signing key is stored sealed (AES-256-GCM under a key kept
-- outside the database: notify.SecretBox), never in clear. The keys stored
-- in clear by earlier versions are sealed by the server at start-up
-- (notify.SealWebhookSecrets), so the check holds for new and changed rows
-- (NOT VALID) until then.
ALTER TABLE webhooks ADD CONSTRAINT webhooks_secret_sealed CHECK (secret LIKE 'sealed:v1:%') NOT VALID;

-- The requests whose search terms match q, below an id, at most n, read
-- from the GIN index alone. Search takes them first: when fewer than n
-- match, they are every match, sorted and paged without walking the
-- table; otherwise the term is common and the newest matches are found by
-- walking the primary key backwards. The settings make the planner take
-- the index whatever it estimates (an estimate of many matches for a term
-- with none had it walk the whole table).
-- +goose StatementBegin
CREATE FUNCTION request_search_probe(q tsquery, below bigint, n integer) RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET enable_seqscan = off SET enable_indexscan = off
AS $$ SELECT request_id FROM request_search WHERE tokens @@ q AND request_id < below LIMIT n $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION request_search_probe(tsquery, bigint, integer);
ALTER TABLE webhooks DROP CONSTRAINT webhooks_secret_sealed;
