-- The audit chain and evidence custody (docs/audit.md).
-- audit_log is append-only: procura never updates or deletes a row. seq is the primary key so
-- that two writers who read the same head cannot both append: the second insert fails and is
-- retried on the new head instead of forking the chain.

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    logged_at   {{timestamp}} NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    old_json    TEXT NOT NULL,
    new_json    TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- A checkpoint signs the hash of entry seq with the workspace's Ed25519 key.
CREATE TABLE audit_checkpoints (
    seq        BIGINT PRIMARY KEY,
    hash       TEXT NOT NULL,
    signed_at  {{timestamp}} NOT NULL,
    key_id     TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature  TEXT NOT NULL
);

-- One evidence item per file content; the file is evidence/sha256/ab/<sha256>.
CREATE SEQUENCE evidence_items_id_seq START WITH 1;

CREATE TABLE evidence_items (
    id          BIGINT PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    size        BIGINT NOT NULL,
    file_name   TEXT NOT NULL,
    source      TEXT NOT NULL,
    received_by TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    received_at {{timestamp}} NOT NULL,
    case_id     TEXT NOT NULL,
    note        TEXT NOT NULL,
    custodian   TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    {{timestamp}} NOT NULL
);

-- Chain of custody: every receipt, access, export and transfer of an item, each with the
-- audit entry that records it.
CREATE SEQUENCE evidence_custody_id_seq START WITH 1;

CREATE TABLE evidence_custody (
    id           BIGINT PRIMARY KEY,
    evidence_id  BIGINT NOT NULL,
    event        TEXT NOT NULL,
    actor        TEXT NOT NULL,
    event_at     {{timestamp}} NOT NULL,
    counterparty TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    detail_json  TEXT NOT NULL,
    audit_seq    BIGINT NOT NULL
);

-- The evidence item an import batch was read from.
ALTER TABLE import_batches ADD COLUMN evidence_id BIGINT;
