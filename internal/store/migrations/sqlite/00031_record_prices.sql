-- +goose Up
-- The price of each sealed record, computed once: in the transaction that
-- seals it, or, for a record sealed before prices were kept (or sealed by
-- a path that does not price), the first time a statement needs it. A
-- record is priced by the version of the terms in force at its check-out
-- (terms_version); a price whose version is no longer the one in force on
-- its day is computed again. Corrections carry no price and no row; a
-- record purged at the end of its retention takes its price with it.
CREATE TABLE record_prices (
    record_id       INTEGER PRIMARY KEY REFERENCES service_records (id) ON DELETE CASCADE,
    agreement_id    INTEGER NOT NULL REFERENCES agreements (id),
    seq             INTEGER NOT NULL,
    sealed_at       TIMESTAMP NOT NULL,
    day             TEXT NOT NULL DEFAULT '',
    month           TEXT NOT NULL DEFAULT '',
    quarter         TEXT NOT NULL DEFAULT '',
    request_no      TEXT NOT NULL DEFAULT '',
    payer           TEXT NOT NULL CHECK (payer IN ('vendor', 'customer', 'none')),
    terms_version   INTEGER NOT NULL DEFAULT 0,
    unpriced_reason TEXT NOT NULL DEFAULT '',
    unpriced_detail TEXT NOT NULL DEFAULT '',
    late_json       TEXT,
    priced_at       TIMESTAMP NOT NULL
);
CREATE INDEX record_prices_period ON record_prices (agreement_id, sealed_at);

-- The fee lines of a priced record, in order. Amounts fen, rates basis points.
CREATE TABLE record_price_lines (
    record_id   INTEGER NOT NULL REFERENCES record_prices (record_id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    category    TEXT NOT NULL DEFAULT '',
    ref         TEXT NOT NULL DEFAULT '',
    quantity    INTEGER NOT NULL DEFAULT 0,
    unit_fen    INTEGER NOT NULL DEFAULT 0,
    rate_bp     INTEGER NOT NULL DEFAULT 0,
    net_fen     INTEGER NOT NULL DEFAULT 0,
    tax_rate_bp INTEGER NOT NULL DEFAULT 0,
    tax_fen     INTEGER NOT NULL DEFAULT 0,
    gross_fen   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (record_id, idx)
);

-- +goose Down
DROP TABLE record_price_lines;
DROP TABLE record_prices;
