package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Suggestion is one entry of the AI-assistance ledger: what procura's automation suggested,
// from which inputs and sources, by which engine version, and what a person decided.
type Suggestion struct {
	ID             int64     `json:"id"`
	Feature        string    `json:"feature"` // clue, element, charge, paragraph …
	Engine         string    `json:"engine"`  // the model or program that made it
	EngineVersion  string    `json:"engine_version"`
	RunID          int64     `json:"run_id,omitempty"`
	SubjectType    string    `json:"subject_type"`
	SubjectID      string    `json:"subject_id"`
	InputsJSON     string    `json:"-"` // datasets and batches read
	ParamsJSON     string    `json:"-"`
	SourcesJSON    string    `json:"-"` // the rows or documents the suggestion rests on
	SuggestionJSON string    `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	Decision       string    `json:"decision,omitempty"` // "" (pending), accepted, edited, rejected
	DecidedBy      string    `json:"decided_by,omitempty"`
	DecidedAt      time.Time `json:"decided_at,omitzero"`
	FinalJSON      string    `json:"-"`
	Diff           string    `json:"diff,omitempty"`
	// Distance is how far the final decision is from the suggestion: 0 accepted as is, 1 rejected.
	Distance *float64 `json:"distance,omitempty"`
}

// ErrNoSuggestion is returned when the ledger holds no suggestion for a subject.
var ErrNoSuggestion = errors.New("no such suggestion")

// recordClueSuggestions writes a ledger entry for every clue that run runID of modelID found
// first, with the run's inputs and parameters and the clue's evidence rows, in one statement.
// Those clues were inserted by this run's SaveClues, so none has an entry yet (the unique key
// would refuse a second one); an anti-join here made PostgreSQL visit its own new index
// entries once per clue, quadratic in the run's size.
func (tx *Tx) recordClueSuggestions(ctx context.Context, runID int64, modelID string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ai_suggestions (id, feature, engine, engine_version, run_id, subject_type,
		subject_id, inputs_json, params_json, sources_json, suggestion_json, created_at, decision, decided_by, decided_at,
		final_json, diff, distance)
		SELECT nextval('ai_suggestions_id_seq'), 'clue', c.model_id, CAST(c.model_version AS TEXT), c.first_run, 'clue',
			CAST(c.id AS TEXT), coalesce(r.inputs_json, '{}'), coalesce(r.params_json, '{}'), c.evidence_json, `+clueSuggestionSQL+`,
			$3, '', '', NULL, '', '', NULL
		FROM clues c LEFT JOIN model_runs r ON r.id = c.first_run
		WHERE c.model_id = $2 AND c.first_run = $1`, runID, modelID, at)
	if err != nil {
		return fmt.Errorf("record the clues of run %d in the AI-assistance ledger: %w", runID, err)
	}
	return nil
}

// clueSuggestionSQL builds what a model suggests about a clue as a JSON object in SQL that
// DuckDB and PostgreSQL both run; ClueSuggestion builds the same object in Go.
const clueSuggestionSQL = `'{"severity":' || CAST(to_json(c.severity) AS TEXT) ||
	',"subject_key":' || CAST(to_json(c.subject_key) AS TEXT) ||
	',"subject_name":' || CAST(to_json(c.subject_name) AS TEXT) ||
	',"subject_type":' || CAST(to_json(c.subject_type) AS TEXT) ||
	',"title_zh":' || CAST(to_json(c.title_zh) AS TEXT) || ',"verdict":"violation"}'`

// ClueSuggestion is the object the ledger records as a model's suggestion about c.
func ClueSuggestion(c Clue) map[string]any {
	return map[string]any{"severity": c.Severity, "subject_key": c.SubjectKey, "subject_name": c.SubjectName,
		"subject_type": c.SubjectType, "title_zh": c.TitleZH, "verdict": "violation"}
}

// InsertSuggestion records a suggestion of a feature other than clues (those are recorded
// when a run saves them) and returns its id.
func (tx *Tx) InsertSuggestion(ctx context.Context, s Suggestion) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT nextval('ai_suggestions_id_seq')`).Scan(&id); err != nil {
		return 0, fmt.Errorf("reserve suggestion id: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO ai_suggestions (id, feature, engine, engine_version, run_id, subject_type,
		subject_id, inputs_json, params_json, sources_json, suggestion_json, created_at, decision, decided_by, decided_at,
		final_json, diff, distance) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '', '', NULL, '', '', NULL)`,
		id, s.Feature, s.Engine, s.EngineVersion, s.RunID, s.SubjectType, s.SubjectID, orJSON(s.InputsJSON),
		orJSON(s.ParamsJSON), orJSON(s.SourcesJSON), orJSON(s.SuggestionJSON), s.CreatedAt)
	if err != nil {
		return 0, fmt.Errorf("record %s suggestion on %s %s: %w", s.Feature, s.SubjectType, s.SubjectID, err)
	}
	return id, nil
}

const suggestionColumns = `id, feature, engine, engine_version, run_id, subject_type, subject_id, inputs_json, params_json,
	sources_json, suggestion_json, created_at, decision, decided_by, decided_at, final_json, diff, distance`

