-- +goose Up
-- A technician's leave, in days or hours: [starts_at, ends_at). Booking a
-- visit that overlaps it is refused.
CREATE TABLE technician_leave (
    id            INTEGER PRIMARY KEY,
    technician_id INTEGER NOT NULL REFERENCES users (id),
    starts_at     TIMESTAMP NOT NULL,
    ends_at       TIMESTAMP NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX technician_leave_technician ON technician_leave (technician_id, starts_at);

-- +goose Down
DROP TABLE technician_leave;
