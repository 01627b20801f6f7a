-- +goose Up
-- Settlement statements (结算单): one per agreement and period, computed
-- from the sealed records of the period. A draft is regenerated (its lines
-- replaced) until it is submitted; an approved statement is locked: the
-- triggers below refuse any change to it or to its lines.
CREATE TABLE settlement_statements (
    id            INTEGER PRIMARY KEY,
    agreement_id  INTEGER NOT NULL REFERENCES agreements (id),
    vendor_id     INTEGER NOT NULL REFERENCES organizations (id),
    provider_id   INTEGER NOT NULL REFERENCES organizations (id),
    number        TEXT NOT NULL UNIQUE,
    period        TEXT NOT NULL,
    period_from   TEXT NOT NULL,
    period_to     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'disputed', 'approved')),
    terms_version INTEGER NOT NULL DEFAULT 0,
    total_fen     INTEGER NOT NULL DEFAULT 0,
    tax_fen       INTEGER NOT NULL DEFAULT 0,
    customer_records INTEGER NOT NULL DEFAULT 0,
    satisfaction_known BOOLEAN NOT NULL DEFAULT FALSE,
    generated_at  TIMESTAMP NOT NULL,
    submitted_at  TIMESTAMP,
    submitted_by  TEXT NOT NULL DEFAULT '',
    approved_at   TIMESTAMP,
    approved_by   TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (agreement_id, period)
);
CREATE INDEX settlement_statements_vendor ON settlement_statements (vendor_id, period);
CREATE INDEX settlement_statements_provider ON settlement_statements (provider_id, period);

-- The lines of a statement. Amounts are fen; rates are basis points.
CREATE TABLE settlement_lines (
    id              INTEGER PRIMARY KEY,
    statement_id    INTEGER NOT NULL REFERENCES settlement_statements (id),
    position        INTEGER NOT NULL,
    record_id       INTEGER,
    request         TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    category        TEXT NOT NULL DEFAULT '',
    ref             TEXT NOT NULL DEFAULT '',
    quantity        INTEGER NOT NULL DEFAULT 0,
    unit_fen        INTEGER NOT NULL DEFAULT 0,
    rate_bp         INTEGER NOT NULL DEFAULT 0,
    net_fen         INTEGER NOT NULL DEFAULT 0,
    tax_rate_bp     INTEGER NOT NULL DEFAULT 0,
    tax_fen         INTEGER NOT NULL DEFAULT 0,
    gross_fen       INTEGER NOT NULL DEFAULT 0,
    terms_version   INTEGER NOT NULL DEFAULT 0,
    rule            TEXT NOT NULL DEFAULT '',
    evidence_json   TEXT,
    unpriced_reason TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '',
    adjustment_of   TEXT NOT NULL DEFAULT '',
    removed         BOOLEAN NOT NULL DEFAULT FALSE,
    dispute_json    TEXT,
    UNIQUE (statement_id, position)
);

-- +goose StatementBegin
CREATE TRIGGER settlement_statements_locked BEFORE UPDATE ON settlement_statements
WHEN OLD.status = 'approved'
BEGIN
    SELECT RAISE(ABORT, 'an approved settlement statement is locked');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER settlement_lines_locked_update BEFORE UPDATE ON settlement_lines
WHEN (SELECT status FROM settlement_statements WHERE id = OLD.statement_id) = 'approved'
BEGIN
    SELECT RAISE(ABORT, 'an approved settlement statement is locked');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER settlement_lines_locked_delete BEFORE DELETE ON settlement_lines
WHEN (SELECT status FROM settlement_statements WHERE id = OLD.statement_id) = 'approved'
BEGIN
    SELECT RAISE(ABORT, 'an approved settlement statement is locked');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE settlement_lines;
DROP TABLE settlement_statements;