func scanSuggestion(r rowScanner) (Suggestion, error) {
	var s Suggestion
	var at sql.NullTime
	var d sql.NullFloat64
	err := r.Scan(&s.ID, &s.Feature, &s.Engine, &s.EngineVersion, &s.RunID, &s.SubjectType, &s.SubjectID, &s.InputsJSON,
		&s.ParamsJSON, &s.SourcesJSON, &s.SuggestionJSON, &s.CreatedAt, &s.Decision, &s.DecidedBy, &at, &s.FinalJSON,
		&s.Diff, &d)
	s.DecidedAt = at.Time
	if d.Valid {
		s.Distance = &d.Float64
	}
	return s, err
}

// SuggestionOn returns the suggestion of feature on a subject inside the transaction.
func (tx *Tx) SuggestionOn(ctx context.Context, feature, subjectType, subjectID string) (Suggestion, error) {
	return suggestionFrom(tx.QueryRowContext(ctx, `SELECT `+suggestionColumns+` FROM ai_suggestions
		WHERE feature = $1 AND subject_type = $2 AND subject_id = $3`, feature, subjectType, subjectID), subjectType, subjectID)
}

// SuggestionOn returns the suggestion of feature on a subject.
func (s *Store) SuggestionOn(ctx context.Context, feature, subjectType, subjectID string) (Suggestion, error) {
	return suggestionFrom(s.db.QueryRowContext(ctx, `SELECT `+suggestionColumns+` FROM ai_suggestions
		WHERE feature = $1 AND subject_type = $2 AND subject_id = $3`, feature, subjectType, subjectID), subjectType, subjectID)
}

// Suggestion returns suggestion id.
func (tx *Tx) Suggestion(ctx context.Context, id int64) (Suggestion, error) {
	return suggestionFrom(tx.QueryRowContext(ctx, `SELECT `+suggestionColumns+` FROM ai_suggestions WHERE id = $1`, id),
		"suggestion", fmt.Sprint(id))
}

func suggestionFrom(r *sql.Row, subjectType, subjectID string) (Suggestion, error) {
	s, err := scanSuggestion(r)
	if errors.Is(err, sql.ErrNoRows) {
		return s, userError(ErrNoSuggestion, "the AI-assistance ledger has no suggestion on %s %s", subjectType, subjectID)
	}
	return s, err
}

// DecideSuggestion records the person's decision on suggestion s.ID (Decision, DecidedBy,
// DecidedAt, FinalJSON, Diff, Distance).
func (tx *Tx) DecideSuggestion(ctx context.Context, s Suggestion) error {
	var d any
	if s.Distance != nil {
		d = *s.Distance
	}
	_, err := tx.ExecContext(ctx, `UPDATE ai_suggestions SET decision = $2, decided_by = $3, decided_at = $4,
		final_json = $5, diff = $6, distance = $7 WHERE id = $1`,
		s.ID, s.Decision, s.DecidedBy, nullTime(s.DecidedAt), s.FinalJSON, s.Diff, d)
	if err != nil {
		return fmt.Errorf("record the decision on suggestion %d: %w", s.ID, err)
	}
	return nil
}

// SuggestionTally counts the suggestions of one feature, engine and version by decision.
type SuggestionTally struct {
	Feature        string   `json:"feature"`
	Engine         string   `json:"engine"`
	EngineVersion  string   `json:"engine_version"`
	Suggestions    int64    `json:"suggestions"`
	Pending        int64    `json:"pending"`
	Accepted       int64    `json:"accepted"`
	Edited         int64    `json:"edited"`
	Rejected       int64    `json:"rejected"`
	MeanDistance   *float64 `json:"mean_distance,omitempty"`   // over decided suggestions
	EditedDistance *float64 `json:"edited_distance,omitempty"` // mean over edited ones
}

// SuggestionTallies counts the ledger per feature, engine and engine version in one query.
func (s *Store) SuggestionTallies(ctx context.Context) ([]SuggestionTally, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT feature, engine, engine_version, count(*),
		sum(CASE WHEN decision = '' THEN 1 ELSE 0 END), sum(CASE WHEN decision = 'accepted' THEN 1 ELSE 0 END),
		sum(CASE WHEN decision = 'edited' THEN 1 ELSE 0 END), sum(CASE WHEN decision = 'rejected' THEN 1 ELSE 0 END),
		avg(distance), avg(CASE WHEN decision = 'edited' THEN distance END)
		FROM ai_suggestions GROUP BY feature, engine, engine_version ORDER BY feature, engine, engine_version`)
	if err != nil {
		return nil, fmt.Errorf("count the AI-assistance ledger: %w", err)
	}
	defer rows.Close()
	out := []SuggestionTally{}
	for rows.Next() {
		var t SuggestionTally
		var md, ed sql.NullFloat64
		if err := rows.Scan(&t.Feature, &t.Engine, &t.EngineVersion, &t.Suggestions, &t.Pending, &t.Accepted, &t.Edited,
			&t.Rejected, &md, &ed); err != nil {
			return nil, fmt.Errorf("count the AI-assistance ledger: %w", err)
		}
		if md.Valid {
			t.MeanDistance = &md.Float64
		}
		if ed.Valid {
			t.EditedDistance = &ed.Float64
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
