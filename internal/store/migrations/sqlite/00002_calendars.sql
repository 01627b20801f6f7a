-- +goose Up
-- Working calendars kept in the database: custom calendars (derived from a
-- built-in one or made from scratch), and additions to the built-in ones
-- (e.g. a new year's official holiday schedule imported into "cn"). The spec
-- is the JSON of calendar.Spec: for a calendar with a base it lists only what
-- differs from the base.
CREATE TABLE calendars (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    base_id      TEXT NOT NULL DEFAULT '',
    owner_org_id INTEGER REFERENCES organizations (id),
    spec_json    TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- An uploaded holiday schedule: parsed and shown for review (pending), then
-- applied to its calendar or discarded.
CREATE TABLE calendar_imports (
    id          INTEGER PRIMARY KEY,
    calendar_id TEXT NOT NULL,
    org_id      INTEGER REFERENCES organizations (id),
    actor       TEXT NOT NULL,
    filename    TEXT NOT NULL,
    format      TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'applied', 'discarded')),
    result_json TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    decided_at  TIMESTAMP
);
CREATE INDEX calendar_imports_calendar ON calendar_imports (calendar_id, id);

-- +goose Down
DROP TABLE calendar_imports;
DROP TABLE calendars;
