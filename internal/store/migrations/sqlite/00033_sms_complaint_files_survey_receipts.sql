-- +goose Up
-- Text messages sent through the SMS gateway. The text is stored sealed
-- (AES-256-GCM under a key derived from the gateway's secret, which is
-- configuration and never stored): a survey link in it is a credential.
-- state: pending (queued or being retried), sent (the gateway took it),
-- delivered / undelivered (the gateway's receipt), failed (gave up).
CREATE TABLE sms_messages (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id),
    kind         TEXT NOT NULL,
    ref          TEXT NOT NULL DEFAULT '',
    dedupe_key   TEXT UNIQUE,
    phone        TEXT NOT NULL,
    sealed_text  TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'delivered', 'undelivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    gateway_id   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    sent_at      TIMESTAMP,
    receipt_at   TIMESTAMP
);
CREATE INDEX sms_messages_org ON sms_messages (org_id, id);
CREATE INDEX sms_messages_ref ON sms_messages (ref);

-- Files the filer attached to a complaint or suggestion (photos, a PDF).
CREATE TABLE complaint_files (
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    file_id      INTEGER NOT NULL REFERENCES files (id),
    added_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (complaint_id, file_id)
);

-- Survey links printed as a QR code on a visit's service receipt: the
-- SHA-256 of each link's random token (a new one each printing), opening the
-- survey of the record.
CREATE TABLE survey_receipts (
    token_hash TEXT PRIMARY KEY,
    record_id  INTEGER NOT NULL REFERENCES service_records (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX survey_receipts_record ON survey_receipts (record_id);

-- +goose Down
DROP TABLE survey_receipts;
DROP TABLE complaint_files;
DROP TABLE sms_messages;
