-- +goose Up
-- Whether a user receives notifications by email as well as in the app.
ALTER TABLE users ADD COLUMN email_notifications BOOLEAN NOT NULL DEFAULT 1;

-- One published event. dedupe_key makes publishing the same event twice a
-- no-op; data_json is what webhook receivers get.
CREATE TABLE notify_events (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    link       TEXT NOT NULL DEFAULT '',
    data_json  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- In-app notifications, one per recipient, in the recipient's language.
-- email_state: '' (no email), pending, sent, failed, skipped.
CREATE TABLE notifications (
    id             INTEGER PRIMARY KEY,
    event_id       INTEGER NOT NULL REFERENCES notify_events (id),
    user_id        INTEGER NOT NULL REFERENCES users (id),
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    link           TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    read_at        TIMESTAMP,
    email_state    TEXT NOT NULL DEFAULT '' CHECK (email_state IN ('', 'pending', 'sent', 'failed', 'skipped')),
    email_attempts INTEGER NOT NULL DEFAULT 0,
    email_error    TEXT NOT NULL DEFAULT '',
    email_sent_at  TIMESTAMP,
    UNIQUE (event_id, user_id)
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);

-- Webhook subscriptions of an organization. The secret signs deliveries; it
-- is needed in clear to sign, and shown to the admin only when created.
CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations (id),
    url         TEXT NOT NULL,
    kinds       TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    secret      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);
CREATE INDEX webhooks_org ON webhooks (org_id);

CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY,
    webhook_id   INTEGER NOT NULL REFERENCES webhooks (id),
    event_id     INTEGER NOT NULL REFERENCES notify_events (id),
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- Every attempt at a delivery, for the admin's delivery history.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id),
    attempt     INTEGER NOT NULL,
    at          TIMESTAMP NOT NULL,
    duration_ms INTEGER NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE notifications;
DROP TABLE notify_events;
ALTER TABLE users DROP COLUMN email_notifications;
