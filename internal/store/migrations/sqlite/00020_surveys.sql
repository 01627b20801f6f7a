-- +goose Up
-- Satisfaction surveys (满意度回访, DOMAIN 3.2.2): one per sealed visit that
-- the agreement's share picked, sent after its delay. The link's token is
-- kept only as its SHA-256. The scale and questions are copied from the
-- terms in force when it was sent, so later versions never change it.
-- Ids of records, visits and requests are plain numbers: a record may be
-- purged after its retention period while its survey's figures stay.
CREATE TABLE surveys (
    id              INTEGER PRIMARY KEY,
    record_id       INTEGER NOT NULL UNIQUE,
    work_order_id   INTEGER NOT NULL,
    request_id      INTEGER NOT NULL,
    agreement_id    INTEGER NOT NULL,
    vendor_id       INTEGER NOT NULL REFERENCES organizations (id),
    provider_id     INTEGER NOT NULL REFERENCES organizations (id),
    customer_org_id INTEGER NOT NULL REFERENCES organizations (id),
    technician_id   INTEGER,
    period          TEXT NOT NULL,
    sealed_at       TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    locale          TEXT NOT NULL,
    scale_min       INTEGER NOT NULL,
    scale_max       INTEGER NOT NULL,
    satisfied_from  INTEGER NOT NULL,
    questions_json  TEXT NOT NULL,
    answered_at     TIMESTAMP,
    score           INTEGER,
    satisfied       BOOLEAN NOT NULL DEFAULT 0,
    answers_json    TEXT NOT NULL DEFAULT '{}',
    comment         TEXT NOT NULL DEFAULT ''
);
-- Covers the period figures and the dashboards: they read no table row.
CREATE INDEX surveys_agreement_period ON surveys (agreement_id, period, scale_max, answered_at, satisfied, score);
CREATE INDEX surveys_provider_period ON surveys (provider_id, period);
CREATE INDEX surveys_customer ON surveys (customer_org_id, sent_at);

-- The surveys of each agreement and period counted as they are sent and
-- answered, in the same transaction: the dashboards read these few rows
-- rather than every survey. A test compares them with a count of the rows.
CREATE TABLE survey_tallies (
    agreement_id INTEGER NOT NULL,
    period       TEXT NOT NULL,
    scale_max    INTEGER NOT NULL,
    sent         INTEGER NOT NULL DEFAULT 0,
    answers      INTEGER NOT NULL DEFAULT 0,
    satisfied    INTEGER NOT NULL DEFAULT 0,
    score_sum    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agreement_id, period, scale_max)
);

-- +goose Down
DROP TABLE survey_tallies;
DROP TABLE surveys;
