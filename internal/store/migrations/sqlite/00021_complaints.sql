-- +goose Up
-- Complaints and suggestions (投诉与建议, DOMAIN 3.2.2). A complaint has two
-- clocks on its agreement's general calendar, fixed when it is filed: the
-- first answer and the close (with the instants of their 75 % warnings);
-- a suggestion has none. The flags remember which alerts were sent.
CREATE TABLE complaints (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('complaint', 'suggestion')),
    category             TEXT NOT NULL,
    channel              TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
    agreement_id         INTEGER NOT NULL,
    vendor_id            INTEGER NOT NULL REFERENCES organizations (id),
    provider_id          INTEGER NOT NULL REFERENCES organizations (id),
    customer_org_id      INTEGER NOT NULL REFERENCES organizations (id),
    request_id           INTEGER,
    work_order_id        INTEGER,
    technician_id        INTEGER,
    survey_id            INTEGER,
    description          TEXT NOT NULL,
    contact_name         TEXT NOT NULL DEFAULT '',
    contact_phone        TEXT NOT NULL DEFAULT '',
    filed_by_id          INTEGER,
    filed_by             TEXT NOT NULL,
    filed_at             TIMESTAMP NOT NULL,
    period               TEXT NOT NULL,
    calendar_id          TEXT NOT NULL DEFAULT '',
    first_answer_due     TIMESTAMP,
    first_answer_warn_at TIMESTAMP,
    close_due            TIMESTAMP,
    close_warn_at        TIMESTAMP,
    unanswered_days      INTEGER NOT NULL DEFAULT 0,
    first_answered_at    TIMESTAMP,
    reply                TEXT NOT NULL DEFAULT '',
    replied_at           TIMESTAMP,
    closed_at            TIMESTAMP,
    close_kind           TEXT NOT NULL DEFAULT '',
    reopened             INTEGER NOT NULL DEFAULT 0,
    escalated_at         TIMESTAMP,
    alerts               TEXT NOT NULL DEFAULT '',
    updated_at           TIMESTAMP NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX complaints_agreement_period ON complaints (agreement_id, period);
CREATE INDEX complaints_provider_status ON complaints (provider_id, status);
CREATE INDEX complaints_customer ON complaints (customer_org_id, filed_at);
CREATE INDEX complaints_open ON complaints (status, close_due);

-- Investigation notes, replies and every change of a complaint, in order.
CREATE TABLE complaint_events (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    kind         TEXT NOT NULL,
    at           TIMESTAMP NOT NULL,
    actor_id     INTEGER,
    actor        TEXT NOT NULL,
    text         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, id);

-- +goose Down
DROP TABLE complaint_events;
DROP TABLE complaints;
