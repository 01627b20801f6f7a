-- +goose Up
-- Each running total of the stored clocks is spread over slots (the
-- request's id modulo servicerequest.ClockSlots), so that creates of one
-- agreement in one month move different rows and do not wait for each
-- other's commit to reach the disk. A total is the sum of its slots; any
-- slot gives the right sum. The totals counted so far stay in slot 0.
-- SQLite cannot change a primary key in place, so the table is rebuilt
-- with its rows and indexes (nothing refers to it).
CREATE TABLE request_clock_totals_new (
    agreement_id INTEGER NOT NULL,
    period       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    state        TEXT NOT NULL,
    vendor_id    INTEGER NOT NULL,
    provider_id  INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    slot         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agreement_id, period, kind, state, vendor_id, provider_id, slot)
);
INSERT INTO request_clock_totals_new (agreement_id, period, kind, state, vendor_id, provider_id, n, slot)
    SELECT agreement_id, period, kind, state, vendor_id, provider_id, n, 0 FROM request_clock_totals;
DROP TABLE request_clock_totals;
ALTER TABLE request_clock_totals_new RENAME TO request_clock_totals;
CREATE INDEX request_clock_totals_vendor ON request_clock_totals (vendor_id, period);
CREATE INDEX request_clock_totals_provider ON request_clock_totals (provider_id, period);

-- +goose Down
CREATE TABLE request_clock_totals_old (
    agreement_id INTEGER NOT NULL,
    period       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    state        TEXT NOT NULL,
    vendor_id    INTEGER NOT NULL,
    provider_id  INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, period, kind, state, vendor_id, provider_id)
);
INSERT INTO request_clock_totals_old (agreement_id, period, kind, state, vendor_id, provider_id, n)
    SELECT agreement_id, period, kind, state, vendor_id, provider_id, SUM(n) FROM request_clock_totals
    GROUP BY agreement_id, period, kind, state, vendor_id, provider_id;
DROP TABLE request_clock_totals;
ALTER TABLE request_clock_totals_old RENAME TO request_clock_totals;
CREATE INDEX request_clock_totals_vendor ON request_clock_totals (vendor_id, period);
CREATE INDEX request_clock_totals_provider ON request_clock_totals (provider_id, period);
