package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// clueLoadColumns are the columns insertClues loads.
var clueLoadColumns = []string{"id", "model_id", "model_version", "fingerprint", "subject_type", "subject_key",
	"subject_name", "severity", "title_zh", "title_en", "explanation_zh", "explanation_en", "fields_json",
	"evidence_json", "status", "holds", "first_run", "last_run", "gone_run", "review_note", "reviewed_by",
	"reviewed_at", "created_at", "updated_at", "version", "assignee", "due_at", "case_id", "decided_version"}

// insertClues inserts the new clues of a run with the bulk path (DuckDB appender, PostgreSQL
// COPY), their ids reserved from the sequence in one query.
func (tx *Tx) insertClues(ctx context.Context, runID int64, modelID string, cs []Clue, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	ids, err := tx.reserveIDs(ctx, "clues_id_seq", len(cs))
	if err != nil {
		return fmt.Errorf("reserve ids for %d clues of model %s: %w", len(cs), modelID, err)
	}
	vals := make([][]any, len(cs))
	for i, c := range cs {
		vals[i] = []any{ids[i], modelID, int64(c.ModelVersion), c.Fingerprint, c.SubjectType, c.SubjectKey, c.SubjectName,
			c.Severity, c.TitleZH, c.TitleEN, c.ExplanationZH, c.ExplanationEN, orJSON(c.FieldsJSON), orJSON(c.EvidenceJSON),
			ClueNew, true, runID, runID, nil, "", "", nil, now, now, int64(1), "", nil, "", nil}
	}
	if _, err := tx.BulkLoad(ctx, "clues", clueLoadColumns, RowsOf(vals)); err != nil {
		return fmt.Errorf("save %d new clues of model %s: %w", len(cs), modelID, err)
	}
	return nil
}

// refreshColumns are the columns of the staging table of refreshClues.
var refreshColumns = []string{"id", "model_version", "subject_type", "subject_key", "subject_name", "severity",
	"title_zh", "title_en", "explanation_zh", "explanation_en", "fields_json", "evidence_json"}

// refreshClues rewrites what a run found about known clues (cs[i].ID set), keeping their
// workflow state: the new values are bulk-loaded into a staging table that lives only inside
// the transaction, and one UPDATE … FROM applies them.
func (tx *Tx) refreshClues(ctx context.Context, runID int64, modelID string, cs []Clue, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	stage, err := tx.stagingTable(ctx, "clue_refresh", `id BIGINT, model_version INTEGER, subject_type TEXT,
		subject_key TEXT, subject_name TEXT, severity TEXT, title_zh TEXT, title_en TEXT, explanation_zh TEXT,
		explanation_en TEXT, fields_json TEXT, evidence_json TEXT`)
	if err != nil {
		return fmt.Errorf("refresh clues of model %s: %w", modelID, err)
	}
	vals := make([][]any, len(cs))
	for i, c := range cs {
		vals[i] = []any{c.ID, int64(c.ModelVersion), c.SubjectType, c.SubjectKey, c.SubjectName, c.Severity, c.TitleZH,
			c.TitleEN, c.ExplanationZH, c.ExplanationEN, orJSON(c.FieldsJSON), orJSON(c.EvidenceJSON)}
	}
	if _, err := tx.BulkLoad(ctx, stage, refreshColumns, RowsOf(vals)); err != nil {
		return fmt.Errorf("refresh %d clues of model %s: %w", len(cs), modelID, err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE clues SET model_version = v.model_version, subject_type = v.subject_type,
		subject_key = v.subject_key, subject_name = v.subject_name, severity = v.severity, title_zh = v.title_zh,
		title_en = v.title_en, explanation_zh = v.explanation_zh, explanation_en = v.explanation_en,
		fields_json = v.fields_json, evidence_json = v.evidence_json, holds = TRUE, last_run = $1, gone_run = NULL,
		updated_at = $2 FROM `+stage+` v WHERE clues.id = v.id`, runID, now)
	if err != nil {
		return fmt.Errorf("refresh %d clues of model %s: %w", len(cs), modelID, err)
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE `+stage); err != nil {
		return fmt.Errorf("refresh clues of model %s: %w", modelID, err)
	}
	return nil
}

// reserveIDs takes n values of sequence seq in one query.
func (tx *Tx) reserveIDs(ctx context.Context, seq string, n int) ([]int64, error) {
	series := "range(CAST($1 AS BIGINT))"
	if tx.s.dialect.name == BackendPostgres {
		series = "generate_series(1, CAST($1 AS BIGINT))"
	}
	rows, err := tx.QueryContext(ctx, `SELECT nextval('`+seq+`') FROM `+series, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, fmt.Errorf("asked %s for %d ids, got %d", seq, n, len(ids))
	}
	return ids, nil
}

// stagingTable creates a table that lives only inside the transaction (dropped by the
// caller before commit, or by the rollback) for a set-based change from bulk-loaded rows.
func (tx *Tx) stagingTable(ctx context.Context, prefix, columns string) (string, error) {
	name := fmt.Sprintf("%s_%x", prefix, rand.Uint64())
	ddl, err := tx.s.dialect.expand(`CREATE TABLE ` + name + ` (` + columns + `)`)
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, ddl); err != nil {
		return "", fmt.Errorf("create staging table: %w", err)
	}
	return name, nil
}
