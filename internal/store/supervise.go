package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"procura/internal/casework"
)

// ModelRun is one run of a supervision model: what it read, with which parameters, and what
// it found.
type ModelRun struct {
	ID           int64     `json:"id"`
	ModelID      string    `json:"model_id"`
	ModelVersion int       `json:"model_version"`
	ParamsJSON   string    `json:"-"`
	InputsJSON   string    `json:"-"` // alias → datasets and the batch ids read
	Actor        string    `json:"actor"`
	Status       string    `json:"status"` // running, done, failed
	Error        string    `json:"error,omitempty"`
	RowsMatched  int64     `json:"rows_matched"`
	CluesFound   int64     `json:"clues_found"`
	CluesNew     int64     `json:"clues_new"`
	CluesKept    int64     `json:"clues_kept"`
	CluesGone    int64     `json:"clues_gone"`
	StartedAt    time.Time `json:"started_at"`
	FinishedAt   time.Time `json:"finished_at"`
	DurationMS   int64     `json:"duration_ms"`
}

// Model run statuses.
const (
	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
)

// Clue statuses the store itself writes or counts; the whole lifecycle is package casework.
const (
	ClueNew       = casework.New
	ClueConfirmed = casework.Confirmed
	ClueDismissed = casework.Dismissed
)

// ClueStatuses lists the statuses of the clue lifecycle.
var ClueStatuses = casework.Statuses

