-- +goose Up
-- Uploaded files (photos, documents), kept in the database so that a file
-- and the row that refers to it are stored in one transaction and backed up
-- together. sha256 is of the content; content_type is what the content
-- was found to be, not what the client claimed.
CREATE TABLE files (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_by   INTEGER REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX files_org ON files (org_id, id);

-- +goose Down
DROP TABLE files;
