-- +goose Up
-- When an approved statement is due: its approval day plus the payment
-- days of the terms in force then (set once, at approval).
ALTER TABLE settlement_statements ADD COLUMN due_on TEXT NOT NULL DEFAULT '';

-- Payments of approved statements, recorded by the vendor; partial
-- payments add up, never above the statement's total.
CREATE TABLE settlement_payments (
    id           INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES settlement_statements (id),
    amount_fen   INTEGER NOT NULL CHECK (amount_fen > 0),
    paid_on      TEXT NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX settlement_payments_statement ON settlement_payments (statement_id);

-- +goose Down
DROP TABLE settlement_payments;
ALTER TABLE settlement_statements DROP COLUMN due_on;