// Clue is one finding of a supervision model, unique per model and fingerprint.
type Clue struct {
	ID            int64     `json:"id"`
	ModelID       string    `json:"model_id"`
	ModelVersion  int       `json:"model_version"`
	Fingerprint   string    `json:"fingerprint"`
	SubjectType   string    `json:"subject_type"`
	SubjectKey    string    `json:"subject_key"`
	SubjectName   string    `json:"subject_name,omitempty"`
	Severity      string    `json:"severity"`
	TitleZH       string    `json:"title_zh"`
	TitleEN       string    `json:"title_en"`
	ExplanationZH string    `json:"explanation_zh"`
	ExplanationEN string    `json:"explanation_en"`
	FieldsJSON    string    `json:"-"`
	EvidenceJSON  string    `json:"-"`
	Status        string    `json:"status"`
	Holds         bool      `json:"holds"` // false once a re-run no longer finds it
	FirstRun      int64     `json:"first_run"`
	LastRun       int64     `json:"last_run"`
	GoneRun       int64     `json:"gone_run,omitempty"`
	ReviewNote    string    `json:"review_note,omitempty"`
	ReviewedBy    string    `json:"reviewed_by,omitempty"`
	ReviewedAt    time.Time `json:"reviewed_at,omitzero"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// The workflow (docs/workflow.md): Version counts its changes, for optimistic concurrency.
	Version        int64     `json:"version"`
	Assignee       string    `json:"assignee,omitempty"`
	DueAt          time.Time `json:"due_at,omitzero"`
	CaseID         string    `json:"case_id,omitempty"`
	DecidedVersion int       `json:"decided_version,omitempty"` // the model version confirmed or dismissed
}

// ClueCounts says what saving a run's clues did.
type ClueCounts struct {
	Found, New, Kept, Gone int64
}

const runColumns = `id, model_id, model_version, params_json, inputs_json, actor, status, error, rows_matched,
	clues_found, clues_new, clues_kept, clues_gone, started_at, finished_at, duration_ms`

// StartModelRun records a running model run and returns its id.
func (s *Store) StartModelRun(ctx context.Context, r ModelRun) (int64, error) {
	var id int64
	if err := s.db.QueryRowContext(ctx, `SELECT nextval('model_runs_id_seq')`).Scan(&id); err != nil {
		return 0, fmt.Errorf("reserve model run id: %w", err)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO model_runs (`+runColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, '', 0, 0, 0, 0, 0, $8, NULL, 0)`,
		id, r.ModelID, r.ModelVersion, orJSON(r.ParamsJSON), orJSON(r.InputsJSON), r.Actor, RunRunning, r.StartedAt)
	if err != nil {
		return 0, fmt.Errorf("record run of model %s: %w", r.ModelID, err)
	}
	return id, nil
}

// FinishModelRun records the outcome of run r.ID.
func (s *Store) FinishModelRun(ctx context.Context, r ModelRun) error {
	_, err := s.db.ExecContext(ctx, `UPDATE model_runs SET status = $2, error = $3, rows_matched = $4, clues_found = $5,
		clues_new = $6, clues_kept = $7, clues_gone = $8, finished_at = $9, duration_ms = $10, inputs_json = $11 WHERE id = $1`,
		r.ID, r.Status, r.Error, r.RowsMatched, r.CluesFound, r.CluesNew, r.CluesKept, r.CluesGone, r.FinishedAt, r.DurationMS, orJSON(r.InputsJSON))
	if err != nil {
		return fmt.Errorf("finish run %d of model %s: %w", r.ID, r.ModelID, err)
	}
	return nil
}

func orJSON(s string) string {
	if s == "" {
		return "{}"
	}
	return s
}

// SaveClues stores the clues a run of model found, in one transaction: a clue whose
// fingerprint is known is refreshed and keeps its review state; a new one is inserted; a clue
// of the model that this run did not find is marked as no longer holding.
func (s *Store) SaveClues(ctx context.Context, runID int64, modelID string, clues []Clue) (ClueCounts, error) {
	tx, err := s.Begin(ctx)
	if err != nil {
		return ClueCounts{}, err
	}
	defer tx.Rollback()
	known := map[string]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT fingerprint, id FROM clues WHERE model_id = $1`, modelID)
	if err != nil {
		return ClueCounts{}, fmt.Errorf("read clues of model %s: %w", modelID, err)
	}
	for rows.Next() {
		var fp string
		var id int64
		if err := rows.Scan(&fp, &id); err != nil {
			rows.Close()
			return ClueCounts{}, err
		}
		known[fp] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ClueCounts{}, err
	}
	now := time.Now()
	cnt := ClueCounts{Found: int64(len(clues))}
	var fresh, kept []Clue
	for _, c := range clues {
		switch id, ok := known[c.Fingerprint]; {
		case !ok:
			fresh = append(fresh, c)
			known[c.Fingerprint] = -1
			cnt.New++
		case id > 0:
			c.ID = id
			kept = append(kept, c)
			cnt.Kept++
		default: // found twice by this run: the first one is the clue
			cnt.Kept++
		}
	}
	// Set-based: thousands of one-row statements in one DuckDB transaction ran out of memory
	// (1 GB after about 1,500 clues); the bulk path saves 10,000 in well under a second.
	if err := tx.insertClues(ctx, runID, modelID, fresh, now); err != nil {
		return ClueCounts{}, err
	}
	if err := tx.refreshClues(ctx, runID, modelID, kept, now); err != nil {
		return ClueCounts{}, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE clues SET holds = FALSE, gone_run = $2, updated_at = $3
		WHERE model_id = $1 AND holds AND last_run <> $2`, modelID, runID, now)
	if err != nil {
		return ClueCounts{}, fmt.Errorf("mark clues of model %s that no longer hold: %w", modelID, err)
	}
	cnt.Gone, _ = res.RowsAffected()
	if err := tx.recordClueSuggestions(ctx, runID, modelID, now); err != nil {
		return ClueCounts{}, err
	}

	return cnt, tx.Commit()
}

// ClueFilter selects clues; zero fields select everything.
type ClueFilter struct {
	ModelID string
	Status  string
	Holds   *bool
	Limit   int // default 100
	Offset  int

	Assignee  string
	CaseID    string
	IDs       []int64
	VisibleTo string // a user whose role needs grants: only clues outside cases or in cases granted to them
	// DueBefore selects open clues (not dismissed, rectified or escalated) due before it.
	DueBefore time.Time
	Severity  string // low, medium or high
	Dataset   string // clues with evidence rows in this dataset
	// Text selects clues whose title, subject name or model contains it (case-insensitive).
	// The subject key is left out on purpose: it is an identifier, and a search on it would
	// tell a user who sees it masked what it is.
	Text string
	// Sort names a column of ClueSorts ("" = model, then id); Desc reverses it.
	Sort string
	Desc bool
}

// ClueSorts are the orders clues can be listed in, by name. Ties are broken by id, so a
// page boundary never drops or repeats a clue.
var ClueSorts = map[string]string{
	"id":       "id",
	"score":    "CASE severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END",
	"created":  "created_at",
	"updated":  "updated_at",
	"model":    "model_id",
	"status":   statusOrder(),
	"assignee": "assignee",
	"due":      "due_at",
}

// statusOrder sorts statuses in the order of the lifecycle rather than by their names.
func statusOrder() string {
	var b strings.Builder
	b.WriteString("CASE status")
	for i, st := range casework.Statuses {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", st, i)
	}
	b.WriteString(" ELSE 99 END")
	return b.String()
}

// clueWhere is the WHERE clause of f and its arguments; status is left out when withStatus is
// false (the counts per status).
func clueWhere(f ClueFilter, withStatus bool) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if f.ModelID != "" {
		add("model_id = $?", f.ModelID)
	}
	if f.Status != "" && withStatus {
		add("status = $?", f.Status)
	}
	if f.Holds != nil {
		add("holds = $?", *f.Holds)
	}
	if f.Assignee != "" {
		add("assignee = $?", f.Assignee)
	}
	if f.CaseID != "" {
		add("case_id = $?", f.CaseID)
	}
	if !f.DueBefore.IsZero() {
		add("due_at < $? AND status NOT IN ('dismissed', 'rectified', 'escalated')", f.DueBefore)
	}
	if f.VisibleTo != "" {
		add("(case_id = '' OR case_id IN (SELECT case_id FROM case_grants WHERE user_name = $?))", f.VisibleTo)
	}
	if f.Severity != "" {
		add("severity = $?", f.Severity)
	}
	if f.Dataset != "" {
		// Evidence is stored as compact JSON ({"input":…,"dataset":"tx",…}): the dataset's
		// member, quoted, marks the clues with rows in it.
		b, _ := json.Marshal(f.Dataset)
		add("strpos(evidence_json, $?) > 0", `"dataset":`+string(b))
	}
	if f.Text != "" {
		add("(strpos(lower(title_zh), $?) > 0 OR strpos(lower(title_en), $?) > 0 OR strpos(lower(subject_name), $?) > 0 OR strpos(lower(model_id), $?) > 0)",
			strings.ToLower(f.Text))
	}
	if len(f.IDs) > 0 {
		list := make([]string, len(f.IDs))
		for i, id := range f.IDs {
			list[i] = fmt.Sprint(id)
		}
		where = append(where, "id IN ("+strings.Join(list, ",")+")")
	}
	if len(where) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// clueOrder is the ORDER BY clause of f.
func clueOrder(f ClueFilter) (string, error) {
	if f.Sort == "" {
		if f.Desc {
			return " ORDER BY model_id DESC, id DESC", nil
		}
		return " ORDER BY model_id, id", nil
	}
	expr, ok := ClueSorts[f.Sort]
	if !ok {
		return "", fmt.Errorf("clues cannot be sorted by %q", f.Sort)
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	// NULLs (no due date) go last either way, as both databases can be told.
	return " ORDER BY " + expr + dir + " NULLS LAST, id" + dir, nil
}

const clueColumns = `id, model_id, model_version, fingerprint, subject_type, subject_key, subject_name, severity,
	title_zh, title_en, explanation_zh, explanation_en, fields_json, evidence_json, status, holds, first_run,
	last_run, gone_run, review_note, reviewed_by, reviewed_at, created_at, updated_at, version, assignee, due_at,
	case_id, decided_version`

func scanClue(r rowScanner) (Clue, error) {
	var c Clue
	var gone, decided sql.NullInt64
	var reviewed, due sql.NullTime
	err := r.Scan(&c.ID, &c.ModelID, &c.ModelVersion, &c.Fingerprint, &c.SubjectType, &c.SubjectKey, &c.SubjectName,
		&c.Severity, &c.TitleZH, &c.TitleEN, &c.ExplanationZH, &c.ExplanationEN, &c.FieldsJSON, &c.EvidenceJSON,
		&c.Status, &c.Holds, &c.FirstRun, &c.LastRun, &gone, &c.ReviewNote, &c.ReviewedBy, &reviewed, &c.CreatedAt, &c.UpdatedAt,
		&c.Version, &c.Assignee, &due, &c.CaseID, &decided)
	c.GoneRun, c.ReviewedAt, c.DueAt, c.DecidedVersion = gone.Int64, reviewed.Time, due.Time, int(decided.Int64)
	return c, err
}

// Clues lists clues in the order f asks (by model and id unless it says), with the total that
// match the filter.
//
// The page is found first by its ids, with the total counted in the same narrow query
// (a window count), and only the page's rows are then read whole: sorting every matching
// clue with its explanations and evidence to keep fifty cost DuckDB about three times as
// much CPU (docs/BENCHMARKS.md, "HTTP load").
//
// On DuckDB the page's ids and total, and each clue read, are kept until the next write
// (readcache.go).
func (s *Store) Clues(ctx context.Context, f ClueFilter) ([]Clue, int64, error) {
	w, args := clueWhere(f, true)
	order, err := clueOrder(f)
	if err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	offset := max(f.Offset, 0)
	type page struct {
		ids   []int64
		total int64
	}
	v, err := s.remember(fmt.Sprintf("clues%s%s LIMIT %d OFFSET %d", w, order, limit, offset), args, func() (any, int, error) {
		ids, total, err := s.cluePage(ctx, w, args, order, limit, offset)
		return page{ids, total}, 1, err
	})
	if err != nil {
		return nil, 0, err
	}
	p := v.(page)
	cs, err := s.clueRows(ctx, p.ids)
	return cs, p.total, err
}

// cluePage finds the ids of a page of clues, with the total: where and args select them,
// order sorts them.
func (s *Store) cluePage(ctx context.Context, w string, args []any, order string, limit, offset int) ([]int64, int64, error) {
	// LIMIT and OFFSET are written as numbers: DuckDB plans a top-N only for a constant limit.
	rows, err := s.db.QueryContext(ctx, `SELECT id, count(*) OVER () FROM clues`+w+
		order+fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list clues: %w", err)
	}
	var ids []int64
	var total int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("list clues: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list clues: %w", err)
	}
	if len(ids) == 0 && offset > 0 {
		// A page past the end still says how many match.
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM clues`+w, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count clues: %w", err)
		}
	}
	return ids, total, nil
}

