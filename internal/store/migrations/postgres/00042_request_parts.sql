-- +goose Up
-- The parts a request needs (set by its dispatcher): the day planner gives
-- a visit only to a technician whose van holds them.
CREATE TABLE request_parts (
    request_id BIGINT NOT NULL REFERENCES service_requests (id),
    part_id    BIGINT NOT NULL REFERENCES parts (id),
    qty        INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (request_id, part_id)
);

-- +goose Down
DROP TABLE request_parts;
