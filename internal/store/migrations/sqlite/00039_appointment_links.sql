-- +goose Up
-- A visit's appointment agreed with the customer by a link: the link's
-- token is kept only as its hash; a link works once (used_at) and until it
-- expires; its outcome is the window picked or a request to be called.
-- A technician marks a visit "on the way" when starting to travel to it.
CREATE TABLE appointment_links (
    id            INTEGER PRIMARY KEY,
    work_order_id INTEGER NOT NULL REFERENCES work_orders (id),
    token_hash    TEXT NOT NULL UNIQUE,
    locale        TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    used_at       TIMESTAMP,
    outcome       TEXT CHECK (outcome IS NULL OR outcome IN ('picked', 'confirmed', 'call_me', 'replaced')),
    picked_start  TIMESTAMP,
    picked_end    TIMESTAMP,
    CHECK ((used_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX appointment_links_work_order ON appointment_links (work_order_id);
ALTER TABLE work_orders ADD COLUMN departed_at TIMESTAMP;

-- +goose Down
ALTER TABLE work_orders DROP COLUMN departed_at;
DROP TABLE appointment_links;