// ClueStatusCounts counts the clues that match f in each status, whatever f.Status says: the
// queue shows them side by side.
func (s *Store) ClueStatusCounts(ctx context.Context, f ClueFilter) (map[string]int64, error) {
	w, args := clueWhere(f, false)
	v, err := s.remember("status counts"+w, args, func() (any, int, error) {
		n, err := s.clueStatusCounts(ctx, w, args)
		return n, 1, err
	})
	if err != nil {
		return nil, err
	}
	return maps.Clone(v.(map[string]int64)), nil
}

func (s *Store) clueStatusCounts(ctx context.Context, w string, args []any) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM clues`+w+` GROUP BY status`, args...)
	if err != nil {
		return nil, fmt.Errorf("count clues by status: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count clues by status: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// ErrNoClue is returned for an unknown clue id.
var ErrNoClue = errors.New("no such clue")

// ReviewClue sets the status of clue id with a note, as by, outside the lifecycle: fixtures
// and tests use it to put a clue into a state. People change clues through
// app.TransitionClues, which checks the lifecycle, the version and the permissions, and
// writes the events and the audit entry.
func (s *Store) ReviewClue(ctx context.Context, id int64, status, note, by string) (Clue, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE clues SET status = $2, review_note = $3, reviewed_by = $4, reviewed_at = $5,
		updated_at = $5, version = version + 1, decided_version = model_version WHERE id = $1`, id, status, note, by, time.Now())
	s.changed() // after the write: see readcache.go
	if err != nil {
		return Clue{}, fmt.Errorf("review clue %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Clue{}, userError(ErrNoClue, "clue %d does not exist: list clues with procura clue list", id)
	}
	return s.Clue(ctx, id)
}

