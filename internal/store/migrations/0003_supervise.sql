-- Supervision models: models imported into the workspace, runs and their clues.
-- A clue is unique per model and fingerprint, so re-running a model updates it in place.

CREATE TABLE models (
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    yaml        TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at {{timestamp}} NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE SEQUENCE model_runs_id_seq START WITH 1;

CREATE TABLE model_runs (
    id            BIGINT PRIMARY KEY,
    model_id      TEXT NOT NULL,
    model_version INTEGER NOT NULL,
    params_json   TEXT NOT NULL,
    inputs_json   TEXT NOT NULL,
    actor         TEXT NOT NULL,
    status        TEXT NOT NULL,
    error         TEXT NOT NULL,
    rows_matched  BIGINT NOT NULL,
    clues_found   BIGINT NOT NULL,
    clues_new     BIGINT NOT NULL,
    clues_kept    BIGINT NOT NULL,
    clues_gone    BIGINT NOT NULL,
    started_at    {{timestamp}} NOT NULL,
    finished_at   {{timestamp}},
    duration_ms   BIGINT NOT NULL
);

CREATE SEQUENCE clues_id_seq START WITH 1;

CREATE TABLE clues (
    id             BIGINT PRIMARY KEY,
    model_id       TEXT NOT NULL,
    model_version  INTEGER NOT NULL,
    fingerprint    TEXT NOT NULL,
    subject_type   TEXT NOT NULL,
    subject_key    TEXT NOT NULL,
    subject_name   TEXT NOT NULL,
    severity       TEXT NOT NULL,
    title_zh       TEXT NOT NULL,
    title_en       TEXT NOT NULL,
    explanation_zh TEXT NOT NULL,
    explanation_en TEXT NOT NULL,
    fields_json    TEXT NOT NULL,
    evidence_json  TEXT NOT NULL,
    status         TEXT NOT NULL,
    holds          BOOLEAN NOT NULL,
    first_run      BIGINT NOT NULL,
    last_run       BIGINT NOT NULL,
    gone_run       BIGINT,
    review_note    TEXT NOT NULL,
    reviewed_by    TEXT NOT NULL,
    reviewed_at    {{timestamp}},
    created_at     {{timestamp}} NOT NULL,
    updated_at     {{timestamp}} NOT NULL,
    UNIQUE (model_id, fingerprint)
);
