-- +goose Up
-- Agreements between a vendor and a provider. The terms live in versions:
-- a change of terms adds a version with an effective date, it never
-- overwrites one. Status changes are events beside the versions.
CREATE TABLE agreements (
    id            INTEGER PRIMARY KEY,
    vendor_id     INTEGER NOT NULL REFERENCES organizations (id),
    provider_id   INTEGER NOT NULL REFERENCES organizations (id),
    number        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'active', 'suspended', 'terminated')),
    terminates_on TEXT,
    suspended_by  INTEGER REFERENCES organizations (id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (vendor_id, number)
);
CREATE INDEX agreements_provider ON agreements (provider_id);

CREATE TABLE agreement_versions (
    agreement_id   INTEGER NOT NULL REFERENCES agreements (id),
    number         INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    terms_json     TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    adjustment_id  INTEGER,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (agreement_id, number)
);

-- +goose StatementBegin
CREATE TRIGGER agreement_versions_no_update BEFORE UPDATE ON agreement_versions
BEGIN
    SELECT RAISE(ABORT, 'agreement versions are never changed: add a version');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER agreement_versions_no_delete BEFORE DELETE ON agreement_versions
BEGIN
    SELECT RAISE(ABORT, 'agreement versions are never deleted');
END;
-- +goose StatementEnd

CREATE TABLE agreement_status_events (
    id           INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    org_id       INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    at           TIMESTAMP NOT NULL
);
CREATE INDEX agreement_status_events_agreement ON agreement_status_events (agreement_id, id);

CREATE TABLE adjustment_requests (
    id              INTEGER PRIMARY KEY,
    agreement_id    INTEGER NOT NULL REFERENCES agreements (id),
    proposer_org_id INTEGER NOT NULL REFERENCES organizations (id),
    proposed_by     TEXT NOT NULL,
    base_version    INTEGER NOT NULL,
    terms_json      TEXT NOT NULL,
    patch_json      TEXT,
    reason          TEXT NOT NULL,
    desired_from    TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected', 'withdrawn')),
    decided_by      TEXT,
    decided_at      TIMESTAMP,
    comment         TEXT NOT NULL DEFAULT '',
    result_version  INTEGER,
    effective_from  TEXT,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX adjustment_requests_agreement ON adjustment_requests (agreement_id, id);

-- +goose Down
DROP TABLE adjustment_requests;
DROP TABLE agreement_status_events;
DROP TABLE agreement_versions;
DROP TABLE agreements;
