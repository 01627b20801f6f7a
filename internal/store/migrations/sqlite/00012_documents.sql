-- +goose Up
-- The vendor's documentation library (DOMAIN 2.1.2): manuals, technical
-- handbooks and operation guides, versioned, linked to product models and
-- to part numbers. A version's file lives in files; its extracted text is
-- kept for the search index, which is rebuilt from it.
CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    vendor_id       INTEGER NOT NULL REFERENCES organizations (id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL CHECK (category IN ('manual', 'technical_handbook', 'operation_guide', 'service_bulletin', 'other')),
    language        TEXT NOT NULL,
    visibility      TEXT NOT NULL CHECK (visibility IN ('partners', 'public')),
    current_version INTEGER NOT NULL DEFAULT 0,
    archived_at     TIMESTAMP,
    version         INTEGER NOT NULL DEFAULT 1,
    created_by      INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX documents_vendor ON documents (vendor_id, id);

CREATE TABLE document_versions (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents (id),
    number       INTEGER NOT NULL CHECK (number > 0),
    file_id      INTEGER NOT NULL REFERENCES files (id),
    change_note  TEXT NOT NULL DEFAULT '',
    text_status  TEXT NOT NULL CHECK (text_status IN ('extracted', 'empty', 'unavailable', 'failed', 'not_text')),
    text         TEXT NOT NULL DEFAULT '',
    created_by   INTEGER REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (document_id, number)
);

CREATE TABLE document_models (
    document_id INTEGER NOT NULL REFERENCES documents (id),
    model_id    INTEGER NOT NULL REFERENCES product_models (id),
    PRIMARY KEY (document_id, model_id)
);
CREATE INDEX document_models_model ON document_models (model_id);

-- Part numbers as the vendor writes them; joined to the parts catalog by
-- (vendor_id, part_number) once it exists.
CREATE TABLE document_parts (
    document_id INTEGER NOT NULL REFERENCES documents (id),
    vendor_id   INTEGER NOT NULL REFERENCES organizations (id),
    part_number TEXT NOT NULL,
    PRIMARY KEY (document_id, part_number)
);
CREATE INDEX document_parts_number ON document_parts (vendor_id, part_number);

-- The search index: one row per document, rowid = documents.id. Its text is
-- prepared in Go (lower case, punctuation removed, CJK as character
-- bigrams), so unicode61 needs no knowledge of Chinese.
CREATE VIRTUAL TABLE document_search USING fts5(title, body, tokenize = 'unicode61');

-- +goose Down
DROP TABLE document_search;
DROP TABLE document_parts;
DROP TABLE document_models;
DROP TABLE document_versions;
DROP TABLE documents;
