-- +goose Up
-- The invoice (发票) the provider issued for an approved statement: a fully
-- digital invoice's 20-digit number, or a legacy invoice's code and number.
CREATE TABLE settlement_invoices (
    id           INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL UNIQUE REFERENCES settlement_statements (id),
    code         TEXT NOT NULL DEFAULT '',
    number       TEXT NOT NULL,
    issued_on    TEXT NOT NULL,
    amount_fen   INTEGER NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE settlement_invoices;
