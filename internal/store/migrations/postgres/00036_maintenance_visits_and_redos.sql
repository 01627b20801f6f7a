-- +goose Up
-- A maintenance visit names the unit it serves and the agreement it is
-- done under (a request's visit has them through its request); a visit
-- booked to redo an earlier one of the same request names that visit.
-- Redos already booked are marked from the callbacks' redo_visits.
ALTER TABLE work_orders ADD COLUMN unit_id BIGINT REFERENCES units (id);
ALTER TABLE work_orders ADD COLUMN redo_of BIGINT REFERENCES work_orders (id) CHECK (redo_of IS NULL OR origin = 'request');
ALTER TABLE work_orders ADD COLUMN agreement_id BIGINT REFERENCES agreements (id)
    CHECK (origin = 'request' OR (unit_id IS NOT NULL AND agreement_id IS NOT NULL));
CREATE INDEX work_orders_unit ON work_orders (unit_id) WHERE unit_id IS NOT NULL;
UPDATE work_orders w SET redo_of = r.redo_of FROM redo_visits r WHERE r.work_order_id = w.id;

-- +goose Down
DELETE FROM work_orders WHERE origin <> 'request';
DROP INDEX work_orders_unit;
ALTER TABLE work_orders DROP COLUMN agreement_id;
ALTER TABLE work_orders DROP COLUMN redo_of;
ALTER TABLE work_orders DROP COLUMN unit_id;
