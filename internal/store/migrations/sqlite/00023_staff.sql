-- +goose Up
-- The provider's service points (服务网点): where its technicians are based,
-- with the store of the stock ledger that supplies them. radius_km is the
-- area a technician based there covers, around the point.
CREATE TABLE service_points (
    id                INTEGER PRIMARY KEY,
    provider_id       INTEGER NOT NULL REFERENCES organizations (id),
    name              TEXT NOT NULL,
    address           TEXT NOT NULL,
    division          TEXT NOT NULL,
    lat               DOUBLE PRECISION NOT NULL,
    lng               DOUBLE PRECISION NOT NULL,
    radius_km         INTEGER NOT NULL DEFAULT 50,
    phone             TEXT NOT NULL DEFAULT '',
    stock_location_id INTEGER REFERENCES stock_locations (id),
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (provider_id, name)
);

-- A technician's profile beside the user account: where they are based and
-- how fast they work (efficiency_permille 1000 = average; it scales planned
-- durations).
CREATE TABLE technician_profiles (
    user_id             INTEGER PRIMARY KEY REFERENCES users (id),
    provider_id         INTEGER NOT NULL REFERENCES organizations (id),
    service_point_id    INTEGER REFERENCES service_points (id),
    efficiency_permille INTEGER NOT NULL DEFAULT 1000,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX technician_profiles_point ON technician_profiles (service_point_id);

-- Skills per product line, with a level on the scale 1 to 5.
CREATE TABLE technician_skills (
    technician_id INTEGER NOT NULL REFERENCES users (id),
    product_line  TEXT NOT NULL,
    level         INTEGER NOT NULL,
    PRIMARY KEY (technician_id, product_line)
);

-- Certifications (资质认证) of three kinds: the vendor's product-line
-- certificate, a statutory permit (特种作业操作证, with its review date), and
-- the provider's own grade (上岗证等级). Dates are local dates, YYYY-MM-DD.
CREATE TABLE certifications (
    id            INTEGER PRIMARY KEY,
    technician_id INTEGER NOT NULL REFERENCES users (id),
    provider_id   INTEGER NOT NULL REFERENCES organizations (id),
    kind          TEXT NOT NULL CHECK (kind IN ('vendor', 'permit', 'grade')),
    vendor_id     INTEGER REFERENCES organizations (id),
    product_line  TEXT NOT NULL DEFAULT '',
    permit_type   TEXT NOT NULL DEFAULT '',
    level         INTEGER NOT NULL DEFAULT 0,
    number        TEXT NOT NULL,
    issued_on     TEXT NOT NULL,
    expires_on    TEXT NOT NULL,
    review_due_on TEXT NOT NULL DEFAULT '',
    scan_file_id  INTEGER REFERENCES files (id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX certifications_technician ON certifications (technician_id);
CREATE INDEX certifications_expiry ON certifications (expires_on);

-- Training records and assessments, which the periodic report counts.
CREATE TABLE trainings (
    id            INTEGER PRIMARY KEY,
    technician_id INTEGER NOT NULL REFERENCES users (id),
    course        TEXT NOT NULL,
    held_on       TEXT NOT NULL,
    hours_tenths  INTEGER NOT NULL,
    trainer       TEXT NOT NULL DEFAULT '',
    result        TEXT NOT NULL CHECK (result IN ('passed', 'failed', 'attended')),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX trainings_technician ON trainings (technician_id, held_on);

CREATE TABLE assessments (
    id            INTEGER PRIMARY KEY,
    technician_id INTEGER NOT NULL REFERENCES users (id),
    period        TEXT NOT NULL,
    score         INTEGER NOT NULL,
    assessor      TEXT NOT NULL,
    comments      TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (technician_id, period)
);

-- The vendor's qualification rules: per product line, its certificate at a
-- minimum level (kind 'certificate'); per service item, a statutory permit
-- (kind 'permit', for one product line or, with product_line '', any).
CREATE TABLE qualification_rules (
    id           INTEGER PRIMARY KEY,
    vendor_id    INTEGER NOT NULL REFERENCES organizations (id),
    kind         TEXT NOT NULL CHECK (kind IN ('certificate', 'permit')),
    product_line TEXT NOT NULL DEFAULT '',
    min_level    INTEGER NOT NULL DEFAULT 0,
    service_item TEXT NOT NULL DEFAULT '',
    permit_type  TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (vendor_id, kind, product_line, service_item, permit_type)
);

-- A vendor admin's one-off exception: one visit of a request may be booked
-- with a technician the rules refuse. used_at is set by the booking it lets
-- through; work_order_id names the visit.
CREATE TABLE qualification_exceptions (
    id            INTEGER PRIMARY KEY,
    vendor_id     INTEGER NOT NULL REFERENCES organizations (id),
    request_id    INTEGER NOT NULL REFERENCES service_requests (id),
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    technician_id INTEGER NOT NULL REFERENCES users (id),
    reason        TEXT NOT NULL,
    granted_by    INTEGER REFERENCES users (id),
    granted_at    TIMESTAMP NOT NULL,
    refused       TEXT NOT NULL DEFAULT '',
    used_at       TIMESTAMP,
    after_work_order_id INTEGER NOT NULL DEFAULT 0,
    work_order_id INTEGER REFERENCES work_orders (id)
);
CREATE INDEX qualification_exceptions_unit ON qualification_exceptions (unit_id, technician_id);
CREATE INDEX qualification_exceptions_request ON qualification_exceptions (request_id);

-- +goose Down
DROP TABLE qualification_exceptions;
DROP TABLE qualification_rules;
DROP TABLE assessments;
DROP TABLE trainings;
DROP TABLE certifications;
DROP TABLE technician_skills;
DROP TABLE technician_profiles;
DROP TABLE service_points;
