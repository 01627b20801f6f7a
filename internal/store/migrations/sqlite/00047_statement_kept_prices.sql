-- +goose Up
-- A draft statement no longer copies its records' kept prices into its
-- lines: it refers to them. records_through is the highest record id the
-- draft counted (records sealed in its period after it was generated are
-- not on it until it is generated again); its own rows in settlement_lines
-- are only the period cap and the deductions. Submitting copies the kept
-- lines into settlement_lines and clears it, so a submitted or approved
-- statement holds every line itself. NULL: every line is in
-- settlement_lines (a submitted statement, or a draft generated before).
ALTER TABLE settlement_statements ADD COLUMN records_through INTEGER;

-- Each kept price also holds its sums per VAT category (every line of a
-- category of one record has the same rate: the category's rate on the
-- record's day; -1: the record has no line of it) and how many lines the statement shows for it, so that a
-- statement's totals are one pass over the period's prices, not a join
-- with every line.
ALTER TABLE record_prices ADD COLUMN line_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE record_prices ADD COLUMN labour_rate_bp INTEGER NOT NULL DEFAULT -1;
ALTER TABLE record_prices ADD COLUMN labour_net_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE record_prices ADD COLUMN labour_tax_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE record_prices ADD COLUMN labour_gross_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE record_prices ADD COLUMN parts_rate_bp INTEGER NOT NULL DEFAULT -1;
ALTER TABLE record_prices ADD COLUMN parts_net_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE record_prices ADD COLUMN parts_tax_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE record_prices ADD COLUMN parts_gross_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE record_prices ADD COLUMN consultation_rate_bp INTEGER NOT NULL DEFAULT -1;
ALTER TABLE record_prices ADD COLUMN consultation_net_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE record_prices ADD COLUMN consultation_tax_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE record_prices ADD COLUMN consultation_gross_fen INTEGER NOT NULL DEFAULT 0;
UPDATE record_prices SET
    line_count = CASE WHEN unpriced_reason <> '' THEN 1 ELSE (SELECT COUNT(*) FROM record_price_lines l WHERE l.record_id = record_prices.record_id) END,
    labour_rate_bp = COALESCE((SELECT MAX(l.tax_rate_bp) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'labour'), -1),
    labour_net_fen = COALESCE((SELECT SUM(l.net_fen) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'labour'), 0),
    labour_tax_fen = COALESCE((SELECT SUM(l.tax_fen) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'labour'), 0),
    labour_gross_fen = COALESCE((SELECT SUM(l.gross_fen) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'labour'), 0),
    parts_rate_bp = COALESCE((SELECT MAX(l.tax_rate_bp) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'parts'), -1),
    parts_net_fen = COALESCE((SELECT SUM(l.net_fen) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'parts'), 0),
    parts_tax_fen = COALESCE((SELECT SUM(l.tax_fen) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'parts'), 0),
    parts_gross_fen = COALESCE((SELECT SUM(l.gross_fen) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'parts'), 0),
    consultation_rate_bp = COALESCE((SELECT MAX(l.tax_rate_bp) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'consultation'), -1),
    consultation_net_fen = COALESCE((SELECT SUM(l.net_fen) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'consultation'), 0),
    consultation_tax_fen = COALESCE((SELECT SUM(l.tax_fen) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'consultation'), 0),
    consultation_gross_fen = COALESCE((SELECT SUM(l.gross_fen) FROM record_price_lines l WHERE l.record_id = record_prices.record_id AND l.category = 'consultation'), 0);

-- The records of an agreement sealed in a period (prices kept on demand).
CREATE INDEX service_records_agreement_sealed ON service_records (agreement_id, sealed_at, corrects_id);

-- +goose Down
DROP INDEX service_records_agreement_sealed;
ALTER TABLE record_prices DROP COLUMN line_count;
ALTER TABLE record_prices DROP COLUMN labour_rate_bp;
ALTER TABLE record_prices DROP COLUMN labour_net_fen;
ALTER TABLE record_prices DROP COLUMN labour_tax_fen;
ALTER TABLE record_prices DROP COLUMN labour_gross_fen;
ALTER TABLE record_prices DROP COLUMN parts_rate_bp;
ALTER TABLE record_prices DROP COLUMN parts_net_fen;
ALTER TABLE record_prices DROP COLUMN parts_tax_fen;
ALTER TABLE record_prices DROP COLUMN parts_gross_fen;
ALTER TABLE record_prices DROP COLUMN consultation_rate_bp;
ALTER TABLE record_prices DROP COLUMN consultation_net_fen;
ALTER TABLE record_prices DROP COLUMN consultation_tax_fen;
ALTER TABLE record_prices DROP COLUMN consultation_gross_fen;
ALTER TABLE settlement_statements DROP COLUMN records_through;
