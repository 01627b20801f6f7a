-- +goose Up
-- Photos of a service request: of the fault (filed with the request, or
-- added later) and of the work (taken on a visit). The bytes live in files;
-- the sealed record keeps each photo's sha256.
CREATE TABLE request_photos (
    id            INTEGER PRIMARY KEY,
    request_id    INTEGER NOT NULL REFERENCES service_requests (id),
    work_order_id INTEGER REFERENCES work_orders (id),
    file_id       INTEGER NOT NULL REFERENCES files (id),
    stage         TEXT NOT NULL CHECK (stage IN ('fault', 'work')),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX request_photos_request ON request_photos (request_id, id);

-- A sign-off code sent to the customer for one visit. Only a salted hash
-- of the code is kept; it expires and allows a few attempts.
CREATE TABLE signoff_codes (
    work_order_id INTEGER PRIMARY KEY REFERENCES work_orders (id),
    salt          TEXT NOT NULL,
    code_hash     TEXT NOT NULL,
    sent_to       TEXT NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL
);
ALTER TABLE work_orders ADD COLUMN signoff_sent_to TEXT NOT NULL DEFAULT '';

-- Escalations of complex faults to a senior technician of the provider or
-- to the vendor's second line; each has its own clock.
CREATE TABLE escalations (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES service_requests (id),
    vendor_id    INTEGER NOT NULL REFERENCES organizations (id),
    target       TEXT NOT NULL CHECK (target IN ('senior', 'second_line')),
    assignee_id  INTEGER REFERENCES users (id),
    reason       TEXT NOT NULL,
    raised_by    INTEGER REFERENCES users (id),
    raised_at    TIMESTAMP NOT NULL,
    due_at       TIMESTAMP NOT NULL,
    answered_at  TIMESTAMP,
    answered_by  INTEGER REFERENCES users (id),
    answer       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX escalations_request ON escalations (request_id, id);
CREATE INDEX escalations_vendor ON escalations (vendor_id, answered_at, id);

-- Full-text index of request descriptions. The text is tokenized in Go
-- (servicerequest.SearchTokens: lowercased words, and character bigrams of
-- Chinese runs, which have no spaces), so that both engines index the same
-- terms; rowid is the request's id.
CREATE VIRTUAL TABLE request_fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0');
INSERT INTO request_fts (rowid, tokens) SELECT id, lower(description) FROM service_requests;

-- +goose Down
DROP TABLE request_fts;
DROP TABLE escalations;
ALTER TABLE work_orders DROP COLUMN signoff_sent_to;
DROP TABLE signoff_codes;
DROP TABLE request_photos;
