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

-- +goose Down
ALTER TABLE settlement_statements DROP COLUMN records_through;
