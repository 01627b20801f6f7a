-- +goose Up
-- The provider's suspension of service for the vendor's non-payment
-- (§2.2.1): a notice naming the overdue statements, the day it takes
-- effect (no earlier than the notice period of the terms), when it took
-- effect (the agreement suspended and its running clocks paused), and when
-- and why it ended (paid, lifted by the provider, the agreement ended).
CREATE TABLE payment_suspensions (
    id           INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    vendor_id    INTEGER NOT NULL,
    provider_id  INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    noticed_on   TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    noticed_by   TEXT NOT NULL,
    noticed_at   TIMESTAMP NOT NULL,
    started_at   TIMESTAMP,
    ended_at     TIMESTAMP,
    ended_by     TEXT NOT NULL DEFAULT '',
    end_reason   TEXT NOT NULL DEFAULT '' CHECK (end_reason IN ('', 'paid', 'lifted', 'agreement_ended'))
);
-- One suspension at a time per agreement.
CREATE UNIQUE INDEX payment_suspensions_open ON payment_suspensions (agreement_id) WHERE ended_at IS NULL;
CREATE INDEX payment_suspensions_due ON payment_suspensions (effective_on) WHERE started_at IS NULL AND ended_at IS NULL;

-- The overdue statements a suspension names.
CREATE TABLE payment_suspension_statements (
    suspension_id INTEGER NOT NULL REFERENCES payment_suspensions (id),
    statement_id  INTEGER NOT NULL REFERENCES settlement_statements (id),
    PRIMARY KEY (suspension_id, statement_id)
);
CREATE INDEX payment_suspension_statements_statement ON payment_suspension_statements (statement_id);

-- +goose Down
DROP TABLE payment_suspension_statements;
DROP TABLE payment_suspensions;
