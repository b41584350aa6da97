package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"procura/internal/audit"
	"procura/internal/mask"
	"procura/internal/store"
	"procura/internal/supervise"
)

// InputNeed is one input of a model and whether the workspace holds a dataset for it.
type InputNeed struct {
	Input   string   `json:"input"`
	Kind    string   `json:"kind,omitempty"`
	Dataset string   `json:"dataset,omitempty"`
	Present bool     `json:"present"`
	Held    []string `json:"held,omitempty"` // the datasets that answer it
}

// BacktestRecord is the last backtest of a model, as its audit entry (model.backtested) records it.
type BacktestRecord struct {
	Version   int       `json:"version"`
	Truth     int       `json:"truth"`
	Clues     int       `json:"clues"`
	Precision float64   `json:"precision"`
	Recall    float64   `json:"recall"`
	F1        float64   `json:"f1"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// LibraryEntry is a model as the library shows it: what it needs, when it last ran and how
// well it does, by review (precision of decided clues) and by its last backtest.
type LibraryEntry struct {
	ModelInfo
	Needs    []InputNeed     `json:"needs"`
	Ready    bool            `json:"ready"` // every input present
	LastRun  *store.ModelRun `json:"last_run,omitempty"`
	Backtest *BacktestRecord `json:"backtest,omitempty"`
}

// ModelLibrary lists the models with their inputs, last run and known precision and recall.
func (a *App) ModelLibrary(ctx context.Context) ([]LibraryEntry, error) {
	infos, err := a.Models(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := a.models(ctx)
	if err != nil {
		return nil, err
	}
	env, err := supervise.WorkspaceEnv(ctx, a.st)
	if err != nil {
		return nil, err
	}
	last, err := a.st.LatestModelRuns(ctx)
	if err != nil {
		return nil, err
	}
	backtests, err := a.lastBacktests(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]*supervise.Model{}
	for _, lm := range ms {
		byID[lm.m.ID] = lm.m
	}
	out := make([]LibraryEntry, 0, len(infos))
	for _, mi := range infos {
		e := LibraryEntry{ModelInfo: mi, Needs: needs(byID[mi.ID], env), Backtest: backtests[mi.ID]}
		e.Ready = true
		for _, n := range e.Needs {
			e.Ready = e.Ready && n.Present
		}
		if r, ok := last[mi.ID]; ok {
			e.LastRun = &r
		}
		out = append(out, e)
	}
	return out, nil
}

// needs lists the inputs of m in alias order with the datasets of env that answer each.
func needs(m *supervise.Model, env supervise.Env) []InputNeed {
	out := []InputNeed{}
	for _, alias := range sortedAliases(m) {
		in := m.Inputs[alias]
		n := InputNeed{Input: alias, Kind: in.Kind, Dataset: in.Dataset}
		for _, d := range env.Datasets {
			if in.Kind != "" && d.Kind == in.Kind || in.Dataset != "" && d.Name == in.Dataset {
				n.Held = append(n.Held, d.Name)
			}
		}
		n.Present = len(n.Held) > 0
		out = append(out, n)
	}
	return out
}

func sortedAliases(m *supervise.Model) []string {
	out := make([]string, 0, len(m.Inputs))
	for k := range m.Inputs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lastBacktests reads the newest model.backtested audit entry of every model. Backtests
// change nothing in the workspace, so the audit log, which records each one, is where their
// results are kept.
func (a *App) lastBacktests(ctx context.Context) (map[string]*BacktestRecord, error) {
	es, err := a.st.AuditEntries(ctx, store.AuditFilter{Action: "model.backtested", Newest: true, Limit: 1000})
	if err != nil {
		return nil, err
	}
	out := map[string]*BacktestRecord{}
	for _, e := range es { // oldest first: later entries replace earlier ones
		var r BacktestRecord
		if json.Unmarshal([]byte(e.NewJSON), &r) != nil {
			continue
		}
		r.By, r.At = e.Actor, e.At
		out[e.ObjectID] = &r
	}
	return out, nil
}

// recordBacktest writes a backtest's scores to the audit log, where the library reads them.
func (a *App) recordBacktest(ctx context.Context, m *supervise.Model, truth string, res supervise.BacktestResult) error {
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: a.actorName(ctx), Action: "model.backtested", ObjectType: "model", ObjectID: m.ID,
			New: map[string]any{"version": m.Version, "truth_file": truth, "truth": res.Truth, "clues": res.Clues,
				"precision": res.Precision, "recall": res.Recall, "f1": res.F1}})
	}
	if err != nil {
		return fmt.Errorf("the backtest of %s ran, but recording it in the audit log failed: %w; check the chain with procura audit verify", m.ID, err)
	}
	return nil
}

// recordRun writes a model run to the audit log: a run adds clues and closes those that are
// gone, so it changes the workspace like any other write.
func (a *App) recordRun(ctx context.Context, m *supervise.Model, res supervise.RunResult) error {
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: a.actorName(ctx), Action: "model.run", ObjectType: "model", ObjectID: m.ID,
			New: map[string]any{"version": m.Version, "run_id": res.RunID, "params": res.Params, "inputs": res.Inputs,
				"rows_matched": res.RowsMatched, "clues_found": res.CluesFound, "clues_new": res.CluesNew,
				"clues_kept": res.CluesKept, "clues_gone": res.CluesGone}})
	}
	if err != nil {
		return fmt.Errorf("model %s ran (run %d), but recording it in the audit log failed: %w; check the chain with procura audit verify", m.ID, res.RunID, err)
	}
	return nil
}

// ValidateModelText checks model YAML as an editor sends it, against the built-in kinds, and
// reports every problem with its line.
func (a *App) ValidateModelText(ctx context.Context, src string) (ValidateResult, error) {
	if _, err := a.authorize(ctx, ActModelRead); err != nil {
		return ValidateResult{}, err
	}
	res := ValidateResult{File: "editor", Problems: []supervise.Problem{}}
	m, ps := parseAndValidate(src)
	if m != nil {
		res.ID = m.ID
	}
	res.Problems = append(res.Problems, ps...)
	res.Valid = len(ps) == 0
	return res, nil
}

func parseAndValidate(src string) (*supervise.Model, supervise.Problems) {
	m, err := supervise.Parse([]byte(src))
	if err != nil {
		return nil, supervise.ParseProblems(err)
	}
	return m, supervise.Validate(m, supervise.Env{KindsOnly: true})
}

// TryRequest is an edited model to run once on the workspace without storing anything.
type TryRequest struct {
	YAML   string            `json:"yaml"`
	Params map[string]string `json:"params,omitempty"`
	Limit  int               `json:"limit,omitempty"` // clues shown; default 20, at most 200
}

// TryClue is a clue a model would produce.
type TryClue struct {
	SubjectType string              `json:"subject_type"`
	SubjectKey  string              `json:"subject_key"`
	SubjectName string              `json:"subject_name,omitempty"`
	TitleZH     string              `json:"title_zh"`
	TitleEN     string              `json:"title_en"`
	Fields      map[string][]string `json:"fields"`
	Rows        int                 `json:"rows"`
}

// TryResult is what a dry run found; nothing of it is stored.
type TryResult struct {
	ID          string              `json:"id,omitempty"`
	Valid       bool                `json:"valid"`
	Problems    []supervise.Problem `json:"problems"`
	RowsMatched int64               `json:"rows_matched"`
	Found       int                 `json:"found"` // clues the model would produce
	Clues       []TryClue           `json:"clues"` // the first Limit of them
}

// TryModel runs an edited, unsaved model on the workspace's data and shows the first clues it
// would produce. It records no run and stores no clue, so it changes nothing and writes no
// audit entry (an unmasked view, when asked for and allowed, is recorded like any other).
func (a *App) TryModel(ctx context.Context, req TryRequest) (TryResult, error) {
	if _, err := a.authorize(ctx, ActModelRun); err != nil {
		return TryResult{}, err
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 200)
	res := TryResult{Problems: []supervise.Problem{}, Clues: []TryClue{}}
	m, ps := parseAndValidate(req.YAML)
	if m != nil {
		res.ID = m.ID
	}
	if len(ps) > 0 {
		res.Problems = ps
		return res, nil
	}
	res.Valid = true
	env, err := supervise.WorkspaceEnv(ctx, a.st)
	if err != nil {
		return res, err
	}
	for _, n := range needs(m, env) {
		if !n.Present {
			what := n.Kind
			if what == "" {
				what = n.Dataset
			}
			return res, fmt.Errorf("%w: input %s needs a dataset %s, and the workspace has none: import one first", ErrInvalid, n.Input, what)
		}
	}
	findings, rows, _, err := supervise.Find(ctx, a.st.DB(), a.st.Backend(), a.st.Location(), m, env, req.Params)
	if err != nil {
		var probs supervise.Problems
		if errors.As(err, &probs) {
			// Problems only the workspace reveals (a column its datasets lack).
			res.Valid, res.Problems = false, probs
			return res, nil
		}
		return res, err
	}
	res.RowsMatched, res.Found = rows, len(findings)
	for _, f := range findings[:min(limit, len(findings))] {
		res.Clues = append(res.Clues, TryClue{SubjectType: f.SubjectType, SubjectKey: f.SubjectKey, SubjectName: f.SubjectName,
			TitleZH: f.TitleZH, TitleEN: f.TitleEN, Fields: f.Fields, Rows: f.Rows})
	}
	return res, a.maskTried(ctx, m.ID, &res)
}

// maskTried masks the clues of a dry run like stored clues, or records the unmasked view.
func (a *App) maskTried(ctx context.Context, id string, res *TryResult) error {
	show, err := a.revealed(ctx, shown{Object: "model_try", ID: id, Rows: len(res.Clues)})
	if err != nil || show {
		return err
	}
	plan, err := a.columnPlan(ctx)
	if err != nil {
		return err
	}
	for i := range res.Clues {
		c := &res.Clues[i]
		c.SubjectKey = maskSubject(c.SubjectType, c.SubjectKey)
		mask.Walk(c, plan.apply, maskRefs)
	}
	return nil
}

// ModelSave is the outcome of saving an edited model as a new version.
type ModelSave struct {
	ID       string                   `json:"id,omitempty"`
	Version  int                      `json:"version,omitempty"`
	Previous int                      `json:"previous_version,omitempty"`
	Saved    bool                     `json:"saved"`
	Problems []supervise.Problem      `json:"problems"`
	Fixture  *supervise.FixtureResult `json:"fixture,omitempty"`
}

// SaveModelVersion stores an edited model as a new version of a model of the library. The
// edit must raise version:, and the model's fixture (built-in, or the one it was imported
// with) must still find exactly its expected clues: the saved version keeps that fixture, so
// it can be exported and imported elsewhere like any package. A refused edit is reported,
// not stored.
//
// id, when given, is the model the editor is open on: an edit whose id: names another model
// is refused rather than saved over that model.
func (a *App) SaveModelVersion(ctx context.Context, id, src string) (ModelSave, error) {
	p, err := a.authorize(ctx, ActModelWrite)
	if err != nil {
		return ModelSave{}, err
	}
	res := ModelSave{Problems: []supervise.Problem{}}
	m, ps := parseAndValidate(src)
	if m != nil {
		res.ID, res.Version = m.ID, m.Version
	}
	if len(ps) > 0 {
		res.Problems = ps
		return res, nil
	}
	if id != "" && m.ID != id {
		res.Problems = append(res.Problems, supervise.Problem{Line: m.Line("id"), Path: "id",
			Message: fmt.Sprintf("this editor saves model %s, and the text names %s: put id: %s back, or open the editor of %s", id, m.ID, id, m.ID)})
		return res, nil
	}
	cur, err := a.findModel(ctx, m.ID)
	if errors.Is(err, ErrNotFound) {
		res.Problems = append(res.Problems, supervise.Problem{Line: m.Line("id"), Path: "id",
			Message: fmt.Sprintf("no model %q in the library: a new model comes with its fixture, import it as a package (procura model import)", m.ID)})
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.Previous = cur.m.Version
	if m.Version <= cur.m.Version {
		res.Problems = append(res.Problems, supervise.Problem{Line: m.Line("version"), Path: "version",
			Message: fmt.Sprintf("version %d is the current version or older: saving makes a new version, raise version: to %d", m.Version, cur.m.Version+1)})
		return res, nil
	}
	fixture, err := a.modelFixture(ctx, cur)
	if err != nil {
		return res, err
	}
	fr, err := verifyInScratch(ctx, m, fixture)
	if err != nil {
		return res, err
	}
	res.Fixture = &fr
	if !fr.Passed {
		return res, nil
	}
	enc, err := supervise.EncodeFixture(fixture)
	if err != nil {
		return res, err
	}
	if err := a.st.SaveModel(ctx, store.StoredModel{ID: m.ID, Version: m.Version, YAML: string(m.Source()), Fixture: enc,
		Source: "editor", ImportedBy: p.Name, ImportedAt: time.Now()}); err != nil {
		return res, err
	}
	res.Saved = true
	l, err := a.auditLog()
	if err == nil {
		_, err = l.Append(ctx, audit.Event{Actor: p.Name, Action: "model.saved", ObjectType: "model", ObjectID: m.ID,
			Old: map[string]any{"version": cur.m.Version}, New: map[string]any{"version": m.Version, "fixture_clues": fr.Got}})
	}
	if err != nil {
		return res, fmt.Errorf("model %s version %d was saved, but recording it in the audit log failed: %w; check the chain with procura audit verify", m.ID, m.Version, err)
	}
	return res, nil
}

// ModelRunHistory lists the latest runs of a model, newest first.
func (a *App) ModelRunHistory(ctx context.Context, id string, limit int) ([]store.ModelRun, error) {
	if _, err := a.authorize(ctx, ActModelRead); err != nil {
		return nil, err
	}
	if _, err := a.findModel(ctx, id); err != nil {
		return nil, err
	}
	runs, err := a.st.ModelRuns(ctx, id, limit)
	if runs == nil {
		runs = []store.ModelRun{}
	}
	return runs, err
}