// ModelRuns lists the runs of a model ("" = every model), newest first.
func (s *Store) ModelRuns(ctx context.Context, modelID string, limit int) ([]ModelRun, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM model_runs WHERE model_id = $1 OR $1 = ''
		ORDER BY id DESC LIMIT $2`, modelID, limit)
	if err != nil {
		return nil, fmt.Errorf("list model runs: %w", err)
	}
	defer rows.Close()
	var out []ModelRun
	for rows.Next() {
		var r ModelRun
		var fin sql.NullTime
		if err := rows.Scan(&r.ID, &r.ModelID, &r.ModelVersion, &r.ParamsJSON, &r.InputsJSON, &r.Actor, &r.Status, &r.Error,
			&r.RowsMatched, &r.CluesFound, &r.CluesNew, &r.CluesKept, &r.CluesGone, &r.StartedAt, &fin, &r.DurationMS); err != nil {
			return nil, fmt.Errorf("list model runs: %w", err)
		}
		r.FinishedAt = fin.Time
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReviewTally counts the clues of a model (and version) and the decisions on them; precision
// is Confirmed / (Confirmed + Dismissed). Confirmed counts every status from confirmed on
// (a measure proposed, sent, … still means the clue held).
type ReviewTally struct {
	ModelID   string `json:"model_id"`
	Version   int    `json:"version,omitempty"`
	Clues     int64  `json:"clues"`
	Confirmed int64  `json:"confirmed"`
	Dismissed int64  `json:"dismissed"`
}

// Precision is Confirmed / (Confirmed + Dismissed), or nil before any decision.
func (t ReviewTally) Precision() *float64 {
	n := t.Confirmed + t.Dismissed
	if n == 0 {
		return nil
	}
	p := float64(t.Confirmed) / float64(n)
	return &p
}

// confirmedList is the SQL list of the statuses that count as confirmed.
func confirmedList() string {
	return "'" + strings.Join(casework.ConfirmedOrLater, "', '") + "'"
}

// ReviewTallies counts clues and decisions per model.
func (s *Store) ReviewTallies(ctx context.Context) (map[string]ReviewTally, error) {
	ts, err := s.reviewTallies(ctx, `model_id, 0`, `model_id`)
	out := map[string]ReviewTally{}
	for _, t := range ts {
		out[t.ModelID] = t
	}
	return out, err
}

// ReviewTalliesByVersion counts decisions per model and the model version that was decided
// on (clues not yet decided count under the version that last found them).
func (s *Store) ReviewTalliesByVersion(ctx context.Context) ([]ReviewTally, error) {
	v := `model_id, coalesce(decided_version, model_version)`
	return s.reviewTallies(ctx, v, v)
}

func (s *Store) reviewTallies(ctx context.Context, key, group string) ([]ReviewTally, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+key+`, count(*),
		sum(CASE WHEN status IN (`+confirmedList()+`) THEN 1 ELSE 0 END), sum(CASE WHEN status = $1 THEN 1 ELSE 0 END)
		FROM clues GROUP BY `+group+` ORDER BY 1, 2`, ClueDismissed)
	if err != nil {
		return nil, fmt.Errorf("count reviewed clues: %w", err)
	}
	defer rows.Close()
	var out []ReviewTally
	for rows.Next() {
		var t ReviewTally
		if err := rows.Scan(&t.ModelID, &t.Version, &t.Clues, &t.Confirmed, &t.Dismissed); err != nil {
			return nil, fmt.Errorf("count reviewed clues: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// StoredModel is a model imported into the workspace.
type StoredModel struct {
	ID         string    `json:"id"`
	Version    int       `json:"version"`
	YAML       string    `json:"-"`
	Fixture    string    `json:"-"` // fixture files as a JSON object: file name → text
	Source     string    `json:"source"`
	ImportedBy string    `json:"imported_by"`
	ImportedAt time.Time `json:"imported_at"`
}

// SaveModel records an imported model version; importing the same version again replaces it.
func (s *Store) SaveModel(ctx context.Context, m StoredModel) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO models (id, version, yaml, source, imported_by, imported_at, fixture)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id, version) DO UPDATE SET yaml = excluded.yaml,
		source = excluded.source, imported_by = excluded.imported_by, imported_at = excluded.imported_at,
		fixture = excluded.fixture`,
		m.ID, m.Version, m.YAML, m.Source, m.ImportedBy, m.ImportedAt, m.Fixture)
	if err != nil {
		return fmt.Errorf("save model %s version %d: %w", m.ID, m.Version, err)
	}
	return nil
}

// StoredModels lists the latest imported version of every model.
func (s *Store) StoredModels(ctx context.Context) ([]StoredModel, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.version, m.yaml, m.source, m.imported_by, m.imported_at, m.fixture
		FROM models m JOIN (SELECT id, max(version) AS version FROM models GROUP BY id) l
		ON m.id = l.id AND m.version = l.version ORDER BY m.id`)
	if err != nil {
		return nil, fmt.Errorf("list imported models: %w", err)
	}
	defer rows.Close()
	var out []StoredModel
	for rows.Next() {
		var m StoredModel
		if err := rows.Scan(&m.ID, &m.Version, &m.YAML, &m.Source, &m.ImportedBy, &m.ImportedAt, &m.Fixture); err != nil {
			return nil, fmt.Errorf("list imported models: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
