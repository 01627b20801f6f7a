-- +goose Up
-- The corrections of sealed records, found without reading a chain: the
-- retention purge asks which records a correction still inside its
-- retention holds back, and deleting a record looks for corrections of it
-- (the foreign key). Few records are corrections, so the index is partial.
CREATE INDEX service_records_corrects ON service_records (corrects_id) WHERE corrects_id IS NOT NULL;

-- +goose Down
DROP INDEX service_records_corrects;
