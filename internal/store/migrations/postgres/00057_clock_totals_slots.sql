-- +goose Up
-- Each running total of the stored clocks is spread over slots (the
-- request's id modulo servicerequest.ClockSlots), so that creates of one
-- agreement in one month move different rows and do not wait for each
-- other's commit to reach the disk. A total is the sum of its slots; any
-- slot gives the right sum. The totals counted so far stay in slot 0.
ALTER TABLE request_clock_totals ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE request_clock_totals DROP CONSTRAINT request_clock_totals_pkey;
ALTER TABLE request_clock_totals ADD PRIMARY KEY (agreement_id, period, kind, state, vendor_id, provider_id, slot);

-- +goose Down
INSERT INTO request_clock_totals (agreement_id, period, kind, state, vendor_id, provider_id, slot, n)
    SELECT agreement_id, period, kind, state, vendor_id, provider_id, 0, SUM(n) FROM request_clock_totals WHERE slot <> 0
    GROUP BY agreement_id, period, kind, state, vendor_id, provider_id
    ON CONFLICT (agreement_id, period, kind, state, vendor_id, provider_id, slot) DO UPDATE SET n = request_clock_totals.n + excluded.n;
DELETE FROM request_clock_totals WHERE slot <> 0;
ALTER TABLE request_clock_totals DROP CONSTRAINT request_clock_totals_pkey;
ALTER TABLE request_clock_totals ADD PRIMARY KEY (agreement_id, period, kind, state, vendor_id, provider_id);
ALTER TABLE request_clock_totals DROP COLUMN slot;
