-- +goose Up
-- Each clock of a request as the projection last computed it (response,
-- on-site, resolution, escalation), with the request's parties and the
-- month it was received (China time, YYYY-MM), so that the homes count
-- clocks met, breached and running per agreement, provider and month from
-- an index alone (the indexes cover the columns counted), and the requests
-- list filters on the same rows. A clock left
-- running on a cancelled request is stored as cancelled. Every request is
-- due for the clock job once, which writes the clocks of those filed before.
CREATE TABLE request_clocks (
    request_id   INTEGER NOT NULL REFERENCES service_requests (id),
    kind         TEXT NOT NULL,
    agreement_id INTEGER NOT NULL,
    vendor_id    INTEGER NOT NULL,
    provider_id  INTEGER NOT NULL,
    period       TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('running', 'paused', 'met', 'breached', 'cancelled')),
    due_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (request_id, kind)
);
CREATE INDEX request_clocks_vendor ON request_clocks (vendor_id, period, agreement_id, kind, state);
CREATE INDEX request_clocks_provider ON request_clocks (provider_id, period, agreement_id, kind, state);
UPDATE service_requests SET next_check_at = updated_at WHERE next_check_at IS NULL;

-- The vendor and provider a text message is sent for (about their survey or
-- complaint), so that their office lists the messages with their delivery
-- states; those queued before are matched by what they are about.
ALTER TABLE sms_messages ADD COLUMN vendor_id INTEGER REFERENCES organizations (id);
ALTER TABLE sms_messages ADD COLUMN provider_id INTEGER REFERENCES organizations (id);
UPDATE sms_messages SET vendor_id = (SELECT s.vendor_id FROM surveys s WHERE 'survey:' || s.id = sms_messages.ref),
    provider_id = (SELECT s.provider_id FROM surveys s WHERE 'survey:' || s.id = sms_messages.ref) WHERE ref LIKE 'survey:%';
UPDATE sms_messages SET vendor_id = (SELECT c.vendor_id FROM complaints c WHERE 'complaint:' || c.id = sms_messages.ref),
    provider_id = (SELECT c.provider_id FROM complaints c WHERE 'complaint:' || c.id = sms_messages.ref) WHERE ref LIKE 'complaint:%';
CREATE INDEX sms_messages_vendor ON sms_messages (vendor_id, id);
CREATE INDEX sms_messages_provider ON sms_messages (provider_id, id);

-- +goose Down
DROP INDEX sms_messages_provider;
DROP INDEX sms_messages_vendor;
ALTER TABLE sms_messages DROP COLUMN provider_id;
ALTER TABLE sms_messages DROP COLUMN vendor_id;
DROP TABLE request_clocks;
