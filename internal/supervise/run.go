package supervise

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"procura/internal/progress"
	"procura/internal/store"
)

// Store is what a model run needs of the workspace.
type Store interface {
	DB() *sql.DB
	Backend() string
	Location() *time.Location
	StartModelRun(ctx context.Context, r store.ModelRun) (int64, error)
	FinishModelRun(ctx context.Context, r store.ModelRun) error
	SaveClues(ctx context.Context, runID int64, modelID string, clues []store.Clue) (store.ClueCounts, error)
}

// Evidence is one source row behind a clue: anyone can find it again by dataset, batch, line.
type Evidence struct {
	Input   string `json:"input"`
	Dataset string `json:"dataset"`
	Batch   int64  `json:"batch"`
	Line    int64  `json:"line"`
}

// Finding is a clue as a model run derives it, before it is stored.
type Finding struct {
	Fingerprint   string              `json:"fingerprint"`
	SubjectType   string              `json:"subject_type"`
	SubjectKey    string              `json:"subject_key"`
	SubjectName   string              `json:"subject_name,omitempty"`
	TitleZH       string              `json:"title_zh"`
	TitleEN       string              `json:"title_en"`
	ExplanationZH string              `json:"explanation_zh"`
	ExplanationEN string              `json:"explanation_en"`
	Fields        map[string][]string `json:"fields"`
	Evidence      []Evidence          `json:"evidence"`
	Rows          int                 `json:"rows"`
}

// MaxEvidence caps the evidence rows kept per clue; the query can always re-derive the rest.
const MaxEvidence = 500

// Find runs the compiled query of m and turns its rows into findings, one per fingerprint.
func Find(ctx context.Context, db *sql.DB, backend string, loc *time.Location, m *Model, env Env, params map[string]string) ([]Finding, int64, *Query, error) {
	q, err := Compile(m, env, backend, params)
	if err != nil {
		return nil, 0, nil, err
	}
	var rows *sql.Rows
	if backend == store.BackendPostgres {
		// Belt and braces: the compiled SQL is read-only by construction, and PostgreSQL
		// enforces it too.
		tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, 0, q, fmt.Errorf("model %s: %w", m.ID, err)
		}
		defer tx.Rollback()
		rows, err = tx.QueryContext(ctx, q.SQL)
		if err != nil {
			return nil, 0, q, fmt.Errorf("model %s: run its query: %w", m.ID, err)
		}
	} else {
		rows, err = db.QueryContext(ctx, q.SQL)
		if err != nil {
			return nil, 0, q, fmt.Errorf("model %s: run its query: %w", m.ID, err)
		}
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, 0, q, err
	}
	types := map[string]string{}
	for _, oc := range q.Columns {
		types[oc.Name] = oc.Type
	}
	b := newBuilder(m, loc)
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, 0, q, fmt.Errorf("model %s: read a result row: %w", m.ID, err)
		}
		row := make(map[string]string, len(names))
		for i, name := range names {
			row[name] = text(vals[i], types[name], loc)
		}
		b.add(row)
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, q, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, q, fmt.Errorf("model %s: %w", m.ID, err)
	}
	return b.findings(), n, q, nil
}

// text renders a scanned value the way the source file wrote it.
func text(v any, typ string, loc *time.Location) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		if typ == "date" {
			return x.UTC().Format("2006-01-02")
		}
		return x.In(loc).Format("2006-01-02 15:04:05")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

type group struct {
	first    map[string]string
	values   map[string][]string // column → distinct values in order
	evidence []Evidence
	seen     map[Evidence]bool
	rows     int
}

type builder struct {
	m      *Model
	loc    *time.Location
	order  []string
	groups map[string]*group
	evid   []string
}

func newBuilder(m *Model, loc *time.Location) *builder {
	b := &builder{m: m, loc: loc, groups: map[string]*group{}}
	b.evid = m.Clue.Evidence
	if len(b.evid) == 0 {
		b.evid = append([]string{m.Logic.From}, joinedInputs(m)...)
	}
	return b
}

func joinedInputs(m *Model) []string {
	var out []string
	for _, j := range m.Logic.Join {
		out = append(out, j.Input)
	}
	return out
}

