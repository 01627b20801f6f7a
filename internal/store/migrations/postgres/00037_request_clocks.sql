-- +goose Up
-- Each clock of a request as the projection last computed it (response,
-- on-site, resolution, escalation), with the request's parties and the
-- month it was received (China time, YYYY-MM), so that the homes count
-- clocks met, breached and running per agreement, provider and month from
-- an index alone (the indexes cover the columns counted), and the requests
-- list filters on the same rows. A clock left
-- running on a cancelled request is stored as cancelled. Every request is
-- due for the clock job once, which writes the clocks of those filed before.
CREATE TABLE request_clocks (
    request_id   BIGINT NOT NULL REFERENCES service_requests (id),
    kind         TEXT NOT NULL,
    agreement_id BIGINT NOT NULL,
    vendor_id    BIGINT NOT NULL,
    provider_id  BIGINT NOT NULL,
    period       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('running', 'paused', 'met', 'breached', 'cancelled')),
    due_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (request_id, kind)
);
CREATE INDEX request_clocks_vendor ON request_clocks (vendor_id, period, agreement_id, kind, state);
CREATE INDEX request_clocks_provider ON request_clocks (provider_id, period, agreement_id, kind, state);
UPDATE service_requests SET next_check_at = updated_at WHERE next_check_at IS NULL;

-- +goose Down
DROP TABLE request_clocks;
