-- Clue workflow, cases and the AI-assistance ledger (docs/workflow.md).
-- DuckDB cannot add a NOT NULL column; the defaults fill existing rows and procura always
-- writes a value.

-- version counts the workflow changes of a clue (optimistic concurrency: a change states the
-- version it expects); decided_version is the model version whose finding was confirmed or
-- dismissed, for precision per model version.
ALTER TABLE clues ADD COLUMN version BIGINT DEFAULT 1;
ALTER TABLE clues ADD COLUMN assignee TEXT DEFAULT '';
ALTER TABLE clues ADD COLUMN due_at {{timestamp}};
ALTER TABLE clues ADD COLUMN case_id TEXT DEFAULT '';
ALTER TABLE clues ADD COLUMN decided_version INTEGER;

-- The review statuses before the lifecycle: rejected is now dismissed, reviewing verifying.
UPDATE clues SET status = 'dismissed' WHERE status = 'rejected';
UPDATE clues SET status = 'verifying' WHERE status = 'reviewing';
UPDATE clues SET decided_version = model_version WHERE status IN ('confirmed', 'dismissed');

-- Everything that happens to a clue or a case: transitions (old and new status), assignments,
-- comments, attachments, due dates, links. audit_seq is the audit entry of the same change.
CREATE SEQUENCE workflow_events_id_seq START WITH 1;

CREATE TABLE workflow_events (
    id           BIGINT PRIMARY KEY,
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    event_at     {{timestamp}} NOT NULL,
    old_value    TEXT NOT NULL,
    new_value    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    detail_json  TEXT NOT NULL,
    audit_seq    BIGINT NOT NULL
);

-- Evidence items attached to a clue.
CREATE TABLE clue_attachments (
    clue_id     BIGINT NOT NULL,
    evidence_id BIGINT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    {{timestamp}} NOT NULL,
    PRIMARY KEY (clue_id, evidence_id)
);

-- A case; id is its number (C-3, 京检刑诉〔2025〕17号), the key of case_grants.
CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    charge      TEXT NOT NULL,
    status      TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);

-- What a case holds besides its clues: parties, accounts, evidence items, saved analyses
-- (model runs, traces, graph exports) and measures.
CREATE TABLE case_links (
    case_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    label       TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    {{timestamp}} NOT NULL,
    PRIMARY KEY (case_id, kind, ref)
);

-- The AI-assistance ledger: every suggestion procura's automation made, with its inputs,
-- sources and engine version, and the person's decision on it.
CREATE SEQUENCE ai_suggestions_id_seq START WITH 1;

CREATE TABLE ai_suggestions (
    id              BIGINT PRIMARY KEY,
    feature         TEXT NOT NULL,
    engine          TEXT NOT NULL,
    engine_version  TEXT NOT NULL,
    run_id          BIGINT NOT NULL,
    subject_type    TEXT NOT NULL,
    subject_id      TEXT NOT NULL,
    inputs_json     TEXT NOT NULL,
    params_json     TEXT NOT NULL,
    sources_json    TEXT NOT NULL,
    suggestion_json TEXT NOT NULL,
    created_at      {{timestamp}} NOT NULL,
    decision        TEXT NOT NULL,
    decided_by      TEXT NOT NULL,
    decided_at      {{timestamp}},
    final_json      TEXT NOT NULL,
    diff            TEXT NOT NULL,
    distance        DOUBLE PRECISION,
    UNIQUE (feature, subject_type, subject_id)
);

-- Clues found before the ledger existed are suggestions too.
INSERT INTO ai_suggestions (id, feature, engine, engine_version, run_id, subject_type, subject_id, inputs_json,
    params_json, sources_json, suggestion_json, created_at, decision, decided_by, decided_at, final_json, diff, distance)
SELECT nextval('ai_suggestions_id_seq'), 'clue', c.model_id, CAST(c.model_version AS TEXT), c.first_run, 'clue',
    CAST(c.id AS TEXT), coalesce(r.inputs_json, '{}'), coalesce(r.params_json, '{}'), c.evidence_json,
    '{"severity":' || CAST(to_json(c.severity) AS TEXT) || ',"subject_key":' || CAST(to_json(c.subject_key) AS TEXT) ||
    ',"subject_name":' || CAST(to_json(c.subject_name) AS TEXT) || ',"subject_type":' || CAST(to_json(c.subject_type) AS TEXT) ||
    ',"title_zh":' || CAST(to_json(c.title_zh) AS TEXT) || ',"verdict":"violation"}',
    c.created_at,
    CASE WHEN c.status = 'confirmed' THEN 'accepted' WHEN c.status = 'dismissed' THEN 'rejected' ELSE '' END,
    CASE WHEN c.status IN ('confirmed', 'dismissed') THEN c.reviewed_by ELSE '' END,
    CASE WHEN c.status IN ('confirmed', 'dismissed') THEN c.reviewed_at END,
    '', '',
    CASE WHEN c.status = 'confirmed' THEN 0.0 WHEN c.status = 'dismissed' THEN 1.0 END
FROM clues c LEFT JOIN model_runs r ON r.id = c.first_run;
