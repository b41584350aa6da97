package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LatestModelRuns returns the newest run of every model that has run, by model id.
func (s *Store) LatestModelRuns(ctx context.Context) (map[string]ModelRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM model_runs
		WHERE id IN (SELECT max(id) FROM model_runs GROUP BY model_id)`)
	if err != nil {
		return nil, fmt.Errorf("latest model runs: %w", err)
	}
	defer rows.Close()
	out := map[string]ModelRun{}
	for rows.Next() {
		var r ModelRun
		var fin sql.NullTime
		if err := rows.Scan(&r.ID, &r.ModelID, &r.ModelVersion, &r.ParamsJSON, &r.InputsJSON, &r.Actor, &r.Status, &r.Error,
			&r.RowsMatched, &r.CluesFound, &r.CluesNew, &r.CluesKept, &r.CluesGone, &r.StartedAt, &fin, &r.DurationMS); err != nil {
			return nil, fmt.Errorf("latest model runs: %w", err)
		}
		r.FinishedAt = fin.Time
		out[r.ModelID] = r
	}
	return out, rows.Err()
}

// ModelCount is a number of clues of one model.
type ModelCount struct {
	ModelID string `json:"model_id"`
	Clues   int64  `json:"clues"`
}

// visibleClause restricts clues to those visibleTo may see (ClueFilter.VisibleTo); "" sees all.
func visibleClause(visibleTo string, args *[]any) string {
	if visibleTo == "" {
		return ""
	}
	*args = append(*args, visibleTo)
	return fmt.Sprintf(" AND (case_id = '' OR case_id IN (SELECT case_id FROM case_grants WHERE user_name = $%d))", len(*args))
}

// NewCluesByModel counts, per model, the clues first found since the given time, most first.
func (s *Store) NewCluesByModel(ctx context.Context, since time.Time, visibleTo string) ([]ModelCount, error) {
	args := []any{since}
	rows, err := s.db.QueryContext(ctx, `SELECT model_id, count(*) FROM clues WHERE created_at >= $1`+
		visibleClause(visibleTo, &args)+` GROUP BY model_id ORDER BY 2 DESC, 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("count new clues by model: %w", err)
	}
	defer rows.Close()
	var out []ModelCount
	for rows.Next() {
		var c ModelCount
		if err := rows.Scan(&c.ModelID, &c.Clues); err != nil {
			return nil, fmt.Errorf("count new clues by model: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CluesDue lists the open clues that have a due date, soonest first (overdue ones lead).
func (s *Store) CluesDue(ctx context.Context, visibleTo string, limit int) ([]Clue, error) {
	if limit <= 0 {
		limit = 10
	}
	args := []any{limit}
	rows, err := s.db.QueryContext(ctx, `SELECT `+clueColumns+` FROM clues
		WHERE due_at IS NOT NULL AND holds AND status NOT IN ('dismissed', 'rectified', 'escalated')`+
		visibleClause(visibleTo, &args)+` ORDER BY due_at, id LIMIT $1`, args...)
	if err != nil {
		return nil, fmt.Errorf("list clues due: %w", err)
	}
	defer rows.Close()
	var out []Clue
	for rows.Next() {
		c, err := scanClue(rows)
		if err != nil {
			return nil, fmt.Errorf("list clues due: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