// fingerprint identifies a clue by the model and the values of its fingerprint columns.
func fingerprint(modelID string, vals []string) string {
	h := sha256.New()
	h.Write([]byte(modelID))
	for _, v := range vals {
		h.Write([]byte{0x1f})
		h.Write([]byte(v))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func (b *builder) add(row map[string]string) {
	var key []string
	for _, f := range b.m.Clue.Fingerprint {
		key = append(key, row[f])
	}
	fp := fingerprint(b.m.ID, key)
	g, ok := b.groups[fp]
	if !ok {
		g = &group{first: row, values: map[string][]string{}, seen: map[Evidence]bool{}}
		b.groups[fp] = g
		b.order = append(b.order, fp)
	}
	g.rows++
	for k, v := range row {
		if v != "" && !slices.Contains(g.values[k], v) && len(g.values[k]) < MaxEvidence {
			g.values[k] = append(g.values[k], v)
		}
	}
	for _, a := range b.evid {
		batch, err1 := strconv.ParseInt(row[a+"._batch"], 10, 64)
		line, err2 := strconv.ParseInt(row[a+"._line"], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		e := Evidence{Input: a, Dataset: row[a+"._ds"], Batch: batch, Line: line}
		if !g.seen[e] && len(g.evidence) < MaxEvidence {
			g.seen[e] = true
			g.evidence = append(g.evidence, e)
		}
	}
}

func (b *builder) findings() []Finding {
	ct := b.m.Clue
	out := make([]Finding, 0, len(b.order))
	for _, fp := range b.order {
		g := b.groups[fp]
		f := Finding{Fingerprint: fp, SubjectType: ct.Subject.Type, SubjectKey: g.first[ct.Subject.Key], Rows: g.rows,
			Evidence: g.evidence, Fields: map[string][]string{}}
		if ct.Subject.Name != "" {
			f.SubjectName = g.first[ct.Subject.Name]
		}
		for _, name := range ct.Fields {
			f.Fields[name] = append([]string{}, g.values[name]...)
		}
		f.TitleZH = b.fill(ct.Title.ZH, g, "、")
		f.TitleEN = b.fill(ct.Title.EN, g, ", ")
		f.ExplanationZH = b.fill(ct.Explanation.ZH, g, "、")
		f.ExplanationEN = b.fill(ct.Explanation.EN, g, ", ")
		out = append(out, f)
	}
	return out
}

// fill replaces {INPUT.COLUMN}, {measure}, {rows} and the |min |max |list |count forms.
func (b *builder) fill(tmpl string, g *group, sep string) string {
	return placeholderRe.ReplaceAllStringFunc(tmpl, func(ph string) string {
		m := placeholderRe.FindStringSubmatch(ph)
		if m[1] == "rows" {
			return strconv.Itoa(g.rows)
		}
		vals := g.values[m[1]]
		switch m[2] {
		case "list":
			return strings.Join(vals, sep)
		case "count":
			return strconv.Itoa(len(vals))
		case "min", "max":
			if len(vals) == 0 {
				return ""
			}
			best := vals[0]
			for _, v := range vals[1:] {
				if less(v, best) == (m[2] == "min") {
					best = v
				}
			}
			return best
		}
		return g.first[m[1]]
	})
}

// less compares numerically when both values are numbers, else as text (dates sort as text).
func less(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 == nil && err2 == nil {
		return x < y
	}
	return a < b
}

// RunOptions tune one model run.
type RunOptions struct {
	Params   map[string]string // overrides of the model's parameter defaults
	Actor    string
	Progress progress.Reporter
}

// RunResult is what a model run did.
type RunResult struct {
	RunID       int64             `json:"run_id"`
	ModelID     string            `json:"model_id"`
	Version     int               `json:"model_version"`
	Params      map[string]string `json:"params"`
	Inputs      map[string][]Read `json:"inputs"`
	RowsMatched int64             `json:"rows_matched"`
	Counts      store.ClueCounts  `json:"-"`
	CluesFound  int64             `json:"clues_found"`
	CluesNew    int64             `json:"clues_new"`
	CluesKept   int64             `json:"clues_kept"`
	CluesGone   int64             `json:"clues_gone"`
	DurationMS  int64             `json:"duration_ms"`
	Findings    []Finding         `json:"-"`
}

// Read names a dataset an input read and the import batches it held at the time.
type Read struct {
	Dataset string  `json:"dataset"`
	Batches []int64 `json:"batches"`
}

// Run runs model m on the workspace, records the run and stores its clues by fingerprint.
func Run(ctx context.Context, st Store, m *Model, env Env, o RunOptions) (RunResult, error) {
	pr := progress.OrNop(o.Progress)
	start := time.Now()
	res := RunResult{ModelID: m.ID, Version: m.Version, Inputs: map[string][]Read{}}
	q, err := Compile(m, env, st.Backend(), o.Params)
	if err != nil {
		return res, err
	}
	res.Params = q.Params
	for alias, names := range q.Inputs {
		for _, n := range names {
			r := Read{Dataset: n, Batches: []int64{}}
			for _, d := range env.Datasets {
				if d.Name == n {
					r.Batches = append(r.Batches, d.Batches...)
				}
			}
			res.Inputs[alias] = append(res.Inputs[alias], r)
		}
	}
	pj, _ := json.Marshal(res.Params)
	ij, _ := json.Marshal(res.Inputs)
	run := store.ModelRun{ModelID: m.ID, ModelVersion: m.Version, ParamsJSON: string(pj), InputsJSON: string(ij), Actor: o.Actor, StartedAt: start}
	// Recorded even when ctx is already cancelled, so every requested run leaves a trace.
	if run.ID, err = st.StartModelRun(context.WithoutCancel(ctx), run); err != nil {
		return res, err
	}
	res.RunID = run.ID
	fail := func(err error) (RunResult, error) {
		run.Status, run.Error, run.FinishedAt = store.RunFailed, err.Error(), time.Now()
		run.DurationMS = time.Since(start).Milliseconds()
		// The run is recorded as failed even when ctx was cancelled.
		st.FinishModelRun(context.WithoutCancel(ctx), run)
		return res, err
	}
	pr.Begin("model "+m.ID, -1, "rows")
	findings, n, _, err := Find(ctx, st.DB(), st.Backend(), st.Location(), m, env, o.Params)
	pr.Add(n)
	pr.End()
	if err != nil {
		return fail(err)
	}
	res.RowsMatched, res.Findings = n, findings
	clues := make([]store.Clue, len(findings))
	for i, f := range findings {
		fj, _ := json.Marshal(f.Fields)
		ej, _ := json.Marshal(f.Evidence)
		clues[i] = store.Clue{ModelID: m.ID, ModelVersion: m.Version, Fingerprint: f.Fingerprint, SubjectType: f.SubjectType,
			SubjectKey: f.SubjectKey, SubjectName: f.SubjectName, Severity: m.Severity, TitleZH: f.TitleZH, TitleEN: f.TitleEN,
			ExplanationZH: f.ExplanationZH, ExplanationEN: f.ExplanationEN, FieldsJSON: string(fj), EvidenceJSON: string(ej)}
	}
	pr.Begin("save clues of "+m.ID, int64(len(clues)), "clues")
	cnt, err := st.SaveClues(ctx, run.ID, m.ID, clues)
	pr.Add(int64(len(clues)))
	pr.End()
	if err != nil {
		return fail(err)
	}
	res.Counts = cnt
	res.CluesFound, res.CluesNew, res.CluesKept, res.CluesGone = cnt.Found, cnt.New, cnt.Kept, cnt.Gone
	res.DurationMS = time.Since(start).Milliseconds()
	run.Status, run.FinishedAt, run.DurationMS = store.RunDone, time.Now(), res.DurationMS
	run.RowsMatched, run.CluesFound, run.CluesNew, run.CluesKept, run.CluesGone = n, cnt.Found, cnt.New, cnt.Kept, cnt.Gone
	if err := st.FinishModelRun(ctx, run); err != nil {
		return res, err
	}
	return res, nil
}
