-- +goose Up
-- Working hours: a weekly template of a technician, or of a service point
-- for the technicians based there, laid over a working calendar (its
-- holidays and make-up workdays) whose id it names. week is the template
-- as JSON: seven lists of "HH:MM-HH:MM", Sunday first.
CREATE TABLE working_hours (
    id               INTEGER PRIMARY KEY,
    provider_id      INTEGER NOT NULL REFERENCES organizations (id),
    technician_id    INTEGER REFERENCES users (id),
    service_point_id INTEGER REFERENCES service_points (id),
    calendar_id      TEXT NOT NULL,
    week             TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    CHECK ((technician_id IS NULL) <> (service_point_id IS NULL))
);
CREATE UNIQUE INDEX working_hours_technician ON working_hours (technician_id) WHERE technician_id IS NOT NULL;
CREATE UNIQUE INDEX working_hours_point ON working_hours (service_point_id) WHERE service_point_id IS NOT NULL;

-- The on-call rota: who answers emergencies outside working hours and on
-- holidays, [starts_at, ends_at).
CREATE TABLE on_call (
    id            INTEGER PRIMARY KEY,
    provider_id   INTEGER NOT NULL REFERENCES organizations (id),
    technician_id INTEGER NOT NULL REFERENCES users (id),
    starts_at     TIMESTAMP NOT NULL,
    ends_at       TIMESTAMP NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX on_call_provider ON on_call (provider_id, starts_at);

-- A proposed plan of a provider's day: the solver's routes as JSON, the
-- stamp of the board it was made from (accepting a plan whose board has
-- changed is refused), and what the dispatcher decided.
CREATE TABLE dispatch_plans (
    id          INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES organizations (id),
    day         TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'discarded')),
    stamp       TEXT NOT NULL,
    proposal    TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    decided_by  INTEGER REFERENCES users (id),
    decided_at  TIMESTAMP
);
CREATE INDEX dispatch_plans_provider ON dispatch_plans (provider_id, day);

-- +goose Down
DROP TABLE dispatch_plans;
DROP TABLE on_call;
DROP TABLE working_hours;
