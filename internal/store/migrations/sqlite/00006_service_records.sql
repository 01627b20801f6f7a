-- +goose Up
-- Sealed service records (DOMAIN 3.2.3): append-only, chained per agreement.
-- Each record's hash covers its sequence number, the previous record's hash,
-- its sealing time and its content, so any later change, removal or
-- reordering breaks the chain at that record.
CREATE TABLE service_records (
    id           INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    vendor_id    INTEGER NOT NULL REFERENCES organizations (id),
    provider_id  INTEGER NOT NULL REFERENCES organizations (id),
    request_id   INTEGER,
    corrects_id  INTEGER REFERENCES service_records (id),
    content_json TEXT NOT NULL,
    sealed_at    TIMESTAMP NOT NULL,
    retain_until TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    UNIQUE (agreement_id, seq)
);
CREATE INDEX service_records_request ON service_records (request_id);

-- The head of each agreement's chain. Appending updates this row first, which
-- serializes concurrent appends to one chain on both engines. Records purged
-- after their retention period leave an anchor: verification of the rest
-- starts from the anchor's hash.
CREATE TABLE record_chains (
    agreement_id INTEGER PRIMARY KEY,
    last_seq     INTEGER NOT NULL,
    last_hash    TEXT NOT NULL,
    anchor_seq   INTEGER NOT NULL DEFAULT 0,
    anchor_hash  TEXT NOT NULL DEFAULT ''
);

-- +goose StatementBegin
CREATE TRIGGER service_records_no_update BEFORE UPDATE ON service_records
BEGIN
    SELECT RAISE(ABORT, 'service records are append-only');
END;
-- +goose StatementEnd
-- Deletion is allowed only through the retention purge, which runs in a
-- transaction that first records the purge (see record.Purge).

-- +goose Down
DROP TABLE record_chains;
DROP TABLE service_records;
