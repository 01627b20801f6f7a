-- +goose Up
-- Running totals of the stored clocks (request_clocks) per agreement (and
-- its vendor and provider), month received, kind and state, moved in the
-- transaction that stores a request's clocks, so that the homes read a few
-- hundred rows whatever the number of requests. Filled here from the rows.
CREATE TABLE request_clock_totals (
    agreement_id INTEGER NOT NULL,
    period       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    state        TEXT NOT NULL,
    vendor_id    INTEGER NOT NULL,
    provider_id  INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, period, kind, state, vendor_id, provider_id)
);
CREATE INDEX request_clock_totals_vendor ON request_clock_totals (vendor_id, period);
CREATE INDEX request_clock_totals_provider ON request_clock_totals (provider_id, period);
INSERT INTO request_clock_totals (agreement_id, period, kind, state, vendor_id, provider_id, n)
    SELECT agreement_id, period, kind, state, vendor_id, provider_id, COUNT(*) FROM request_clocks
    GROUP BY agreement_id, period, kind, state, vendor_id, provider_id;

-- The requests whose clocks were never stored (filed before 00037): the
-- clock job stores theirs a bounded number per run, beside its usual work,
-- rather than all of them in its first run. The closed ones leave the
-- job's queue of due checks, where they would come before every request
-- due now.
CREATE TABLE request_clocks_backlog (
    request_id INTEGER PRIMARY KEY REFERENCES service_requests (id)
);
INSERT INTO request_clocks_backlog (request_id)
    SELECT r.id FROM service_requests r WHERE NOT EXISTS (SELECT 1 FROM request_clocks c WHERE c.request_id = r.id);
UPDATE service_requests SET next_check_at = NULL
    WHERE status IN ('resolved', 'cancelled') AND next_check_at IS NOT NULL
    AND id IN (SELECT request_id FROM request_clocks_backlog);

-- +goose Down
DROP TABLE request_clocks_backlog;
DROP TABLE request_clock_totals;
