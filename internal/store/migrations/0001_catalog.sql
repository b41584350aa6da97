-- The catalog: what the workspace holds and where each row came from.
-- Placeholders {{type}} are replaced by the backend's column type (dialect.go).

CREATE TABLE workspace_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE datasets (
    name         TEXT PRIMARY KEY,
    kind         TEXT,
    table_name   TEXT NOT NULL,
    columns_json TEXT NOT NULL,
    created_at   {{timestamp}} NOT NULL,
    updated_at   {{timestamp}} NOT NULL
);

CREATE SEQUENCE import_batches_id_seq START WITH 1;

CREATE TABLE import_batches (
    id                     BIGINT PRIMARY KEY,
    dataset                TEXT NOT NULL,
    file_name              TEXT NOT NULL,
    file_sha256            TEXT NOT NULL,
    file_size              BIGINT NOT NULL,
    format                 TEXT NOT NULL,
    encoding               TEXT NOT NULL,
    options_json           TEXT NOT NULL,
    source_agency          TEXT NOT NULL,
    request_no             TEXT NOT NULL,
    importer               TEXT NOT NULL,
    started_at             {{timestamp}},
    finished_at            {{timestamp}},
    rows_read              BIGINT NOT NULL,
    rows_imported          BIGINT NOT NULL,
    rows_rejected          BIGINT NOT NULL,
    rows_duplicate         BIGINT NOT NULL,
    rows_duplicate_in_file BIGINT NOT NULL,
    status                 TEXT NOT NULL
);

CREATE TABLE rejects (
    batch_id    BIGINT NOT NULL,
    dataset     TEXT NOT NULL,
    line        BIGINT NOT NULL,
    column_name TEXT,
    column_no   INTEGER,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    raw         TEXT
);
