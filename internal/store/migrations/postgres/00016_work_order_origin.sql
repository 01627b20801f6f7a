-- +goose Up
-- A visit has an origin: a service request, or a maintenance plan, which
-- books visits with no fault behind them; only a request's visit names a
-- request.
ALTER TABLE work_orders ADD COLUMN origin TEXT NOT NULL DEFAULT 'request' CHECK (origin IN ('request', 'maintenance'));
ALTER TABLE work_orders ALTER COLUMN request_id DROP NOT NULL;
ALTER TABLE work_orders ADD CONSTRAINT work_orders_origin_request CHECK ((origin = 'request') = (request_id IS NOT NULL));

-- +goose Down
DELETE FROM work_orders WHERE request_id IS NULL;
ALTER TABLE work_orders DROP CONSTRAINT work_orders_origin_request;
ALTER TABLE work_orders ALTER COLUMN request_id SET NOT NULL;
ALTER TABLE work_orders DROP COLUMN origin;
