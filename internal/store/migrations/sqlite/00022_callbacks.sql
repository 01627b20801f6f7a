-- +goose Up
-- The vendor's callback queue (回访审核): a share of sealed visits, every
-- complaint and every low score, one entry per visit and reason. An auditor
-- records the call and closes the entry as confirmed, or sends the visit
-- back to correct its record (退回重填) or to redo the work (退回重办).
CREATE TABLE callbacks (
    id             INTEGER PRIMARY KEY,
    reason         TEXT NOT NULL CHECK (reason IN ('sample', 'complaint', 'low_score')),
    status         TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'correction', 'redo')),
    record_id      INTEGER NOT NULL,
    work_order_id  INTEGER NOT NULL,
    request_id     INTEGER NOT NULL,
    agreement_id   INTEGER NOT NULL,
    vendor_id      INTEGER NOT NULL REFERENCES organizations (id),
    provider_id    INTEGER NOT NULL REFERENCES organizations (id),
    customer_org_id INTEGER NOT NULL REFERENCES organizations (id),
    survey_id      INTEGER,
    complaint_id   INTEGER,
    period         TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    called_at      TIMESTAMP,
    called_by      TEXT NOT NULL DEFAULT '',
    reached        BOOLEAN,
    call_score     INTEGER,
    call_words     TEXT NOT NULL DEFAULT '',
    decided_at     TIMESTAMP,
    decided_by     TEXT NOT NULL DEFAULT '',
    decision_reason TEXT NOT NULL DEFAULT '',
    redo_work_order_id INTEGER,
    version        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (record_id, reason)
);
CREATE INDEX callbacks_vendor_status ON callbacks (vendor_id, status, id);
CREATE INDEX callbacks_provider_period ON callbacks (provider_id, period);

-- A visit ordered to redo the work of an earlier one, from a callback.
CREATE TABLE redo_visits (
    work_order_id  INTEGER PRIMARY KEY,
    redo_of        INTEGER NOT NULL,
    request_id     INTEGER NOT NULL,
    callback_id    INTEGER NOT NULL REFERENCES callbacks (id),
    provider_id    INTEGER NOT NULL REFERENCES organizations (id),
    agreement_id   INTEGER NOT NULL,
    period         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX redo_visits_provider_period ON redo_visits (provider_id, period);

-- +goose Down
DROP TABLE redo_visits;
DROP TABLE callbacks;
